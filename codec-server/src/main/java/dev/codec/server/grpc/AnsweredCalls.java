package dev.codec.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;

/**
 * Ties grpc's call to its HTTP/2 stream's {@link StreamBudget} state: the budget learns when grpc
 * closes a call, so that the rest of its request is dropped instead of reserved and buffered, and
 * it can end a call it refuses (budget, receive timeout) through grpc, so the call is audited with
 * that status. The outermost interceptor: it sees the close of a call that any inner interceptor
 * refuses at its headers ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}). Works with grpc's
 * direct executor (the default); without it, the budget falls back to answering such calls itself.
 */
@Singleton
public final class AnsweredCalls implements ServerInterceptor, Ordered {
  public static final int ORDER = AuditInterceptor.ORDER - 10;

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    StreamBudget.StreamState stream = StreamBudget.starting();
    if (stream == null) {
      return next.startCall(call, headers);
    }
    ServerCall<ReqT, RespT> tracked =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            stream.answered = true;
            super.close(status, trailers);
          }
        };
    stream.call = tracked; // replaced by the innermost view of the call if it gets that far
    return next.startCall(tracked, headers);
  }

  /**
   * The innermost interceptor: records the call as the service sees it, wrapped by every
   * interceptor, so that a call the budget ends goes through all of them (the audit interceptor
   * records its status).
   */
  @Singleton
  public static final class Innermost implements ServerInterceptor, Ordered {
    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      StreamBudget.StreamState stream = StreamBudget.starting();
      if (stream != null) {
        stream.call = call;
      }
      return next.startCall(call, headers);
    }
  }
}
