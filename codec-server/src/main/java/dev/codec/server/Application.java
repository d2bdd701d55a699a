package dev.codec.server;

import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.ops.ExitCodes;
import dev.codec.server.ops.LogConfiguration;
import dev.codec.server.ops.ManagementServer;
import dev.codec.server.ops.OutOfMemoryExit;
import dev.codec.server.ops.ServingHealth;
import dev.codec.server.ops.ShutdownSignals;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.Micronaut;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Entry point: {@code java -jar codec-server.jar}.
 *
 * <p>Fails closed: if no usable KEK can be loaded the process logs one line saying what is missing
 * and exits with {@link #EXIT_NO_KEK} before serving anything.
 */
public final class Application extends Micronaut {
  /**
   * Exit status when no usable KEK could be loaded ({@link ExitCodes}: every status has one
   * meaning).
   */
  public static final int EXIT_NO_KEK = ExitCodes.NO_KEK;

  /** Exit status when {@code CODEC_LOG_FORMAT} is unknown. */
  public static final int EXIT_BAD_LOG_FORMAT = ExitCodes.BAD_LOG_FORMAT;

  /**
   * Environment variable choosing the log format (LogConfiguration): {@code text} or {@code json}.
   */
  static final String LOG_FORMAT_ENV = LogConfiguration.FORMAT;

  /** Micronaut's HTTP server port, the management port before codec.management.port. */
  private static final String LEGACY_MANAGEMENT_PORT = "micronaut.server.port";

  private Application() {}

  public static void main(String[] args) {
    // Checked before the first logger exists: an unknown format would leave logback with no
    // appender.
    // read as LogConfiguration reads it: a system property of that name first, then the environment
    String format = LogConfiguration.variable(LOG_FORMAT_ENV);
    if (format != null && !format.equals("text") && !format.equals("json")) {
      System.err.println("codec cannot start: " + LOG_FORMAT_ENV + " must be 'text' or 'json'");
      System.exit(EXIT_BAD_LOG_FORMAT);
    }
    // grpc-java logs through java.util.logging: route it into logback, so every line has one
    // format.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    OutOfMemoryExit.install();
    Application application = new Application();
    application.args(args).mainClass(Application.class).banner(false);
    ApplicationContext context = application.build();
    ManagementServer management;
    try {
      // What Micronaut.start() does, without its last step: with the gRPC server as the only
      // embedded server it would block this thread until shutdown.
      context.start();
      // created (its settings checked) before gRPC serves: a bad codec.management.* setting stops
      // the start like any other, through handleStartupException
      management = context.getBean(ManagementServer.class);
      context.getBean(GrpcEmbeddedServer.class).start();
    } catch (RuntimeException | Error failure) {
      application.handleStartupException(context.getEnvironment(), failure);
      throw failure; // not reached: handleStartupException exits
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> closeIfRunning(context), "codec-shutdown-hook"));
    ShutdownSignals.install(context);
    int managementPort = startManagement(context, management);
    logServing(context, managementPort);
    awaitExit();
  }

  /** On any exit (System.exit, the last non-daemon thread ending): the context closes. */
  private static void closeIfRunning(ApplicationContext context) {
    if (context.isRunning()) {
      context.close();
    }
  }

  /**
   * Keeps the process alive while it serves (the servers' threads are daemons); it ends through
   * System.exit: {@link ShutdownSignals} on SIGTERM, or a fatal error.
   */
  private static void awaitExit() {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts the management HTTP server (/health, /metrics); fails closed: a port that cannot be
   * bound ends the process with {@link ExitCodes#STARTUP_FAILED} and one line naming it.
   */
  private static int startManagement(ApplicationContext context, ManagementServer management) {
    if (context.getProperty(LEGACY_MANAGEMENT_PORT, String.class).isPresent()) {
      LoggerFactory.getLogger(Application.class)
          .warn(
              "{} (MICRONAUT_SERVER_PORT) is not read any more: the management port is"
                  + " codec.management.port (CODEC_MANAGEMENT_PORT)",
              LEGACY_MANAGEMENT_PORT);
    }
    try {
      return management.start();
    } catch (RuntimeException e) { // StartFailedException, or any other failure to bind
      LoggerFactory.getLogger(Application.class).error("codec cannot start: {}", e.getMessage());
      System.exit(ExitCodes.STARTUP_FAILED);
      return -1;
    }
  }

  /** One line saying where the codec listens and which KEKs it holds (versions only). */
  private static void logServing(ApplicationContext context, int managementPort) {
    Logger log = LoggerFactory.getLogger(Application.class);
    int grpcPort = context.getBean(GrpcEmbeddedServer.class).getPort();
    String management = managementPort < 0 ? "(off)" : ":" + managementPort;
    KekRing ring = context.getBean(CurrentKekRing.class).get();
    log.info(
        "codec serving gRPC on :{}, management on {}, KEK versions {} active {}{}",
        grpcPort,
        management,
        ring.versions(),
        ring.activeVersion(),
        context.getBean(ServingHealth.class).isServing() ? "" : " (NOT SERVING: self-test failed)");
  }

  @Override
  protected void handleStartupException(Environment environment, Throwable failure) {
    KekLoadException noKek = findCause(failure, KekLoadException.class);
    if (noKek != null) {
      LoggerFactory.getLogger(Application.class)
          .error("codec cannot start, no usable KEK: {}", noKek.getMessage());
      System.exit(EXIT_NO_KEK);
    }
    io.micronaut.context.exceptions.ConfigurationException badSetting =
        findCause(failure, io.micronaut.context.exceptions.ConfigurationException.class);
    if (badSetting != null) {
      // a setting out of range: one line naming it, not the bean context's stack trace
      LoggerFactory.getLogger(Application.class)
          .error("codec cannot start: {}", badSetting.getMessage());
      System.exit(ExitCodes.STARTUP_FAILED);
    }
    super.handleStartupException(environment, failure);
  }

  static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
