package dev.codec.server.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The result of DecryptAll with the SECRET values as UTF-8 bytes: each variable's name and value,
 * in the order of the request's variables. A SECRET value is the decrypted plaintext, checked to be
 * well-formed UTF-8 and never decoded to a {@code String}; a PLAIN value is the {@code String} it
 * was given as. Lets the transport write the decrypted values as they are, instead of decoding them
 * to strings and encoding them back.
 *
 * <p>Not thread-safe: one call's result, read by one thread. {@link #destroy()} overwrites the
 * decrypted values with zeros; reading one afterwards throws. {@code toString} shows no value.
 */
public final class DecryptedValues {
  private final String[] names;
  private final byte[][] secrets;
  private final String[] plains;
  private int size;
  private boolean destroyed;

  DecryptedValues(int capacity) {
    this.names = new String[capacity];
    this.secrets = new byte[capacity][];
    this.plains = new String[capacity];
  }

  /** Adds a decrypted value; {@code utf8} is kept (not copied) and must be well-formed UTF-8. */
  void addSecret(String name, byte[] utf8) {
    names[size] = name;
    secrets[size] = utf8;
    size++;
  }

  /** Adds a PLAIN value, unchanged. */
  void addPlain(String name, String value) {
    names[size] = name;
    plains[size] = value;
    size++;
  }

  /** The number of variables. */
  public int size() {
    return size;
  }

  /** The name of variable {@code index} (0 to {@link #size()} - 1). */
  public String name(int index) {
    return names[index];
  }

  /**
   * The decrypted value of variable {@code index} as well-formed UTF-8, or null if it is PLAIN
   * ({@link #plainValue}): the array itself, not a copy, so the caller must not change it.
   *
   * @throws IllegalStateException after {@link #destroy()}
   */
  public byte[] utf8Value(int index) {
    if (destroyed) {
      throw new IllegalStateException("decrypted values already destroyed");
    }
    return secrets[index];
  }

  /** The value of variable {@code index} if it is PLAIN, else null ({@link #utf8Value}). */
  public String plainValue(int index) {
    return plains[index];
  }

  /**
   * The values as strings, by name (decrypted bytes are well-formed UTF-8: nothing is replaced).
   */
  public Map<String, String> toMap() {
    Map<String, String> map = new HashMap<>(CodecService.capacity(size));
    for (int i = 0; i < size; i++) {
      String plain = plains[i];
      map.put(names[i], plain != null ? plain : new String(utf8Value(i), StandardCharsets.UTF_8));
    }
    return map;
  }

  /** Overwrites every decrypted value with zeros. */
  public void destroy() {
    destroyed = true;
    for (int i = 0; i < size; i++) {
      if (secrets[i] != null) {
        Arrays.fill(secrets[i], (byte) 0);
      }
    }
  }

  @Override
  public String toString() {
    return "DecryptedValues[" + size + " values, redacted]";
  }
}
