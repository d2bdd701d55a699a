package dev.codec.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import co.elastic.logging.logback.EcsEncoder;
import java.util.Map;

/**
 * The server's logging configuration, in code: logback finds it as a {@link Configurator} service
 * (META-INF/services) before it looks for any XML file. Written in code rather than as a
 * logback.xml because the XML configuration loads about 520 logback classes and 115 of the JDK's
 * XML parser classes at every start, which the image's start-up archive then has to hold (image
 * size, BENCHMARKS.md "Image size").
 *
 * <p>Logs go to stdout. {@value #FORMAT}{@code =text} (default) gives concise human-readable lines;
 * {@code json} gives one JSON object per line in the Elastic Common Schema (docs/observability.md).
 * The logger {@code codec.audit} always writes its lines as they are (each already one JSON object,
 * AuditInterceptor), whatever the format, with its own level ({@value #AUDIT_LEVEL}). Each variable
 * is read as logback reads {@code ${NAME:-default}}: a system property of that name, else the
 * environment variable, else the default. Nothing secret is ever logged by the codec.
 *
 * <p>An explicit {@code -Dlogback.configurationFile=FILE} (logback's own property) replaces this
 * configuration, as it replaced the shipped logback.xml: the unit tests use it for their
 * logback-test.xml.
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {
  /** Root level. */
  public static final String LEVEL = "CODEC_LOG_LEVEL";

  /** {@code text} or {@code json}; the server refuses anything else (ExitCodes.BAD_LOG_FORMAT). */
  public static final String FORMAT = "CODEC_LOG_FORMAT";

  /** Level of the {@code codec.audit} logger. */
  public static final String AUDIT_LEVEL = "CODEC_AUDIT_LOG_LEVEL";

  /** Every variable read here with its default (docs/configuration.md lists them). */
  public static final Map<String, String> VARIABLES =
      Map.of(LEVEL, "INFO", FORMAT, "text", AUDIT_LEVEL, "INFO");

  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

  public LogConfiguration() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY; // logback's own configurator reads that file
    }
    // No logback status lines on stdout (they would break one-JSON-object-per-line).
    context.getStatusManager().add(new NopStatusListener());

    // java.util.logging (grpc-java, parts of Netty) is routed into logback by jul-to-slf4j
    // (Application); this keeps the JUL levels equal to logback's, so disabled JUL levels cost
    // nothing. Installed before any level is set, so every level below reaches JUL.
    LevelChangePropagator julLevels = new LevelChangePropagator();
    julLevels.setContext(context);
    julLevels.setResetJUL(true);
    julLevels.start();
    context.addListener(julLevels);

    // grpc/Netty per-request warnings with stack traces become rate-limited one-line summaries
    // with counts on the logger "codec.transport"; any logged OutOfMemoryError ends the process.
    TransportLogFilter transport = new TransportLogFilter();
    transport.setContext(context);
    transport.start();
    context.addTurboFilter(transport);

    // Never DEBUG: grpc's Netty frame loggers would print request and response bytes.
    for (String name :
        new String[] {
          "io.grpc.netty.NettyServerHandler",
          "io.grpc.netty.NettyClientHandler",
          "io.netty",
          "io.grpc",
          "io.micrometer"
        }) {
      context.getLogger(name).setLevel(Level.WARN);
    }

    // Audit lines are already one JSON object each: written as they are, never mixed with others.
    Logger audit = context.getLogger("codec.audit");
    setLevel(audit, variable(AUDIT_LEVEL));
    audit.setAdditive(false);
    audit.addAppender(console(context, "audit", pattern(context, "%msg%n")));

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    setLevel(root, variable(LEVEL));
    String format = variable(FORMAT);
    if (format.equals("text")) {
      root.addAppender(console(context, "text", pattern(context, TEXT_PATTERN)));
    } else if (format.equals("json")) {
      // Elastic Common Schema: @timestamp (ISO-8601, UTC), log.level, message, log.logger,
      // process.thread.name, service.name, ecs.version, error.* for a throwable, and the MDC's
      // trace.id and span.id while a traced call runs.
      EcsEncoder ecs = new EcsEncoder();
      ecs.setContext(context);
      ecs.setServiceName("codec");
      ecs.start();
      root.addAppender(console(context, "json", ecs));
    } else {
      // As logback.xml did with an unknown appender name: no appender. Application refuses the
      // value before any logger exists (ExitCodes.BAD_LOG_FORMAT), so the server never gets here.
      addError(FORMAT + " must be 'text' or 'json'");
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code ${NAME:-default}}: the system property, else the environment variable, else default. */
  public static String variable(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      value = System.getenv(name);
    }
    return value != null ? value : VARIABLES.get(name);
  }

  /**
   * As logback's XML configuration sets a level: blank leaves it unset, INHERITED or NULL clears it
   * (named loggers), anything else is {@link Level#toLevel(String)} (an unknown name is DEBUG).
   */
  static void setLevel(Logger logger, String value) {
    if (value.isBlank()) {
      return;
    }
    boolean root = logger.getName().equals(Logger.ROOT_LOGGER_NAME);
    if (!root && (value.equalsIgnoreCase("INHERITED") || value.equalsIgnoreCase("NULL"))) {
      logger.setLevel(null);
    } else {
      logger.setLevel(Level.toLevel(value));
    }
  }

  private static PatternLayoutEncoder pattern(LoggerContext context, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }

  private static ConsoleAppender<ILoggingEvent> console(
      LoggerContext context, String name, Encoder<ILoggingEvent> encoder) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(name);
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }
}
