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

/**
 * Builds the channel of a {@link CodecClient}: credentials, load balancing, retries, keepalive, name
 * re-resolution.
 */
final class CodecChannels {
    static final String SERVICE = "codec.v1.CodecService";

    /**
     * The largest request the server accepts by default ({@code codec.transport.max-inbound-message-size},
     * 4 MiB). Keep equal to the server's documented default.
     */
    public static final int SERVER_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
    /**
     * How much of one call's request gRPC keeps for a retry: the largest request plus room for framing,
     * so that a call of any size the server accepts is retried on UNAVAILABLE (grpc-java's default, 1 MiB,
     * silently made larger calls unretryable).
     */
    static final long PER_CALL_RETRY_BUFFER_BYTES = SERVER_MAX_REQUEST_BYTES + 64 * 1024;
    /**
     * How much request data all calls of one channel may keep for retries together: 16 maximal calls.
     * Beyond it further calls run without a retry buffer (they are then not retried).
     */
    static final long RETRY_BUFFER_BYTES = 16 * PER_CALL_RETRY_BUFFER_BYTES;
    /**
     * grpc-java's DNS resolver refuses to resolve again within {@code networkaddress.cache.ttl} seconds
     * (a system property it reads, default 30) of its last lookup, even after a connection failed or a
     * server sent GOAWAY: during a rolling update that left clients with only dead addresses for up to
     * 30 s. It resolves only when a connection fails or a GOAWAY arrives, so no limit ({@code 0}) costs
     * nothing while servers are healthy. Set when the property is not set already.
     */
    static final String GRPC_DNS_CACHE_TTL_PROPERTY = "networkaddress.cache.ttl";
    static final String GRPC_DNS_CACHE_TTL_SECONDS = "0";

    private CodecChannels() {}

    static ManagedChannel create(CodecClient.Builder builder) {
        if (System.getProperty(GRPC_DNS_CACHE_TTL_PROPERTY) == null) {
            System.setProperty(GRPC_DNS_CACHE_TTL_PROPERTY, GRPC_DNS_CACHE_TTL_SECONDS);
        }
        NettyChannelBuilder channel = NettyChannelBuilder.forTarget(builder.target, credentials(builder))
                .defaultServiceConfig(serviceConfig(builder.maxAttempts))
                .disableServiceConfigLookUp() // DNS TXT records must not replace the policy above
                .enableRetry()
                .maxRetryAttempts(builder.maxAttempts)
                .perRpcBufferLimit(PER_CALL_RETRY_BUFFER_BYTES)
                .retryBufferSize(RETRY_BUFFER_BYTES)
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
