package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A retired KEK ring is wiped once its last in-flight user lets go, and not before. */
class CurrentKekRingTest {
  @Test
  void replacedRing_withoutUsers_isWipedAtOnce() throws Exception {
    SymmetricKey old = SymmetricKey.random();
    CurrentKekRing current = new CurrentKekRing(EnvelopeCryptoTest.ring(Map.of(1, old), null));

    current.replace(EnvelopeCryptoTest.ring(Map.of(1, SymmetricKey.random()), null));

    assertTrue(old.isDestroyed());
  }

  @Test
  void replacedRing_isWipedWhenItsLastLeaseCloses_andNotBefore() throws Exception {
    SymmetricKey old = SymmetricKey.random();
    CurrentKekRing current = new CurrentKekRing(EnvelopeCryptoTest.ring(Map.of(1, old), null));
    CurrentKekRing.Lease first = current.acquire();
    CurrentKekRing.Lease second = current.acquire();

    current.replace(EnvelopeCryptoTest.ring(Map.of(2, SymmetricKey.random()), null));
    assertFalse(old.isDestroyed(), "two calls still use it");
    assertEquals(1, first.ring().activeVersion());
    first.close();
    first.close(); // closing twice counts once
    assertFalse(old.isDestroyed(), "one call still uses it");
    AesGcm.seal(second.ring().active(), new byte[] {1}, new byte[0]); // still usable

    second.close();

    assertTrue(old.isDestroyed());
    try (CurrentKekRing.Lease next = current.acquire()) {
      assertEquals(2, next.ring().activeVersion(), "new leases get the new ring");
      assertFalse(next.ring().active().isDestroyed());
    }
  }

  @Test
  void keysTheNewRingKeeps_areNotWiped() throws Exception {
    SymmetricKey kept = SymmetricKey.random();
    SymmetricKey retired = SymmetricKey.random();
    CurrentKekRing current =
        new CurrentKekRing(EnvelopeCryptoTest.ring(Map.of(1, kept, 2, retired), null));

    current.replace(EnvelopeCryptoTest.ring(Map.of(1, kept), null));

    assertTrue(retired.isDestroyed());
    assertFalse(kept.isDestroyed());
  }

  @Test
  void manyReloadsWhileCallsRun_neverWipeAKeyInUse_andWipeEveryRetiredRing() throws Exception {
    List<SymmetricKey> all = new ArrayList<>();
    SymmetricKey first = SymmetricKey.random();
    all.add(first);
    CurrentKekRing current = new CurrentKekRing(EnvelopeCryptoTest.ring(Map.of(1, first), null));
    EnvelopeCrypto crypto = new EnvelopeCrypto(current);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        callers.add(
            pool.submit(
                () -> {
                  int calls = 0;
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                  while (!stop.get() && calls < 1_000_000 && System.nanoTime() < deadline) {
                    EnvelopeCrypto.WrappedDek wrapped =
                        crypto.generateWrappedDek("p"); // fails if wiped mid-use
                    try {
                      crypto.unwrap("p", wrapped.encoded()).destroy();
                    } catch (UnknownKekVersionException e) {
                      // the version was reloaded away between the two calls: not a wiping problem
                    }
                    calls++;
                  }
                  return calls;
                }));
      }
      for (int reload = 0; reload < 500; reload++) {
        SymmetricKey next = SymmetricKey.random();
        all.add(next);
        current.replace(EnvelopeCryptoTest.ring(Map.of(reload + 2, next), null));
      }
      stop.set(true);
      int calls = 0;
      for (Future<Integer> caller : callers) {
        calls += caller.get(60, TimeUnit.SECONDS); // an exception here is a key wiped while in use
      }
      assertTrue(calls > 0);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    for (SymmetricKey key : all.subList(0, all.size() - 1)) {
      assertTrue(key.isDestroyed(), "every retired ring is wiped once its calls are done");
    }
    assertFalse(all.get(all.size() - 1).isDestroyed(), "the ring in force is intact");
  }
}
