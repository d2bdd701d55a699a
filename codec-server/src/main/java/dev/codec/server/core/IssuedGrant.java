package dev.codec.server.core;

import java.time.Instant;

/**
 * A deployment grant as IssueGrant returns it. Its {@code toString()} names the grant id only (the
 * text is a bearer credential).
 *
 * @param text the grant, as the runner presents it
 * @param grantId its id (also in the audit log)
 * @param expiresAt when it stops opening anything
 * @param kekVersion the KEK version its MAC key is derived from
 */
public record IssuedGrant(String text, String grantId, Instant expiresAt, int kekVersion) {
  @Override
  public String toString() {
    return "IssuedGrant[id="
        + grantId
        + ", expires="
        + expiresAt
        + ", kekVersion="
        + kekVersion
        + "]";
  }
}
