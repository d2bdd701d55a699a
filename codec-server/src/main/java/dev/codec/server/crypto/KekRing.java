package dev.codec.server.crypto;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;

/**
 * An immutable set of Key Encryption Keys by positive version number, one of which is active (wraps
 * new DEKs); every loaded version can unwrap the DEKs it wrapped. {@link #toString()} names
 * versions only.
 *
 * <p>The ring also holds, per KEK version, the key that authenticates deployment grants:
 * HKDF-SHA256(KEK, info {@value Hkdf#GRANT_MAC_INFO}) ({@link Hkdf}), derived once when the ring is
 * built (never per call) and living exactly as long as the ring's KEKs.
 */
public final class KekRing {
  private final NavigableMap<Integer, SymmetricKey> keys;
  private final int activeVersion;
  private final Map<Integer, SymmetricKey> grantKeys;

  private KekRing(NavigableMap<Integer, SymmetricKey> keys, int activeVersion) {
    this.keys = Collections.unmodifiableNavigableMap(keys);
    this.activeVersion = activeVersion;
    Map<Integer, SymmetricKey> derived = new TreeMap<>();
    keys.forEach((version, kek) -> derived.put(version, Hkdf.deriveKey(kek, Hkdf.GRANT_MAC_INFO)));
    this.grantKeys = Collections.unmodifiableMap(derived);
  }

  /**
   * The ring of the given KEKs.
   *
   * @param keys KEKs by version (at least one; versions positive)
   * @param active the version that wraps new DEKs, or {@code null} for the highest
   * @throws KekLoadException if there are no keys, or {@code active} is not among them
   */
  public static KekRing of(Map<Integer, SymmetricKey> keys, Integer active)
      throws KekLoadException {
    if (keys.isEmpty()) {
      throw new KekLoadException("no KEK versions to load");
    }
    NavigableMap<Integer, SymmetricKey> sorted = new TreeMap<>(keys);
    if (sorted.firstKey() < 1) {
      throw new KekLoadException(
          "KEK versions must be positive integers, got " + sorted.firstKey());
    }
    int activeVersion = active == null ? sorted.lastKey() : active;
    if (!sorted.containsKey(activeVersion)) {
      throw new KekLoadException(
          "active KEK version "
              + activeVersion
              + " is not loaded (loaded: "
              + sorted.navigableKeySet()
              + ")");
    }
    return new KekRing(sorted, activeVersion);
  }

  /** The version that wraps new DEKs. */
  public int activeVersion() {
    return activeVersion;
  }

  /** The key that wraps new DEKs. */
  public SymmetricKey active() {
    return keys.get(activeVersion);
  }

  /**
   * The KEK of {@code version}.
   *
   * @throws UnknownKekVersionException if that version is not loaded
   */
  public SymmetricKey get(int version) throws UnknownKekVersionException {
    SymmetricKey key = keys.get(version);
    if (key == null) {
      throw new UnknownKekVersionException(version);
    }
    return key;
  }

  /**
   * Every key the ring holds: its KEKs and the grant keys derived from them (for wiping a retired
   * ring: see {@link CurrentKekRing}; derived keys belong to this ring alone).
   */
  java.util.Collection<SymmetricKey> keys() {
    java.util.List<SymmetricKey> all = new java.util.ArrayList<>(keys.values());
    all.addAll(grantKeys.values());
    return all;
  }

  /**
   * The grant MAC key derived from KEK {@code version} (shared, never destroy it).
   *
   * @throws UnknownKekVersionException if that version is not loaded
   */
  public SymmetricKey grantKey(int version) throws UnknownKekVersionException {
    SymmetricKey key = grantKeys.get(version);
    if (key == null) {
      throw new UnknownKekVersionException(version);
    }
    return key;
  }

  /** All loaded versions, ascending. */
  public NavigableSet<Integer> versions() {
    return keys.navigableKeySet();
  }

  @Override
  public String toString() {
    return "KekRing[versions=" + keys.navigableKeySet() + ", active=" + activeVersion + "]";
  }
}
