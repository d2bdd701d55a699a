package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekRoundTripCheck;
import dev.codec.server.crypto.SymmetricKey;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Health is SERVING only after a passing crypto self-test, and NOT_SERVING for good after shutdown
 * starts.
 */
class ServingHealthTest {
  @Test
  void selfTest_passes_onAWorkingRing() throws Exception {
    KekRing ring = ring(SymmetricKey.random(), 3);
    assertEquals(3, KekRoundTripCheck.run(new EnvelopeCrypto(() -> ring)));
  }

  @Test
  void selfTest_fails_whenTheKekCannotUnwrapWhatItWrapped() throws Exception {
    // A ring whose key differs on every read: what is wrapped never unwraps (a broken key source).
    KekRing first = ring(SymmetricKey.random(), 1);
    KekRing second = ring(SymmetricKey.random(), 1);
    AtomicInteger reads = new AtomicInteger();
    Supplier<KekRing> flipping = () -> reads.getAndIncrement() % 2 == 0 ? first : second;

    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> KekRoundTripCheck.run(new EnvelopeCrypto(flipping)));
    assertTrue(e.getMessage().contains("did not unwrap"), e.getMessage());
  }

  @Test
  void health_startsNotServing_servesAfterSelfTest_andStopsServingForGood() throws Exception {
    HealthStatusManager manager = new HealthStatusManager();
    ServingHealth.notServing(manager); // what StartNotServing does when the bean is created
    KekRing ring = ring(SymmetricKey.random(), 1);
    ServingHealth health = new ServingHealth(manager, new EnvelopeCrypto(() -> ring));

    assertEquals(ServingStatus.NOT_SERVING, status(manager, ""));
    assertTrue(health.selfTestAndServe());
    assertEquals(ServingStatus.SERVING, status(manager, ""));
    assertEquals(ServingStatus.SERVING, status(manager, "codec.v1.CodecService"));

    health.shuttingDown();
    assertEquals(ServingStatus.NOT_SERVING, status(manager, ""));
    assertEquals(ServingStatus.NOT_SERVING, status(manager, "codec.v1.CodecService"));
    assertFalse(health.selfTestAndServe());
    assertEquals(ServingStatus.NOT_SERVING, status(manager, ""));
  }

  @Test
  void health_staysNotServing_whenTheSelfTestFails() throws Exception {
    HealthStatusManager manager = new HealthStatusManager();
    ServingHealth.notServing(manager); // what StartNotServing does when the bean is created
    KekRing first = ring(SymmetricKey.random(), 1);
    KekRing second = ring(SymmetricKey.random(), 1);
    AtomicInteger reads = new AtomicInteger();
    ServingHealth health =
        new ServingHealth(
            manager, new EnvelopeCrypto(() -> reads.getAndIncrement() % 2 == 0 ? first : second));

    assertFalse(health.selfTestAndServe());
    assertFalse(health.isServing());
    assertEquals(ServingStatus.NOT_SERVING, status(manager, ""));
    assertEquals(ServingStatus.NOT_SERVING, status(manager, "codec.v1.CodecService"));
  }

  private static KekRing ring(SymmetricKey key, int version) throws Exception {
    return KekRing.of(Map.of(version, key), null);
  }

  private static ServingStatus status(HealthStatusManager manager, String service) {
    AtomicReference<ServingStatus> status = new AtomicReference<>();
    ((HealthGrpc.HealthImplBase) manager.getHealthService())
        .check(
            HealthCheckRequest.newBuilder().setService(service).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {
                status.set(value.getStatus());
              }

              @Override
              public void onError(Throwable t) {
                throw new AssertionError(t);
              }

              @Override
              public void onCompleted() {}
            });
    return status.get();
  }
}
