package dev.codec.client;

import java.time.Instant;

/**
 * A deployment grant from {@link CodecClient#issueGrant}: store {@code grant} in the deployment
 * metadata ({@code "grant"}) next to {@code encryptedDEK}. Not a secret by itself, but the runner's
 * authority to decrypt this deployment's values until {@code expireTime}.
 *
 * @param grant the grant text ("grant3:k&lt;N&gt;:...")
 * @param grantId the grant's id, as the audit log records it
 * @param expireTime when it stops being accepted
 * @param kekVersion the KEK version whose derived key authenticates it
 */
public record IssuedGrant(String grant, String grantId, Instant expireTime, int kekVersion) {
  @Override
  public String toString() {
    return "IssuedGrant[id="
        + grantId
        + ", expires="
        + expireTime
        + ", kekVersion="
        + kekVersion
        + "]";
  }
}
