package dev.codec.server.crypto;

import java.util.function.Supplier;

/**
 * The KEK ring for one operation that uses key bytes (KEKs or the grant keys derived from them): a
 * {@link CurrentKekRing.Lease} when the ring comes from a {@link CurrentKekRing}, so a reload
 * cannot wipe the keys while they are in use, else the supplier's ring as it is (a fixed ring in
 * tests). Close it when the keys are no longer needed.
 */
record RingUse(KekRing ring, CurrentKekRing.Lease lease) implements AutoCloseable {
  static RingUse of(Supplier<KekRing> ring) {
    if (ring instanceof CurrentKekRing current) {
      CurrentKekRing.Lease lease = current.acquire();
      return new RingUse(lease.ring(), lease);
    }
    return new RingUse(ring.get(), null);
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }
}
