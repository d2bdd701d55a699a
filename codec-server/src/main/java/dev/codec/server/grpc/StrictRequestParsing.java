package dev.codec.server.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a request that cannot be parsed (broken protobuf, invalid UTF-8 in a string field) an
 * {@code INVALID_ARGUMENT} instead of grpc-java's default {@code UNKNOWN}/{@code INTERNAL}.
 *
 * <p>grpc-java turns an exception thrown by a request marshaller into {@code UNKNOWN}, so the wrapped
 * marshaller never throws: it returns a marker message (the default instance carrying a reserved
 * unknown field), and a guard in front of the service closes such calls with {@code INVALID_ARGUMENT}
 * naming the message type. The marker never reaches the service.
 */
public final class StrictRequestParsing {
    /** Highest legal field number: never used by the contract. */
    private static final int MARKER_FIELD = 536_870_911;
    private static final UnknownFieldSet MARKER = UnknownFieldSet.newBuilder()
            .addField(MARKER_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
            .build();

    private StrictRequestParsing() {}

    /** The same service with strict request parsing on every method. */
    public static ServerServiceDefinition apply(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> wrapped = strict(method);
            descriptor.addMethod(wrapped.getMethodDescriptor());
            methods.add(wrapped);
        }
        ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> method : methods) {
            strict.addMethod(method);
        }
        return ServerInterceptors.intercept(strict.build(), new MalformedRequestGuard());
    }

    static boolean isMalformed(Object request) {
        return request instanceof Message message && message.getUnknownFields().hasField(MARKER_FIELD);
    }

    private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> strict(ServerMethodDefinition<ReqT, RespT> method) {
        MethodDescriptor<ReqT, RespT> descriptor = method.getMethodDescriptor();
        MethodDescriptor.Marshaller<ReqT> marshaller = descriptor.getRequestMarshaller();
        if (!(marshaller instanceof MethodDescriptor.PrototypeMarshaller<ReqT> prototypes)
                || !(prototypes.getMessagePrototype() instanceof Message)) {
            return method;
        }
        return ServerMethodDefinition.create(
                descriptor.toBuilder().setRequestMarshaller(new MarkingMarshaller<>(prototypes)).build(),
                method.getServerCallHandler());
    }

    /** Parses like the original, but returns the marker message instead of throwing. */
    private static final class MarkingMarshaller<T> implements MethodDescriptor.PrototypeMarshaller<T> {
        private final MethodDescriptor.PrototypeMarshaller<T> delegate;
        private final T marker;

        @SuppressWarnings("unchecked")
        MarkingMarshaller(MethodDescriptor.PrototypeMarshaller<T> delegate) {
            this.delegate = delegate;
            this.marker = (T) ((Message) delegate.getMessagePrototype()).toBuilder().setUnknownFields(MARKER).build();
        }

        @Override
        public InputStream stream(T value) {
            return delegate.stream(value);
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (RuntimeException e) {
                return marker;
            }
        }

        @Override
        public T getMessagePrototype() {
            return delegate.getMessagePrototype();
        }

        @Override
        public Class<T> getMessageClass() {
            return delegate.getMessageClass();
        }
    }

    /** Closes calls whose request could not be parsed, before the service sees them. */
    private static final class MalformedRequestGuard implements ServerInterceptor {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
            return new RefusableListener<>(next.startCall(call, headers), call) {
                @Override
                public void onMessage(ReqT message) {
                    if (isMalformed(message)) {
                        refuse(Status.INVALID_ARGUMENT.withDescription("request: not a valid "
                                + ((Message) message).getDescriptorForType().getFullName()
                                + " (malformed protobuf or invalid UTF-8 in a string field)"));
                        return;
                    }
                    super.onMessage(message);
                }
            };
        }
    }
}
