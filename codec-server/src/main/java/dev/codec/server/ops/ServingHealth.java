package dev.codec.server.ops;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRoundTripCheck;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code grpc.health.v1.Health} reports, for the whole server ({@code ""}) and for {@code
 * codec.v1.CodecService}: NOT_SERVING from the moment the health service exists, SERVING once the
 * gRPC server has started AND the {@link KekRoundTripCheck} passed on the loaded KEK ring (the ring
 * itself is loaded before anything starts, or the process exits), NOT_SERVING for good once
 * shutdown begins.
 */
@Singleton
public class ServingHealth implements ApplicationEventListener<ServerStartupEvent> {
  /** The service names health is reported for: the server as a whole, and the codec service. */
  static final String[] SERVICES = {
    HealthStatusManager.SERVICE_NAME_ALL_SERVICES, CodecServiceGrpc.SERVICE_NAME
  };

  private static final Logger LOG = LoggerFactory.getLogger(ServingHealth.class);

  private final HealthStatusManager health;
  private final EnvelopeCrypto crypto;
  private volatile boolean serving;
  private volatile boolean shuttingDown;

  public ServingHealth(HealthStatusManager health, EnvelopeCrypto crypto) {
    this.health = health;
    this.crypto = crypto;
  }

  @Override
  public void onApplicationEvent(ServerStartupEvent event) {
    if (event.getSource() instanceof GrpcEmbeddedServer) {
      selfTestAndServe();
    }
  }

  /** Runs the crypto self-test and reports SERVING if it passed (and shutdown has not begun). */
  synchronized boolean selfTestAndServe() {
    if (shuttingDown) {
      return false;
    }
    try {
      KekRoundTripCheck.run(crypto);
    } catch (RuntimeException e) {
      LOG.error("codec is not serving: {}", e.getMessage());
      return false;
    }
    for (String service : SERVICES) {
      health.setStatus(service, ServingStatus.SERVING);
    }
    serving = true;
    return true;
  }

  /** Reports NOT_SERVING from now on, whatever happens later. */
  public synchronized void shuttingDown() {
    shuttingDown = true;
    serving = false;
    health.enterTerminalState();
  }

  /** True while health reports SERVING. */
  public boolean isServing() {
    return serving;
  }

  /** Sets every reported service NOT_SERVING. */
  static HealthStatusManager notServing(HealthStatusManager manager) {
    for (String service : SERVICES) {
      manager.setStatus(service, ServingStatus.NOT_SERVING);
    }
    return manager;
  }

  /** Makes the health service start NOT_SERVING (grpc-java's starts SERVING for {@code ""}). */
  @Singleton
  static class StartNotServing implements BeanCreatedEventListener<HealthStatusManager> {
    @Override
    public HealthStatusManager onCreated(BeanCreatedEvent<HealthStatusManager> event) {
      return notServing(event.getBean());
    }
  }
}
