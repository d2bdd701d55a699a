package dev.codec.server.core;

import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SymmetricKey;

/**
 * A project's DEK together with the keys derived from it for one purpose each (today one: the
 * revision seal key, {@link RevisionSeal#sealKey}). {@link DekCache} keeps one per entry, derived
 * once when the DEK is unwrapped, and wipes both keys together when the entry is evicted, expires
 * or is invalidated (KEK retirement); callers get copies ({@link #copy}) and destroy them when
 * done. {@code toString()} shows no key.
 */
final class DekKeys {
  private final SymmetricKey dek;
  private final SymmetricKey sealKey;

  private DekKeys(SymmetricKey dek, SymmetricKey sealKey) {
    this.dek = dek;
    this.sealKey = sealKey;
  }

  /** Takes ownership of {@code dek} and derives its seal key. */
  static DekKeys of(SymmetricKey dek) {
    try {
      return new DekKeys(dek, RevisionSeal.sealKey(dek));
    } catch (RuntimeException e) {
      dek.destroy();
      throw e;
    }
  }

  /** The DEK (owned by this object: wiped with it). */
  SymmetricKey dek() {
    return dek;
  }

  /**
   * HKDF(DEK, "codec/v1 revision-seal3"): the key of the revision's seal (owned by this object).
   */
  SymmetricKey sealKey() {
    return sealKey;
  }

  /**
   * Independent copies of both keys, owned by the caller.
   *
   * @throws IllegalStateException if these keys were destroyed, even while copying
   */
  DekKeys copy() {
    SymmetricKey dekCopy = dek.copy();
    try {
      return new DekKeys(dekCopy, sealKey.copy());
    } catch (IllegalStateException e) {
      dekCopy.destroy();
      throw e;
    }
  }

  /** Wipes both keys. */
  void destroy() {
    dek.destroy();
    sealKey.destroy();
  }

  /** Whether both keys are wiped (tests). */
  boolean isDestroyed() {
    return dek.isDestroyed() && sealKey.isDestroyed();
  }

  @Override
  public String toString() {
    return "DekKeys[redacted]";
  }
}
