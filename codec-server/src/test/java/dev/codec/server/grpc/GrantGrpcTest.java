package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.DekToRewrap;
import dev.codec.client.IssuedGrant;
import dev.codec.client.RotatedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.IssueGrantRequest;
import dev.codec.server.LogCapture;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.KekRingLoader;
import io.grpc.ClientInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment grants through the real server with {@code codec.grants.required=true}: every refusal
 * with its machine-readable reason, and the successes (across a KEK rotation, across servers).
 */
class GrantGrpcTest {
  private static final String PROJECT = "proj-a";
  private static final String OTHER_PROJECT = "proj-b";
  private static final String SECRET = "sk_live_tenant_a_4242";
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir static Path kekDir;

  private static TestServer server;
  private static CodecClient codec;
  private static CodecClient runner;
  private static String dek;
  private static String ct;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    server =
        TestServer.start(
            kekDir,
            Map.of(
                "codec.grants.required",
                true,
                "codec.grants.max-ttl",
                "2h",
                "codec.kek.reload-interval",
                "0s",
                "codec.auth.callers.runner.permissions",
                List.of("decrypt")));
    codec = server.client();
    runner =
        CodecClient.builder()
            .channel(
                ClientInterceptors.intercept(
                    server.unauthenticatedChannel(),
                    TestServer.bearer(TestServer.writeToken(server.tokensDir(), "runner"))))
            .build();
    server.context().getBean(dev.codec.server.auth.CallerTokens.class).reload();
    dek = codec.generateDek(PROJECT).encryptedDek();
    ct = codec.encrypt(PROJECT, dek, Map.of("DB_PASSWORD", SECRET)).get("DB_PASSWORD");
  }

  @AfterAll
  static void stop() throws Exception {
    runner.close();
    server.close();
  }

  private static Map<String, Variable> vars() {
    return Map.of("DB_PASSWORD", Variable.secret(ct), "LOG_LEVEL", Variable.plain("info"));
  }

  private static String grant(String deployment) {
    return codec.issueGrant(PROJECT, deployment, dek, HOUR).grant();
  }

  @Test
  void withGrant_runnerDecryptsAll_oneValue_andTheDek() {
    String grant = grant("dep-1");

    assertEquals(
        Map.of("DB_PASSWORD", SECRET, "LOG_LEVEL", "info"),
        runner.decryptAll(PROJECT, "", dek, vars(), grant, ""));
    assertEquals(
        Map.of("DB_PASSWORD", SECRET, "LOG_LEVEL", "info"),
        runner.decryptAll(PROJECT, "dep-1", dek, vars(), grant, ""));
    assertEquals(SECRET, runner.decryptValue(PROJECT, dek, "DB_PASSWORD", ct, grant));
    assertEquals(32, codec.decryptDek(PROJECT, dek, grant).length);
  }

  @Test
  void decryptTokenAlone_opensNothing() {
    assertReason("GRANT_MISSING", () -> runner.decryptAll(PROJECT, "dep-1", dek, vars()));
    assertReason(
        "GRANT_MISSING",
        () -> runner.decryptAll(PROJECT, "dep-1", "", Map.of("P", Variable.plain("x"))));
    assertReason("GRANT_MISSING", () -> runner.decryptValue(PROJECT, dek, "DB_PASSWORD", ct));
    assertReason("GRANT_MISSING", () -> codec.decryptDek(PROJECT, dek));
  }

  @Test
  void expiredGrant_andNotYetValidGrant_areRefused() {
    DeploymentGrants forge = grantsOf(kekDir);
    String expired =
        forge.issue(PROJECT, "dep-1", dek, Instant.now().minus(Duration.ofHours(2)), HOUR).text();
    String future =
        forge.issue(PROJECT, "dep-1", dek, Instant.now().plus(Duration.ofMinutes(5)), HOUR).text();

    assertReason("GRANT_EXPIRED", () -> runner.decryptAll(PROJECT, "", dek, vars(), expired, ""));
    assertReason(
        "GRANT_NOT_YET_VALID", () -> runner.decryptAll(PROJECT, "", dek, vars(), future, ""));
    // within the 30 s default skew: accepted
    String slightlyAhead =
        forge.issue(PROJECT, "dep-1", dek, Instant.now().plusSeconds(10), HOUR).text();
    assertEquals(
        SECRET, runner.decryptAll(PROJECT, "", dek, vars(), slightlyAhead, "").get("DB_PASSWORD"));
  }

  @Test
  void grantForProjectA_usedOnProjectB_isRefused() {
    String otherDek = codec.generateDek(OTHER_PROJECT).encryptedDek();
    String otherCt =
        codec
            .encrypt(OTHER_PROJECT, otherDek, Map.of("DB_PASSWORD", "tenant-b"))
            .get("DB_PASSWORD");
    String grantA = grant("dep-1");

    CodecException e =
        assertReason(
            "GRANT_OTHER_PROJECT",
            () ->
                runner.decryptAll(
                    OTHER_PROJECT,
                    "",
                    otherDek,
                    Map.of("DB_PASSWORD", Variable.secret(otherCt)),
                    grantA,
                    ""));
    assertFalse(e.getMessage().contains("tenant-b"));
    // nor with A's DEK text sent as B's
    assertReason(
        "GRANT_OTHER_PROJECT",
        () -> runner.decryptValue(OTHER_PROJECT, dek, "DB_PASSWORD", ct, grantA));
  }

  @Test
  void grantForAnotherWrappedDek_isRefused_soRotatingTheDekRevokesIt() {
    String grant = grant("dep-1");
    String secondDek = codec.generateDek(PROJECT).encryptedDek();
    String secondCt =
        codec.encrypt(PROJECT, secondDek, Map.of("DB_PASSWORD", "other")).get("DB_PASSWORD");

    assertReason(
        "GRANT_OTHER_DEK",
        () ->
            runner.decryptAll(
                PROJECT,
                "",
                secondDek,
                Map.of("DB_PASSWORD", Variable.secret(secondCt)),
                grant,
                ""));

    RotatedDek rotated = codec.rotateDek(PROJECT, dek, Map.of("DB_PASSWORD", ct));
    Map<String, Variable> rotatedVars =
        Map.of("DB_PASSWORD", Variable.secret(rotated.encrypted().get("DB_PASSWORD")));
    assertReason(
        "GRANT_OTHER_DEK",
        () -> runner.decryptAll(PROJECT, "", rotated.encryptedDek(), rotatedVars, grant, ""));
    String fresh = codec.issueGrant(PROJECT, "dep-1", rotated.encryptedDek(), HOUR).grant();
    assertEquals(
        SECRET,
        runner
            .decryptAll(PROJECT, "", rotated.encryptedDek(), rotatedVars, fresh, "")
            .get("DB_PASSWORD"));
  }

  /** Every position of the grant, changed to another character, deleted, and with one inserted. */
  @Test
  void everySingleCharacterChangeOfAGrant_isRefused() {
    String grant = grant("dep-1");
    int refused = 0;
    for (int i = 0; i < grant.length(); i++) {
      char c = grant.charAt(i);
      char other = c == 'A' ? 'B' : c == '1' ? '2' : 'A';
      for (String changed :
          List.of(
              grant.substring(0, i) + other + grant.substring(i + 1),
              grant.substring(0, i) + grant.substring(i + 1),
              grant.substring(0, i) + 'Q' + grant.substring(i))) {
        try {
          runner.decryptAll(PROJECT, "", dek, vars(), changed, "");
          fail("a changed grant was accepted: position " + i);
        } catch (CodecException e) {
          assertEquals(StatusCode.PERMISSION_DENIED, e.code(), e.getMessage());
          assertTrue(
              List.of("GRANT_INVALID", "GRANT_KEK_VERSION_NOT_LOADED").contains(e.errorReason()),
              e.getMessage());
          assertFalse(e.getMessage().contains(SECRET));
          refused++;
        }
      }
    }
    assertEquals(3 * grant.length(), refused);
  }

  @Test
  void callersDeploymentId_mustMatchTheGrant_andTheAuditLineTakesTheGrantsIds() throws Exception {
    IssuedGrant issued = codec.issueGrant(PROJECT, "dep-real", dek, HOUR);

    assertReason(
        "GRANT_OTHER_DEPLOYMENT",
        () -> runner.decryptAll(PROJECT, "not-a-real-deployment", dek, vars(), issued.grant(), ""));
    server.context().getBean(AuditInterceptor.class).flush();
    try (LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      runner.decryptAll(PROJECT, "", dek, vars(), issued.grant(), "");
      server.context().getBean(AuditInterceptor.class).flush();
      List<String> lines = audit.messagesOf(AuditInterceptor.LOGGER);
      JsonNode line = new ObjectMapper().readTree(lines.get(lines.size() - 1));
      assertEquals("DecryptAll", line.get("rpc").asText());
      assertEquals("runner", line.get("caller").asText());
      assertEquals("dep-real", line.get("deployment_id").asText());
      assertEquals(issued.grantId(), line.get("grant_id").asText());
      assertNull(line.get("claimed_deployment_id"));
      assertFalse(line.toString().contains(issued.grant()), "the grant text is not logged");
    }
  }

  @Test
  void issueGrant_needsTheGrantPermission_aTtlWithinTheLimit_andTheProjectsDek() {
    CodecException denied =
        assertThrows(CodecException.class, () -> runner.issueGrant(PROJECT, "d", dek, HOUR));
    assertEquals(StatusCode.PERMISSION_DENIED, denied.code());
    assertTrue(denied.getMessage().contains("'grant'"), denied.getMessage());

    CodecException tooLong =
        assertThrows(
            CodecException.class, () -> codec.issueGrant(PROJECT, "d", dek, Duration.ofHours(3)));
    assertEquals(StatusCode.INVALID_ARGUMENT, tooLong.code());
    assertTrue(tooLong.getMessage().contains("codec.grants.max-ttl (7200s)"), tooLong.getMessage());
    assertEquals(
        StatusCode.INVALID_ARGUMENT,
        assertThrows(CodecException.class, () -> codec.issueGrant(PROJECT, "d", dek, Duration.ZERO))
            .code());
    assertEquals(
        StatusCode.INVALID_ARGUMENT,
        assertThrows(CodecException.class, () -> codec.issueGrant(PROJECT, "", dek, HOUR)).code());
    String otherDek = codec.generateDek(OTHER_PROJECT).encryptedDek();
    CodecException foreign =
        assertThrows(CodecException.class, () -> codec.issueGrant(PROJECT, "d", otherDek, HOUR));
    assertEquals(StatusCode.INVALID_ARGUMENT, foreign.code());
    assertTrue(foreign.getMessage().contains("encrypted_dek"), foreign.getMessage());
    StatusRuntimeException noTtl =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                CodecServiceGrpc.newBlockingStub(server.channel())
                    .issueGrant(
                        IssueGrantRequest.newBuilder()
                            .setProjectId(PROJECT)
                            .setDeploymentId("d")
                            .setEncryptedDek(dek)
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, noTtl.getStatus().getCode());
    assertTrue(noTtl.getStatus().getDescription().contains("ttl"));
  }

  @Test
  void grantWithPlaintextDek_isInvalid() {
    byte[] raw = codec.decryptDek(PROJECT, dek, grant("dep-1"));
    assertEquals(
        SECRET,
        codec.decryptValueWithDek(PROJECT, raw, "DB_PASSWORD", ct),
        "no grant needed: the DEK is held");
  }

  @Test
  void grantNotRequired_butGiven_isStillVerified(@TempDir Path dir) throws Exception {
    TestServer.writeKek(dir, 1);
    try (TestServer open = TestServer.start(dir)) {
      String openDek = open.client().generateDek(PROJECT).encryptedDek();
      String openCt = open.client().encrypt(PROJECT, openDek, Map.of("K", "v")).get("K");
      Map<String, Variable> v = Map.of("K", Variable.secret(openCt));

      assertEquals("v", open.client().decryptAll(PROJECT, "d", openDek, v).get("K"));
      String good = open.client().issueGrant(PROJECT, "d", openDek, HOUR).grant();
      assertEquals("v", open.client().decryptAll(PROJECT, "", openDek, v, good, "").get("K"));
      String broken = good.substring(0, good.length() - 2) + (good.endsWith("AA") ? "BB" : "AA");
      CodecException e =
          assertThrows(
              CodecException.class,
              () -> open.client().decryptAll(PROJECT, "", openDek, v, broken, ""));
      assertEquals("GRANT_INVALID", e.errorReason());
      assertReasonOf(
          "GRANT_OTHER_DEK",
          () ->
              open.client()
                  .decryptAll(
                      PROJECT,
                      "",
                      open.client().generateDek(PROJECT).encryptedDek(),
                      Map.of(),
                      good,
                      ""));
    }
  }

  /**
   * Grants across a KEK rotation; a grant whose KEK version is retired; one server's grant on
   * another.
   */
  @Test
  void kekRotation_keepsGrantsValid_untilTheirVersionIsGone_andServersSharingTheRingAgree(
      @TempDir Path dir) throws Exception {
    TestServer.writeKek(dir, 1);
    try (TestServer first =
            TestServer.start(
                dir, Map.of("codec.grants.required", true, "codec.kek.reload-interval", "0s"));
        TestServer second =
            TestServer.start(
                dir, Map.of("codec.grants.required", true, "codec.kek.reload-interval", "0s"))) {
      CodecClient one = first.client();
      CodecClient two = second.client();
      String underOne = one.generateDek(PROJECT).encryptedDek();
      String value = one.encrypt(PROJECT, underOne, Map.of("K", "v1")).get("K");
      Map<String, Variable> v = Map.of("K", Variable.secret(value));
      IssuedGrant grantOne = one.issueGrant(PROJECT, "dep-1", underOne, HOUR);
      assertEquals(1, grantOne.kekVersion());

      assertEquals(
          "v1",
          two.decryptAll(PROJECT, "", underOne, v, grantOne.grant(), "").get("K"),
          "issued by one, verified by another");

      TestServer.writeKek(dir, 2);
      first.context().getBean(KekReloader.class).reloadNow();
      second.context().getBean(KekReloader.class).reloadNow();
      assertEquals(
          "v1",
          one.decryptAll(PROJECT, "", underOne, v, grantOne.grant(), "").get("K"),
          "across the KEK rotation");
      IssuedGrant grantTwo = two.issueGrant(PROJECT, "dep-1", underOne, HOUR);
      assertEquals(2, grantTwo.kekVersion());
      assertTrue(grantTwo.grant().startsWith("grant3:k2:"));
      assertEquals("v1", one.decryptAll(PROJECT, "", underOne, v, grantTwo.grant(), "").get("K"));

      String underTwo =
          one.rewrapDeks(List.of(new DekToRewrap(PROJECT, underOne))).get(0).encryptedDek();
      assertReasonOf(
          "GRANT_OTHER_DEK", () -> one.decryptAll(PROJECT, "", underTwo, v, grantOne.grant(), ""));
      String grantForRewrapped = one.issueGrant(PROJECT, "dep-1", underTwo, HOUR).grant();

      Files.delete(dir.resolve("1"));
      first.context().getBean(KekReloader.class).reloadNow();
      CodecException gone =
          assertReasonOf(
              "GRANT_KEK_VERSION_NOT_LOADED",
              () -> one.decryptAll(PROJECT, "", underOne, v, grantOne.grant(), ""));
      assertTrue(gone.getMessage().contains("KEK version 1"), gone.getMessage());
      assertEquals("v1", one.decryptAll(PROJECT, "", underTwo, v, grantForRewrapped, "").get("K"));
    }
  }

  private static DeploymentGrants grantsOf(Path dir) {
    return new DeploymentGrants(
        () -> {
          try {
            return KekRingLoader.fromDirectory(dir, null);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static CodecException assertReason(String reason, Runnable call) {
    CodecException e = assertReasonOf(reason, call);
    assertEquals(StatusCode.PERMISSION_DENIED, e.code(), e.getMessage());
    return e;
  }

  private static CodecException assertReasonOf(String reason, Runnable call) {
    CodecException e = assertThrows(CodecException.class, call::run);
    assertEquals(reason, e.errorReason(), e.getMessage());
    assertTrue(e.getMessage().contains("[" + reason + "]"), e.getMessage());
    return e;
  }
}
