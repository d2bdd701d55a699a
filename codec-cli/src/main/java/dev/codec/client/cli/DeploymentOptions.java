package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import dev.codec.client.json.DeploymentMetadata;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which deployment to decrypt, and where the service is: shared by {@code exec} and {@code env}.
 */
final class DeploymentOptions {
  @Option(
      names = "--metadata",
      required = true,
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_METADATA}",
      description =
          "Deployment metadata JSON: projectId, encryptedDEK, grant, seal, environmentVariables"
              + " (stored shape; env CODEC_METADATA).")
  Path metadata;

  @Option(
      names = "--deployment-id",
      paramLabel = "ID",
      defaultValue = "${env:CODEC_DEPLOYMENT_ID}",
      description =
          "Deployment id (overrides deploymentId in the metadata; with a grant it must be the grant's: "
              + "the audit log records the grant's; env CODEC_DEPLOYMENT_ID).")
  String deploymentId;

  @Mixin RemoteOptions remote;

  @Option(
      names = "--allow-unsealed-plain",
      defaultValue = "${env:CODEC_ALLOW_UNSEALED_PLAIN:-false}",
      description =
          "Use the values as stored, without any call, when no variable is secret and the metadata"
              + " has no seal. Off by default: the call lets the service enforce its seal and grant"
              + " policy; never use this where seals or grants are required"
              + " (env CODEC_ALLOW_UNSEALED_PLAIN).")
  boolean allowUnsealedPlain;

  /**
   * The deployment's variables, decrypted with one DecryptAll call, always by default: only the
   * service knows whether it requires seals and grants, and metadata whose seal was removed and
   * whose variables were all turned plain (by whoever can write the metadata store) must still be
   * refused there. With {@code --allow-unsealed-plain}, metadata without any secret and without a
   * seal is used as stored without a call (no gRPC class is loaded); a sealed revision is sent even
   * then.
   */
  Map<String, String> decrypt() {
    if (!java.nio.file.Files.isReadable(metadata)) {
      throw CliFailure.noInput(
          metadata
              + ": "
              + (java.nio.file.Files.exists(metadata) ? "cannot be read" : "no such file"));
    }
    DeploymentMetadata deployment = DeploymentMetadata.read(metadata);
    if (deploymentId != null) {
      deployment = deployment.withDeploymentId(deploymentId);
    }
    if (allowUnsealedPlain
        && deployment.seal().isEmpty()
        && deployment.variables().values().stream()
            .noneMatch(variable -> variable.kind() == Variable.Kind.SECRET)) {
      Map<String, String> plain = new java.util.HashMap<>();
      deployment.variables().forEach((name, variable) -> plain.put(name, variable.value()));
      return plain;
    }
    try (CodecClient client = remote.client()) {
      return deployment.decrypt(client);
    }
  }
}
