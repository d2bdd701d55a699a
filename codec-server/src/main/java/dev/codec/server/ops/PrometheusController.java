package dev.codec.server.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/** {@code GET /metrics} on the management port: every meter in the Prometheus text format. */
@Controller
public class PrometheusController {
  /** Prometheus text exposition format 0.0.4. */
  static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final StateMeters state;

  public PrometheusController(PrometheusMeterRegistry registry, StateMeters state) {
    this.registry = registry;
    this.state = state;
  }

  @Get("/metrics")
  @Produces(TEXT_FORMAT)
  public String metrics() {
    state.refresh(); // codec_kek_info rows for the KEK versions loaded now
    return registry.scrape();
  }
}
