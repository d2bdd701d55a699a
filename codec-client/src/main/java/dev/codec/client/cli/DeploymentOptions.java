package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.DeploymentMetadata;
import dev.codec.client.Variable;
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

  /**
   * The deployment's variables, decrypted with one DecryptAll call; without any call when no
   * variable is secret and the metadata has no seal (nothing to decrypt or verify: the values are
   * used as stored, and no gRPC class is loaded). A sealed revision is always sent, so that the
   * service checks its seal even when every variable is plain.
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
    if (deployment.seal().isEmpty()
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
