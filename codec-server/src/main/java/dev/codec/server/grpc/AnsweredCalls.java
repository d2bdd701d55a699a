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
 * Tells the {@link StreamBudget} when grpc closes a call, so that the rest of its request is dropped instead
 * of reserved and buffered. The outermost interceptor: it sees the close of a call that any inner
 * interceptor refuses at its headers ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}).
 */
@Singleton
public final class AnsweredCalls implements ServerInterceptor, Ordered {
    public static final int ORDER = AuditInterceptor.ORDER - 10;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        StreamBudget.StreamState stream = StreamBudget.starting();
        if (stream == null) {
            return next.startCall(call, headers);
        }
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                stream.answered = true;
                super.close(status, trailers);
            }
        }, headers);
    }
}
