package dev.codec.server.core;

/**
 * Who a verified deployment grant speaks for: what the audit log records for a call made with it.
 *
 * @param grantId the grant's id
 * @param deploymentId the deployment it was issued for (trusted: it comes from the verified grant)
 */
public record GrantIdentity(String grantId, String deploymentId) {}
