package dev.codec.server.grpc;

import dev.codec.server.ops.ConnectionCounter;
import dev.codec.server.ops.OutOfMemoryExit;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec's hook into every gRPC connection: wraps grpc-java's protocol negotiator (plaintext or
 * TLS) so that each new connection first passes a {@link Gate}, which
 *
 * <ul>
 *   <li>counts it against {@code codec.transport.max-connections} and {@code -per-peer}, and closes
 *       it at once when a limit is reached (the client sees {@code UNAVAILABLE} and may retry
 *       elsewhere);
 *   <li>closes it when no call on it has authenticated within {@code
 *       codec.transport.unauthenticated-connection-timeout} ({@link
 *       StreamBudget#closeIfUnauthenticated});
 *   <li>installs the connection's {@link StreamBudget} (request bytes in flight) in front of grpc's
 *       frame listener;
 *   <li>ends the process on an {@link OutOfMemoryError} from the connection's buffers ({@link
 *       OomExitAllocator}) or on its exception path, where Netty would otherwise log it and carry
 *       on.
 * </ul>
 *
 * grpc-java has no connection limit and no public per-connection hook; its protocol negotiator (an
 * {@code @Internal} grpc-netty API, public through {@link InternalProtocolNegotiator}) is the one
 * place that sees each new connection's pipeline and grpc's HTTP/2 handler. A grpc upgrade that
 * changes it fails the transport tests, not silently.
 */
final class ConnectionAdmission implements InternalProtocolNegotiator.ProtocolNegotiator {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAdmission.class);
  private static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;

  private final InternalProtocolNegotiator.ProtocolNegotiator delegate;
  private final ConnectionCounter connections;
  private final InFlightBudget budget;
  private final InFlightBudget infrastructureBudget;
  private final int maxMessageSize;
  private final long receiveTimeoutNanos;
  private final long unauthenticatedTimeoutNanos;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - REPORT_INTERVAL_NANOS);

  ConnectionAdmission(
      InternalProtocolNegotiator.ProtocolNegotiator delegate,
      ConnectionCounter connections,
      InFlightBudget budget,
      InFlightBudget infrastructureBudget,
      int maxMessageSize,
      long receiveTimeoutNanos,
      long unauthenticatedTimeoutNanos) {
    this.unauthenticatedTimeoutNanos = unauthenticatedTimeoutNanos;
    this.delegate = delegate;
    this.connections = connections;
    this.budget = budget;
    this.infrastructureBudget = infrastructureBudget;
    this.maxMessageSize = maxMessageSize;
    this.receiveTimeoutNanos = receiveTimeoutNanos;
  }

  @Override
  public AsciiString scheme() {
    return delegate.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    StreamBudget streams =
        new StreamBudget(
            grpcHandler,
            grpcHandler.decoder().frameListener(),
            budget,
            infrastructureBudget,
            maxMessageSize,
            receiveTimeoutNanos);
    grpcHandler.decoder().frameListener(streams);
    return new Gate(delegate.newHandler(grpcHandler), streams);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private void reportRefused(String limit) {
    long count = refused.incrementAndGet();
    long now = System.nanoTime();
    long last = lastReport.get();
    if (now - last >= REPORT_INTERVAL_NANOS && lastReport.compareAndSet(last, now)) {
      refused.addAndGet(-count);
      LOG.warn(
          "Refused {} gRPC connection(s) in the last {}s: limit {} reached ({} open)",
          count,
          REPORT_INTERVAL_NANOS / 1_000_000_000L,
          limit,
          connections.open());
    }
  }

  /** First handler of a connection: admission, then hands over to grpc's negotiation. */
  private final class Gate extends ChannelDuplexHandler {
    private final ChannelHandler negotiation;
    private final StreamBudget streams;
    private InetAddress peer;
    private boolean admitted;

    Gate(ChannelHandler negotiation, StreamBudget streams) {
      this.negotiation = negotiation;
      this.streams = streams;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      peer = address(ctx.channel().remoteAddress());
      String limit = connections.tryOpen(peer);
      if (limit != null) {
        reportRefused(limit);
        var unused = ctx.close();
        return;
      }
      admitted = true;
      streams.peer(peer);
      ByteBufAllocator allocator = ctx.channel().config().getAllocator();
      if (!(allocator instanceof OomExitAllocator)) {
        ctx.channel().config().setAllocator(new OomExitAllocator(allocator));
      }
      ctx.pipeline().addAfter(ctx.name(), null, negotiation);
      if (unauthenticatedTimeoutNanos > 0) {
        var unused =
            ctx.executor()
                .schedule(
                    () -> streams.closeIfUnauthenticated(ctx.channel()),
                    unauthenticatedTimeoutNanos,
                    TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      closed();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      closed();
      super.channelInactive(ctx);
    }

    private void closed() {
      if (admitted) {
        admitted = false;
        connections.closed(peer);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      OutOfMemoryExit.ifOutOfMemory(cause);
      super.exceptionCaught(ctx, cause);
    }
  }

  private static InetAddress address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress();
    }
    return InetAddress.getLoopbackAddress(); // in-process or unix sockets: one local peer
  }
}
