package dev.codec.server.grpc;

import io.grpc.Context;

/**
 * What the audit log learns about one call while it runs: filled in by the interceptors (caller) and
 * from the request (project, deployment, number of values). Never holds a value, key or token.
 */
final class CallRecord {
    static final Context.Key<CallRecord> KEY = Context.key("codec-call-record");

    volatile String caller = "-";
    volatile String projectId = "";
    volatile String deploymentId = "";
    volatile int values;
}
