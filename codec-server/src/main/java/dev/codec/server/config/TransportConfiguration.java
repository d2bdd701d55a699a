package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Limits of the gRPC transport against abusive or stuck clients: {@code codec.transport.*}.
 * docs/limits.md explains the memory budget these defaults add up to (below jvm.options' 32 MiB
 * direct-memory cap).
 *
 * @param maxInboundMessageSize largest request message in bytes (larger: RESOURCE_EXHAUSTED).
 *     Default 4 MiB.
 * @param maxInboundMetadataSize largest request metadata (headers) in bytes. Default 8 KiB.
 * @param maxConcurrentCallsPerConnection concurrent calls (HTTP/2 streams) one connection may have
 *     open (SETTINGS_MAX_CONCURRENT_STREAMS). Default 32.
 * @param maxConnections open gRPC connections in total; more are closed at once (clients see
 *     UNAVAILABLE). Default 200.
 * @param maxConnectionsPerPeer open gRPC connections from one peer IP address; more are closed at
 *     once. Default 32.
 * @param maxInFlightBytes request bytes in flight in the whole server: the declared sizes of the
 *     request messages of the calls that have not been answered yet. A call whose request does not
 *     fit gets RESOURCE_EXHAUSTED. Default 8 MiB.
 * @param maxInFlightBytesPerPeer the share of {@code maxInFlightBytes} one peer IP address may
 *     hold. Default 4 MiB.
 * @param maxInfrastructureInFlightBytes request bytes in flight of grpc's own services (health,
 *     reflection), a pool apart from {@code maxInFlightBytes} so that they never take the codec's
 *     budget. Default 256 KiB.
 * @param maxInfrastructureInFlightBytesPerPeer the share of {@code maxInfrastructureInFlightBytes}
 *     one peer IP address may hold. Default 32 KiB.
 * @param unauthenticatedConnectionTimeout a connection on which no call has passed authentication
 *     within this time after it opened gets GOAWAY and is closed once its calls (health probes)
 *     have ended. 0 turns it off. Default 10s.
 * @param requestReceiveTimeout a call's whole request must arrive within this time after its
 *     headers. Default 10s.
 * @param maxHealthWatchStreams open {@code grpc.health.v1.Health/Watch} streams in the whole
 *     server. Default 64.
 * @param maxRstFramesPerWindow RST_STREAM frames a client may send per {@code rstFramesWindow}
 *     (HTTP/2 rapid reset). Default 500.
 * @param rstFramesWindow the window of {@code maxRstFramesPerWindow}. Default 10s.
 * @param keepaliveTime the server pings a connection silent for this long (finds vanished peers).
 *     Default 1m.
 * @param keepaliveTimeout a connection whose peer does not answer the ping within this is closed.
 *     Default 20s.
 * @param handshakeTimeout a new connection must finish its TLS / HTTP/2 handshake within this.
 *     Default 10s.
 * @param permitKeepaliveTime clients pinging more often than this are disconnected (GOAWAY
 *     too_many_pings). Default 20s.
 * @param maxConnectionAge connections are gracefully closed after this age, so clients rebalance
 *     across pods. Default 10m.
 * @param maxConnectionAgeGrace time in-flight calls get after max-connection-age. Default 30s.
 * @param maxConnectionIdle idle connections are closed after this. Default 30m.
 */
@ConfigurationProperties("codec.transport")
public record TransportConfiguration(
    @Bindable(defaultValue = "4194304") int maxInboundMessageSize,
    @Bindable(defaultValue = "8192") int maxInboundMetadataSize,
    @Bindable(defaultValue = "32") int maxConcurrentCallsPerConnection,
    @Bindable(defaultValue = "200") int maxConnections,
    @Bindable(defaultValue = "32") int maxConnectionsPerPeer,
    @Bindable(defaultValue = "8388608") int maxInFlightBytes,
    @Bindable(defaultValue = "4194304") int maxInFlightBytesPerPeer,
    @Bindable(defaultValue = "262144") int maxInfrastructureInFlightBytes,
    @Bindable(defaultValue = "32768") int maxInfrastructureInFlightBytesPerPeer,
    @Bindable(defaultValue = "10s") Duration unauthenticatedConnectionTimeout,
    @Bindable(defaultValue = "10s") Duration requestReceiveTimeout,
    @Bindable(defaultValue = "64") int maxHealthWatchStreams,
    @Bindable(defaultValue = "500") int maxRstFramesPerWindow,
    @Bindable(defaultValue = "10s") Duration rstFramesWindow,
    @Bindable(defaultValue = "1m") Duration keepaliveTime,
    @Bindable(defaultValue = "20s") Duration keepaliveTimeout,
    @Bindable(defaultValue = "10s") Duration handshakeTimeout,
    @Bindable(defaultValue = "20s") Duration permitKeepaliveTime,
    @Bindable(defaultValue = "10m") Duration maxConnectionAge,
    @Bindable(defaultValue = "30s") Duration maxConnectionAgeGrace,
    @Bindable(defaultValue = "30m") Duration maxConnectionIdle) {}
