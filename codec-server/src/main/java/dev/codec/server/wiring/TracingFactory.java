package dev.codec.server.wiring;

import dev.codec.server.config.TracingConfiguration;
import dev.codec.server.grpc.TracingInterceptor;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import jakarta.inject.Singleton;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry SDK, only when {@code codec.tracing.enabled=true}: spans are batched (a bounded
 * queue: spans beyond {@code codec.tracing.max-queue-size} are dropped) and exported as OTLP
 * HTTP/protobuf with the JDK's HttpClient. Not the global OpenTelemetry instance and no
 * autoconfiguration: nothing but this configuration (no {@code OTEL_*} variable) changes what is
 * exported where. With tracing off, this factory is skipped and no OpenTelemetry class is loaded.
 */
@Factory
@Requires(property = "codec.tracing.enabled", value = "true")
public class TracingFactory {
  private static final Logger LOG = LoggerFactory.getLogger(TracingFactory.class);

  /**
   * Closed with the context: exports the spans still queued first (SdkTracerProvider.close waits up
   * to 10 s).
   */
  @Singleton
  @Bean(preDestroy = "close")
  public SdkTracerProvider tracerProvider(TracingConfiguration tracing) {
    URI endpoint = tracing.validatedEndpoint();
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint.toString())
            .setTimeout(tracing.exportTimeout())
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.builder()
                            .put(AttributeKey.stringKey("service.name"), tracing.serviceName())
                            .build()))
            .setSampler(sampler(tracing.sampleRatio()))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxQueueSize(tracing.maxQueueSize())
                    .setMaxExportBatchSize(Math.min(512, tracing.maxQueueSize()))
                    .setExporterTimeout(tracing.exportTimeout())
                    .build())
            .build();
    LOG.info(
        "Tracing on: spans exported to {} (OTLP HTTP/protobuf), sample ratio {} (a caller's sampled flag"
            + " does not raise it)",
        endpoint.getScheme() + "://" + endpoint.getAuthority() + endpoint.getPath(),
        tracing.sampleRatio());
    return provider;
  }

  /**
   * New traces are sampled by {@code ratio}. A caller's "not sampled" flag is honoured (less work);
   * its "sampled" flag is not taken on trust: such a call is sampled by the same trace-id ratio, so
   * a caller (authenticated or not: tracing runs before authentication) cannot force every call to
   * be exported.
   */
  static Sampler sampler(double ratio) {
    Sampler byRatio = Sampler.traceIdRatioBased(ratio);
    return Sampler.parentBasedBuilder(byRatio).setRemoteParentSampled(byRatio).build();
  }

  @Singleton
  public TracingInterceptor tracingInterceptor(SdkTracerProvider provider) {
    return new TracingInterceptor(
        provider.get("dev.codec.server"), W3CTraceContextPropagator.getInstance());
  }
}
