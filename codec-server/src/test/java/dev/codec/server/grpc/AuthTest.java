package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.DecryptValueResponse;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.server.TestServer;
import dev.codec.server.wiring.SecretReloads;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication and permissions through the real server: every refusal has its precise status. */
class AuthTest {
  private static final String PROJECT = "proj-auth";

  @TempDir static Path kekDir;

  private static TestServer server;
  private static String controlApiToken;
  private static String runnerToken;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    server =
        TestServer.start(
            kekDir,
            Map.of(
                "codec.auth.callers.control-api.permissions", List.of("encrypt"),
                "codec.auth.callers.runner.permissions", List.of("decrypt")));
    controlApiToken = TestServer.writeToken(server.tokensDir(), "control-api");
    runnerToken = TestServer.writeToken(server.tokensDir(), "runner");
    reloadTokens();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void noToken_isUnauthenticated() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                CodecServiceGrpc.newBlockingStub(server.unauthenticatedChannel())
                    .generateDek(GenerateDekRequest.newBuilder().setProjectId(PROJECT).build()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("Bearer"), e.getStatus().getDescription());
  }

  @Test
  void unknownToken_isUnauthenticated() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> clientWith("Bearer not-a-known-token-at-all").generateDek(PROJECT));

    assertEquals(StatusCode.UNAUTHENTICATED, e.code());
    assertFalse(e.getMessage().contains("not-a-known-token-at-all"));
  }

  @Test
  void malformedAuthorizationHeader_isUnauthenticated() {
    for (String header : List.of("Basic " + controlApiToken, controlApiToken, "Bearer ")) {
      CodecException e =
          assertThrows(CodecException.class, () -> clientWith(header).generateDek(PROJECT));
      assertEquals(StatusCode.UNAUTHENTICATED, e.code(), header);
    }
  }

  @Test
  void bearerScheme_isCaseInsensitive() {
    assertTrue(
        clientWith("bearer " + controlApiToken)
            .generateDek(PROJECT)
            .encryptedDek()
            .startsWith("dek1:"));
  }

  @Test
  void controlApi_mayEncrypt_butNotDecryptOrExport() {
    CodecClient controlApi = clientWith("Bearer " + controlApiToken);
    String dek = controlApi.generateDek(PROJECT).encryptedDek();
    String ct = controlApi.encrypt(PROJECT, dek, Map.of("K", "v")).get("K");

    CodecException decrypt =
        assertThrows(
            CodecException.class,
            () -> controlApi.decryptAll(PROJECT, "", dek, Map.of("K", Variable.secret(ct))));
    assertEquals(StatusCode.PERMISSION_DENIED, decrypt.code());
    assertTrue(
        decrypt
            .getMessage()
            .contains("caller 'control-api' lacks permission 'decrypt' for DecryptAll"),
        decrypt.getMessage());
    assertEquals(
        StatusCode.PERMISSION_DENIED,
        assertThrows(CodecException.class, () -> controlApi.decryptDek(PROJECT, dek)).code());
  }

  @Test
  void runner_mayDecrypt_butNotEncryptNorTakeTheDekOut() {
    String dek = server.client().generateDek(PROJECT).encryptedDek();
    String ct = server.client().encrypt(PROJECT, dek, Map.of("K", "v")).get("K");
    CodecClient runner = clientWith("Bearer " + runnerToken);

    assertEquals(
        Map.of("K", "v"), runner.decryptAll(PROJECT, "d1", dek, Map.of("K", Variable.secret(ct))));
    assertEquals("v", runner.decryptValue(PROJECT, dek, "K", ct));
    CodecException export =
        assertThrows(CodecException.class, () -> runner.decryptDek(PROJECT, dek));
    assertEquals(StatusCode.PERMISSION_DENIED, export.code());
    assertTrue(export.getMessage().contains("'export-dek'"), export.getMessage());
    assertEquals(
        StatusCode.PERMISSION_DENIED,
        assertThrows(CodecException.class, () -> runner.generateDek(PROJECT)).code());
  }

  @Test
  void decryptValueWithPlaintextDek_needsExportDek() {
    String dek = server.client().generateDek(PROJECT).encryptedDek();
    String ct = server.client().encrypt(PROJECT, dek, Map.of("K", "v")).get("K");
    byte[] plainDek = server.client().decryptDek(PROJECT, dek);
    CodecServiceGrpc.CodecServiceBlockingStub runner =
        CodecServiceGrpc.newBlockingStub(
            ClientInterceptors.intercept(
                server.unauthenticatedChannel(), TestServer.bearer(runnerToken)));

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                runner.decryptValue(
                    DecryptValueRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setEncrypted(ct)
                        .setDek(ByteString.copyFrom(plainDek))
                        .build()));

    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("export-dek"), e.getStatus().getDescription());
    assertEquals(
        "v",
        server.client().decryptValueWithDek(PROJECT, plainDek, "K", ct),
        "the test caller has export-dek");
  }

  @Test
  void
      decryptValue_byCallerWithNeitherDecryptNorExportDek_isRefusedOnItsHeaders_beforeAnyBodyIsSent()
          throws Exception {
    String token = TestServer.writeToken(server.tokensDir(), "nobody");
    reloadTokens();
    ClientCall<DecryptValueRequest, DecryptValueResponse> call =
        ClientInterceptors.intercept(server.unauthenticatedChannel(), TestServer.bearer(token))
            // same method on the wire; as "streaming" grpc-java flushes the headers at once instead
            // of
            // holding them back until the request message
            .newCall(
                CodecServiceGrpc.getDecryptValueMethod().toBuilder()
                    .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                    .build(),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    // no message and no half-close: only the headers have been sent

    Status status = closed.get(5, TimeUnit.SECONDS);

    assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
    assertTrue(
        status.getDescription().contains("'decrypt' or 'export-dek'"), status.getDescription());
    call.cancel("done", null);
  }

  @Test
  void
      decryptValue_byCallerWithoutPermission_withAnAlmostMaximalRequest_isDeniedWithoutProcessingIt()
          throws Exception {
    String token = TestServer.writeToken(server.tokensDir(), "nobody-large");
    reloadTokens();
    CodecServiceGrpc.CodecServiceBlockingStub stub =
        CodecServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(
                    server.unauthenticatedChannel(), TestServer.bearer(token)))
            .withDeadlineAfter(20, TimeUnit.SECONDS);
    DecryptValueRequest large =
        DecryptValueRequest.newBuilder()
            .setProjectId(PROJECT)
            .setEncryptedDek("x")
            .setEncrypted("e".repeat(4_000_000))
            .build();

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.decryptValue(large));

    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("'decrypt' or 'export-dek'"),
        e.getStatus().getDescription());
  }

  @Test
  void keyLifecycleRpcs_needRotate() {
    String dek = server.client().generateDek(PROJECT).encryptedDek();
    CodecClient runner = clientWith("Bearer " + runnerToken);

    CodecException rotate =
        assertThrows(CodecException.class, () -> runner.rotateDek(PROJECT, dek, Map.of()));
    assertEquals(StatusCode.PERMISSION_DENIED, rotate.code());
    assertTrue(rotate.getMessage().contains("'rotate'"), rotate.getMessage());
    assertEquals(
        StatusCode.PERMISSION_DENIED, assertThrows(CodecException.class, runner::status).code());
    assertEquals(1, server.client().status().activeKekVersion(), "the test caller has rotate");
  }

  @Test
  void callerWithTokenButNoConfiguredPermissions_isDeniedEverything() throws Exception {
    String token = TestServer.writeToken(server.tokensDir(), "stranger");
    reloadTokens();

    CodecException e =
        assertThrows(
            CodecException.class, () -> clientWith("Bearer " + token).generateDek(PROJECT));

    assertEquals(StatusCode.PERMISSION_DENIED, e.code());
  }

  @Test
  void rotatedToken_replacesTheOldOneAfterReload() throws Exception {
    String oldToken = TestServer.writeToken(server.tokensDir(), "rotating");
    Files.writeString(server.tokensDir().resolve("rotating"), oldToken);
    reloadTokens();
    // "rotating" has no permissions: PERMISSION_DENIED proves the token was recognised
    assertEquals(
        StatusCode.PERMISSION_DENIED,
        assertThrows(
                CodecException.class, () -> clientWith("Bearer " + oldToken).generateDek(PROJECT))
            .code());

    String newToken = TestServer.writeToken(server.tokensDir(), "rotating");
    reloadTokens();

    assertEquals(
        StatusCode.UNAUTHENTICATED,
        assertThrows(
                CodecException.class, () -> clientWith("Bearer " + oldToken).generateDek(PROJECT))
            .code());
    assertEquals(
        StatusCode.PERMISSION_DENIED,
        assertThrows(
                CodecException.class, () -> clientWith("Bearer " + newToken).generateDek(PROJECT))
            .code());
  }

  @Test
  void authDisabled_letsAnyoneCallEverything(@TempDir Path otherKeks) throws Exception {
    TestServer.writeKek(otherKeks, 1);
    try (TestServer open = TestServer.start(otherKeks, Map.of("codec.auth.enabled", false))) {
      CodecServiceGrpc.CodecServiceBlockingStub anonymous =
          CodecServiceGrpc.newBlockingStub(open.unauthenticatedChannel());

      assertTrue(
          anonymous
              .generateDek(GenerateDekRequest.newBuilder().setProjectId(PROJECT).build())
              .getEncryptedDek()
              .startsWith("dek1:"));
    }
  }

  private static CodecClient clientWith(String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return CodecClient.builder()
        .channel(
            ClientInterceptors.intercept(
                server.unauthenticatedChannel(),
                MetadataUtils.newAttachHeadersInterceptor(headers)))
        .build();
  }

  private static void reloadTokens() {
    server.context().getBean(SecretReloads.class).reloadNow(SecretReloads.CALLER_TOKENS);
  }
}
