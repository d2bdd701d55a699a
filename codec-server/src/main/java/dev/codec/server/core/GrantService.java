package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;
import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.RevisionSeal;
import java.time.Duration;

/**
 * IssueGrant: deployment grants for the control API to hand to a deployment's runners (verified on
 * the decrypting calls by {@link GrantCheck}). Transport-free; thread-safe. See docs/grants.md.
 */
public final class GrantService {
  private final DeploymentGrants grants;
  private final ProjectDeks deks;
  private final RequestValidator validate;
  private final AccessPolicy access;

  /**
   * @param formats which wrapped-DEK formats are read (the grant's DEK must unwrap for the project)
   * @param access the longest ttl, whether seals are required, the clock
   */
  public GrantService(
      EnvelopeCrypto crypto,
      DekCache dekCache,
      Limits limits,
      InputFormats formats,
      AccessPolicy access) {
    GrantCheck.requireGrantableIds(limits);
    this.grants = crypto.grants();
    this.validate = RequestValidator.of(limits);
    this.deks = new ProjectDeks(dekCache, validate, formats);
    this.access = access;
  }

  /**
   * Issues a grant for one deployment of a project, for values under {@code encryptedDek} (which
   * must unwrap for the project), valid from now for {@code ttl} (whole seconds, at most the
   * policy's max).
   */
  public IssuedGrant issueGrant(
      String projectId, String deploymentId, String encryptedDek, Duration ttl)
      throws RejectedRequestException {
    return issueGrant(projectId, deploymentId, encryptedDek, "", ttl);
  }

  /**
   * Issues a grant for one deployment of a project, bound to the revision of {@code seal} (it then
   * opens DecryptAll of that revision only), or, with an empty seal and only while seals are not
   * required, for every value under {@code encryptedDek} (the weaker migration mode,
   * docs/grants.md).
   */
  public IssuedGrant issueGrant(
      String projectId, String deploymentId, String encryptedDek, String seal, Duration ttl)
      throws RejectedRequestException {
    validate.projectId(projectId);
    if (deploymentId.isEmpty()) {
      throw fieldRequired("deployment_id", null);
    }
    validate.deploymentId(deploymentId);
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw fieldRequired("ttl", ", more than 0s");
    }
    if (ttl.toNanosPart() != 0) {
      throw badInput("ttl", "whole seconds only");
    }
    if (ttl.compareTo(access.maxGrantTtl()) > 0) {
      throw badInput(
              "ttl",
              ttl.toSeconds()
                  + "s is longer than codec.grants.max-ttl ("
                  + access.maxGrantTtl().toSeconds()
                  + "s)")
          .withMetadata("limit", "codec.grants.max-ttl")
          .withMetadata("max", access.maxGrantTtl().toSeconds() + "s");
    }
    if (seal.isEmpty() && access.sealsRequired()) {
      throw Seals.missing(": a grant opens one sealed revision");
    }
    if (RevisionSeal.isOutdated(seal)) {
      throw Seals.outdated(seal);
    }
    if (seal.length() > RevisionSeal.MAX_LENGTH
        || (!seal.isEmpty() && RevisionSeal.binding(seal) == null)) {
      throw Seals.notASeal(
          " (expected seal3:..., at most " + RevisionSeal.MAX_LENGTH + " characters)");
    }
    deks.cached(projectId, "encrypted_dek", encryptedDek)
        .destroy(); // it must be this project's DEK
    DeploymentGrants.IssuedGrant issued;
    try {
      issued =
          grants.issue(projectId, deploymentId, encryptedDek, seal, access.clock().instant(), ttl);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw badInput(
          "project_id, deployment_id or ttl", "cannot be put in a grant (" + e.getMessage() + ")");
    }
    return new IssuedGrant(
        issued.text(), issued.grantId(), issued.expiresAt(), issued.kekVersion());
  }
}
