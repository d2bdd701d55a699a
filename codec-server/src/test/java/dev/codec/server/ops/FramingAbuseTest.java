package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codec.proto.v1.GenerateDekRequest;
import io.grpc.Status;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every kind of malformed gRPC request, many times each, against a real server process with {@code
 * CODEC_LOG_FORMAT=json}: each gets its precise status (INTERNAL only where the gRPC specification
 * assigns it to a framing error, with a clear message), the server stays up, and every stdout line
 * is one JSON object: grpc-java's per-request stack traces became counted one-line summaries on
 * {@code codec.transport}.
 */
@Timeout(240)
class FramingAbuseTest {
  private static final String GENERATE_DEK = "/codec.v1.CodecService/GenerateDek";
  private static final int REPEAT = 40;

  /** A malformed request: sends itself on a new stream of {@code raw}, returns the stream id. */
  private interface Case {
    int send(RawHttp2 raw, String token) throws Exception;
  }

  @Test
  void malformedRequests_getPreciseStatuses_andTheLogStaysOneJsonObjectPerLine() throws Exception {
    byte[] valid = GenerateDekRequest.newBuilder().setProjectId("p1").build().toByteArray();
    // a valid GenerateDekRequest whose project_id is 16 MiB: ~16 KiB compressed
    byte[] bomb =
        gzip(
            GenerateDekRequest.newBuilder()
                .setProjectId("a".repeat(16 * 1024 * 1024))
                .build()
                .toByteArray());
    byte[] notProtobuf = gzip(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    byte[] garbage = new byte[64];
    new Random(11).nextBytes(garbage);

    Map<String, Case> cases = new LinkedHashMap<>();
    cases.put(
        "truncated message",
        (raw, token) -> post(raw, token, Map.of(), RawHttp2.message(0, 100, new byte[10])));
    cases.put(
        "two messages in a unary call",
        (raw, token) ->
            post(
                raw,
                token,
                Map.of(),
                concat(
                    RawHttp2.message(0, valid.length, valid),
                    RawHttp2.message(0, valid.length, valid))));
    cases.put(
        "compressed flag without grpc-encoding",
        (raw, token) -> post(raw, token, Map.of(), RawHttp2.message(1, valid.length, valid)));
    cases.put(
        "reserved flag bits",
        (raw, token) -> post(raw, token, Map.of(), RawHttp2.message(0x82, valid.length, valid)));
    cases.put(
        "wrong content-type",
        (raw, token) -> {
          Http2Headers headers = grpcHeaders(token).set("content-type", "text/plain");
          int id = raw.open(headers, false);
          raw.data(id, RawHttp2.message(0, valid.length, valid), true);
          return id;
        });
    cases.put("GET", (raw, token) -> raw.open(grpcHeaders(token).method("GET"), true));
    cases.put(
        "message over 4 MiB",
        (raw, token) ->
            post(raw, token, Map.of(), RawHttp2.message(0, 5 * 1024 * 1024, new byte[1024])));
    cases.put(
        "gzip bomb",
        (raw, token) ->
            post(
                raw,
                token,
                Map.of("grpc-encoding", "gzip"),
                RawHttp2.message(1, bomb.length, bomb)));
    cases.put(
        "bad gzip data",
        (raw, token) ->
            post(
                raw,
                token,
                Map.of("grpc-encoding", "gzip"),
                RawHttp2.message(1, garbage.length, garbage)));
    cases.put(
        "gzip of broken protobuf",
        (raw, token) ->
            post(
                raw,
                token,
                Map.of("grpc-encoding", "gzip"),
                RawHttp2.message(1, notProtobuf.length, notProtobuf)));

    // some cases never reach authentication: keep their connections (ConnectionLockoutTest covers
    // closing them)
    try (AbuseFixture fixture =
        new AbuseFixture(Map.of("CODEC_TRANSPORT_UNAUTHENTICATED_CONNECTION_TIMEOUT", "10m"))) {
      Map<String, List<String>> seen = new LinkedHashMap<>();
      int peer = 10;
      for (Map.Entry<String, Case> entry : cases.entrySet()) {
        List<String> outcomes = new ArrayList<>();
        // each case from an address of its own: a compressed request reserves the whole per-peer
        // share,
        // and another connection's just-answered call may release its share a moment after its
        // answer
        InetAddress from = InetAddress.getByName("127.0.0." + peer++);
        RawHttp2 raw = new RawHttp2(fixture.server.grpcPort, from);
        try {
          for (int i = 0; i < REPEAT; i++) {
            if (raw.isClosed()) {
              raw.close();
              raw = new RawHttp2(fixture.server.grpcPort, from);
            }
            int id = entry.getValue().send(raw, fixture.opsToken);
            RawHttp2.Outcome outcome = raw.await(id, 30, TimeUnit.SECONDS);
            assertNotNull(outcome, entry.getKey() + ": no answer");
            outcomes.add(describe(outcome));
          }
        } finally {
          raw.close();
        }
        seen.put(entry.getKey(), outcomes);
      }
      Map<String, java.util.Set<String>> distinct = new LinkedHashMap<>();
      seen.forEach((name, list) -> distinct.put(name, new java.util.TreeSet<>(list)));
      System.out.println("framing abuse outcomes: " + distinct);

      expect(seen, "truncated message", "INTERNAL", "end-of-stream mid-frame");
      expect(seen, "two messages in a unary call", "INTERNAL", "oo many requests");
      expect(seen, "compressed flag without grpc-encoding", "INTERNAL", "compress");
      expect(seen, "reserved flag bits", "INTERNAL", "reserved bits");
      expect(seen, "wrong content-type", "INTERNAL", "Content-Type 'text/plain' is not supported");
      expect(seen, "GET", "INTERNAL", "Method 'GET' is not supported");
      expect(seen, "message over 4 MiB", "RESOURCE_EXHAUSTED", "4194304");
      expect(seen, "gzip bomb", "RESOURCE_EXHAUSTED", "codec.transport.max-inbound-message-size");
      expect(seen, "bad gzip data", "INVALID_ARGUMENT", "gzip");
      expect(seen, "gzip of broken protobuf", "INVALID_ARGUMENT", "codec.v1.GenerateDekRequest");

      fixture.server.awaitLine("\"log.logger\":\"codec.transport\"");
      fixture.assertHealthyAndJsonOnly();
      List<String> lines = fixture.server.outputLines();
      int summaries = 0;
      for (String line : lines) {
        JsonNode json = AbuseFixture.JSON.readTree(line);
        String logger = json.path("log.logger").asText("");
        assertTrue(
            (!logger.startsWith("io.grpc") && !logger.startsWith("io.netty"))
                || json.path("error.stack_trace").isMissingNode(),
            line);
        if (logger.equals("codec.transport")) {
          summaries++;
          assertTrue(json.path("message").asText().contains("time(s) since the last report"), line);
        }
      }
      // 400 bad requests, but at most a line per kind of problem and 10 s
      assertTrue(summaries >= 1 && summaries <= 40, summaries + " summary lines");
      AbuseFixture.NormalCaller normal = fixture.new NormalCaller();
      normal.stopAndAssert(0);
      normal.close();
    }
  }

  private static void expect(
      Map<String, List<String>> seen, String name, String status, String text) {
    for (String outcome : seen.get(name)) {
      assertTrue(
          outcome.startsWith(status) && outcome.contains(text),
          name + ": " + outcome + " (expected " + status + " with \"" + text + "\")");
    }
    assertEquals(REPEAT, seen.get(name).size());
  }

  private static String describe(RawHttp2.Outcome outcome) {
    if (outcome.grpcStatus() != null) {
      return Status.fromCodeValue(Integer.parseInt(outcome.grpcStatus())).getCode()
          + ": "
          + outcome.grpcMessage();
    }
    if (outcome.httpStatus() != null && !outcome.httpStatus().equals("200")) {
      return "HTTP " + outcome.httpStatus();
    }
    return outcome.toString();
  }

  private static Http2Headers grpcHeaders(String token) {
    return new DefaultHttp2Headers()
        .method("POST")
        .scheme("http")
        .authority("localhost")
        .path(GENERATE_DEK)
        .set("content-type", "application/grpc")
        .set("te", "trailers")
        .set("authorization", "Bearer " + token);
  }

  private static int post(RawHttp2 raw, String token, Map<String, String> headers, byte[] body)
      throws Exception {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("authorization", "Bearer " + token);
    int id = raw.post(GENERATE_DEK, all, false);
    raw.data(id, body, true);
    return id;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
        gzip.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
