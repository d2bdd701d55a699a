package dev.codec.server.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.inject.Singleton;

/**
 * Publishes a latency histogram (Prometheus {@code _bucket} series) for the gRPC server timer that
 * Micronaut's Micrometer gRPC binder records per service, method and status code
 * ({@code grpc_server_processing_duration_seconds}).
 */
@Singleton
public class GrpcLatencyHistogram implements MeterFilter {
    static final String TIMER = "grpc.server.processing.duration";

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (TIMER.equals(id.getName())) {
            return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
        }
        return config;
    }
}
