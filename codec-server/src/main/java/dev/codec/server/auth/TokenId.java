package dev.codec.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The short, non-reversible id of a caller token that logs and audit lines may show: the first
 * {@value #HEX_LENGTH} hex digits of SHA-256 over a fixed label and the token. The label separates
 * this hash from every other use of SHA-256 over tokens (the stored digests), so an id can never be
 * used as a digest. 48 bits tell tokens apart in logs; they do not help to guess a token of 16 or
 * more random characters.
 */
public final class TokenId {
  /** Length of an id in hex digits. */
  public static final int HEX_LENGTH = 12;

  private static final byte[] LABEL = "codec token id v1\0".getBytes(StandardCharsets.US_ASCII);

  private TokenId() {}

  /** The id of {@code token} (the raw token bytes, as presented after {@code Bearer }). */
  public static String of(byte[] token) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(LABEL);
      byte[] digest = sha256.digest(token);
      return HexFormat.of().formatHex(digest, 0, HEX_LENGTH / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The id of {@code token}. */
  public static String of(String token) {
    return of(token.getBytes(StandardCharsets.UTF_8));
  }
}
