package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.DeploymentGrants.VerifiedGrant;
import dev.codec.server.crypto.GrantRefusedException;
import java.util.function.Consumer;

/**
 * Verifies the deployment grant of a decrypting call against the {@link AccessPolicy} (crypto in
 * {@link DeploymentGrants}); refusals are ACCESS_DENIED with a machine-readable reason. See
 * docs/grants.md.
 */
final class GrantCheck {
  private final DeploymentGrants grants;
  private final AccessPolicy access;

  GrantCheck(DeploymentGrants grants, AccessPolicy access) {
    this.grants = grants;
    this.access = access;
  }

  /**
   * The grant of a decrypting call, verified: {@code null} when none is given and none is required.
   *
   * @param deploymentId the caller's claim: empty, or the grant's deployment id
   * @param seal the call's seal (DecryptAll), or {@code null} for a call that opens more than one
   *     revision
   * @param onVerified told as soon as the grant verifies, so a call refused later is still
   *     attributed to it
   */
  GrantIdentity verify(
      String projectId,
      String deploymentId,
      String encryptedDek,
      String grant,
      String seal,
      Consumer<GrantIdentity> onVerified)
      throws RejectedRequestException {
    if (grant.isEmpty()) {
      if (access.grantsRequired()) {
        throw denied(
            ErrorReason.GRANT_MISSING,
            "grant: required (codec.grants.required=true); ask the control API for the deployment's grant");
      }
      return null;
    }
    if (grant.length() > DeploymentGrants.MAX_LENGTH) {
      throw denied(
          ErrorReason.GRANT_INVALID,
          "grant: longer than " + DeploymentGrants.MAX_LENGTH + " characters");
    }
    if (encryptedDek.isEmpty()) {
      throw fieldRequired("encrypted_dek", " with a grant");
    }
    VerifiedGrant verified;
    try {
      verified =
          grants.verify(
              grant, projectId, encryptedDek, access.clock().instant(), access.clockSkew());
    } catch (GrantRefusedException e) {
      throw denied(ErrorReason.ofGrantRefusal(e.reason().name()), "grant: " + e.getMessage());
    }
    GrantIdentity identity = new GrantIdentity(verified.grantId(), verified.deploymentId());
    onVerified.accept(identity); // recorded (audit) even when a later check refuses the call
    if (!deploymentId.isEmpty() && !deploymentId.equals(verified.deploymentId())) {
      throw denied(
          ErrorReason.GRANT_OTHER_DEPLOYMENT,
          "deployment_id: differs from the deployment the grant was issued for");
    }
    if (verified.revisionBound()) {
      if (seal == null) {
        throw denied(
            ErrorReason.GRANT_REVISION_BOUND,
            "grant: bound to one sealed revision; "
                + "it opens that revision with DecryptAll only (not single values or the DEK)");
      }
      if (seal.isEmpty()) {
        throw denied(
            ErrorReason.GRANT_OTHER_REVISION,
            "seal: required with this grant (it is bound to one sealed revision)");
      }
      if (!verified.boundTo(seal)) {
        throw denied(
            ErrorReason.GRANT_OTHER_REVISION,
            "grant: issued for another revision (the seal differs)");
      }
    } else if (access.sealsRequired()) {
      throw denied(
          ErrorReason.GRANT_NOT_REVISION_BOUND,
          "grant: issued without a seal; refused "
              + "while codec.seals.required=true (issue the grant with the revision's seal)");
    }
    return identity;
  }

  private static RejectedRequestException denied(ErrorReason errorReason, String message) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.ACCESS_DENIED, errorReason, message)
        .withMetadata("field", message.startsWith("deployment_id:") ? "deployment_id" : "grant");
  }

  /**
   * Refuses, at startup, id limits no grant can hold: ids are ASCII ([A-Za-z0-9._-]), one byte per
   * character, and a project id and a deployment id must fit a grant together.
   */
  static void requireGrantableIds(Limits limits) {
    int longestGrant =
        DeploymentGrants.maxLength(limits.maxProjectIdLength(), limits.maxProjectIdLength());
    if (2 * limits.maxProjectIdLength() > DeploymentGrants.MAX_ID_BYTES_TOTAL
        || longestGrant > DeploymentGrants.MAX_LENGTH) {
      throw new IllegalArgumentException(
          "codec.limits.max-project-id-length ("
              + limits.maxProjectIdLength()
              + ") is too long for deployment grants: project_id and deployment_id must fit "
              + DeploymentGrants.MAX_ID_BYTES_TOTAL
              + " bytes together (at most "
              + DeploymentGrants.MAX_ID_BYTES_TOTAL / 2
              + ")");
    }
  }
}
