package dev.codec.server.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * A 256-bit AES key (a KEK or a DEK) that can be wiped.
 *
 * <p>Unlike {@code SecretKeySpec}, {@link #destroy()} really zeroes the only copy this object
 * holds; the JCE receives a fresh copy from {@link #getEncoded()} on every {@code Cipher.init} and
 * clears it itself. {@link #toString()} never shows the key.
 */
public final class SymmetricKey implements SecretKey, Destroyable {
  private static final long serialVersionUID = 1L;

  /** Key length: AES-256. */
  public static final int KEY_BYTES = 32;

  private final byte[] key;
  private volatile boolean destroyed;

  private SymmetricKey(byte[] key) {
    this.key = key;
  }

  /**
   * Copies {@code key} into a new key object.
   *
   * @throws IllegalArgumentException if {@code key} is not {@value #KEY_BYTES} bytes long
   */
  public static SymmetricKey copyOf(byte[] key) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException("key must be " + KEY_BYTES + " bytes");
    }
    return new SymmetricKey(key.clone());
  }

  /** Creates a new random key. */
  public static SymmetricKey random() {
    byte[] bytes = new byte[KEY_BYTES];
    Randomness.nextBytes(bytes);
    return new SymmetricKey(bytes);
  }

  /**
   * An independent copy that the caller owns (and may destroy).
   *
   * @throws IllegalStateException if this key was destroyed, even while copying
   */
  public SymmetricKey copy() {
    byte[] bytes = key.clone();
    if (destroyed) {
      Arrays.fill(bytes, (byte) 0);
      throw new IllegalStateException("key was destroyed");
    }
    return new SymmetricKey(bytes);
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  /**
   * A copy of the key bytes: the caller owns (and should wipe) it.
   *
   * @throws IllegalStateException if this key was destroyed, even while copying (the copy is
   *     checked after it was taken, so a concurrent {@link #destroy()} never hands out partly
   *     zeroed bytes)
   */
  @Override
  public byte[] getEncoded() {
    byte[] bytes = key.clone();
    if (destroyed) {
      Arrays.fill(bytes, (byte) 0);
      throw new IllegalStateException("key was destroyed");
    }
    return bytes;
  }

  /** Zeroes the key bytes. Any later use fails. */
  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "SymmetricKey[redacted]";
  }

  // Identity semantics on purpose: keys are never compared by value outside constant-time code.
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
