package dev.codec.bench;

import dev.codec.server.core.CodecService;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.StoredVariable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link CodecService#decryptAll} of {@value #SECRETS} SECRET variables with a warm DEK cache,
 * reported per value (OperationsPerInvocation), to compare with {@code
 * ValueCryptoBenchmark.rawJceDecrypt}: the whole service path (validation, cache hit, base64,
 * AES-GCM, strict UTF-8, result map) per secret.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class DecryptAllBenchmark {
  static final int SECRETS = 100;

  @Param({"64", "1024", "65536"})
  public int size;

  private CodecService service;
  private String wrapped;
  private Map<String, StoredVariable> variables;

  @Setup(Level.Trial)
  public void setUp() throws RejectedRequestException {
    service = Fixtures.openService(Fixtures.crypto());
    wrapped = service.generateDek(Fixtures.PROJECT).encoded();
    Map<String, String> plain = new HashMap<>();
    for (int i = 0; i < SECRETS; i++) {
      plain.put("SECRET_" + i, Fixtures.plaintextString(size));
    }
    variables = Fixtures.secretVariables(service, wrapped, plain);
  }

  @Benchmark
  @OperationsPerInvocation(SECRETS)
  public Map<String, String> decryptAllPerValue() throws RejectedRequestException {
    return service.decryptAll(Fixtures.PROJECT, "deploy-1", wrapped, variables);
  }
}
