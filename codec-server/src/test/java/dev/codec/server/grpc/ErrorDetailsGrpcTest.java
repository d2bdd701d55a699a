package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.DekToRewrap;
import dev.codec.client.FieldViolation;
import dev.codec.client.RewrapResult;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import dev.codec.server.wiring.SecretReloads;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal path through the real server carries a google.rpc.ErrorInfo (domain codec.dev, a
 * stable reason, metadata) and, for per-field problems, BadRequest field violations naming the
 * fields, never a value; the Java client exposes them as typed fields and picks its category by
 * reason where a status code is ambiguous.
 */
class ErrorDetailsGrpcTest {
  private static final String PROJECT = "proj-errors";
  private static final String SECRET_VALUE = "sk_live_never-in-an-error-9d1";

  @TempDir static Path kekDir;

  private static TestServer server;
  private static CodecClient codec;
  private static String runnerToken;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    server =
        TestServer.start(
            kekDir, Map.of("codec.auth.callers.runner.permissions", List.of("decrypt")));
    runnerToken = TestServer.writeToken(server.tokensDir(), "runner");
    server.context().getBean(SecretReloads.class).reloadNow(SecretReloads.CALLER_TOKENS);
    codec = server.client();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  // ---- request data ----

  @Test
  void missingProjectId_isFieldRequired_namingTheField() {
    CodecException e =
        refused(StatusCode.INVALID_ARGUMENT, "FIELD_REQUIRED", () -> codec.generateDek(""));
    assertEquals("project_id", e.errorMetadata().get("field"));
    assertEquals(List.of(new FieldViolation("project_id", "required")), e.fieldViolations());
    assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
  }

  @Test
  void badProjectId_isFieldInvalid() {
    CodecException e =
        refused(
            StatusCode.INVALID_ARGUMENT, "FIELD_INVALID", () -> codec.generateDek("bad project"));
    assertEquals("project_id", e.errorMetadata().get("field"));
    assertEquals("project_id", e.fieldViolations().get(0).field());
  }

  @Test
  void undecryptableSecrets_areInvalidCiphertext_withAViolationPerVariable() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> cts =
        codec.encrypt(
            PROJECT,
            dek,
            Map.of("GOOD", SECRET_VALUE, "BAD_1", SECRET_VALUE, "BAD_2", SECRET_VALUE));
    CodecException e =
        refused(
            StatusCode.INVALID_ARGUMENT,
            "INVALID_CIPHERTEXT",
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    Map.of(
                        "GOOD",
                        Variable.secret(cts.get("GOOD")),
                        "BAD_1",
                        Variable.secret(cts.get("GOOD")), // another variable's value: bound to GOOD
                        "BAD_2",
                        Variable.secret(tamper(cts.get("BAD_2"))),
                        "SHOWN",
                        Variable.plain("plain"))));
    assertEquals(
        List.of("variables[BAD_1]", "variables[BAD_2]"),
        e.fieldViolations().stream().map(FieldViolation::field).toList());
    assertEquals("variables", e.errorMetadata().get("field"));
    assertNoValues(e, cts.values());
  }

  @Test
  void tamperedWrappedDek_isInvalidWrappedDek() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    CodecException e =
        refused(
            StatusCode.INVALID_ARGUMENT,
            "INVALID_WRAPPED_DEK",
            () -> codec.encrypt(PROJECT, tamper(dek), Map.of("K", "v")));
    assertEquals("encrypted_dek", e.errorMetadata().get("field"));
    assertNoValues(e, List.of(dek));
  }

  /** One status code, two causes, two reasons, two categories. */
  @Test
  void kekVersionNotLoaded_andLegacyDisabled_shareTheCode_butNotTheReason() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String underSeven = dek.replaceFirst("^dek1:k1:", "dek1:k7:");
    CodecException notLoaded =
        refused(
            StatusCode.FAILED_PRECONDITION,
            "KEK_VERSION_NOT_LOADED",
            () -> codec.encrypt(PROJECT, underSeven, Map.of("K", "v")));
    assertEquals("7", notLoaded.errorMetadata().get("kek_version"));
    assertEquals("encrypted_dek", notLoaded.errorMetadata().get("field"));
    assertEquals(CodecException.Category.KEY_UNAVAILABLE, notLoaded.category());

    String legacyLooking = randomBase64(16 + 10 + 16);
    CodecException legacy =
        refused(
            StatusCode.FAILED_PRECONDITION,
            "LEGACY_INPUT_DISABLED",
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    Map.of(
                        "OLD_1",
                        Variable.secret(legacyLooking),
                        "OLD_2",
                        Variable.secret(legacyLooking),
                        "NEW",
                        Variable.plain("x"))));
    assertEquals(
        List.of(
            new FieldViolation("variables[OLD_1]", "legacy input is disabled"),
            new FieldViolation("variables[OLD_2]", "legacy input is disabled")),
        legacy.fieldViolations());
    assertEquals(
        CodecException.Category.INVALID_REQUEST,
        legacy.category(),
        "a configuration problem: no retry");
    assertFalse(legacy.isRetryable());
    assertNoValues(legacy, List.of(legacyLooking));
  }

  @Test
  void oversizedValue_isLimitExceeded_namingTheLimit() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    CodecException e =
        refused(
            StatusCode.RESOURCE_EXHAUSTED,
            "LIMIT_EXCEEDED",
            () -> codec.encrypt(PROJECT, dek, Map.of("BIG", "x".repeat(65_537))));
    assertEquals(
        Map.of("field", "values[BIG]", "limit", "codec.limits.max-value-bytes", "max", "65536"),
        e.errorMetadata());
    assertEquals("values[BIG]", e.fieldViolations().get(0).field());
    assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
  }

  @Test
  void rewrapItems_carryTheirReason() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    List<RewrapResult> results =
        codec.rewrapDeks(
            List.of(
                new DekToRewrap(PROJECT, dek),
                new DekToRewrap(PROJECT, tamper(dek)),
                new DekToRewrap(PROJECT, dek.replaceFirst("^dek1:k1:", "dek1:k7:"))));
    assertTrue(results.get(0).ok());
    assertEquals(null, results.get(0).errorReason());
    assertEquals("INVALID_WRAPPED_DEK", results.get(1).errorReason());
    assertEquals(StatusCode.INVALID_ARGUMENT, results.get(1).errorCode());
    assertEquals("KEK_VERSION_NOT_LOADED", results.get(2).errorReason());
    assertEquals(StatusCode.FAILED_PRECONDITION, results.get(2).errorCode());
  }

  @Test
  void notAMessage_isMalformedRequest() {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("codec.v1.CodecService/GenerateDek")
            .setRequestMarshaller(new BytesMarshaller())
            .setResponseMarshaller(new BytesMarshaller())
            .build();
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    server.channel(),
                    raw,
                    CallOptions.DEFAULT,
                    new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("MALFORMED_REQUEST", errorInfo(e).getReason());
  }

  // ---- authentication and permissions ----

  @Test
  void noCredentials_isMissingCredentials() {
    CodecClient anonymous = CodecClient.builder().channel(server.unauthenticatedChannel()).build();
    CodecException e =
        refused(
            StatusCode.UNAUTHENTICATED,
            "MISSING_CREDENTIALS",
            () -> anonymous.generateDek(PROJECT));
    assertEquals(CodecException.Category.NOT_ALLOWED, e.category());
  }

  @Test
  void unknownToken_isUnknownToken_andTheTokenIsNotEchoed() {
    CodecClient stranger = clientWith("Bearer not-a-known-token-4711");
    CodecException e =
        refused(StatusCode.UNAUTHENTICATED, "UNKNOWN_TOKEN", () -> stranger.generateDek(PROJECT));
    assertNoValues(e, List.of("not-a-known-token-4711"));
    refused(
        StatusCode.UNAUTHENTICATED,
        "MALFORMED_CREDENTIALS",
        () -> clientWith("Basic abc").generateDek(PROJECT));
  }

  @Test
  void missingPermission_isPermissionMissing_namingThePermission() {
    CodecClient runner = clientWith("Bearer " + runnerToken);
    CodecException e =
        refused(
            StatusCode.PERMISSION_DENIED, "PERMISSION_MISSING", () -> runner.generateDek(PROJECT));
    assertEquals("encrypt", e.errorMetadata().get("permission"));
    assertEquals("runner", e.errorMetadata().get("caller"));
    CodecException export =
        refused(
            StatusCode.PERMISSION_DENIED,
            "PERMISSION_MISSING",
            () -> runner.decryptDek(PROJECT, codec.generateDek(PROJECT).encryptedDek()));
    assertEquals("export-dek", export.errorMetadata().get("permission"));
  }

  @Test
  void typedFields_areUnmodifiable() {
    CodecException e =
        refused(StatusCode.INVALID_ARGUMENT, "FIELD_REQUIRED", () -> codec.generateDek(""));
    assertThrows(UnsupportedOperationException.class, () -> e.errorMetadata().put("x", "y"));
    assertThrows(UnsupportedOperationException.class, () -> e.fieldViolations().clear());
  }

  // ---- transport budget ----

  @Test
  void requestOverThePeerBudget_isRequestBudgetExhausted_andRetryable(@TempDir Path otherKeks)
      throws Exception {
    TestServer.writeKek(otherKeks, 1);
    try (TestServer small =
        TestServer.start(otherKeks, Map.of("codec.transport.max-in-flight-bytes-per-peer", 4096))) {
      String dek = small.client().generateDek(PROJECT).encryptedDek();
      CodecException e =
          refused(
              StatusCode.RESOURCE_EXHAUSTED,
              "REQUEST_BUDGET_EXHAUSTED",
              () -> small.client().encrypt(PROJECT, dek, Map.of("BIG", "y".repeat(10_000))));
      assertEquals("codec.transport.max-in-flight-bytes-per-peer", e.errorMetadata().get("limit"));
      assertEquals(
          CodecException.Category.UNAVAILABLE, e.category(), "the budget frees up: retry later");
      assertTrue(e.isRetryable());
    }
  }

  // ---- helpers ----

  private static CodecException refused(StatusCode code, String reason, Supplier<?> call) {
    CodecException e = assertThrows(CodecException.class, call::get);
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(reason, e.errorReason(), e.getMessage());
    StatusRuntimeException status = (StatusRuntimeException) e.getCause();
    ErrorInfo info = errorInfo(status);
    assertEquals("codec.dev", info.getDomain());
    assertEquals(reason, info.getReason());
    return e;
  }

  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertNotNull(status, "the status carries details: " + e.getStatus());
    for (Any detail : status.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class);
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      }
    }
    throw new AssertionError("no ErrorInfo in " + status);
  }

  private static void assertNoValues(CodecException e, java.util.Collection<String> values) {
    String all = e.getMessage() + e.errorMetadata() + e.fieldViolations();
    for (String value : values) {
      assertFalse(all.contains(value), "a value in the error: " + all);
    }
    assertFalse(all.contains(SECRET_VALUE));
  }

  private static String tamper(String text) {
    int at = text.length() - 6;
    char c = text.charAt(at);
    return text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1);
  }

  private static String randomBase64(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return Base64.getEncoder().encodeToString(random);
  }

  private static CodecClient clientWith(String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return CodecClient.builder()
        .channel(
            io.grpc.ClientInterceptors.intercept(
                server.unauthenticatedChannel(),
                MetadataUtils.newAttachHeadersInterceptor(headers)))
        .build();
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
