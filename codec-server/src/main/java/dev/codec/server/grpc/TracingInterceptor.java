package dev.codec.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * One SERVER span per RPC, child of the caller's W3C trace context ({@code traceparent}, {@code
 * tracestate} gRPC metadata), current while the service runs, and named into the log: the MDC holds
 * {@code trace.id} and {@code span.id} during every callback, so JSON log lines carry them
 * (docs/observability.md).
 *
 * <p>A span carries only {@code rpc.system}, {@code rpc.service}, {@code rpc.method} and {@code
 * rpc.grpc.status_code} (the OpenTelemetry RPC conventions): never a project or deployment id, a
 * variable name, a value, a DEK, a wrapped DEK, a grant or a token, and no peer address (the audit
 * log has the caller). gRPC health checks (kubelet probes every few seconds) get no span.
 *
 * <p>Hand-written rather than opentelemetry-java-instrumentation's grpc-1.6 library: that one is
 * alpha, brings the instrumentation API and semantic-convention jars, and records peer addresses
 * and message events; this is the span the codec needs and nothing else. The outermost interceptor,
 * so calls refused by authentication are traced with their status too.
 */
public final class TracingInterceptor implements ServerInterceptor, Ordered {
  /** Outside every other interceptor of the codec. */
  public static final int ORDER = AnsweredCalls.ORDER - 10;

  /** MDC keys, named as the Elastic Common Schema names them. */
  public static final String MDC_TRACE_ID = "trace.id";

  public static final String MDC_SPAN_ID = "span.id";

  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  public static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

  /**
   * Server-side errors per the OpenTelemetry gRPC conventions; a refused request
   * (INVALID_ARGUMENT...) is not.
   */
  private static final Set<Status.Code> SERVER_ERRORS =
      EnumSet.of(
          Status.Code.UNKNOWN,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.UNIMPLEMENTED,
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DATA_LOSS);

  private static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  private static final TextMapGetter<Metadata> METADATA =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
          if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
            return null;
          }
          return carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public TracingInterceptor(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (HEALTH_SERVICE.equals(service)) {
      return next.startCall(call, headers);
    }
    String method = call.getMethodDescriptor().getBareMethodName();
    Context parent = propagator.extract(Context.root(), headers, METADATA);
    Span span =
        tracer
            .spanBuilder(call.getMethodDescriptor().getFullMethodName())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(RPC_SYSTEM, "grpc")
            .setAttribute(RPC_SERVICE, service == null ? "" : service)
            .setAttribute(RPC_METHOD, method == null ? "" : method)
            .startSpan();
    Context context = parent.with(span);
    AtomicBoolean ended = new AtomicBoolean();
    ServerCall<ReqT, RespT> traced =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end(span, ended, status.getCode());
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> listener =
        within(span, context, () -> next.startCall(traced, headers));
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        within(
            span,
            context,
            () -> {
              super.onMessage(message);
              return null;
            });
      }

      @Override
      public void onHalfClose() {
        within(
            span,
            context,
            () -> {
              super.onHalfClose();
              return null;
            });
      }

      @Override
      public void onCancel() {
        within(
            span,
            context,
            () -> {
              super.onCancel();
              return null;
            });
        end(span, ended, Status.Code.CANCELLED); // no-op when the call was closed first
      }

      @Override
      public void onComplete() {
        within(
            span,
            context,
            () -> {
              super.onComplete();
              return null;
            });
      }

      @Override
      public void onReady() {
        within(
            span,
            context,
            () -> {
              super.onReady();
              return null;
            });
      }
    };
  }

  public static void end(Span span, AtomicBoolean ended, Status.Code code) {
    if (ended.compareAndSet(false, true)) {
      span.setAttribute(RPC_STATUS, (long) code.value());
      if (SERVER_ERRORS.contains(code)) {
        span.setStatus(
            StatusCode.ERROR, code.name()); // the code only: a status description may name input
      }
      span.end();
    }
  }

  /** Runs {@code body} with the span current and its ids in the MDC, restoring both afterwards. */
  private static <T> T within(Span span, Context context, Supplier<T> body) {
    String previousTrace = MDC.get(MDC_TRACE_ID);
    String previousSpan = MDC.get(MDC_SPAN_ID);
    if (span.getSpanContext().isValid()) {
      MDC.put(MDC_TRACE_ID, span.getSpanContext().getTraceId());
      MDC.put(MDC_SPAN_ID, span.getSpanContext().getSpanId());
    }
    try (Scope ignored = context.makeCurrent()) {
      return body.get();
    } finally {
      restore(MDC_TRACE_ID, previousTrace);
      restore(MDC_SPAN_ID, previousSpan);
    }
  }

  private static void restore(String key, String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
