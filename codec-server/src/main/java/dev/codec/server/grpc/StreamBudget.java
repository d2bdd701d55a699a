package dev.codec.server.grpc;

import dev.codec.server.core.ErrorReason;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's admission of request bytes, between Netty's HTTP/2 decoder and grpc-java's
 * handler (a decorator of grpc's frame listener; everything runs on the connection's event loop).
 *
 * <p>grpc-java reads a request message whole into memory as soon as a call asks for it, and returns
 * the flow-control credit as it reads, so flow control alone does not bound what a server holds.
 * This class reads the gRPC length prefix of each request message as it arrives and reserves that
 * many bytes (for a compressed message: the message size limit, which it may decompress to) in the
 * {@link InFlightBudget} <em>before</em> passing the body on; a message that does not fit ends its
 * call with {@code RESOURCE_EXHAUSTED} naming the budget (the client may retry later). The
 * reservation is released when the server has answered the call (its side of the stream is closed)
 * or the stream ends. Bytes of a call the server has already answered (for example refused for lack
 * of credentials at its headers) are dropped at once, never buffered. Every byte passed on is
 * copied into a buffer of its own size, so a tiny frame cannot pin a large network read buffer: the
 * direct memory a call holds is what it reserved.
 *
 * <p>Slow senders and slow readers: a call's whole request must arrive within {@code
 * codec.transport.request-receive-timeout} of its headers (else {@code DEADLINE_EXCEEDED}), and its
 * answer must be written out within the same time again (else the stream is reset). Health/Watch
 * and reflection streams are long-lived by design: they are exempt once their first request message
 * has arrived in full (and release its reservation then); until then the receive timeout applies to
 * them too (Watch is capped by {@link HealthWatchLimit}).
 *
 * <p>Each method's largest request is known at its headers: grpc's own infrastructure methods
 * ({@code grpc.health.*}, {@code grpc.reflection.*}; public or open to any caller) accept {@value
 * #INFRASTRUCTURE_MAX_MESSAGE_SIZE} bytes and reserve from a small pool of their own, so callers
 * with no credentials or no permission never touch the codec's request budget; every other method
 * accepts the configured message size. A larger declared length is refused at the prefix, and no
 * stream reserves more than its method's limit, compressed or not.
 *
 * <p>Hand-written because neither grpc-java nor Netty offers a byte budget across calls; it uses
 * only Netty's public HTTP/2 API (listener decorator, stream properties, encoder) and grpc's own
 * reaction to a client's RST_STREAM to end the call inside grpc.
 *
 * <p>Over 300 lines: admission, the receive and answer timeouts and the release of a reservation
 * all read and change one stream's state on the event loop; split, they would share that state
 * across classes.
 */
final class StreamBudget extends Http2FrameListenerDecorator {
  private static final String WATCH_PATH = "/grpc.health.v1.Health/Watch";
  private static final String REFLECTION_PREFIX = "/grpc.reflection.";

  /** grpc's own services (health, reflection): public or long-lived, with tiny requests. */
  private static final String INFRASTRUCTURE_PREFIX = "/grpc.";

  /**
   * The largest request message of an infrastructure method (a health or reflection request is a
   * few bytes).
   */
  static final int INFRASTRUCTURE_MAX_MESSAGE_SIZE = 1024;

  private final Http2ConnectionHandler handler;
  private final Http2Connection.PropertyKey key;
  private final InFlightBudget budget;
  private final InFlightBudget infrastructureBudget;
  private final int maxMessageSize;
  private final long receiveTimeoutNanos;
  private InetAddress peer;
  private ScheduledFuture<?> sweeper;

  /** A call on this connection passed authentication (see {@link #authenticatedCall()}). */
  private volatile boolean authenticated;

  /** GOAWAY sent because no call authenticated in time: closed once its calls end. */
  private boolean draining;

  /**
   * The state of the stream whose headers grpc is handling on this thread (see {@link
   * AnsweredCalls}).
   */
  private static final ThreadLocal<StreamState> STARTING = new ThreadLocal<>();

  /** Per stream; only touched on the event loop, except {@link #answered}. */
  static final class StreamState {
    /** The connection's budget. */
    StreamBudget connection;

    /** grpc's call for this stream has been closed (answered): its request bytes are not needed. */
    volatile boolean answered;

    /** grpc's call for this stream (with the direct executor), to end it with a status of ours. */
    volatile ServerCall<?, ?> call;

    int prefixBytes;
    boolean compressed;
    long length;
    long remaining;
    long reserved;
    boolean passThrough;
    boolean refused;

    /**
     * Exempt from the receive timeout: a long-lived stream (Watch, reflection) whose first request
     * is complete.
     */
    boolean exempt;

    /** Health/Watch or reflection: exempt once its first request message has been read. */
    boolean longLived;

    /** The largest request message this method accepts (known at the headers). */
    int cap;

    /** The method's name, for refusals (the path without its leading '/'). */
    String method;

    /**
     * Where its request bytes are reserved: the infrastructure methods' own small pool, or the
     * codec's.
     */
    InFlightBudget pool;

    boolean drainArmed;

    /** The first request message has arrived in full. */
    boolean firstMessageRead;

    /** When {@link #sweep} next looks at the stream (System.nanoTime()). */
    long deadline;
  }

  StreamBudget(
      Http2ConnectionHandler handler,
      Http2FrameListener grpcListener,
      InFlightBudget budget,
      InFlightBudget infrastructureBudget,
      int maxMessageSize,
      long receiveTimeoutNanos) {
    super(grpcListener);
    this.handler = handler;
    this.key = handler.connection().newKey();
    this.budget = budget;
    this.infrastructureBudget = infrastructureBudget;
    this.maxMessageSize = maxMessageSize;
    this.receiveTimeoutNanos = receiveTimeoutNanos;
    handler
        .connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onStreamHalfClosed(Http2Stream stream) {
                StreamState state = stream.getProperty(key);
                if (!stream.state().localSideOpen()) {
                  release(state); // answered: the request bytes are no longer held
                } else if (state != null && state.longLived) {
                  release(state); // a Watch's request is read at once; its stream may stay open for
                  // hours
                }
              }

              @Override
              public void onStreamClosed(Http2Stream stream) {
                release(stream.getProperty(key));
              }
            });
  }

  /** The peer this connection comes from (set when the connection is admitted). */
  void peer(InetAddress peer) {
    this.peer = peer;
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream)
      throws Http2Exception {
    STARTING.set(started(ctx, streamId, headers));
    try {
      super.onHeadersRead(ctx, streamId, headers, padding, endStream);
    } finally {
      STARTING.remove();
    }
  }

  @Override
  public void onHeadersRead(
      ChannelHandlerContext ctx,
      int streamId,
      Http2Headers headers,
      int streamDependency,
      short weight,
      boolean exclusive,
      int padding,
      boolean endStream)
      throws Http2Exception {
    STARTING.set(started(ctx, streamId, headers));
    try {
      super.onHeadersRead(
          ctx, streamId, headers, streamDependency, weight, exclusive, padding, endStream);
    } finally {
      STARTING.remove();
    }
  }

  /**
   * The state of the stream whose call grpc is starting on this thread, or null. With grpc's direct
   * executor (the default) the interceptors run inside the headers' callback, so {@link
   * AnsweredCalls} can tie the call to its stream: a call refused at its headers (no credentials,
   * no permission) is known as answered before its first DATA frame arrives, and its bytes are
   * dropped, never reserved.
   */
  static StreamState starting() {
    return STARTING.get();
  }

  /**
   * Marks the connection of the call grpc is starting on this thread as authenticated (called by
   * the auth interceptor for every call that passed authentication; needs grpc's direct executor,
   * see {@link #starting()}).
   */
  static void authenticatedCall() {
    StreamState state = STARTING.get();
    if (state != null) {
      state.connection.authenticated = true;
    }
  }

  /**
   * {@code codec.transport.unauthenticated-connection-timeout} after a connection opened: unless a
   * call on it has passed authentication, the server sends GOAWAY (the client opens a new
   * connection for further calls; grpc clients retry the calls the server did not take) and closes
   * the connection once its calls (health probes) have ended. So idle connections without
   * credentials cannot hold the connection slots.
   */
  void closeIfUnauthenticated(Channel channel) {
    if (!channel.isActive() || (authenticated && !draining)) {
      return;
    }
    ChannelHandlerContext ctx = channel.pipeline().context(handler);
    if (ctx == null) {
      var unused = channel.close(); // still in its TLS handshake
      return;
    }
    boolean idle = handler.connection().numActiveStreams() == 0;
    if (!draining) {
      draining = true;
      ChannelPromise sent = ctx.newPromise();
      var unused =
          handler.goAway(
              ctx,
              handler.connection().remote().lastStreamCreated(),
              Http2Error.NO_ERROR.code(),
              Unpooled.EMPTY_BUFFER,
              sent);
      ctx.flush();
      if (idle) {
        sent.addListener(ChannelFutureListener.CLOSE);
        return;
      }
    } else if (idle) {
      var unused = channel.close();
      return;
    }
    var unused =
        channel
            .eventLoop()
            .schedule(() -> closeIfUnauthenticated(channel), 250, TimeUnit.MILLISECONDS);
  }

  private StreamState started(ChannelHandlerContext ctx, int streamId, Http2Headers headers) {
    Http2Stream stream = handler.connection().stream(streamId);
    if (stream == null) {
      return null;
    }
    StreamState state = stream.getProperty(key);
    if (state == null) {
      state = new StreamState();
      state.connection = this;
      String path = headers.path() == null ? "" : headers.path().toString();
      state.longLived = WATCH_PATH.equals(path) || path.startsWith(REFLECTION_PREFIX);
      boolean infrastructure = path.startsWith(INFRASTRUCTURE_PREFIX);
      state.cap =
          infrastructure
              ? Math.min(INFRASTRUCTURE_MAX_MESSAGE_SIZE, maxMessageSize)
              : maxMessageSize;
      state.pool = infrastructure ? infrastructureBudget : budget;
      state.method = path.startsWith("/") ? path.substring(1) : path;
      stream.setProperty(key, state);
      state.deadline = System.nanoTime() + receiveTimeoutNanos;
      startSweeper(ctx);
    }
    return state;
  }

  @Override
  public int onDataRead(
      ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream)
      throws Http2Exception {
    Http2Stream stream = handler.connection().stream(streamId);
    StreamState state = stream == null ? null : stream.getProperty(key);
    if (state == null) {
      return super.onDataRead(ctx, streamId, data, padding, endOfStream);
    }
    if (state.refused || state.answered || !stream.state().localSideOpen()) {
      return data.readableBytes() + padding; // the call is answered: nothing of it is kept
    }
    if (!state.passThrough && !admit(ctx, stream, state, data)) {
      return data.readableBytes() + padding;
    }
    ByteBuf copy = ctx.alloc().buffer(data.readableBytes());
    try {
      copy.writeBytes(data, data.readerIndex(), data.readableBytes());
      return super.onDataRead(ctx, streamId, copy, padding, endOfStream);
    } finally {
      copy.release();
      if (state.longLived
          && state.firstMessageRead
          && state.remaining == 0
          && state.prefixBytes == 0) {
        // a Watch's (reflection's) request has been handed to grpc, which reads it at once: from
        // now on the
        // stream may stay open for hours (exempt from the receive timeout) without holding any
        // budget
        state.exempt = true;
        release(state);
      }
    }
  }

  /**
   * Walks the message prefixes in {@code data}; reserves each message's size. False if the call was
   * refused.
   */
  private boolean admit(
      ChannelHandlerContext ctx, Http2Stream stream, StreamState state, ByteBuf data) {
    int index = data.readerIndex();
    int end = data.writerIndex();
    while (index < end) {
      if (state.remaining > 0) {
        long n = Math.min(state.remaining, end - index);
        state.remaining -= n;
        index += (int) n;
        state.firstMessageRead |= state.remaining == 0;
        continue;
      }
      int b = data.getUnsignedByte(index++);
      if (state.prefixBytes == 0) {
        state.compressed = (b & 1) != 0;
      } else {
        state.length = (state.length << 8) | b; // bytes 1..4: the length, big-endian; byte 0: flags
      }
      if (++state.prefixBytes < 5) {
        continue;
      }
      long length = state.length;
      state.prefixBytes = 0;
      state.length = 0;
      if (state.cap < maxMessageSize && length > state.cap) {
        refuse(
            ctx,
            stream,
            state,
            StatusMapping.refusal(
                Status.Code.RESOURCE_EXHAUSTED,
                ErrorReason.LIMIT_EXCEEDED,
                "request message of "
                    + length
                    + " bytes exceeds "
                    + state.cap
                    + " bytes, the limit of "
                    + state.method,
                Map.of("field", "request", "max", Long.toString(state.cap))),
            Http2Error.NO_ERROR);
        return false;
      }
      if (length > maxMessageSize) {
        state.passThrough =
            true; // grpc refuses it at its prefix with RESOURCE_EXHAUSTED, before reading it
        return true;
      }
      // a compressed message may grow to the method's limit when grpc decompresses it (a gzip bomb)
      long needed = state.compressed ? state.cap : length;
      String refusal = state.pool.tryReserve(peer, needed);
      if (refusal != null) {
        refuse(
            ctx,
            stream,
            state,
            StatusMapping.refusal(
                Status.Code.RESOURCE_EXHAUSTED,
                ErrorReason.REQUEST_BUDGET_EXHAUSTED,
                refusal,
                Map.of(
                    "limit",
                    refusal.contains("from this peer")
                        ? "codec.transport.max-in-flight-bytes-per-peer"
                        : "codec.transport.max-in-flight-bytes")),
            Http2Error.NO_ERROR);
        return false;
      }
      state.reserved += needed;
      state.remaining = length;
      state.firstMessageRead |= length == 0;
    }
    return true;
  }

  /**
   * One periodic task per connection (not a timer per call, which would cost a scheduling and a
   * cancellation on every call) looks at the connection's streams five times per receive timeout
   * and handles those past their deadline.
   */
  private void startSweeper(ChannelHandlerContext ctx) {
    if (sweeper != null || receiveTimeoutNanos <= 0) {
      return;
    }
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(200), receiveTimeoutNanos / 5);
    sweeper =
        ctx.executor().scheduleAtFixedRate(() -> sweep(ctx), period, period, TimeUnit.NANOSECONDS);
    ctx.channel().closeFuture().addListener(closed -> sweeper.cancel(false));
  }

  private void sweep(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    List<Integer> due = new ArrayList<>();
    try {
      handler
          .connection()
          .forEachActiveStream(
              stream -> {
                StreamState state = stream.getProperty(key);
                if (state != null && !state.exempt && !state.refused && now - state.deadline >= 0) {
                  due.add(stream.id());
                }
                return true;
              });
    } catch (Http2Exception e) {
      return; // not thrown by the visitor above
    }
    for (int id : due) {
      timedOut(ctx, id, now);
    }
  }

  private void timedOut(ChannelHandlerContext ctx, int streamId, long now) {
    Http2Stream stream = handler.connection().stream(streamId);
    StreamState state = stream == null ? null : stream.getProperty(key);
    if (state == null || state.refused || state.exempt) {
      return;
    }
    boolean remoteOpen = stream.state().remoteSideOpen();
    boolean localOpen = stream.state().localSideOpen();
    if (remoteOpen && localOpen && !state.answered) {
      refuse(
          ctx,
          stream,
          state,
          StatusMapping.refusal(
              Status.Code.DEADLINE_EXCEEDED,
              ErrorReason.REQUEST_RECEIVE_TIMEOUT,
              "request not received in full within "
                  + TimeUnit.NANOSECONDS.toSeconds(receiveTimeoutNanos)
                  + "s (codec.transport.request-receive-timeout)",
              Map.of("limit", "codec.transport.request-receive-timeout")),
          Http2Error.NO_ERROR);
    } else if (!localOpen) {
      if (remoteOpen) { // answered, but the client keeps its side open: free the stream slot
        var unused =
            handler.resetStream(ctx, streamId, Http2Error.NO_ERROR.code(), ctx.newPromise());
        ctx.flush();
      }
    } else if (!state.drainArmed) {
      // being answered, or the answer waits for the client to read it: once more the timeout
      state.drainArmed = true;
      state.deadline = now + receiveTimeoutNanos;
    } else {
      // the client does not read its answer (a slow reader): drop the call and its queued answer
      cancelInGrpc(ctx, stream, state);
      var unused = handler.resetStream(ctx, streamId, Http2Error.CANCEL.code(), ctx.newPromise());
      ctx.flush();
    }
  }

  /** Ends the call inside grpc, answers the client with {@code status}, and stops its upload. */
  private void refuse(
      ChannelHandlerContext ctx,
      Http2Stream stream,
      StreamState state,
      StatusRuntimeException refusal,
      Http2Error reset) {
    Status status = refusal.getStatus();
    ServerCall<?, ?> call = state.call;
    if (call != null && !state.answered) {
      // grpc answers, so the call ends (and is audited) with this status; the upload is stopped
      // after it
      state.refused = true;
      release(state);
      call.close(status, StatusMapping.trailers(refusal));
      int id = stream.id();
      ctx.executor()
          .execute(
              () -> { // runs after grpc's write of the trailers, queued on this event loop
                Http2Stream still = handler.connection().stream(id);
                if (still != null && still.state().remoteSideOpen()) {
                  var unused = handler.resetStream(ctx, id, reset.code(), ctx.newPromise());
                  ctx.flush();
                }
              });
      return;
    }
    cancelInGrpc(ctx, stream, state);
    Http2Headers trailers = new DefaultHttp2Headers();
    if (!stream.isHeadersSent()) {
      trailers.status("200").set("content-type", "application/grpc");
    }
    trailers
        .set("grpc-status", Integer.toString(status.getCode().value()))
        .set("grpc-message", percentEncode(status.getDescription()))
        .set(
            "grpc-status-details-bin",
            Base64.getEncoder()
                .withoutPadding()
                .encodeToString(StatusProto.fromThrowable(refusal).toByteArray()));
    var unusedTrailers =
        handler.encoder().writeHeaders(ctx, stream.id(), trailers, 0, true, ctx.newPromise());
    if (stream.state().remoteSideOpen()) {
      var unusedReset = handler.resetStream(ctx, stream.id(), reset.code(), ctx.newPromise());
    }
    ctx.flush();
  }

  private void cancelInGrpc(ChannelHandlerContext ctx, Http2Stream stream, StreamState state) {
    state.refused = true;
    release(state);
    try {
      // grpc treats this as the client's cancellation: the call ends, its buffers are released
      super.onRstStreamRead(ctx, stream.id(), Http2Error.CANCEL.code());
    } catch (Http2Exception e) {
      // the stream is gone already
    }
  }

  private void release(StreamState state) {
    if (state != null && state.reserved > 0) {
      state.pool.release(peer, state.reserved);
      state.reserved = 0;
    }
  }

  /**
   * grpc-message is percent-encoded (gRPC over HTTP/2 spec): everything outside printable ASCII,
   * and '%'.
   */
  static String percentEncode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 0xf, 16));
      }
    }
    return out.toString();
  }
}
