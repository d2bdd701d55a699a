package dev.codec.server.ops;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An OTLP/HTTP trace collector for tests: a real HTTP server on a random port answering {@code POST
 * /v1/traces} (ExportTraceServiceRequest, protobuf), keeping every span it receives and every raw
 * request body.
 *
 * <p>Decodes the OTLP messages with protobuf's {@link UnknownFieldSet} by field number
 * (opentelemetry-proto's generated classes need a newer protobuf runtime than the build's 3.25);
 * the numbers are those of opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.
 */
final class OtlpReceiver implements AutoCloseable {
  /**
   * One received span; ids in lowercase hex (parent empty for a root span); attribute values as
   * text.
   */
  record ReceivedSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      long kind,
      Map<String, String> attributes,
      long statusCode,
      Map<String, String> resource) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            boolean ok =
                "POST".equals(exchange.getRequestMethod())
                    && exchange
                        .getRequestHeaders()
                        .getFirst("Content-Type")
                        .startsWith("application/x-protobuf");
            if (ok) {
              bodies.add(body);
              spans.addAll(decode(body));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(ok ? 200 : 400, -1); // an empty ExportTraceServiceResponse
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /**
   * Every request body received, as Latin-1 text (to search for strings that must never be
   * exported).
   */
  String rawText() {
    StringBuilder out = new StringBuilder();
    for (byte[] body : bodies) {
      out.append(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    return out.toString();
  }

  /** Waits until a received span matches. */
  ReceivedSpan await(Predicate<ReceivedSpan> match, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (ReceivedSpan span : spans) {
        if (match.test(span)) {
          return span;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no span " + what + " in " + spans);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static List<ReceivedSpan> decode(byte[] body) throws InvalidProtocolBufferException {
    List<ReceivedSpan> out = new ArrayList<>();
    for (ByteString resourceSpans : field(UnknownFieldSet.parseFrom(body), 1)) {
      UnknownFieldSet rs = UnknownFieldSet.parseFrom(resourceSpans);
      Map<String, String> resource = new LinkedHashMap<>();
      for (ByteString r : field(rs, 1)) {
        resource.putAll(attributes(UnknownFieldSet.parseFrom(r), 1));
      }
      for (ByteString scopeSpans : field(rs, 2)) {
        for (ByteString spanBytes : field(UnknownFieldSet.parseFrom(scopeSpans), 2)) {
          UnknownFieldSet span = UnknownFieldSet.parseFrom(spanBytes);
          long statusCode = 0;
          for (ByteString status : field(span, 15)) {
            List<Long> code = UnknownFieldSet.parseFrom(status).getField(3).getVarintList();
            statusCode = code.isEmpty() ? 0 : code.get(0);
          }
          List<Long> kind = span.getField(6).getVarintList();
          out.add(
              new ReceivedSpan(
                  hex(span, 1),
                  hex(span, 2),
                  hex(span, 4),
                  text(span, 5),
                  kind.isEmpty() ? 0 : kind.get(0),
                  attributes(span, 9),
                  statusCode,
                  resource));
        }
      }
    }
    return out;
  }

  private static Map<String, String> attributes(UnknownFieldSet message, int number)
      throws InvalidProtocolBufferException {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (ByteString keyValue : field(message, number)) {
      UnknownFieldSet kv = UnknownFieldSet.parseFrom(keyValue);
      String value = "";
      for (ByteString any : field(kv, 2)) {
        UnknownFieldSet anyValue = UnknownFieldSet.parseFrom(any);
        if (anyValue.hasField(1)) {
          value = text(anyValue, 1);
        } else if (anyValue.hasField(3)) {
          value = Long.toString(anyValue.getField(3).getVarintList().get(0));
        } else if (anyValue.hasField(2)) {
          value = Boolean.toString(anyValue.getField(2).getVarintList().get(0) != 0);
        }
      }
      attributes.put(text(kv, 1), value);
    }
    return attributes;
  }

  private static List<ByteString> field(UnknownFieldSet message, int number) {
    return message.hasField(number) ? message.getField(number).getLengthDelimitedList() : List.of();
  }

  private static String text(UnknownFieldSet message, int number) {
    List<ByteString> values = field(message, number);
    return values.isEmpty() ? "" : values.get(0).toStringUtf8();
  }

  private static String hex(UnknownFieldSet message, int number) {
    List<ByteString> values = field(message, number);
    return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
  }
}
