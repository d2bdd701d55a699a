package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grants, seals and enc1 in the core service, against an injected clock that the test moves (no
 * sleeps).
 */
class CodecServiceAccessTest {
  private static final String PROJECT = "proj-1";
  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

  private final AtomicReference<Instant> now = new AtomicReference<>(START);
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };
  private CodecService service;
  private GrantService grants;
  private final int[] counted = new int[3];
  private String dek;
  private Map<String, StoredVariable> variables;

  @BeforeEach
  void setUp() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    AccessPolicy policy =
        new AccessPolicy(true, Duration.ofHours(2), Duration.ofSeconds(30), true, true, clock);
    EnvelopeCrypto crypto = new EnvelopeCrypto(() -> ring);
    DekCache cache = new DekCache(Duration.ofMinutes(5), 100);
    grants =
        new GrantService(crypto, cache, Limits.DEFAULTS, InputFormats.strict(crypto, true), policy);
    service =
        new CodecService(
            crypto,
            cache,
            Limits.DEFAULTS,
            InputFormats.strict(crypto, true),
            policy,
            (enc1, enc2, legacy) -> {
              counted[0] += enc1;
              counted[1] += enc2;
              counted[2] += legacy;
            });
    dek = service.generateDek(PROJECT).encoded();
    EncryptedRevision revision = service.encrypt(PROJECT, dek, Map.of("K", "v"), Map.of("P", "p"));
    variables =
        Map.of(
            "K",
            new StoredVariable(StoredVariable.Kind.SECRET, revision.encrypted().get("K")),
            "P",
            new StoredVariable(StoredVariable.Kind.PLAIN, "p"));
    seal = revision.seal();
  }

  private String seal;

  @Test
  void grant_isValidFromIssueUntilExpiryPlusSkew_asTheClockMoves() throws Exception {
    IssuedGrant grant = grants.issueGrant(PROJECT, "dep-1", dek, seal, Duration.ofHours(1));
    assertEquals(START.plus(Duration.ofHours(1)), grant.expiresAt());

    Granted<Map<String, String>> ok =
        service.decryptAll(PROJECT, "dep-1", dek, variables, grant.text(), seal);
    assertEquals(Map.of("K", "v", "P", "p"), ok.result());
    assertEquals("dep-1", ok.grant().deploymentId());
    assertEquals(grant.grantId(), ok.grant().grantId());
    assertArrayEquals(new int[] {0, 1, 0}, counted);

    now.set(START.plus(Duration.ofHours(1)).plusSeconds(29));
    service.decryptAll(PROJECT, "", dek, variables, grant.text(), seal);
    now.set(START.plus(Duration.ofHours(1)).plusSeconds(30));
    assertDenied(
        "GRANT_EXPIRED", () -> service.decryptAll(PROJECT, "", dek, variables, grant.text(), seal));

    now.set(START.minusSeconds(31));
    assertDenied(
        "GRANT_NOT_YET_VALID",
        () -> service.decryptAll(PROJECT, "", dek, variables, grant.text(), seal));
  }

  @Test
  void required_refusesMissingGrant_andMissingSeal_beforeTouchingTheDek() throws Exception {
    assertDenied("GRANT_MISSING", () -> service.decryptAll(PROJECT, "", dek, variables, "", seal));
    assertDenied("GRANT_MISSING", () -> service.decryptDek(PROJECT, dek, ""));
    assertDenied(
        "GRANT_MISSING",
        () -> service.decryptValue(PROJECT, variables.get("K").value(), dek, "K", ""));
    // the grant check comes first: even a garbage DEK is answered with the grant refusal
    assertDenied(
        "GRANT_MISSING",
        () -> service.decryptAll(PROJECT, "", "dek1:k1:AAAA", variables, "", seal));
    String grant = grants.issueGrant(PROJECT, "d", dek, seal, Duration.ofMinutes(5)).text();
    assertDenied(
        "GRANT_OTHER_REVISION", () -> service.decryptAll(PROJECT, "", dek, variables, grant, ""));
    RejectedRequestException noSeal =
        assertThrows(
            RejectedRequestException.class,
            () -> grants.issueGrant(PROJECT, "d", dek, Duration.ofMinutes(5)));
    assertEquals("SEAL_MISSING", noSeal.errorReason());
    assertEquals(RejectedRequestException.Reason.BAD_INPUT, noSeal.reason());
  }

  @Test
  void callersDeploymentId_mustBeTheGrants() throws Exception {
    String grant = grants.issueGrant(PROJECT, "dep-1", dek, seal, Duration.ofHours(1)).text();

    assertDenied(
        "GRANT_OTHER_DEPLOYMENT",
        () -> service.decryptAll(PROJECT, "dep-2", dek, variables, grant, seal));
    assertEquals(
        "dep-1",
        service.decryptAll(PROJECT, "dep-1", dek, variables, grant, seal).grant().deploymentId());
    // bound to a revision: neither one value nor the DEK
    assertDenied(
        "GRANT_REVISION_BOUND",
        () -> service.decryptValue(PROJECT, variables.get("K").value(), dek, "K", grant));
    assertDenied("GRANT_REVISION_BOUND", () -> service.decryptDek(PROJECT, dek, grant));
  }

  @Test
  void issueGrant_limits() throws Exception {
    RejectedRequestException tooLong =
        assertThrows(
            RejectedRequestException.class,
            () -> grants.issueGrant(PROJECT, "d", dek, seal, Duration.ofHours(2).plusSeconds(1)));
    assertTrue(tooLong.getMessage().contains("codec.grants.max-ttl (7200s)"), tooLong.getMessage());
    grants.issueGrant(PROJECT, "d", dek, seal, Duration.ofHours(2));
    assertThrows(
        RejectedRequestException.class,
        () -> grants.issueGrant(PROJECT, "d", dek, seal, Duration.ofMillis(1500)));
    assertThrows(
        RejectedRequestException.class,
        () -> grants.issueGrant(PROJECT, "bad id!", dek, seal, Duration.ofHours(1)));
    assertThrows(
        RejectedRequestException.class,
        () -> grants.issueGrant(PROJECT, "d", "dek1:k1:AAAA", seal, Duration.ofHours(1)));
  }

  @Test
  void openPolicy_needsNoGrant_andRecordsNone() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    CodecService open =
        OpenCodecService.of(
            new EnvelopeCrypto(() -> ring),
            new DekCache(Duration.ofMinutes(5), 100),
            Limits.DEFAULTS);
    String openDek = open.generateDek(PROJECT).encoded();
    String ct = open.encrypt(PROJECT, openDek, Map.of("K", "v")).get("K");

    Granted<Map<String, String>> result =
        open.decryptAll(
            PROJECT,
            "claimed",
            openDek,
            Map.of("K", new StoredVariable(StoredVariable.Kind.SECRET, ct)),
            "",
            "");
    assertNull(result.grant());
    assertFalse(result.toString().contains("v"));
  }

  private static void assertDenied(String reason, Call call) {
    RejectedRequestException e = assertThrows(RejectedRequestException.class, call::run);
    assertEquals(RejectedRequestException.Reason.ACCESS_DENIED, e.reason(), e.getMessage());
    assertEquals(reason, e.errorReason(), e.getMessage());
  }

  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  @Test
  void startup_refusesAMaxTtlOverThirtyDays_andIdLimitsNoGrantCanHold() throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new AccessPolicy(true, Duration.ofDays(31), Duration.ofSeconds(30), true, true, clock));
    new AccessPolicy(true, Duration.ofDays(30), Duration.ofSeconds(30), true, true, clock);
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OpenCodecService.of(
                    new EnvelopeCrypto(() -> ring),
                    new DekCache(Duration.ofMinutes(5), 100),
                    new Limits(151, 10, 64, 16)));
    assertTrue(
        tooLong.getMessage().contains("codec.limits.max-project-id-length (151)"),
        tooLong.getMessage());
    OpenCodecService.of(
        new EnvelopeCrypto(() -> ring),
        new DekCache(Duration.ofMinutes(5), 100),
        new Limits(150, 10, 64, 16));
  }

  @Test
  void longestIds_withTheLongestTtl_giveAGrantThatVerifies() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    EnvelopeCrypto crypto = new EnvelopeCrypto(() -> ring);
    DekCache cache = new DekCache(Duration.ofMinutes(5), 100);
    AccessPolicy policy =
        new AccessPolicy(
            true, AccessPolicy.MAX_GRANT_TTL, Duration.ofMinutes(10), true, true, clock);
    CodecService longest =
        new CodecService(
            crypto,
            cache,
            new Limits(150, 10, 64, 16),
            InputFormats.strict(crypto, true),
            policy,
            ValueFormatCounter.NONE);
    GrantService longestGrants =
        new GrantService(
            crypto, cache, new Limits(150, 10, 64, 16), InputFormats.strict(crypto, true), policy);
    String project = "p".repeat(150);
    String wrapped = longest.generateDek(project).encoded();
    EncryptedRevision revision = longest.encrypt(project, wrapped, Map.of("K", "v"), Map.of());
    String grant =
        longestGrants
            .issueGrant(
                project, "d".repeat(150), wrapped, revision.seal(), AccessPolicy.MAX_GRANT_TTL)
            .text();
    assertEquals(
        Map.of("K", "v"),
        longest
            .decryptAll(
                project,
                "",
                wrapped,
                Map.of(
                    "K",
                    new StoredVariable(StoredVariable.Kind.SECRET, revision.encrypted().get("K"))),
                grant,
                revision.seal())
            .result());
  }

  @Test
  void encrypt_ofARevisionWhoseSealNoVerifierWouldAccept_isInvalidArgument() {
    Map<String, String> plain = new java.util.HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      plain.put(String.format("N%05d_", i) + "x".repeat(240), "v");
    }
    RejectedRequestException e =
        assertThrows(
            RejectedRequestException.class,
            () -> service.encrypt(PROJECT, dek, Map.of("K", "v"), plain));
    assertEquals(RejectedRequestException.Reason.BAD_INPUT, e.reason());
    assertTrue(e.getMessage().contains("more than the 1048576 a seal may have"), e.getMessage());
  }
}
