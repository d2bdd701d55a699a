package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecClient.EncryptedValues;
import dev.codec.client.CodecException;
import dev.codec.client.IssuedGrant;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.LogCapture;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.KekRingLoader;
import io.grpc.ClientInterceptors;
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
 * Revision-bound grants through the real server with grants and seals required (the chart's
 * defaults): a grant opens DecryptAll of the one revision whose seal it carries, and nothing else.
 */
class RevisionGrantGrpcTest {
  private static final String PROJECT = "proj-r";
  private static final String SECRET = "sk_live_revision_one";
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir static Path kekDir;

  private static TestServer server;
  private static CodecClient codec;
  private static CodecClient runner;
  private static String dek;
  private static Map<String, Variable> revisionOne;
  private static String sealOne;
  private static Map<String, Variable> revisionTwo;
  private static String sealTwo;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    server =
        TestServer.start(
            kekDir,
            Map.of(
                "codec.grants.required",
                true,
                "codec.seals.required",
                true,
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
    EncryptedValues one =
        codec.encrypt(PROJECT, dek, Map.of("DB_PASSWORD", SECRET), Map.of("LOG_LEVEL", "info"));
    revisionOne =
        Map.of(
            "DB_PASSWORD",
            Variable.secret(one.encrypted().get("DB_PASSWORD")),
            "LOG_LEVEL",
            Variable.plain("info"));
    sealOne = one.seal();
    // revision two of the same project and DEK: another secret the deployment of revision one never
    // had
    EncryptedValues two =
        codec.encrypt(
            PROJECT,
            dek,
            Map.of("DB_PASSWORD", SECRET, "ADMIN_KEY", "sk_admin_two"),
            Map.of("LOG_LEVEL", "info"));
    revisionTwo =
        Map.of(
            "DB_PASSWORD",
            Variable.secret(two.encrypted().get("DB_PASSWORD")),
            "ADMIN_KEY",
            Variable.secret(two.encrypted().get("ADMIN_KEY")),
            "LOG_LEVEL",
            Variable.plain("info"));
    sealTwo = two.seal();
  }

  @AfterAll
  static void stop() throws Exception {
    runner.close();
    server.close();
  }

  private static String grantForOne() {
    return codec.issueGrant(PROJECT, "dep-1", dek, sealOne, HOUR).grant();
  }

  @Test
  void grantForRevisionOne_withItsSeal_decryptsAll() {
    assertEquals(
        Map.of("DB_PASSWORD", SECRET, "LOG_LEVEL", "info"),
        runner.decryptAll(PROJECT, "dep-1", dek, revisionOne, grantForOne(), sealOne));
  }

  @Test
  void grantForRevisionOne_withRevisionTwosSeal_isRefused() {
    CodecException e =
        assertDenied(
            "GRANT_OTHER_REVISION",
            () -> runner.decryptAll(PROJECT, "dep-1", dek, revisionTwo, grantForOne(), sealTwo));
    assertFalse(e.getMessage().contains("sk_admin_two"));
  }

  @Test
  void grantForRevisionOne_withoutASeal_isRefused() {
    assertDenied(
        "GRANT_OTHER_REVISION",
        () -> runner.decryptAll(PROJECT, "dep-1", dek, revisionTwo, grantForOne(), ""));
  }

  @Test
  void revisionBoundGrant_opensNeitherSingleValuesNorTheDek() {
    String grant = grantForOne();
    String adminKey = revisionTwo.get("ADMIN_KEY").value();

    assertDenied(
        "GRANT_REVISION_BOUND",
        () -> runner.decryptValue(PROJECT, dek, "ADMIN_KEY", adminKey, grant));
    assertDenied("GRANT_REVISION_BOUND", () -> codec.decryptDek(PROJECT, dek, grant));
  }

  @Test
  void grantWithoutSeal_isNotIssued_norAcceptedWhileSealsAreRequired() {
    CodecException notIssued =
        assertThrows(CodecException.class, () -> codec.issueGrant(PROJECT, "dep-1", dek, HOUR));
    assertEquals(StatusCode.INVALID_ARGUMENT, notIssued.code());
    assertEquals("SEAL_MISSING", notIssued.errorReason(), notIssued.getMessage());

    // a grant without a seal from an issuer sharing the KEK ring (e.g. before seals were required)
    String unbound =
        new DeploymentGrants(
                () -> {
                  try {
                    return KekRingLoader.fromDirectory(kekDir, null);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .issue(PROJECT, "dep-1", dek, Instant.now(), HOUR)
            .text();
    assertDenied(
        "GRANT_NOT_REVISION_BOUND",
        () -> runner.decryptAll(PROJECT, "dep-1", dek, revisionTwo, unbound, sealTwo));
    assertDenied("GRANT_NOT_REVISION_BOUND", () -> codec.decryptDek(PROJECT, dek, unbound));
  }

  @Test
  void issueGrant_withSomethingThatIsNotASeal_isInvalidArgument() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> codec.issueGrant(PROJECT, "dep-1", dek, "grant3:k1:AAAA", HOUR));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("SEAL_INVALID", e.errorReason(), e.getMessage());
  }

  @Test
  void callRefusedAfterItsGrantWasVerified_auditLineStillCarriesTheGrantsIds() throws Exception {
    IssuedGrant issued = codec.issueGrant(PROJECT, "dep-audited", dek, sealOne, HOUR);
    Map<String, Variable> injected = new java.util.HashMap<>(revisionOne);
    injected.put("NODE_OPTIONS", Variable.plain("--require /tmp/evil.js"));
    AuditInterceptor audit = server.context().getBean(AuditInterceptor.class);
    audit.flush();
    try (LogCapture lines = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      CodecException e =
          assertThrows(
              CodecException.class,
              () -> runner.decryptAll(PROJECT, "", dek, injected, issued.grant(), sealOne));
      assertEquals("SEAL_MISMATCH", e.errorReason(), e.getMessage());
      audit.flush();
      List<String> messages = lines.messagesOf(AuditInterceptor.LOGGER);
      JsonNode line = new ObjectMapper().readTree(messages.get(messages.size() - 1));
      assertEquals("DecryptAll", line.get("rpc").asText());
      assertEquals("dep-audited", line.get("deployment_id").asText());
      assertEquals(issued.grantId(), line.get("grant_id").asText());
    }
  }

  private static CodecException assertDenied(String reason, Runnable call) {
    CodecException e = assertThrows(CodecException.class, call::run);
    assertEquals(StatusCode.PERMISSION_DENIED, e.code(), e.getMessage());
    assertEquals(reason, e.errorReason(), e.getMessage());
    assertTrue(e.getMessage().contains("[" + reason + "]"), e.getMessage());
    return e;
  }
}
