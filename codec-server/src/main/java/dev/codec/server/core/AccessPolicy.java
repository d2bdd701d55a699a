package dev.codec.server.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Who may decrypt what, and which input formats are read: deployment grants, enc1 input and
 * revision seals. See docs/grants.md.
 *
 * @param grantsRequired whether decrypting (DecryptAll, DecryptValue with a wrapped DEK,
 *     DecryptDek) needs a grant; a grant that is given is verified either way
 * @param maxGrantTtl the longest lifetime IssueGrant grants
 * @param clockSkew how far the clocks of the issuing and verifying instances may differ
 * @param acceptEnc1 whether "enc1:" values (bound to the project only) are read
 * @param sealsRequired whether DecryptAll refuses a variable set without a seal
 * @param clock the time grants are checked against (a fixed clock in tests)
 */
public record AccessPolicy(
    boolean grantsRequired,
    Duration maxGrantTtl,
    Duration clockSkew,
    boolean acceptEnc1,
    boolean sealsRequired,
    Clock clock) {
  /** The longest codec.grants.max-ttl accepted: grant times stay far from any overflow. */
  public static final Duration MAX_GRANT_TTL = Duration.ofDays(30);

  /** No grants or seals required, enc1 accepted, 24 h max ttl, 30 s skew, the system clock. */
  public static final AccessPolicy OPEN =
      new AccessPolicy(
          false, Duration.ofHours(24), Duration.ofSeconds(30), true, false, Clock.systemUTC());

  public AccessPolicy {
    Objects.requireNonNull(maxGrantTtl, "maxGrantTtl");
    Objects.requireNonNull(clockSkew, "clockSkew");
    Objects.requireNonNull(clock, "clock");
    if (maxGrantTtl.toSeconds() < 1 || maxGrantTtl.compareTo(MAX_GRANT_TTL) > 0) {
      throw new IllegalArgumentException(
          "codec.grants.max-ttl must be 1s.." + MAX_GRANT_TTL.toDays() + "d");
    }
    if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("codec.grants.clock-skew must be 0s..10m");
    }
  }
}
