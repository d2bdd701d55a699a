package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/** Limits of the gRPC transport against abusive or stuck clients: {@code codec.transport.*}. */
@ConfigurationProperties("codec.transport")
public class TransportConfiguration {
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private int maxInboundMetadataSize = 8 * 1024;
    private int maxConcurrentCallsPerConnection = 100;
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

    /** Concurrent calls one connection may have open. Default 100. */
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

    @Override
    public String toString() {
        return "TransportConfiguration[maxInboundMessageSize=" + maxInboundMessageSize + ", maxConcurrentCallsPerConnection="
                + maxConcurrentCallsPerConnection + ", permitKeepaliveTime=" + permitKeepaliveTime + ", maxConnectionAge="
                + maxConnectionAge + "]";
    }
}
