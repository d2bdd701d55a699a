package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.FieldViolation;
import dev.codec.client.GeneratedDek;
import dev.codec.client.IssuedGrant;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's CompletableFuture calls against the real server: results, and refusals with their
 * typed details.
 */
class AsyncClientGrpcTest {
  private static final String PROJECT = "proj-async";

  @Test
  void asyncCalls_roundTripARevision_andRefusalsCarryTheirReason(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir);
        CodecClient codec =
            CodecClient.builder()
                .target("127.0.0.1:" + server.port())
                .token(server.token())
                .build()) {
      GeneratedDek dek = codec.generateDekAsync(PROJECT).get(30, TimeUnit.SECONDS);
      CodecClient.EncryptedValues encrypted =
          codec
              .encryptAsync(
                  PROJECT,
                  dek.encryptedDek(),
                  Map.of("API_KEY", "sk_live_123"),
                  Map.of("LOG_LEVEL", "debug"))
              .get(30, TimeUnit.SECONDS);
      Map<String, Variable> revision =
          Map.of(
              "API_KEY",
              Variable.secret(encrypted.encrypted().get("API_KEY")),
              "LOG_LEVEL",
              Variable.plain("debug"));
      IssuedGrant grant =
          codec
              .issueGrantAsync(
                  PROJECT, "dep-1", dek.encryptedDek(), encrypted.seal(), Duration.ofMinutes(5))
              .get(30, TimeUnit.SECONDS);

      // many calls in flight at once, each with its own per-call deadline
      List<CompletableFuture<Map<String, String>>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(
            codec
                .withDeadline(Duration.ofSeconds(20))
                .decryptAllAsync(
                    PROJECT,
                    "dep-1",
                    dek.encryptedDek(),
                    revision,
                    grant.grant(),
                    encrypted.seal()));
      }
      for (CompletableFuture<Map<String, String>> call : calls) {
        assertEquals(
            Map.of("API_KEY", "sk_live_123", "LOG_LEVEL", "debug"), call.get(30, TimeUnit.SECONDS));
      }

      CompletableFuture<Map<String, String>> tampered =
          codec.decryptAllAsync(
              PROJECT,
              "",
              dek.encryptedDek(),
              Map.of("OTHER", Variable.secret(encrypted.encrypted().get("API_KEY"))),
              "",
              "");
      CodecException e =
          assertInstanceOf(
              CodecException.class,
              assertThrows(CompletionException.class, tampered::join).getCause());
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertEquals("INVALID_CIPHERTEXT", e.errorReason());
      assertEquals(
          List.of("variables[OTHER]"),
          e.fieldViolations().stream().map(FieldViolation::field).toList());
      assertFalse(e.getMessage().contains("sk_live_123"));
      assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
    }
  }
}
