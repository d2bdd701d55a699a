package dev.codec.server.grpc;

import dev.codec.server.auth.RefusalReason;
import io.grpc.Context;

/**
 * What the audit log learns about one call while it runs: filled in by the interceptors (how the
 * caller authenticated, who it is, why it was refused) and from the request (project, deployment,
 * number of values). Never holds a value, key or token. See {@code docs/audit.md} for the line
 * schema.
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

  /** Why the auth interceptor refused the call, or null. */
  volatile RefusalReason refusal;

  volatile String projectId = "";
  volatile String deploymentId = "";
  volatile int values;

  CallRecord() {
    this("-", "-");
  }

  CallRecord(String requestId, String peer) {
    this.requestId = requestId;
    this.peer = peer;
  }

  /**
   * The deployment grant verified for this call, set by the endpoint: the audit line takes the
   * deployment id and grant id from here, never from the request's deployment_id. Null when none.
   */
  volatile VerifiedGrantIds grant;

  /** What the audit line records of a verified grant. */
  record VerifiedGrantIds(String deploymentId, String grantId) {}

  /** Records the verified grant of the current call, if the call is audited. */
  static void grantVerified(String deploymentId, String grantId) {
    CallRecord record = KEY.get();
    if (record != null) {
      record.grant = new VerifiedGrantIds(deploymentId, grantId);
    }
  }
}
