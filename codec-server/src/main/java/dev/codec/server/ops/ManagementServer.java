package dev.codec.server.ops;

import dev.codec.server.config.ManagementConfiguration;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The management HTTP server on {@code codec.management.port}: {@code GET /health} and {@code GET
 * /metrics} ({@link ManagementHandler}), plain HTTP/1.1, one request per connection.
 *
 * <p>Built on Netty's HTTP/1.1 codec, which the gRPC transport already brings (grpc-netty, through
 * netty-codec-http2), with one event-loop thread of its own: reads never block, so a client that
 * sends its request slowly (slowloris) holds a connection slot, never a thread. The JDK's {@code
 * com.sun.net.httpserver} was the other candidate and is not used: it reads each request head with
 * blocking reads on its executor's threads (two slow clients stall a two-thread executor until
 * {@code sun.net.httpserver.maxReqTime}, counted in whole seconds), it cannot refuse a connection
 * per peer before reading its headers, and its limits are JVM-wide system properties read once.
 *
 * <p>Budgets ({@link ManagementConfiguration}, docs/limits.md): {@code max-connections} in total
 * and {@code max-connections-per-peer} (a connection over either is closed at once, before anything
 * is read), {@code max-header-size} for the request line and the header block, and {@code
 * request-timeout} for the whole life of a connection. Scrapes run on one thread of their own with
 * {@value #SCRAPE_QUEUE} waiting at most (more get 503), so {@code /health} never waits behind a
 * scrape.
 *
 * <p>Started by the application ({@code Application.main}) once the context is up, stopped when the
 * context closes, i.e. after {@link GracefulShutdown} drained the gRPC server: while it drains,
 * {@code /health} answers 503.
 */
@Singleton
public class ManagementServer {
  /** Scrapes that may wait for the scrape thread; more are answered 503. */
  static final int SCRAPE_QUEUE = 4;

  private final ManagementConfiguration config;
  private final ServingHealth health;
  private final PrometheusMeterRegistry registry;
  private final StateMeters state;
  private final ManagementConnections connections;
  private EventLoopGroup group;
  private ThreadPoolExecutor scrapes;
  private ChannelGroup open;
  private Channel listener;

  public ManagementServer(
      ManagementConfiguration config,
      ServingHealth health,
      PrometheusMeterRegistry registry,
      StateMeters state) {
    this.config = config;
    this.health = health;
    this.registry = registry;
    this.state = state;
    this.connections =
        new ManagementConnections(config.maxConnections(), config.maxConnectionsPerPeer());
  }

  /**
   * Binds the port and starts serving (again calls do nothing).
   *
   * @return the bound port, or -1 if {@code codec.management.port} is -1 (off)
   * @throws StartFailedException if the address cannot be bound (port in use, unknown address)
   */
  public synchronized int start() {
    if (!config.enabled()) {
      return -1;
    }
    if (listener != null) {
      return port();
    }
    InetSocketAddress address = address();
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("codec-management", true), NioIoHandler.newFactory());
    scrapes =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(SCRAPE_QUEUE),
            new DefaultThreadFactory("codec-management-scrape", true),
            new ThreadPoolExecutor.AbortPolicy());
    open = new DefaultChannelGroup("codec-management", group.next());
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(config.maxHeaderSize())
            .setMaxHeaderSize(config.maxHeaderSize());
    long timeoutNanos = config.requestTimeout().toNanos();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, config.maxConnections())
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (!connections.admit(channel)) {
                      var unused = channel.close();
                      return;
                    }
                    open.add(channel);
                    // the whole exchange, from accept to the last response byte: bounds slow
                    // senders (slowloris), silent connections and slow readers alike
                    ScheduledFuture<?> deadline =
                        channel
                            .eventLoop()
                            .schedule(
                                () -> {
                                  var unused = channel.close();
                                },
                                timeoutNanos,
                                TimeUnit.NANOSECONDS);
                    channel.closeFuture().addListener(closed -> deadline.cancel(false));
                    channel
                        .pipeline()
                        .addLast(
                            new HttpRequestDecoder(decoder),
                            new HttpResponseEncoder(),
                            new ManagementHandler(health, registry, state, scrapes));
                  }
                });
    // awaited, not sync(): sync() would rethrow the java.net.BindException unchecked
    ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      stopQuietly();
      throw new StartFailedException(
          describe(address) + " cannot be bound: " + bound.cause().getMessage(), bound.cause());
    }
    listener = bound.channel();
    return port();
  }

  /** The bound port, or -1 when not serving. */
  public synchronized int port() {
    return listener == null ? -1 : ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Open management connections now (admitted, not yet closed). */
  int openConnections() {
    return connections.open();
  }

  /** Closes the port and every open connection; waits briefly for the thread to end. */
  @PreDestroy
  public synchronized void close() {
    if (group == null) {
      return;
    }
    if (listener != null) {
      listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      listener = null;
    }
    open.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    stopQuietly();
  }

  private void stopQuietly() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    scrapes.shutdownNow();
    group = null;
  }

  private InetSocketAddress address() {
    if (config.bindAddress() == null) {
      return new InetSocketAddress(config.port());
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(config.bindAddress()), config.port());
    } catch (UnknownHostException e) {
      throw new StartFailedException(
          "codec.management.bind-address " + config.bindAddress() + " is not an address", e);
    }
  }

  private String describe(InetSocketAddress address) {
    String host = config.bindAddress() == null ? "*" : config.bindAddress();
    return "management port " + host + ":" + address.getPort();
  }

  /** The management server could not start; the message says why (no secrets in it). */
  public static final class StartFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
