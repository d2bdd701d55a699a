package dev.codec.server.core;

/**
 * The result of a call that may carry a deployment grant, with the grant that was verified for it
 * ({@code null} when none was given): the audit log records its deployment id and grant id.
 */
public record Granted<T>(T result, GrantIdentity grant) {
  @Override
  public String toString() {
    return "Granted[grant=" + (grant == null ? "none" : grant.grantId()) + "]";
  }
}
