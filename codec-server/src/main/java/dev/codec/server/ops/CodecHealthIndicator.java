package dev.codec.server.ops;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;

/** HTTP {@code /health} on the management port: UP exactly when gRPC health reports SERVING. */
@Singleton
public class CodecHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final ServingHealth serving;

  public CodecHealthIndicator(ServingHealth serving) {
    this.serving = serving;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    healthStatus = serving.isServing() ? HealthStatus.UP : HealthStatus.DOWN;
    return Map.of("serving", serving.isServing());
  }

  @Override
  protected String getName() {
    return "codec";
  }
}
