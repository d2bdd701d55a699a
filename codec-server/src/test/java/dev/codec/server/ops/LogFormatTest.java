package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shipped logback.xml: text by default, one JSON object per line with CODEC_LOG_FORMAT=json,
 * audit always JSON.
 */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Logs one multi-line app line and one audit line, in its own JVM with the shipped configuration.
   */
  public static void main(String[] args) {
    LoggerFactory.getLogger("dev.codec.server.Probe").info("first \"line\"\nsecond line");
    LoggerFactory.getLogger("codec.audit").info("{\"caller\":\"control-api\",\"rpc\":\"Encrypt\"}");
    if (args.length > 0 && args[0].equals("traced")) {
      MDC.put(TRACE_ID_KEY, TRACE_ID);
      MDC.put(SPAN_ID_KEY, SPAN_ID);
      LoggerFactory.getLogger("dev.codec.server.Probe").warn("inside a span");
      MDC.clear();
    }
  }

  private static final String TRACE_ID_KEY = "trace.id";
  private static final String SPAN_ID_KEY = "span.id";
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  @Test
  void jsonFormat_writesOneJsonObjectPerLine_forAppAndAuditLines() throws Exception {
    List<String> lines = run("json");

    assertEquals(2, lines.size(), lines.toString());
    JsonNode app = JSON.readTree(lines.get(0));
    assertEquals("INFO", app.get("log.level").asText());
    assertEquals("first \"line\"\nsecond line", app.get("message").asText());
    assertEquals("dev.codec.server.Probe", app.get("log.logger").asText());
    assertEquals("codec", app.get("service.name").asText());
    assertTrue(app.hasNonNull("ecs.version"), lines.get(0));
    Instant at = Instant.parse(app.get("@timestamp").asText()); // ISO-8601
    assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, lines.get(0));
    assertFalse(app.has("trace.id"), lines.get(0)); // no span current
    JsonNode audit =
        JSON.readTree(lines.get(1)); // the audit line is written as it is: already JSON
    assertEquals("control-api", audit.get("caller").asText());
    assertEquals("Encrypt", audit.get("rpc").asText());
    assertFalse(
        audit.has("@timestamp"), lines.get(1)); // the audit schema (docs/audit.md) is its own
  }

  @Test
  void jsonFormat_carriesTraceAndSpanIds_whileASpanIsCurrent() throws Exception {
    List<String> lines = run("json", "traced");

    assertEquals(3, lines.size(), lines.toString());
    JsonNode traced = JSON.readTree(lines.get(2));
    assertEquals("WARN", traced.get("log.level").asText());
    assertEquals("inside a span", traced.get("message").asText());
    assertEquals(TRACE_ID, traced.get("trace.id").asText());
    assertEquals(SPAN_ID, traced.get("span.id").asText());
  }

  @Test
  void defaultFormat_isHumanReadable_butAuditStaysJson() throws Exception {
    List<String> lines = run(null);

    assertEquals(3, lines.size(), lines.toString()); // the app message spans two lines in text
    assertTrue(
        lines.get(0).contains("INFO  [main] dev.codec.server.Probe - first \"line\""),
        lines.get(0));
    assertFalse(lines.get(0).startsWith("{"), lines.get(0));
    JsonNode audit = JSON.readTree(lines.get(2));
    assertEquals("Encrypt", audit.get("rpc").asText());
  }

  private static List<String> run(String format, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=logback.xml",
                LogFormatTest.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("CODEC_LOG_FORMAT");
    if (format != null) {
      builder.environment().put("CODEC_LOG_FORMAT", format);
    }
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
    return output.lines().filter(l -> !l.isBlank()).toList();
  }
}
