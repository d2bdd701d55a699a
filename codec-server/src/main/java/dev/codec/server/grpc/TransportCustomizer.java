package dev.codec.server.grpc;

import dev.codec.server.config.TransportConfiguration;
import dev.codec.server.ops.ConnectionCounter;
import io.grpc.ServerBuilder;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the transport limits ({@code codec.transport.*}: grpc-java's own knobs, plus connection
 * caps and the request-bytes budget of {@link ConnectionAdmission}) and TLS ({@link ServerTls},
 * whose certificates the server's wiring re-reads, so certificate renewal needs no restart) to the
 * Netty server that micronaut-grpc builds.
 */
@Singleton
public class TransportCustomizer implements BeanCreatedEventListener<ServerBuilder<?>> {
  private static final Logger LOG = LoggerFactory.getLogger(TransportCustomizer.class);

  private final TransportConfiguration transport;
  private final ServerTls tls;
  private final boolean directExecutor;

  public TransportCustomizer(
      TransportConfiguration transport,
      ServerTls tls,
      @Value("${codec.grpc.direct-executor:true}") boolean directExecutor) {
    this.transport = transport;
    this.directExecutor = directExecutor;
    this.tls = tls;
  }

  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    ServerBuilder<?> builder = event.getBean();
    if (!(builder instanceof NettyServerBuilder netty)) {
      throw new ConfigurationException(
          "codec needs grpc-netty's server, got " + builder.getClass().getName());
    }
    netty
        .maxInboundMessageSize(transport.maxInboundMessageSize())
        .maxInboundMetadataSize(transport.maxInboundMetadataSize())
        .maxConcurrentCallsPerConnection(transport.maxConcurrentCallsPerConnection())
        .permitKeepAliveTime(transport.permitKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(false)
        .maxConnectionAge(transport.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(transport.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionIdle(transport.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTime(transport.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(transport.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .maxRstFramesPerWindow(
            transport.maxRstFramesPerWindow(),
            (int) Math.max(1, transport.rstFramesWindow().toSeconds()))
        .handshakeTimeout(transport.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
        // a connection's queued writes stay small; HTTP/2 flow control waits while they are above
        // this
        .withChildOption(
            ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 32 * 1024))
        .decompressorRegistry(StrictRequestParsing.decompressors());
    InternalProtocolNegotiator.ProtocolNegotiator negotiator;
    if (tls.enabled()) {
      negotiator = InternalProtocolNegotiators.serverTls(tls.sslContext());
      LOG.info("TLS on ({})", tls.description());
    } else {
      negotiator = InternalProtocolNegotiators.serverPlaintext();
      LOG.warn(
          "TLS is off: run codec behind a trusted network only (set codec.tls.cert and codec.tls.key)");
    }
    netty.protocolNegotiator(admission(negotiator));
    return builder;
  }

  /** Connection caps and the request-bytes budget around grpc's plaintext or TLS negotiation. */
  private ConnectionAdmission admission(InternalProtocolNegotiator.ProtocolNegotiator negotiator) {
    return new ConnectionAdmission(
        negotiator,
        new ConnectionCounter(
            "codec.transport", transport.maxConnections(), transport.maxConnectionsPerPeer()),
        new InFlightBudget(transport.maxInFlightBytes(), transport.maxInFlightBytesPerPeer()),
        new InFlightBudget(
            transport.maxInfrastructureInFlightBytes(),
            transport.maxInfrastructureInFlightBytesPerPeer(),
            "codec.transport.max-infrastructure-in-flight-bytes"),
        transport.maxInboundMessageSize(),
        transport.requestReceiveTimeout().toNanos(),
        // the auth interceptor tells the connection through the event loop's thread: direct
        // executor only
        directExecutor ? transport.unauthenticatedConnectionTimeout().toNanos() : 0);
  }
}
