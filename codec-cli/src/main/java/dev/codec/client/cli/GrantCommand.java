package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.IssuedGrant;
import dev.codec.client.json.DeploymentMetadata;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Issues a deployment grant (permission {@code grant}) and prints it as JSON. */
@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    description = {
      "Issues a deployment grant for a runner.",
      "The grant lets the deployment's runner decrypt the revision of the given seal (DecryptAll with "
          + "that seal) until it expires; without a seal (only while the codec runs with "
          + "codec.seals.required=false) every value under the wrapped DEK. --metadata FILE takes project, "
          + "deployment, wrapped DEK and seal from a deployment metadata file (options override it). Prints "
          + "project_id, deployment_id, grant, grant_id, expire_time and kek_version; store grant in the "
          + "deployment metadata (--field grant prints it alone). Needs the caller permission 'grant'."
    })
final class GrantCommand implements Callable<Integer> {
  @Option(
      names = "--project",
      paramLabel = "ID",
      defaultValue = "${env:CODEC_PROJECT}",
      description = "Project id (required without --metadata; env CODEC_PROJECT).")
  String project;

  @Option(
      names = "--deployment",
      paramLabel = "ID",
      defaultValue = "${env:CODEC_DEPLOYMENT_ID}",
      description = "Deployment id (required without --metadata; env CODEC_DEPLOYMENT_ID).")
  String deployment;

  @Option(
      names = "--dek",
      paramLabel = "ENCRYPTED_DEK",
      defaultValue = "${env:CODEC_DEK}",
      description = "The project's wrapped DEK (required without --metadata; env CODEC_DEK).")
  String encryptedDek;

  @Option(
      names = "--seal",
      paramLabel = "SEAL",
      defaultValue = "${env:CODEC_SEAL}",
      description =
          "The revision's seal (seal3:...): the grant opens that revision only (env CODEC_SEAL).")
  String seal;

  @Option(
      names = "--metadata",
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_METADATA}",
      description =
          "A deployment metadata file to take projectId, deploymentId, encryptedDEK and seal from "
              + "(env CODEC_METADATA).")
  java.nio.file.Path metadata;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      defaultValue = "${env:CODEC_GRANT_TTL:-24h}",
      converter = DurationConverter.class,
      description =
          "How long the grant is valid, e.g. 30m, 12h (at most the service's codec.grants.max-ttl;"
              + " env CODEC_GRANT_TTL). Default: ${DEFAULT-VALUE}.")
  Duration ttl;

  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (metadata != null) {
      DeploymentMetadata stored = DeploymentMetadata.read(metadata);
      project = project != null ? project : stored.projectId();
      deployment = deployment != null ? deployment : emptyToNull(stored.deploymentId());
      encryptedDek = encryptedDek != null ? encryptedDek : emptyToNull(stored.encryptedDek());
      seal = seal != null ? seal : stored.seal();
    }
    for (String[] option :
        new String[][] {
          {"--project", project}, {"--deployment", deployment}, {"--dek", encryptedDek}
        }) {
      if (option[1] == null || option[1].isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "Missing required option: '" + option[0] + "' (or a --metadata file that has it)");
      }
    }
    IssuedGrant grant;
    try (CodecClient client = remote.client()) {
      grant = client.issueGrant(project, deployment, encryptedDek, seal == null ? "" : seal, ttl);
    }
    output.print(
        OutputOptions.object()
            .put("project_id", project)
            .put("deployment_id", deployment)
            .put("grant", grant.grant())
            .put("grant_id", grant.grantId())
            .put("expire_time", grant.expireTime().toString())
            .put("kek_version", grant.kekVersion()));
    return 0;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
