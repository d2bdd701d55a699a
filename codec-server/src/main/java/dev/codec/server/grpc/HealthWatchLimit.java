package dev.codec.server.grpc;

import dev.codec.server.auth.MethodPermissions;
import dev.codec.server.config.TransportConfiguration;
import dev.codec.server.core.ErrorReason;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the open {@code grpc.health.v1.Health/Watch} streams of the whole server ({@code
 * codec.transport.max-health-watch-streams}); past it a Watch gets {@code RESOURCE_EXHAUSTED}. A
 * Watch stays open for as long as the client likes and holds a watcher in grpc's health service, so
 * without a cap even authenticated callers could fill the heap with them. Runs inside the {@link
 * AuthInterceptor}: refused callers never count.
 */
@Singleton
public final class HealthWatchLimit implements ServerInterceptor, Ordered {
  public static final int ORDER = AuthInterceptor.ORDER + 10;

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  public HealthWatchLimit(TransportConfiguration transport) {
    this.max = transport.maxHealthWatchStreams();
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  /** Watch streams open now. */
  int open() {
    return open.get();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!MethodPermissions.HEALTH_WATCH.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      StatusRuntimeException refusal =
          StatusMapping.refusal(
              Status.Code.RESOURCE_EXHAUSTED,
              ErrorReason.HEALTH_WATCH_LIMIT,
              "health watch streams: "
                  + max
                  + " open, limit is "
                  + max
                  + " (codec.transport.max-health-watch-streams)",
              Map.of(
                  "limit",
                  "codec.transport.max-health-watch-streams",
                  "max",
                  Integer.toString(max)));
      call.close(refusal.getStatus(), StatusMapping.trailers(refusal));
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            open.decrementAndGet();
          }
        };
    ServerCall.Listener<ReqT> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        release.run();
        super.onComplete();
      }

      @Override
      public void onCancel() {
        release.run();
        super.onCancel();
      }
    };
  }
}
