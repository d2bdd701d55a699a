package dev.codec.server.ops;

import io.micronaut.context.ApplicationContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM (and SIGINT) handling: drain with {@link GracefulShutdown}, close the application
 * context, then exit 0. The JVM's own handler would exit 143 and race Micronaut's shutdown hook
 * against in-flight calls; this one finishes the calls first. A second signal while draining is
 * ignored.
 */
public final class ShutdownSignals {
  /** Exit status of a requested shutdown. */
  public static final int EXIT_STOPPED = ExitCodes.STOPPED;

  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

  private ShutdownSignals() {}

  /** Installs the handlers for {@code context}, which must be running. */
  public static void install(ApplicationContext context) {
    AtomicBoolean stopping = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (!stopping.compareAndSet(false, true)) {
              LOG.info("SIG{} ignored: codec is already shutting down", name);
              return;
            }
            stop(context, "SIG" + name);
          });
    }
  }

  private static void stop(ApplicationContext context, String reason) {
    GracefulShutdown shutdown = context.getBean(GracefulShutdown.class);
    LOG.info(
        "{}: codec stops taking calls, in-flight calls get {} to finish", reason, shutdown.grace());
    try {
      shutdown.drain();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("codec shutdown: draining failed: {}", e.toString());
    }
    try {
      context.close();
    } catch (RuntimeException e) {
      LOG.error("codec shutdown: closing failed: {}", e.toString());
    }
    LOG.info("codec stopped");
    System.exit(EXIT_STOPPED);
  }
}
