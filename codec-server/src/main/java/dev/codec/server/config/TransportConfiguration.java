package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * Limits of the gRPC transport against abusive or stuck clients: {@code codec.transport.*}. docs/limits.md
 * explains the memory budget these defaults add up to (below jvm.options' 32 MiB direct-memory cap).
 */
@ConfigurationProperties("codec.transport")
public class TransportConfiguration {
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private int maxInboundMetadataSize = 8 * 1024;
    private int maxConcurrentCallsPerConnection = 32;
    private int maxConnections = 200;
    private int maxConnectionsPerPeer = 32;
    private int maxInFlightBytes = 8 * 1024 * 1024;
    private int maxInFlightBytesPerPeer = 4 * 1024 * 1024;
    private int maxInfrastructureInFlightBytes = 256 * 1024;
    private int maxInfrastructureInFlightBytesPerPeer = 32 * 1024;
    private Duration unauthenticatedConnectionTimeout = Duration.ofSeconds(10);
    private Duration requestReceiveTimeout = Duration.ofSeconds(10);
    private int maxHealthWatchStreams = 64;
    private int maxRstFramesPerWindow = 500;
    private Duration rstFramesWindow = Duration.ofSeconds(10);
    private Duration keepaliveTime = Duration.ofMinutes(1);
    private Duration keepaliveTimeout = Duration.ofSeconds(20);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration permitKeepaliveTime = Duration.ofSeconds(20);
    private Duration maxConnectionAge = Duration.ofMinutes(10);
    private Duration maxConnectionAgeGrace = Duration.ofSeconds(30);
    private Duration maxConnectionIdle = Duration.ofMinutes(30);

    /** Largest request message in bytes (larger: RESOURCE_EXHAUSTED). Default 4 MiB. */
    public int getMaxInboundMessageSize() {
        return maxInboundMessageSize;
    }

    public void setMaxInboundMessageSize(int maxInboundMessageSize) {
        this.maxInboundMessageSize = maxInboundMessageSize;
    }

    /** Largest request metadata (headers) in bytes. Default 8 KiB. */
    public int getMaxInboundMetadataSize() {
        return maxInboundMetadataSize;
    }

    public void setMaxInboundMetadataSize(int maxInboundMetadataSize) {
        this.maxInboundMetadataSize = maxInboundMetadataSize;
    }

    /** Concurrent calls (HTTP/2 streams) one connection may have open (SETTINGS_MAX_CONCURRENT_STREAMS). Default 32. */
    public int getMaxConcurrentCallsPerConnection() {
        return maxConcurrentCallsPerConnection;
    }

    public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
        this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
    }

    /** Clients pinging more often than this are disconnected (GOAWAY too_many_pings). Default 20s. */
    public Duration getPermitKeepaliveTime() {
        return permitKeepaliveTime;
    }

    public void setPermitKeepaliveTime(Duration permitKeepaliveTime) {
        this.permitKeepaliveTime = permitKeepaliveTime;
    }

    /** Connections are gracefully closed after this age, so clients rebalance across pods. Default 10m. */
    public Duration getMaxConnectionAge() {
        return maxConnectionAge;
    }

    public void setMaxConnectionAge(Duration maxConnectionAge) {
        this.maxConnectionAge = maxConnectionAge;
    }

    /** Time in-flight calls get after max-connection-age. Default 30s. */
    public Duration getMaxConnectionAgeGrace() {
        return maxConnectionAgeGrace;
    }

    public void setMaxConnectionAgeGrace(Duration maxConnectionAgeGrace) {
        this.maxConnectionAgeGrace = maxConnectionAgeGrace;
    }

    /** Idle connections are closed after this. Default 30m. */
    public Duration getMaxConnectionIdle() {
        return maxConnectionIdle;
    }

    public void setMaxConnectionIdle(Duration maxConnectionIdle) {
        this.maxConnectionIdle = maxConnectionIdle;
    }

    /** Open gRPC connections in total; more are closed at once (clients see UNAVAILABLE). Default 200. */
    public int getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Open gRPC connections from one peer IP address; more are closed at once. Default 32. */
    public int getMaxConnectionsPerPeer() {
        return maxConnectionsPerPeer;
    }

    public void setMaxConnectionsPerPeer(int maxConnectionsPerPeer) {
        this.maxConnectionsPerPeer = maxConnectionsPerPeer;
    }

    /**
     * Request bytes in flight in the whole server: the declared sizes of the request messages of the calls
     * that have not been answered yet. A call whose request does not fit gets RESOURCE_EXHAUSTED. Default 8 MiB.
     */
    public int getMaxInFlightBytes() {
        return maxInFlightBytes;
    }

    public void setMaxInFlightBytes(int maxInFlightBytes) {
        this.maxInFlightBytes = maxInFlightBytes;
    }

    /** The share of {@link #getMaxInFlightBytes()} one peer IP address may hold. Default 4 MiB. */
    public int getMaxInFlightBytesPerPeer() {
        return maxInFlightBytesPerPeer;
    }

    public void setMaxInFlightBytesPerPeer(int maxInFlightBytesPerPeer) {
        this.maxInFlightBytesPerPeer = maxInFlightBytesPerPeer;
    }

    /**
     * Request bytes in flight of grpc's own services (health, reflection; public or open to any caller), a pool
     * apart from {@link #getMaxInFlightBytes()} so that they never take the codec's budget. Their requests are
     * at most 1 KiB each (an empty health check reserves nothing). Default 256 KiB.
     */
    public int getMaxInfrastructureInFlightBytes() {
        return maxInfrastructureInFlightBytes;
    }

    public void setMaxInfrastructureInFlightBytes(int maxInfrastructureInFlightBytes) {
        this.maxInfrastructureInFlightBytes = maxInfrastructureInFlightBytes;
    }

    /** The share of {@link #getMaxInfrastructureInFlightBytes()} one peer IP address may hold. Default 32 KiB. */
    public int getMaxInfrastructureInFlightBytesPerPeer() {
        return maxInfrastructureInFlightBytesPerPeer;
    }

    public void setMaxInfrastructureInFlightBytesPerPeer(int maxInfrastructureInFlightBytesPerPeer) {
        this.maxInfrastructureInFlightBytesPerPeer = maxInfrastructureInFlightBytesPerPeer;
    }

    /**
     * A connection on which no call has passed authentication within this time after it opened gets GOAWAY
     * and is closed once its calls (health probes) have ended, so idle connections without credentials
     * cannot hold the connection slots. 0 turns it off. Default 10s.
     */
    public Duration getUnauthenticatedConnectionTimeout() {
        return unauthenticatedConnectionTimeout;
    }

    public void setUnauthenticatedConnectionTimeout(Duration unauthenticatedConnectionTimeout) {
        this.unauthenticatedConnectionTimeout = unauthenticatedConnectionTimeout;
    }

    /** A call's whole request must arrive within this time after its headers (slow senders). Default 10s. */
    public Duration getRequestReceiveTimeout() {
        return requestReceiveTimeout;
    }

    public void setRequestReceiveTimeout(Duration requestReceiveTimeout) {
        this.requestReceiveTimeout = requestReceiveTimeout;
    }

    /** Open {@code grpc.health.v1.Health/Watch} streams in the whole server. Default 64. */
    public int getMaxHealthWatchStreams() {
        return maxHealthWatchStreams;
    }

    public void setMaxHealthWatchStreams(int maxHealthWatchStreams) {
        this.maxHealthWatchStreams = maxHealthWatchStreams;
    }

    /** RST_STREAM frames a client may send per {@link #getRstFramesWindow()} (HTTP/2 rapid reset). Default 500. */
    public int getMaxRstFramesPerWindow() {
        return maxRstFramesPerWindow;
    }

    public void setMaxRstFramesPerWindow(int maxRstFramesPerWindow) {
        this.maxRstFramesPerWindow = maxRstFramesPerWindow;
    }

    /** The window of {@link #getMaxRstFramesPerWindow()}. Default 10s. */
    public Duration getRstFramesWindow() {
        return rstFramesWindow;
    }

    public void setRstFramesWindow(Duration rstFramesWindow) {
        this.rstFramesWindow = rstFramesWindow;
    }

    /** The server pings a connection silent for this long (finds vanished peers). Default 1m. */
    public Duration getKeepaliveTime() {
        return keepaliveTime;
    }

    public void setKeepaliveTime(Duration keepaliveTime) {
        this.keepaliveTime = keepaliveTime;
    }

    /** A connection whose peer does not answer the ping within this is closed. Default 20s. */
    public Duration getKeepaliveTimeout() {
        return keepaliveTimeout;
    }

    public void setKeepaliveTimeout(Duration keepaliveTimeout) {
        this.keepaliveTimeout = keepaliveTimeout;
    }

    /** A new connection must finish its TLS / HTTP/2 handshake within this. Default 10s. */
    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    @Override
    public String toString() {
        return "TransportConfiguration[maxInboundMessageSize=" + maxInboundMessageSize + ", maxConcurrentCallsPerConnection="
                + maxConcurrentCallsPerConnection + ", permitKeepaliveTime=" + permitKeepaliveTime + ", maxConnectionAge="
                + maxConnectionAge + ", maxConnections=" + maxConnections + ", maxConnectionsPerPeer=" + maxConnectionsPerPeer
                + ", maxInFlightBytes=" + maxInFlightBytes + ", maxInFlightBytesPerPeer=" + maxInFlightBytesPerPeer
                + ", requestReceiveTimeout=" + requestReceiveTimeout + "]";
    }
}
