package dev.codec.server.ops;

import dev.codec.server.config.ShutdownConfiguration;
import io.grpc.Server;
import io.micronaut.context.BeanProvider;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the gRPC server: health goes NOT_SERVING, new calls are refused, in-flight calls get
 * {@code codec.shutdown.grace} to finish and are cancelled after that. {@link ShutdownSignals} runs
 * it on SIGTERM before the application context closes.
 */
@Singleton
public class GracefulShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
  private static final Duration AFTER_CANCEL = Duration.ofSeconds(5);

  private final BeanProvider<GrpcEmbeddedServer> grpc;
  private final ServingHealth health;
  private final Duration grace;

  public GracefulShutdown(
      BeanProvider<GrpcEmbeddedServer> grpc, ServingHealth health, ShutdownConfiguration config) {
    this.grpc = grpc;
    this.health = health;
    this.grace = config.grace();
  }

  /** The time in-flight calls get to finish. */
  public Duration grace() {
    return grace;
  }

  /**
   * Stops serving and waits for in-flight calls.
   *
   * @return true if every in-flight call finished within the grace period, false if some were
   *     cancelled
   */
  public boolean drain() throws InterruptedException {
    health.shuttingDown();
    Server server = grpc.get().getServer();
    server.shutdown();
    LOG.info("codec refuses new calls; in-flight calls get up to {} to finish", grace);
    if (server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.info("codec drained: every in-flight call finished");
      return true;
    }
    LOG.warn("codec shutdown grace of {} is over: cancelling the calls still running", grace);
    server.shutdownNow();
    server.awaitTermination(AFTER_CANCEL.toMillis(), TimeUnit.MILLISECONDS);
    return false;
  }
}
