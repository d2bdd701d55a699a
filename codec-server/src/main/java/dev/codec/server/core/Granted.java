package dev.codec.server.core;

import dev.codec.server.crypto.DeploymentGrants.VerifiedGrant;

/**
 * The result of a call that may carry a deployment grant, with the grant that was verified for it
 * ({@code null} when none was given): the audit log records its deployment id and grant id.
 */
public record Granted<T>(T result, VerifiedGrant grant) {
    @Override
    public String toString() {
        return "Granted[grant=" + (grant == null ? "none" : grant.grantId()) + "]";
    }
}
