package dev.codec.server.crypto;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the KEK source while running and puts the new ring in force in the {@link
 * CurrentKekRing}.
 *
 * <p>A reload that fails (no usable KEK, a bad file, a missing active version) keeps the ring in
 * force: the service is never left without a key. The failure is recorded in {@link #status()} with
 * a message naming the problem (never key material).
 *
 * <p>Scheduling, logging failures and counting them is someone else's job (the server's {@code
 * wiring.SecretReloads}, the same for every file-backed secret): it calls {@link #reloadNow()}
 * periodically, and so can tests. Thread-safe.
 */
public final class KekReloader {
  private static final Logger LOG = LoggerFactory.getLogger(KekReloader.class);

  /** Produces a fresh ring from the KEK source (e.g. the KEK directory). */
  @FunctionalInterface
  public interface Source {
    KekRing load() throws KekLoadException;
  }

  /** The outcome of the last reload attempt. */
  public enum Result {
    /** The KEK does not come from a directory (CODEC_KEK): nothing to reload. */
    DISABLED,
    /** No reload has run since startup. */
    NOT_YET,
    /** The last reload succeeded (possibly with no change). */
    OK,
    /** The last reload failed; the previous ring stays in force. */
    FAILED
  }

  /** One loaded KEK version: its fingerprint ({@link KekFingerprint}) and when it was loaded. */
  public record LoadedKek(int version, String fingerprint, Instant loadedAt) {}

  /**
   * The last reload attempt.
   *
   * @param at when it ran, or {@code null} if none has run
   * @param error why it failed (safe to show), or {@code null} unless {@link Result#FAILED}
   */
  public record ReloadStatus(Result result, Instant at, String error) {}

  /** What is loaded now and how the last reload went. */
  public record Status(int activeVersion, List<LoadedKek> versions, ReloadStatus lastReload) {}

  private final CurrentKekRing current;
  private final Source source;
  private final String sourceName;
  private final Clock clock;
  private final Runnable onKeysChanged;
  private volatile Status status;

  private KekReloader(
      CurrentKekRing current,
      Source source,
      String sourceName,
      Clock clock,
      Runnable onKeysChanged) {
    this.current = Objects.requireNonNull(current);
    this.source = source;
    this.sourceName = sourceName;
    this.clock = clock;
    this.onKeysChanged = onKeysChanged;
    KekRing ring = current.get();
    this.status =
        new Status(
            ring.activeVersion(),
            describe(ring, Map.of(), clock.instant()),
            new ReloadStatus(source == null ? Result.DISABLED : Result.NOT_YET, null, null));
  }

  /**
   * A reloader of {@code current} from {@code source}.
   *
   * @param sourceName where the keys come from (e.g. the directory), for log lines
   * @param onKeysChanged called after a reload removed a version or changed a version's key (e.g.
   *     to drop cached DEKs that were unwrapped with a retired key)
   */
  public static KekReloader of(
      CurrentKekRing current,
      Source source,
      String sourceName,
      Clock clock,
      Runnable onKeysChanged) {
    return new KekReloader(
        current, Objects.requireNonNull(source), sourceName, clock, onKeysChanged);
  }

  /** For a ring that cannot be reloaded (a single key from the environment). */
  public static KekReloader disabled(CurrentKekRing current, Clock clock) {
    return new KekReloader(current, null, "none", clock, () -> {});
  }

  /** Whether {@link #reloadNow()} re-reads anything. */
  public boolean enabled() {
    return source != null;
  }

  /**
   * Re-reads the source now. On success the new ring is in force for every following call; on
   * failure the current ring stays.
   *
   * @return the outcome, also visible in {@link #status()}
   */
  public synchronized ReloadStatus reloadNow() {
    if (source == null) {
      return status.lastReload();
    }
    Instant now = clock.instant();
    Status before = status;
    KekRing next;
    try {
      next = source.load();
    } catch (KekLoadException | RuntimeException e) {
      String error =
          e instanceof KekLoadException
              ? e.getMessage()
              : "unexpected " + e.getClass().getSimpleName();
      ReloadStatus failed = new ReloadStatus(Result.FAILED, now, error);
      status = new Status(before.activeVersion(), before.versions(), failed);
      return failed;
    }
    KekRing previous = current.get();
    if (sameKeys(next)) {
      // Nothing changed: keep the ring in force (and its key objects, which calls may be using) and
      // wipe the fresh copies, instead of replacing the ring every reload.
      next.keys().forEach(SymmetricKey::destroy);
      ReloadStatus unchanged = new ReloadStatus(Result.OK, now, null);
      status = new Status(before.activeVersion(), before.versions(), unchanged);
      return unchanged;
    }
    current.replace(next);
    Map<Integer, LoadedKek> known = new HashMap<>();
    before.versions().forEach(k -> known.put(k.version(), k));
    List<LoadedKek> versions = describe(next, known, now);
    ReloadStatus ok = new ReloadStatus(Result.OK, now, null);
    status = new Status(next.activeVersion(), versions, ok);

    boolean removedOrChanged = false;
    for (LoadedKek old : before.versions()) {
      LoadedKek same =
          versions.stream().filter(k -> k.version() == old.version()).findFirst().orElse(null);
      if (same == null || !same.fingerprint().equals(old.fingerprint())) {
        removedOrChanged = true;
      }
    }
    boolean changed =
        removedOrChanged
            || versions.size() != before.versions().size()
            || next.activeVersion() != previous.activeVersion();
    if (changed) {
      LOG.info(
          "Reloaded KEK versions {} from {} (active {}; before: {}, active {})",
          next.versions(),
          sourceName,
          next.activeVersion(),
          versionsOf(before.versions()),
          before.activeVersion());
    }
    if (removedOrChanged) {
      onKeysChanged.run();
    }
    return ok;
  }

  /**
   * Whether {@code next} has the same active version, versions and key bytes as the ring in force.
   */
  private boolean sameKeys(KekRing next) {
    try (CurrentKekRing.Lease lease = current.acquire()) {
      KekRing inForce = lease.ring();
      if (inForce.activeVersion() != next.activeVersion()
          || !inForce.versions().equals(next.versions())) {
        return false;
      }
      for (int version : next.versions()) {
        byte[] a = inForce.get(version).getEncoded();
        byte[] b = next.get(version).getEncoded();
        try {
          if (!java.security.MessageDigest.isEqual(a, b)) {
            return false;
          }
        } finally {
          java.util.Arrays.fill(a, (byte) 0);
          java.util.Arrays.fill(b, (byte) 0);
        }
      }
      return true;
    } catch (UnknownKekVersionException e) {
      return false;
    }
  }

  /** The loaded versions, the active one, and the last reload. */
  public Status status() {
    return status;
  }

  private static List<LoadedKek> describe(
      KekRing ring, Map<Integer, LoadedKek> known, Instant now) {
    List<LoadedKek> out = new ArrayList<>();
    for (int version : ring.versions()) {
      String fingerprint;
      try {
        fingerprint = KekFingerprint.of(ring.get(version));
      } catch (UnknownKekVersionException e) {
        throw new IllegalStateException(e);
      }
      LoadedKek before = known.get(version);
      Instant loadedAt =
          before != null && before.fingerprint().equals(fingerprint) ? before.loadedAt() : now;
      out.add(new LoadedKek(version, fingerprint, loadedAt));
    }
    return List.copyOf(out);
  }

  private static Set<Integer> versionsOf(List<LoadedKek> versions) {
    java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
    versions.forEach(k -> out.add(k.version()));
    return out;
  }

  @Override
  public String toString() {
    return "KekReloader[source=" + sourceName + ", " + status.lastReload().result() + "]";
  }
}
