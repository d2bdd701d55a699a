package dev.codec.server.grpc;

import dev.codec.server.config.TlsConfiguration;
import dev.codec.server.config.TransportConfiguration;
import io.grpc.ServerBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.File;
import java.nio.file.Path;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the transport limits ({@code codec.transport.*}: grpc-java's own knobs, plus connection caps and
 * the request-bytes budget of {@link ConnectionAdmission}) and TLS ({@code codec.tls.*}) to the Netty
 * server that micronaut-grpc builds. TLS certificates and the client CA are re-read periodically
 * (grpc-java's AdvancedTls managers), so certificate renewal needs no restart.
 */
@Singleton
public class TransportCustomizer implements BeanCreatedEventListener<ServerBuilder<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(TransportCustomizer.class);

    private final TransportConfiguration transport;
    private final TlsConfiguration tls;
    private final ScheduledExecutorService reloads;
    private final boolean directExecutor;

    public TransportCustomizer(TransportConfiguration transport, TlsConfiguration tls,
            @Named("codec-reloads") ScheduledExecutorService reloads,
            @Value("${codec.grpc.direct-executor:true}") boolean directExecutor) {
        this.transport = transport;
        this.directExecutor = directExecutor;
        this.tls = tls;
        this.reloads = reloads;
    }

    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        ServerBuilder<?> builder = event.getBean();
        if (!(builder instanceof NettyServerBuilder netty)) {
            throw new ConfigurationException("codec needs grpc-netty's server, got " + builder.getClass().getName());
        }
        netty.maxInboundMessageSize(transport.getMaxInboundMessageSize())
                .maxInboundMetadataSize(transport.getMaxInboundMetadataSize())
                .maxConcurrentCallsPerConnection(transport.getMaxConcurrentCallsPerConnection())
                .permitKeepAliveTime(transport.getPermitKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(false)
                .maxConnectionAge(transport.getMaxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
                .maxConnectionAgeGrace(transport.getMaxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
                .maxConnectionIdle(transport.getMaxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTime(transport.getKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(transport.getKeepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .maxRstFramesPerWindow(transport.getMaxRstFramesPerWindow(),
                        (int) Math.max(1, transport.getRstFramesWindow().toSeconds()))
                .handshakeTimeout(transport.getHandshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
                // a connection's queued writes stay small; HTTP/2 flow control waits while they are above this
                .withChildOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 32 * 1024))
                .decompressorRegistry(StrictRequestParsing.decompressors());
        InternalProtocolNegotiator.ProtocolNegotiator negotiator;
        if (tls.isEnabled()) {
            try {
                negotiator = InternalProtocolNegotiators.serverTls(GrpcSslContexts.configure(sslContextBuilder()).build());
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigurationException("codec.tls: cannot load " + describe() + ": " + e.getMessage(), e);
            }
            LOG.info("TLS on ({}), certificates re-read every {}", describe(), tls.getReloadInterval());
        } else {
            negotiator = InternalProtocolNegotiators.serverPlaintext();
            LOG.warn("TLS is off: run codec behind a trusted network only (set codec.tls.cert and codec.tls.key)");
        }
        netty.protocolNegotiator(admission(negotiator));
        return builder;
    }

    /** Connection caps and the request-bytes budget around grpc's plaintext or TLS negotiation. */
    private ConnectionAdmission admission(InternalProtocolNegotiator.ProtocolNegotiator negotiator) {
        return new ConnectionAdmission(negotiator,
                new ConnectionCounter(transport.getMaxConnections(), transport.getMaxConnectionsPerPeer()),
                new InFlightBudget(transport.getMaxInFlightBytes(), transport.getMaxInFlightBytesPerPeer()),
                new InFlightBudget(transport.getMaxInfrastructureInFlightBytes(), transport.getMaxInfrastructureInFlightBytesPerPeer(),
                        "codec.transport.max-infrastructure-in-flight-bytes"),
                transport.getMaxInboundMessageSize(), transport.getRequestReceiveTimeout().toNanos(),
                // the auth interceptor tells the connection through the event loop's thread: direct executor only
                directExecutor ? transport.getUnauthenticatedConnectionTimeout().toNanos() : 0);
    }

    private SslContextBuilder sslContextBuilder() throws IOException, GeneralSecurityException {
        if (tls.getKey() == null || tls.getKey().isBlank()) {
            throw new GeneralSecurityException("codec.tls.key is required with codec.tls.cert");
        }
        long period = Math.max(1, tls.getReloadInterval().toSeconds());
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        PemIdentity.loadAndWatch(keys, Path.of(tls.getCert()), Path.of(tls.getKey()), period, reloads); // PKCS#1/SEC1/PKCS#8
        SslContextBuilder builder = SslContextBuilder.forServer(keys);
        if (tls.getClientCa() != null && !tls.getClientCa().isBlank()) {
            AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build();
            trust.updateTrustCredentials(new File(tls.getClientCa()), period, TimeUnit.SECONDS, reloads);
            builder.trustManager(trust).clientAuth(tls.getClientAuth() == TlsConfiguration.ClientAuth.REQUIRE
                    ? ClientAuth.REQUIRE
                    : ClientAuth.OPTIONAL);
        }
        return builder;
    }

    private String describe() {
        return "cert " + tls.getCert() + (tls.getClientCa() == null ? "" : ", client CA " + tls.getClientCa()
                + " (" + tls.getClientAuth().name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
}
