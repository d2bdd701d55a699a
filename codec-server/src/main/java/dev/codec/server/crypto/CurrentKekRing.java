package dev.codec.server.crypto;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The KEK ring in force, replaceable as a whole while running (every reader sees one consistent
 * ring), and the owner of the rings' key bytes: a ring that {@link #replace} retires is wiped
 * ({@link SymmetricKey#destroy()}) as soon as no call uses it any more.
 *
 * <p>Reference counting: the ring in force holds one reference; each {@link #acquire()} adds one
 * until its {@link Lease} is closed. {@link #replace} drops the old ring's own reference, so the
 * old ring is wiped by whoever drops the last one: {@code replace} itself when no call was using
 * it, otherwise the last in-flight call when it closes its lease. A lease is only ever taken on a
 * ring whose count is still positive, so no call can start using a ring after it was wiped. Keys
 * that the new ring shares with the old one (the same objects) are left alone.
 *
 * <p>{@link #get()} reads the ring without a lease: for versions and other metadata only. Code that
 * uses key bytes takes a lease.
 */
public final class CurrentKekRing implements Supplier<KekRing> {
  /** A ring and its references. */
  private static final class Held {
    final KekRing ring;
    final AtomicInteger references = new AtomicInteger(1);
    volatile List<SymmetricKey> toWipe = List.of();

    Held(KekRing ring) {
      this.ring = ring;
    }

    boolean retain() {
      for (int count = references.get(); count > 0; count = references.get()) {
        if (references.compareAndSet(count, count + 1)) {
          return true;
        }
      }
      return false; // already wiped
    }

    void release() {
      if (references.decrementAndGet() == 0) {
        toWipe.forEach(SymmetricKey::destroy);
      }
    }
  }

  /** The use of one ring by one call: close it when the call no longer needs the ring's keys. */
  public static final class Lease implements AutoCloseable {
    private final Held held;
    private final AtomicInteger closed = new AtomicInteger();

    private Lease(Held held) {
      this.held = held;
    }

    /** The ring; its keys stay intact until this lease is closed. */
    public KekRing ring() {
      return held.ring;
    }

    /** Ends the use (once; later calls do nothing). */
    @Override
    public void close() {
      if (closed.compareAndSet(0, 1)) {
        held.release();
      }
    }
  }

  private final AtomicReference<Held> current;

  public CurrentKekRing(KekRing initial) {
    this.current = new AtomicReference<>(new Held(Objects.requireNonNull(initial)));
  }

  /** The ring in force, without a lease: for metadata (versions), not for key bytes. */
  @Override
  public KekRing get() {
    return current.get().ring;
  }

  /** The ring in force, kept intact until the lease is closed. */
  public Lease acquire() {
    while (true) {
      Held held = current.get();
      if (held.retain()) {
        return new Lease(held);
      }
      // replaced and wiped between the read and the retain: the next read sees the new ring
    }
  }

  /**
   * Puts {@code next} in force for every following call; the previous ring is wiped once the calls
   * using it have finished.
   */
  public void replace(KekRing next) {
    Held fresh = new Held(Objects.requireNonNull(next));
    Held previous = current.getAndSet(fresh);
    Set<SymmetricKey> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(next.keys());
    previous.toWipe = previous.ring.keys().stream().filter(key -> !kept.contains(key)).toList();
    previous.release();
  }

  @Override
  public String toString() {
    return "CurrentKekRing[" + current.get().ring + "]";
  }
}
