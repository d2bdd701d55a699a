package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.codec.server.crypto.DeploymentGrants.IssuedGrant;
import dev.codec.server.crypto.DeploymentGrants.VerifiedGrant;
import dev.codec.server.crypto.GrantRefusedException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The grant format: issue, verify, and every way a grant is refused, with explicit instants (no
 * clock, no sleep).
 */
class DeploymentGrantsTest {
  private static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");
  private static final Duration SKEW = Duration.ofSeconds(30);
  private static final String PROJECT = "proj-a";
  private static final String DEK =
      "dek1:k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7";

  private final SymmetricKey kek1 = SymmetricKey.random();
  private final SymmetricKey kek2 = SymmetricKey.random();
  private final AtomicReference<KekRing> ring = new AtomicReference<>(ring(Map.of(1, kek1), 1));
  private final DeploymentGrants grants = new DeploymentGrants(ring::get);

  @Test
  void issued_verifies_withItsIdsAndExpiry() throws Exception {
    IssuedGrant issued =
        grants.issue(PROJECT, "dep-7", DEK, NOW.plusMillis(900), Duration.ofMinutes(10));

    assertTrue(issued.text().startsWith("grant3:k1:"), issued.text());
    assertTrue(issued.text().length() <= DeploymentGrants.MAX_LENGTH);
    assertTrue(issued.grantId().matches("[0-9a-f]{32}"), issued.grantId());
    assertEquals(NOW, issued.notBefore(), "whole seconds");
    assertEquals(NOW.plusSeconds(600), issued.expiresAt());
    VerifiedGrant verified = grants.verify(issued.text(), PROJECT, DEK, NOW.plusSeconds(599), SKEW);
    assertEquals(
        new VerifiedGrant(issued.grantId(), PROJECT, "dep-7", NOW.plusSeconds(600), 1), verified);
    assertFalse(issued.toString().contains(issued.text()));
  }

  @Test
  void verifiedGrant_equalsByContent_includingTheSealDigest() {
    Instant expires = NOW.plusSeconds(60);
    VerifiedGrant bound =
        new VerifiedGrant("id", PROJECT, "dep-7", expires, 1, new byte[] {1, 2, 3});
    VerifiedGrant sameDigest =
        new VerifiedGrant("id", PROJECT, "dep-7", expires, 1, new byte[] {1, 2, 3});
    assertEquals(bound, sameDigest, "a copy of the digest array is the same grant");
    assertEquals(bound.hashCode(), sameDigest.hashCode());
    assertNotEquals(
        bound, new VerifiedGrant("id", PROJECT, "dep-7", expires, 1, new byte[] {1, 2, 4}));
    assertNotEquals(bound, new VerifiedGrant("id", PROJECT, "dep-7", expires, 1));
    assertNotEquals(
        bound, new VerifiedGrant("id", PROJECT, "dep-8", expires, 1, new byte[] {1, 2, 3}));
  }

  @Test
  void twoGrants_haveDistinctIds() {
    assertNotEquals(
        grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(1)).grantId(),
        grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(1)).grantId());
  }

  @Test
  void expiry_andNotBefore_allowTheSkewAndNoMore() throws Exception {
    String grant = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();
    Instant expires = NOW.plusSeconds(600);

    grants.verify(grant, PROJECT, DEK, expires.plusSeconds(29), SKEW);
    assertRefused(
        Reason.GRANT_EXPIRED,
        () -> grants.verify(grant, PROJECT, DEK, expires.plusSeconds(30), SKEW));
    assertRefused(
        Reason.GRANT_EXPIRED, () -> grants.verify(grant, PROJECT, DEK, expires, Duration.ZERO));
    grants.verify(grant, PROJECT, DEK, NOW.minusSeconds(30), SKEW);
    assertRefused(
        Reason.GRANT_NOT_YET_VALID,
        () -> grants.verify(grant, PROJECT, DEK, NOW.minusSeconds(31), SKEW));
  }

  @Test
  void otherProject_andOtherDek_areRefused() {
    String grant = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();

    assertRefused(Reason.GRANT_OTHER_PROJECT, () -> grants.verify(grant, "proj-b", DEK, NOW, SKEW));
    assertRefused(
        Reason.GRANT_OTHER_DEK,
        () -> grants.verify(grant, PROJECT, DEK.replace("AAEC", "AAED"), NOW, SKEW));
  }

  @Test
  void acrossKekRotation_oldVersionVerifies_untilItIsGone() throws Exception {
    String underOne = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();
    ring.set(ring(Map.of(1, kek1, 2, kek2), 2));
    String underTwo = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();

    assertTrue(underTwo.startsWith("grant3:k2:"), underTwo);
    grants.verify(underOne, PROJECT, DEK, NOW, SKEW);
    grants.verify(underTwo, PROJECT, DEK, NOW, SKEW);
    ring.set(ring(Map.of(2, kek2), 2));
    assertRefused(
        Reason.GRANT_KEK_VERSION_NOT_LOADED,
        () -> grants.verify(underOne, PROJECT, DEK, NOW, SKEW));
    grants.verify(underTwo, PROJECT, DEK, NOW, SKEW);
  }

  /**
   * The grant MAC is kept keyed per thread (HmacSha256.keptFor): alternating versions on one thread
   * each verify under their own key, and a changed grant right after a good one is still refused.
   */
  @Test
  void alternatingVersionsOnOneThread_eachVerifiesUnderItsOwnKey() throws Exception {
    ring.set(ring(Map.of(1, kek1, 2, kek2), 1));
    String underOne = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();
    ring.set(ring(Map.of(1, kek1, 2, kek2), 2));
    String underTwo = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();
    String twoAsOne = underTwo.replace("grant3:k2:", "grant3:k1:");

    for (int i = 0; i < 3; i++) {
      grants.verify(underOne, PROJECT, DEK, NOW, SKEW);
      assertRefused(Reason.GRANT_INVALID, () -> grants.verify(twoAsOne, PROJECT, DEK, NOW, SKEW));
      grants.verify(underTwo, PROJECT, DEK, NOW, SKEW);
    }
  }

  @Test
  void sameKeyUnderAnotherVersionNumber_isRefused() {
    String grant = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(10)).text();
    ring.set(ring(Map.of(1, kek2, 2, kek1), 1));

    assertRefused(Reason.GRANT_INVALID, () -> grants.verify(grant, PROJECT, DEK, NOW, SKEW));
    assertRefused(
        Reason.GRANT_INVALID,
        () -> grants.verify(grant.replace("grant3:k1:", "grant3:k2:"), PROJECT, DEK, NOW, SKEW));
  }

  /**
   * Every single-character substitution, deletion and insertion, at every position: all refused.
   */
  @Test
  void everySingleCharacterChange_isRefused() {
    String grant = grants.issue(PROJECT, "dep-7", DEK, NOW, Duration.ofMinutes(10)).text();
    String alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=:k \u00e9";
    int checked = 0;
    for (int i = 0; i <= grant.length(); i++) {
      if (i < grant.length()) {
        assertChangeRefused(grant, grant.substring(0, i) + grant.substring(i + 1));
        checked++;
      }
      for (int cAt = 0; cAt < alphabet.length(); cAt++) {
        char c = alphabet.charAt(cAt);
        if (i < grant.length() && grant.charAt(i) != c) {
          assertChangeRefused(grant, grant.substring(0, i) + c + grant.substring(i + 1));
          checked++;
        }
        assertChangeRefused(grant, grant.substring(0, i) + c + grant.substring(i));
        checked++;
      }
    }
    assertTrue(checked > 10_000, "checked " + checked);
  }

  @Test
  void garbage_tooLong_andEmptyFields_areInvalid() {
    for (String text :
        new String[] {
          "",
          "grant3:k",
          "grant3:k1:",
          "grant3:k0:AAAA",
          "grant3:k01:AAAA",
          "grant3:k1234567890:AAAA",
          "grant1:k1:AAAA",
          "grant3:k1:AAAA",
          "grant3:k1:A===",
          "grant3:k1:" + "A".repeat(700)
        }) {
      assertRefused(Reason.GRANT_INVALID, () -> grants.verify(text, PROJECT, DEK, NOW, SKEW));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> grants.issue("", "d", DEK, NOW, Duration.ofMinutes(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> grants.issue(PROJECT, "", DEK, NOW, Duration.ofMinutes(1)));
    assertThrows(
        IllegalArgumentException.class, () -> grants.issue(PROJECT, "d", DEK, NOW, Duration.ZERO));
  }

  @Test
  void grant2_isRefused_withItsReason() {
    String grant3 = grants.issue(PROJECT, "d", DEK, NOW, Duration.ofMinutes(1)).text();
    String grant2 = "grant2:" + grant3.substring("grant3:".length());

    GrantRefusedException e =
        assertThrows(
            GrantRefusedException.class, () -> grants.verify(grant2, PROJECT, DEK, NOW, SKEW));
    assertEquals(Reason.GRANT_INVALID, e.reason());
    assertTrue(
        e.getMessage().contains("grant2 is no longer accepted (the format is grant3)"),
        e.getMessage());
  }

  @Test
  void revisionBound_bindsTheSealsNonceAndTag_notAnotherSealOfTheSameRevision() throws Exception {
    SymmetricKey sealKey = RevisionSeal.sealKey(SymmetricKey.random());
    java.util.List<RevisionSeal.Entry> revision =
        java.util.List.of(new RevisionSeal.Entry("LOG_LEVEL", false, "info"));
    String seal = RevisionSeal.seal(sealKey, PROJECT, revision);
    String resealed = RevisionSeal.seal(sealKey, PROJECT, revision);

    VerifiedGrant verified =
        grants.verify(
            grants.issue(PROJECT, "d", DEK, seal, NOW, Duration.ofMinutes(1)).text(),
            PROJECT,
            DEK,
            NOW,
            SKEW);
    assertTrue(verified.revisionBound());
    assertTrue(verified.boundTo(seal));
    assertFalse(verified.boundTo(resealed), "another seal of the same revision: another nonce");
    assertFalse(verified.boundTo("seal2:" + seal.substring("seal3:".length())));
    assertFalse(verified.boundTo(""));
    assertFalse(verified.boundTo("seal3:AAAA"));
    String changedTag =
        seal.substring(0, 30) + (seal.charAt(30) == 'A' ? 'B' : 'A') + seal.substring(31);
    assertFalse(verified.boundTo(changedTag));
    assertThrows(
        IllegalArgumentException.class,
        () -> grants.issue(PROJECT, "d", DEK, "seal3:AAAA", NOW, Duration.ofMinutes(1)));
    String longest =
        grants.issue("p".repeat(128), "d".repeat(128), DEK, seal, NOW, Duration.ofHours(24)).text();
    assertTrue(longest.length() <= DeploymentGrants.maxLength(128, 128), longest);
    assertTrue(DeploymentGrants.maxLength(150, 150) <= DeploymentGrants.MAX_LENGTH);
  }

  @Test
  void longestIds_fitTheLimit() throws Exception {
    String grant =
        grants.issue("p".repeat(128), "d".repeat(128), DEK, NOW, Duration.ofHours(24)).text();

    assertTrue(grant.length() <= DeploymentGrants.MAX_LENGTH, grant.length() + " characters");
    assertEquals(
        "d".repeat(128), grants.verify(grant, "p".repeat(128), DEK, NOW, SKEW).deploymentId());
  }

  private void assertChangeRefused(String original, String changed) {
    if (changed.equals(original)) {
      return; // e.g. inserting the character that is already there: not a change
    }
    try {
      grants.verify(changed, PROJECT, DEK, NOW, SKEW);
      fail("accepted a changed grant: " + changed);
    } catch (GrantRefusedException e) {
      assertTrue(
          e.reason() == Reason.GRANT_INVALID || e.reason() == Reason.GRANT_KEK_VERSION_NOT_LOADED,
          e.reason() + " for " + changed);
    }
  }

  private static void assertRefused(Reason reason, ThrowingCall call) {
    GrantRefusedException e = assertThrows(GrantRefusedException.class, call::run);
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  private static KekRing ring(Map<Integer, SymmetricKey> keys, int active) {
    try {
      return KekRing.of(keys, active);
    } catch (KekLoadException e) {
      throw new IllegalStateException(e);
    }
  }
}
