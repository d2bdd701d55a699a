package dev.codec.server.auth;

import java.util.regex.Pattern;

/**
 * Checks SPIFFE IDs ({@code spiffe://trust-domain/path}) as the SPIFFE ID specification defines
 * them: lowercase scheme, a trust domain of {@code [a-z0-9._-]} (no port, no user info), path
 * segments of {@code [A-Za-z0-9._-]} that are neither empty nor {@code .} or {@code ..}, no query,
 * no fragment, at most 2048 bytes. A URI SAN that claims to be a SPIFFE ID but breaks these rules
 * names nobody. (Hand-written: a dozen lines of regular expression; no library in the build parses
 * SPIFFE IDs.)
 */
public final class SpiffeId {
  private static final String SCHEME = "spiffe://";
  private static final Pattern ID =
      Pattern.compile("spiffe://[a-z0-9._-]+(/(?!\\.{1,2}(/|$))[A-Za-z0-9._-]+)*");
  private static final int MAX_LENGTH = 2048;

  private SpiffeId() {}

  /**
   * Whether {@code uri} starts like a SPIFFE ID (any case), so it must be a valid one to be used.
   */
  public static boolean claims(String uri) {
    return uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /** Whether {@code uri} is a valid SPIFFE ID. */
  public static boolean isValid(String uri) {
    return uri.length() <= MAX_LENGTH && ID.matcher(uri).matches();
  }
}
