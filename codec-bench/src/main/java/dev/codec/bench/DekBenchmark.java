package dev.codec.bench;

import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * DEK operations: wrapping a DEK under the KEK, unwrapping it (parse + AES-GCM open, what a DEK
 * cache miss costs), and {@link DekCache#get} when the entry is present (the hit path of every warm
 * call).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class DekBenchmark {
  private EnvelopeCrypto crypto;
  private SymmetricKey dek;
  private String wrapped;
  private DekCache cache;

  /**
   * An equal but distinct String, as a new request would carry: the hit path must hash and compare
   * it.
   */
  private String wrappedFromRequest;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    crypto = Fixtures.crypto();
    dek = SymmetricKey.random();
    wrapped = crypto.wrap(Fixtures.PROJECT, dek).encoded();
    cache = new DekCache(Duration.ofHours(1), 10_000);
    cache.get(Fixtures.PROJECT, wrapped, crypto::unwrap);
    wrappedFromRequest = new String(wrapped.toCharArray());
  }

  @Benchmark
  public String wrapDek() {
    return crypto.wrap(Fixtures.PROJECT, dek).encoded();
  }

  @Benchmark
  public SymmetricKey unwrapDek() throws InvalidCiphertextException, UnknownKekVersionException {
    return crypto.unwrap(Fixtures.PROJECT, wrapped);
  }

  @Benchmark
  public SymmetricKey dekCacheHit() throws InvalidCiphertextException, UnknownKekVersionException {
    // A fresh String per call, like each gRPC request (its hash code is not cached yet).
    return cache.get(Fixtures.PROJECT, new String(wrappedFromRequest), crypto::unwrap);
  }
}
