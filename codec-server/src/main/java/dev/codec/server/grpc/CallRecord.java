package dev.codec.server.grpc;

import io.grpc.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the audit log learns about one call while it runs: filled in by the interceptors (how the
 * caller authenticated, who it is, why it was refused) and from the request (project, deployment,
 * number of values). Never holds a value, key or token. See {@code docs/audit.md} for the line schema.
 *
 * <p>Further fields (for example from a deployment grant) go in with {@link #extra(String, String)}:
 * they are written after the standard fields of the {@code call} line, in the order they were added.
 */
final class CallRecord {
    static final Context.Key<CallRecord> KEY = Context.key("codec-call-record");

    final String requestId;
    final String peer;
    volatile String caller = "-";
    /** {@code token}, {@code mtls} or {@code none}. */
    volatile String authMethod = "none";
    /** The token id or certificate serial that was presented, or {@code -}. */
    volatile String credentialId = "-";
    /** The reason word of a refusal by the auth interceptor (e.g. {@code unknown_token}), or null. */
    volatile String refusal;
    volatile String projectId = "";
    volatile String deploymentId = "";
    volatile int values;
    private Map<String, String> extra;

    CallRecord() {
        this("-", "-");
    }

    CallRecord(String requestId, String peer) {
        this.requestId = requestId;
        this.peer = peer;
    }

    /** Adds a field to this call's audit line (a short identifier: never a value, key or token). */
    synchronized void extra(String name, String value) {
        if (extra == null) {
            extra = new LinkedHashMap<>();
        }
        extra.put(name, value);
    }

    /** The extra fields, in the order they were added. */
    synchronized Map<String, String> extra() {
        return extra == null ? Map.of() : new LinkedHashMap<>(extra);
    }
}
