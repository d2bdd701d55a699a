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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shipped log configuration (LogConfiguration): text by default, one JSON object per line with
 * CODEC_LOG_FORMAT=json, audit always JSON.
 */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Logs one multi-line app line and one audit line, in its own JVM with the shipped configuration.
   */
  public static void main(String[] args) {
    LoggerFactory.getLogger("dev.codec.server.Probe").info("first \"line\"\nsecond line");
    LoggerFactory.getLogger("codec.audit").info("{\"caller\":\"control-api\",\"rpc\":\"Encrypt\"}");
    if (args.length > 0 && args[0].equals("levels")) {
      LoggerFactory.getLogger("dev.codec.server.Probe").debug("probe debug");
      LoggerFactory.getLogger("io.netty.buffer.Probe").debug("netty debug");
      LoggerFactory.getLogger("io.grpc.netty.NettyServerHandler").info("frame bytes");
      LoggerFactory.getLogger("io.grpc.Probe").warn("grpc warning");
      java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.grpc.Probe");
      System.out.println(
          "jul io.grpc fine="
              + jul.isLoggable(java.util.logging.Level.FINE)
              + " warning="
              + jul.isLoggable(java.util.logging.Level.WARNING)
              + " root fine="
              + java.util.logging.Logger.getLogger("dev.codec.Probe")
                  .isLoggable(java.util.logging.Level.FINE));
    }
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

  @Test
  void levels_comeFromTheEnvironment_transportLoggersAreNeverDebug_andJulFollows()
      throws Exception {
    List<String> lines =
        run(
            Map.of("CODEC_LOG_LEVEL", "DEBUG", "CODEC_AUDIT_LOG_LEVEL", "OFF"),
            List.of(),
            "levels");

    String all = String.join("\n", lines);
    assertTrue(all.contains("DEBUG [main] dev.codec.server.Probe - probe debug"), all);
    assertFalse(all.contains("netty debug"), all); // io.netty stays at WARN
    assertFalse(all.contains("frame bytes"), all); // NettyServerHandler stays at WARN
    assertTrue(all.contains("WARN  [main] io.grpc.Probe - grpc warning"), all);
    assertFalse(all.contains("\"rpc\""), all); // audit OFF
    // LevelChangePropagator: java.util.logging levels equal logback's
    assertTrue(all.contains("jul io.grpc fine=false warning=true root fine=true"), all);
  }

  @Test
  void rootLevel_warn_dropsInfoLines_butTheAuditLoggerKeepsItsOwnLevel() throws Exception {
    List<String> lines = run(Map.of("CODEC_LOG_LEVEL", "WARN"), List.of());

    assertEquals(1, lines.size(), lines.toString());
    assertEquals("Encrypt", JSON.readTree(lines.get(0)).get("rpc").asText());
  }

  /** logback's own property still replaces the built-in configuration (the unit tests use it). */
  @Test
  void anExplicitConfigurationFile_replacesTheBuiltInConfiguration() throws Exception {
    List<String> lines = run(Map.of(), List.of("-Dlogback.configurationFile=logback-test.xml"));

    // logback-test.xml: time without date, and codec.audit at WARN (no audit line)
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(
        lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[main] .*Probe - first.*"),
        lines.get(0));
  }

  /**
   * The point of configuring in code: neither logback's XML configurator (Joran, its model) nor the
   * JDK's XML parser is loaded (about 450 classes the image's start-up archive would hold).
   */
  @Test
  void configuration_loadsNoXmlParser_andNoJoranClasses() throws Exception {
    List<String> lines = run(Map.of(), List.of("-Xlog:class+load=info:stdout"));

    List<String> loaded = lines.stream().filter(l -> l.contains("[class,load")).toList();
    assertTrue(
        loaded.stream().anyMatch(l -> l.contains(" dev.codec.server.ops.LogConfiguration ")),
        "the configuration was not loaded: " + loaded.size() + " classes");
    List<String> xml =
        loaded.stream()
            .filter(
                l ->
                    // joran.spi holds ConsoleTarget and JoranException, which ConsoleAppender uses
                    (l.contains(" ch.qos.logback.core.joran.")
                            && !l.contains(" ch.qos.logback.core.joran.spi."))
                        || l.contains(" ch.qos.logback.classic.joran.")
                        || l.contains(" ch.qos.logback.core.model.")
                        || l.contains(" javax.xml.")
                        || l.contains(" jdk.xml.")
                        || l.contains(" com.sun.org.apache.xerces."))
            .toList();
    assertEquals(List.of(), xml);
  }

  private static List<String> run(String format, String... args) throws Exception {
    return run(format == null ? Map.of() : Map.of("CODEC_LOG_FORMAT", format), List.of(), args);
  }

  private static List<String> run(Map<String, String> env, List<String> jvmFlags, String... args)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), LogFormatTest.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    for (String name : LogConfiguration.VARIABLES.keySet()) {
      builder.environment().remove(name);
    }
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
    return output.lines().filter(l -> !l.isBlank()).toList();
  }
}
