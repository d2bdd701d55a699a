package dev.codec.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * DecryptAll of {@value SealedRpcFixture#SECRETS} SECRET + {@value SealedRpcFixture#PLAINS} PLAIN
 * values as the server serves it: the real codec server (its own process, with its interceptors,
 * audit and transport) over loopback HTTP/2, called through the real client, with grant and seal
 * and without, against the same server. The budget at this level: (with - without) /
 * without. Wall time per call includes the client's work; {@link SealedRpcCpuTime} gives the
 * server's CPU time per call. Run by {@code scripts/bench-seal-rpc.sh}, which starts the server.
 *
 * <pre>java -jar codec-bench/target/benchmarks.jar SealedRpcBenchmark -p target=127.0.0.1:PORT
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class SealedRpcBenchmark {
  /** host:port of a running codec server that does not require grants or seals. */
  @Param("")
  public String target;

  private SealedRpcFixture fixture;

  @Setup(Level.Trial)
  public void setUp() {
    fixture = new SealedRpcFixture(target);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    fixture.close();
  }

  @Benchmark
  public Map<String, String> decryptAllRpc() {
    return fixture.decryptAll();
  }

  @Benchmark
  public Map<String, String> decryptAllRpcWithGrantAndSeal() {
    return fixture.decryptAllWithGrantAndSeal();
  }
}
