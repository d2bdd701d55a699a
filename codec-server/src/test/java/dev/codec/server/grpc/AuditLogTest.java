package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.server.LogCapture;
import dev.codec.server.TestServer;
import dev.codec.server.auth.TokenId;
import io.grpc.ClientInterceptors;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log: one {@code call} line per admitted call with attribution (peer, auth method, token
 * id, request id, error text), refused calls aggregated into {@code refused-summary} lines, never a
 * secret.
 */
class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "audit-must-not-see-this-secret";
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "0:0:0:0:0:0:0:1");

  @Test
  void everyAdmittedCall_writesOneCallLine_andRefusedCallsASummary(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir);
        LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      CodecClient codec = server.client();
      String dek = codec.generateDek("proj-a").encryptedDek();
      Map<String, String> cts = codec.encrypt("proj-a", dek, Map.of("A", SECRET, "B", "b"));
      codec.decryptAll(
          "proj-a",
          "deploy-9",
          dek,
          Map.of("A", Variable.secret(cts.get("A")), "P", Variable.plain("p")));
      CodecException invalid =
          assertThrows(CodecException.class, () -> codec.decryptAll("proj-b", "", dek, Map.of()));
      assertThrows(
          CodecException.class,
          () ->
              CodecClient.builder()
                  .channel(server.unauthenticatedChannel())
                  .build()
                  .generateDek("proj-c"));

      server.context().getBean(AuditInterceptor.class).flush(); // lines are written in batches
      List<JsonNode> lines =
          audit.messagesOf(AuditInterceptor.LOGGER).stream().map(AuditLogTest::parse).toList();

      assertEquals(5, lines.size(), lines.toString());
      String tokenId = TokenId.of(server.token());
      assertCall(lines.get(0), tokenId, "GenerateDek", "proj-a", 1, "OK");
      assertCall(lines.get(1), tokenId, "Encrypt", "proj-a", 2, "OK");
      assertCall(lines.get(2), tokenId, "DecryptAll", "proj-a", 2, "OK");
      // without a grant the caller's deployment id is only a claim, and logged as one
      assertEquals("deploy-9", lines.get(2).get("claimed_deployment_id").asText());
      assertNull(lines.get(2).get("deployment_id"));
      assertCall(lines.get(3), tokenId, "DecryptAll", "proj-b", 0, "INVALID_ARGUMENT");
      assertTrue(
          invalid
              .getMessage()
              .endsWith(lines.get(3).get("error").asText() + " [INVALID_WRAPPED_DEK]"),
          "the error text is the message the client got: "
              + lines.get(3)
              + " / "
              + invalid.getMessage());
      assertFalse(lines.get(0).has("error"), "no error field on success");
      // refused on its headers: counted, then summarised (the body is never read)
      JsonNode summary = lines.get(4);
      assertEquals("refused-summary", summary.get("type").asText());
      assertEquals(1, summary.get("count").asInt());
      assertEquals("missing_credentials", summary.get("reason").asText());
      assertEquals("UNAUTHENTICATED", summary.get("status").asText());
      assertEquals("none", summary.get("auth").asText());
      assertEquals("-", summary.get("caller").asText());
      assertEquals("GenerateDek", summary.get("example_rpc").asText());
      assertTrue(LOOPBACK.contains(summary.get("peer").asText()), summary.toString());
      assertTrue(summary.get("error").asText().contains("Bearer"), summary.toString());
      for (JsonNode line : lines) {
        assertTrue(line.get("time").asText().endsWith("Z"));
        String text = line.toString();
        assertFalse(
            text.contains(SECRET)
                || text.contains(dek)
                || text.contains(cts.get("A"))
                || text.contains(server.token()),
            text);
      }
      assertEquals(
          4,
          lines.stream().limit(4).map(l -> l.get("request_id").asText()).distinct().count(),
          "a request id per call");
    }
  }

  @Test
  void requestId_isReturnedToTheClient_andNamesTheCallsLine(@TempDir Path kekDir) throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir);
        LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  CodecServiceGrpc.newBlockingStub(server.channel())
                      .generateDek(
                          GenerateDekRequest.newBuilder().setProjectId("bad project!").build()));
      String requestId = e.getTrailers().get(AuditInterceptor.REQUEST_ID);
      assertNotNull(requestId);
      assertTrue(requestId.matches("[0-9a-f]{16}"), requestId);

      CodecException viaClient =
          assertThrows(CodecException.class, () -> server.client().generateDek("bad!"));
      assertTrue(
          viaClient.requestId().matches("[0-9a-f]{16}"), String.valueOf(viaClient.requestId()));

      server.context().getBean(AuditInterceptor.class).flush();
      JsonNode line =
          audit.messagesOf(AuditInterceptor.LOGGER).stream()
              .map(AuditLogTest::parse)
              .filter(l -> requestId.equals(l.path("request_id").asText()))
              .findFirst()
              .orElseThrow();
      assertEquals("INVALID_ARGUMENT", line.get("status").asText());
      assertEquals(e.getStatus().getDescription(), line.get("error").asText());
    }
  }

  @Test
  void floodOfRefusedCalls_writesAFewSummaryLinesWithExactCounts_whileAdmittedCallsKeepTheirLines(
      @TempDir Path kekDir) throws Exception {
    TestServer.writeKek(kekDir, 1);
    int unauthenticated = 3_000;
    int unknownTokens = 300;
    try (TestServer server =
            TestServer.start(kekDir, Map.of("codec.audit.refused-summary-interval", "500ms"));
        LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      long started = System.nanoTime();
      List<String> badTokens = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> calls = new ArrayList<>();
        CodecServiceGrpc.CodecServiceBlockingStub anonymous =
            CodecServiceGrpc.newBlockingStub(server.unauthenticatedChannel());
        for (int i = 0; i < unauthenticated; i++) {
          calls.add(
              pool.submit(
                  () ->
                      assertThrows(
                          StatusRuntimeException.class,
                          () ->
                              anonymous.generateDek(
                                  GenerateDekRequest.newBuilder().setProjectId("p").build()))));
        }
        for (int i = 0; i < unknownTokens; i++) {
          String token = "bad-token-" + UUID.randomUUID();
          badTokens.add(token);
          CodecServiceGrpc.CodecServiceBlockingStub stub =
              CodecServiceGrpc.newBlockingStub(
                  ClientInterceptors.intercept(
                      server.unauthenticatedChannel(), TestServer.bearer(token)));
          calls.add(
              pool.submit(
                  () ->
                      assertThrows(
                          StatusRuntimeException.class,
                          () ->
                              stub.generateDek(
                                  GenerateDekRequest.newBuilder().setProjectId("p").build()))));
        }
        for (int i = 0; i < 20; i++) {
          server.client().generateDek("admitted-" + i);
        }
        for (Future<?> call : calls) {
          call.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      // the summaries come on their own, every 500 ms (no flush() here)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      List<JsonNode> summaries;
      do {
        Thread.sleep(50); // polling a condition, bounded by the deadline
        summaries =
            audit.messagesOf(AuditInterceptor.LOGGER).stream()
                .map(AuditLogTest::parse)
                .filter(l -> "refused-summary".equals(l.get("type").asText()))
                .toList();
      } while (count(summaries, "missing_credentials") + count(summaries, "unknown_token")
              < unauthenticated + unknownTokens
          && System.nanoTime() < deadline);
      double seconds = (System.nanoTime() - started) / 1e9;
      server.context().getBean(AuditInterceptor.class).flush();
      List<String> all = audit.messagesOf(AuditInterceptor.LOGGER);

      assertEquals(unauthenticated, count(summaries, "missing_credentials"));
      assertEquals(unknownTokens, count(summaries, "unknown_token"));
      long bound = 2 * (Math.round(seconds / 0.5) + 2);
      assertTrue(
          summaries.size() <= bound,
          summaries.size() + " summary lines in " + seconds + " s: " + summaries);
      long admitted =
          all.stream()
              .map(AuditLogTest::parse)
              .filter(
                  l ->
                      "call".equals(l.get("type").asText())
                          && l.get("project_id").asText().startsWith("admitted-"))
              .count();
      assertEquals(20, admitted, "every admitted call keeps its own line");
      for (String line : all) {
        for (String token : badTokens) {
          assertFalse(line.contains(token), line);
        }
      }
      JsonNode unknown =
          summaries.stream()
              .filter(l -> "unknown_token".equals(l.get("reason").asText()))
              .findFirst()
              .orElseThrow();
      assertEquals("token", unknown.get("auth").asText());
      assertTrue(
          unknown.get("example_token_id").asText().matches("[0-9a-f]{12}"), unknown.toString());
    }
  }

  @Test
  void authDisabled_callLinesSayAuthNone_withoutCredentialId(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir, Map.of("codec.auth.enabled", false));
        LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      CodecServiceGrpc.newBlockingStub(server.unauthenticatedChannel())
          .generateDek(GenerateDekRequest.newBuilder().setProjectId("p-open").build());
      server.context().getBean(AuditInterceptor.class).flush();

      JsonNode line = parse(audit.messagesOf(AuditInterceptor.LOGGER).get(0));
      assertEquals("call", line.get("type").asText());
      assertEquals("none", line.get("auth").asText());
      assertEquals("anonymous", line.get("caller").asText());
      assertFalse(line.has("token_id") || line.has("cert_serial"), line.toString());
      assertTrue(line.get("request_id").asText().matches("[0-9a-f]{16}"), line.toString());
    }
  }

  private static long count(List<JsonNode> summaries, String reason) {
    return summaries.stream()
        .filter(l -> reason.equals(l.get("reason").asText()))
        .mapToLong(l -> l.get("count").asLong())
        .sum();
  }

  private static void assertCall(
      JsonNode line, String tokenId, String rpc, String project, int values, String status) {
    assertEquals("call", line.get("type").asText(), line.toString());
    assertEquals(TestServer.CALLER, line.get("caller").asText(), line.toString());
    assertEquals("token", line.get("auth").asText(), line.toString());
    assertEquals(tokenId, line.get("token_id").asText(), line.toString());
    assertTrue(LOOPBACK.contains(line.get("peer").asText()), line.toString());
    assertTrue(line.get("request_id").asText().matches("[0-9a-f]{16}"), line.toString());
    assertEquals(rpc, line.get("rpc").asText(), line.toString());
    assertEquals(project, line.get("project_id").asText(), line.toString());
    assertEquals(values, line.get("values").asInt(), line.toString());
    assertEquals(status, line.get("status").asText(), line.toString());
    assertTrue(line.get("latency_ms").isNumber());
    assertEquals(status.equals("OK"), !line.has("error"), line.toString());
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("audit line is not JSON: " + line, e);
    }
  }
}
