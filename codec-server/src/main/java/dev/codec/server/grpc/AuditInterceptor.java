package dev.codec.server.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per RPC to the {@code codec.audit} logger, refused calls included:
 * <pre>
 * {"time":"...","caller":"runner","rpc":"DecryptAll","project_id":"p1","deployment_id":"d7",
 *  "grant_id":"9f0c...","values":12,"status":"OK","latency_ms":0.84}
 * </pre>
 * {@code deployment_id} and {@code grant_id} come from the verified deployment grant only; a call
 * without one that names a deployment has it as {@code claimed_deployment_id} (unverified).
 * Only identifiers and counts are read from requests (by field name, so new RPCs are covered too):
 * never a value, ciphertext, DEK, KEK or token. The lines are written by a background thread in batches
 * ({@link AuditLineWriter}), never dropped; closing the interceptor (with the application context) writes
 * out the rest.
 */
public final class AuditInterceptor implements ServerInterceptor, Ordered, AutoCloseable {
    /** Outermost of the codec's interceptors. */
    public static final int ORDER = 100;
    public static final String LOGGER = "codec.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_ID_LENGTH = 128;

    private final AuditLineWriter writer = new AuditLineWriter(AUDIT::info);

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Writes out every audit line of the calls finished so far (lines are written in batches, off the call). */
    public void flush() {
        writer.flush();
    }

    /** Writes out the queued audit lines and stops the writer thread; later lines are written directly. */
    @Override
    public void close() {
        writer.close();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (!AUDIT.isInfoEnabled() || call.getMethodDescriptor().getServiceName().startsWith("grpc.")) {
            return next.startCall(call, headers);
        }
        long start = System.nanoTime();
        CallRecord record = new CallRecord();
        AtomicBoolean logged = new AtomicBoolean();
        ServerCall<ReqT, RespT> auditing = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (logged.compareAndSet(false, true)) {
                    log(call.getMethodDescriptor().getBareMethodName(), record, status, System.nanoTime() - start);
                }
                super.close(status, trailers);
            }
        };
        ServerCall.Listener<ReqT> listener = Contexts.interceptCall(
                Context.current().withValue(CallRecord.KEY, record), auditing, headers, next);
        return new SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(ReqT message) {
                if (message instanceof Message proto) {
                    describe(proto, record);
                }
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                if (logged.compareAndSet(false, true)) {
                    log(call.getMethodDescriptor().getBareMethodName(), record, Status.CANCELLED,
                            System.nanoTime() - start);
                }
                super.onCancel();
            }
        };
    }

    /** Copies identifiers and the entry count (the first map or repeated field) from a request. */
    static void describe(Message request, CallRecord record) {
        DESCRIBERS.get(request.getClass()).describe(request, record);
    }

    private static final ClassValue<RequestDescriber> DESCRIBERS = new ClassValue<>() {
        @Override
        protected RequestDescriber computeValue(Class<?> type) {
            return RequestDescriber.of(type);
        }
    };

    /**
     * How to read one request type's identifiers and entry count, worked out once per class. The count
     * comes from the generated {@code get<Field>Count()} accessor: protobuf's reflective
     * {@code getRepeatedFieldCount} would turn a map field into a list of entry messages on every call.
     */
    private record RequestDescriber(FieldDescriptor project, FieldDescriptor deployment, Method count) {
        static RequestDescriber of(Class<?> type) {
            Descriptor descriptor;
            try {
                descriptor = (Descriptor) type.getMethod("getDescriptor").invoke(null);
            } catch (ReflectiveOperationException | ClassCastException e) {
                return new RequestDescriber(null, null, null);
            }
            Method count = null;
            for (FieldDescriptor field : descriptor.getFields()) {
                if (field.isRepeated()) {
                    String name = field.getJsonName();
                    try {
                        count = type.getMethod("get" + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Count");
                    } catch (NoSuchMethodException e) {
                        count = null;
                    }
                    break;
                }
            }
            return new RequestDescriber(stringField(descriptor, "project_id"), stringField(descriptor, "deployment_id"),
                    count);
        }

        private static FieldDescriptor stringField(Descriptor descriptor, String name) {
            FieldDescriptor field = descriptor.findFieldByName(name);
            return field != null && field.getType() == FieldDescriptor.Type.STRING && !field.isRepeated() ? field : null;
        }

        void describe(Message request, CallRecord record) {
            if (project != null) {
                record.projectId = (String) request.getField(project);
            }
            if (deployment != null) {
                record.deploymentId = (String) request.getField(deployment);
            }
            int values = 1;
            if (count != null) {
                try {
                    values = (Integer) count.invoke(request);
                } catch (ReflectiveOperationException e) {
                    values = -1;
                }
            }
            record.values = values;
        }
    }

    private void log(String rpc, CallRecord record, Status status, long nanos) {
        StringWriter line = new StringWriter(192);
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.now().toString());
            json.writeStringField("caller", record.caller);
            json.writeStringField("rpc", rpc);
            json.writeStringField("project_id", truncate(record.projectId));
            CallRecord.VerifiedGrantIds grant = record.grant;
            if (grant != null) {
                // from the verified grant, never from the caller's deployment_id field
                json.writeStringField("deployment_id", grant.deploymentId());
                json.writeStringField("grant_id", grant.grantId());
            } else if (!record.deploymentId.isEmpty()) {
                json.writeStringField("claimed_deployment_id", truncate(record.deploymentId));
            }
            json.writeNumberField("values", record.values);
            json.writeStringField("status", status.getCode().name());
            json.writeNumberField("latency_ms", Math.round(nanos / 10_000.0) / 100.0);
            json.writeEndObject();
        } catch (IOException e) {
            return; // a StringWriter does not fail
        }
        writer.submit(line.toString());
    }

    private static String truncate(String id) {
        return id.length() <= MAX_ID_LENGTH ? id : id.substring(0, MAX_ID_LENGTH) + "...";
    }
}
