package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.server.TestServer;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real server process with {@code CODEC_LOG_FORMAT=json}, {@code CODEC_LOG_LEVEL=DEBUG} and
 * tracing on: every application line is an Elastic Common Schema object, the lines logged inside a
 * traced call carry the caller's trace id, no line and no exported span holds a value, a DEK
 * (wrapped or not) or a token, and SIGTERM flushes the queued spans to the collector.
 */
class TracedJsonLogProcessTest {
  private static final String PROJECT = "proj-jsonlog-canary-5e21";
  private static final String SECRET_VALUE = "sk_live_jsonlog_canary_0c4f";
  private static final String CALLER_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String CALLER_SPAN_ID = "b7ad6b7169203331";

  @Test
  void jsonLines_haveEcsFields_andTraceIds_andNeverASecret_spansFlushedOnSigterm()
      throws Exception {
    try (OtlpReceiver collector = new OtlpReceiver()) {
      List<String> secrets = new ArrayList<>();
      List<String> lines;
      try (AbuseFixture fixture =
          new AbuseFixture(
              Map.of(
                  "CODEC_TRACING_ENABLED",
                  "true",
                  "CODEC_TRACING_ENDPOINT",
                  collector.endpoint(),
                  "CODEC_LOG_LEVEL",
                  "DEBUG"))) {
        secrets.addAll(
            List.of(fixture.opsToken, fixture.runnerToken, fixture.nobodyToken, SECRET_VALUE));
        ManagedChannel channel = fixture.channel();
        try {
          CodecClient ops = traced(channel, fixture.opsToken);
          GeneratedDek dek = ops.generateDek(PROJECT);
          Map<String, String> stored =
              ops.encrypt(PROJECT, dek.encryptedDek(), Map.of("API_KEY", SECRET_VALUE));
          byte[] plainDek = ops.decryptDek(PROJECT, dek.encryptedDek());
          secrets.addAll(
              List.of(
                  dek.encryptedDek(),
                  stored.get("API_KEY"),
                  Base64.getEncoder().encodeToString(plainDek)));
          CodecClient nobody = traced(channel, fixture.nobodyToken);
          assertThrows(
              CodecException.class, () -> nobody.generateDek(PROJECT)); // refused: logged at DEBUG
          fixture.server.awaitLine("\"trace.id\":\"" + CALLER_TRACE_ID + "\"");
          fixture.assertHealthyAndJsonOnly();
        } finally {
          channel.shutdownNow();
        }
        lines = fixture.server.outputLines();
        fixture.server.terminate();
        assertEquals(0, fixture.server.awaitExit(), fixture.server.output());
      }

      int appLines = 0;
      int tracedLines = 0;
      for (String line : lines) {
        if (line.isEmpty()) {
          continue;
        }
        for (String secret : secrets) {
          assertFalse(line.contains(secret), "a log line holds a secret: " + line);
        }
        JsonNode json = AbuseFixture.JSON.readTree(line);
        if (!json.has("log.level")) {
          assertTrue(json.has("rpc") || json.has("type"), line); // an audit line, its own schema
          continue;
        }
        appLines++;
        Instant.parse(json.get("@timestamp").asText());
        assertTrue(json.get("message").isTextual(), line);
        assertEquals("codec", json.get("service.name").asText(), line);
        if (json.has("trace.id")) {
          tracedLines++;
          assertEquals(CALLER_TRACE_ID, json.get("trace.id").asText(), line);
          assertEquals(16, json.get("span.id").asText().length(), line);
        }
      }
      assertTrue(appLines > 3, String.join("\n", lines));
      assertTrue(tracedLines >= 1, String.join("\n", lines));

      // flushed at SIGTERM: the batch delay (5 s) had not necessarily passed
      collector.await(
          s ->
              s.name().endsWith("/DecryptDek")
                  && s.traceId().equals(CALLER_TRACE_ID)
                  && s.parentSpanId().equals(CALLER_SPAN_ID),
          "for DecryptDek");
      String exported = collector.rawText();
      for (String secret : secrets) {
        assertFalse(exported.contains(secret), "a span exports a secret");
      }
      assertFalse(exported.contains(PROJECT));
    }
  }

  private static CodecClient traced(ManagedChannel channel, String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + CALLER_TRACE_ID + "-" + CALLER_SPAN_ID + "-01");
    return CodecClient.builder()
        .channel(
            ClientInterceptors.intercept(
                channel,
                TestServer.bearer(token),
                MetadataUtils.newAttachHeadersInterceptor(headers)))
        .build();
  }
}
