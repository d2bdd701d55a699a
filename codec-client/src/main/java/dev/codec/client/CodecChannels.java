package dev.codec.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds the channel of a {@link CodecClient}: credentials, load balancing, retries, keepalive. */
final class CodecChannels {
    static final String SERVICE = "codec.v1.Codec";

    private CodecChannels() {}

    static ManagedChannel create(CodecClient.Builder builder) {
        NettyChannelBuilder channel = NettyChannelBuilder.forTarget(builder.target, credentials(builder))
                .defaultServiceConfig(serviceConfig(builder.maxAttempts))
                .disableServiceConfigLookUp() // DNS TXT records must not replace the policy above
                .enableRetry()
                .maxRetryAttempts(builder.maxAttempts)
                .keepAliveTime(builder.keepAlive.toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(false); // the server refuses pings on idle connections (codec.transport)
        if (builder.authority != null) {
            channel.overrideAuthority(builder.authority);
        }
        return channel.build();
    }

    /**
     * The gRPC service config: round_robin over all resolved addresses, and for every method of
     * {@value #SERVICE} a retry on UNAVAILABLE (see {@link CodecClient} for why that is safe).
     * Numbers are doubles, as gRPC's JSON-shaped service config requires.
     */
    static Map<String, Object> serviceConfig(int maxAttempts) {
        Map<String, Object> retryPolicy = Map.of(
                "maxAttempts", (double) maxAttempts,
                "initialBackoff", "0.1s",
                "maxBackoff", "1s",
                "backoffMultiplier", 2.0,
                "retryableStatusCodes", List.of("UNAVAILABLE"));
        Map<String, Object> methodConfig = maxAttempts == 1
                ? Map.of("name", List.of(Map.of("service", SERVICE)))
                : Map.of("name", List.of(Map.of("service", SERVICE)), "retryPolicy", retryPolicy);
        return Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "methodConfig", List.of(methodConfig));
    }

    private static ChannelCredentials credentials(CodecClient.Builder builder) {
        if (builder.trustCertificates == null && builder.clientCertificate == null) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        Path current = builder.trustCertificates;
        try {
            if (builder.trustCertificates != null) {
                tls.trustManager(builder.trustCertificates.toFile());
            }
            if (builder.clientCertificate != null) {
                current = builder.clientCertificate[0];
                tls.keyManager(builder.clientCertificate[0].toFile(), builder.clientCertificate[1].toFile());
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read TLS file " + current + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        return tls.build();
    }
}
