package dev.codec.server.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the one request of a management connection, then closes it:
 *
 * <ul>
 *   <li>{@code GET /health}: {@code 200 {"status":"UP"}} exactly while gRPC health reports SERVING
 *       ({@link ServingHealth}), else {@code 503 {"status":"DOWN"}};
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format ({@value #TEXT_FORMAT}),
 *       after {@link StateMeters#refresh()} brought the {@code codec_kek_info} rows up to date;
 *       scraped on the scrape thread, 503 when {@value ManagementServer#SCRAPE_QUEUE} scrapes
 *       already wait;
 *   <li>{@code HEAD} of either: the same status and headers, no body;
 *   <li>any other method: 405 with {@code Allow: GET, HEAD}; any other path: 404; a request line or
 *       header block over {@code codec.management.max-header-size}: 414 or 431; anything the
 *       decoder rejects: 400.
 * </ul>
 *
 * A request body is never read: reading stops at the end of the request head.
 */
final class ManagementHandler extends ChannelInboundHandlerAdapter {
  /** Prometheus text exposition format 0.0.4. */
  static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger LOG = LoggerFactory.getLogger(ManagementHandler.class);
  private static final String JSON = "application/json";
  private static final String PLAIN = "text/plain; charset=utf-8";
  private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.US_ASCII);

  private final ServingHealth health;
  private final PrometheusMeterRegistry registry;
  private final StateMeters state;
  private final Executor scrapes;
  private boolean answered;

  ManagementHandler(
      ServingHealth health, PrometheusMeterRegistry registry, StateMeters state, Executor scrapes) {
    this.health = health;
    this.registry = registry;
    this.state = state;
    this.scrapes = scrapes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest request && !answered) {
        answered = true;
        ctx.channel().config().setAutoRead(false); // the body (if any) and what follows: unread
        answer(ctx, request);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    var unused = ctx.close(); // a reset peer: nothing to answer
  }

  private void answer(ChannelHandlerContext ctx, HttpRequest request) {
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      Throwable cause = decoded.cause();
      if (cause instanceof TooLongHttpHeaderException) {
        send(ctx, false, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large");
      } else if (cause instanceof TooLongHttpLineException) {
        send(ctx, false, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
      } else {
        send(ctx, false, HttpResponseStatus.BAD_REQUEST, "malformed request");
      }
      return;
    }
    boolean head = HttpMethod.HEAD.equals(request.method());
    if (!head && !HttpMethod.GET.equals(request.method())) {
      FullHttpResponse response =
          response(
              false,
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              PLAIN,
              bytes("only GET and HEAD are allowed"));
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(ctx, response);
      return;
    }
    switch (path(request.uri())) {
      case "/health" -> {
        boolean serving = health.isServing();
        send(
            ctx,
            response(
                head,
                serving ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                JSON,
                serving ? UP : DOWN));
      }
      case "/metrics" -> scrape(ctx, head);
      default -> send(ctx, head, HttpResponseStatus.NOT_FOUND, "not found");
    }
  }

  private void scrape(ChannelHandlerContext ctx, boolean head) {
    try {
      scrapes.execute(
          () -> {
            if (!ctx.channel().isActive()) {
              return; // the client left while queued: its scrape would only hold the queue
            }
            FullHttpResponse response;
            try {
              state.refresh(); // codec_kek_info rows for the KEK versions loaded now
              byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
              response = response(head, HttpResponseStatus.OK, TEXT_FORMAT, body);
            } catch (RuntimeException e) {
              LOG.warn("management: /metrics scrape failed: {}", e.toString());
              response =
                  response(
                      head,
                      HttpResponseStatus.INTERNAL_SERVER_ERROR,
                      PLAIN,
                      bytes("scrape failed"));
            }
            send(ctx, response);
          });
    } catch (RejectedExecutionException e) {
      FullHttpResponse busy =
          response(head, HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN, bytes("too many scrapes"));
      busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      send(ctx, busy);
    }
  }

  /** The path of an origin-form request target ({@code /health?x=1} is {@code /health}). */
  static String path(String uri) {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  private static void send(
      ChannelHandlerContext ctx, boolean head, HttpResponseStatus status, String text) {
    send(ctx, response(head, status, PLAIN, bytes(text)));
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
    var unused = ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A complete response; for {@code HEAD} the headers (Content-Length included) without the body.
   */
  private static FullHttpResponse response(
      boolean head, HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  private static byte[] bytes(String text) {
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
