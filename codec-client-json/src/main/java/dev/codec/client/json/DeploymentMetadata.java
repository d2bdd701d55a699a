package dev.codec.client.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a runner is given about a deployment: the project, its wrapped DEK and its variables in the
 * {@link StoredVariables stored shape}.
 *
 * <pre>{@code
 * {
 *   "projectId": "0f22036d-f915-4b0b-a2e6-6141cc5c9ebf",
 *   "deploymentId": "dep-42",                      // optional, recorded in the audit log
 *   "encryptedDEK": "dek1:k2:...",                 // required when any variable is secret
 *   "grant": "grant3:k2:...",                      // the deployment grant (IssueGrant); sent with DecryptAll
 *   "seal": "seal3:...",                           // the revision's seal; sent with DecryptAll
 *   "environmentVariables": {"API_KEY": {"type": "secret", "encrypted": true, "value": "enc2:...", "keyVersion": 2},
 *                            "LOG_LEVEL": {"type": "plain", "value": "info"}}
 * }
 * }</pre>
 *
 * The field names are those the stored project records use ({@code "projectId"}, {@code
 * "encryptedDEK"}); {@code variables} (the project record's name) is accepted instead of {@code
 * environmentVariables}. Other fields are ignored. Errors name the missing or malformed field,
 * never a value.
 *
 * <pre>{@code
 * Map<String, String> env = DeploymentMetadata.read(Path.of("/etc/deployment.json")).decrypt(codec);
 * }</pre>
 *
 * @param encryptedDek the wrapped DEK; empty when no variable is secret
 * @param deploymentId empty when not given
 * @param grant the deployment grant; empty when not given
 * @param seal the revision's seal; empty when not given
 */
public record DeploymentMetadata(
    String projectId,
    String deploymentId,
    String encryptedDek,
    Map<String, Variable> variables,
    String grant,
    String seal) {
  public DeploymentMetadata {
    Objects.requireNonNull(projectId, "projectId");
    deploymentId = deploymentId == null ? "" : deploymentId;
    encryptedDek = encryptedDek == null ? "" : encryptedDek;
    variables = Map.copyOf(variables);
    grant = grant == null ? "" : grant;
    seal = seal == null ? "" : seal;
  }

  /** Metadata without grant and seal. */
  public DeploymentMetadata(
      String projectId, String deploymentId, String encryptedDek, Map<String, Variable> variables) {
    this(projectId, deploymentId, encryptedDek, variables, "", "");
  }

  /** Reads and parses a metadata file; errors name the file. */
  public static DeploymentMetadata read(Path file) {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      return parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
  }

  /**
   * Parses deployment metadata JSON. With jackson-core's streaming parser only ({@link
   * StoredShapeReader}): {@code codec-cli exec} reads this file on every start, and
   * jackson-databind would double the classes that path loads.
   */
  public static DeploymentMetadata parse(String json) {
    Object parsed;
    try {
      parsed = StoredShapeReader.read(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "deployment metadata is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      throw new IllegalArgumentException("deployment metadata must be a JSON object");
    }
    String projectId = text(root, "projectId", true);
    String deploymentId = text(root, "deploymentId", false);
    String encryptedDek = text(root, "encryptedDEK", false);
    String grant = text(root, "grant", false);
    String seal = text(root, "seal", false);

    String field = "environmentVariables";
    if (!root.containsKey(field) && root.containsKey("variables")) {
      field = "variables";
    } else if (root.containsKey(field) && root.containsKey("variables")) {
      throw new IllegalArgumentException(
          "give either \"environmentVariables\" or \"variables\", not both");
    }
    if (!root.containsKey(field)) {
      throw new IllegalArgumentException("missing field \"environmentVariables\"");
    }
    Object environment = root.get(field);
    if (!(environment instanceof Map)) {
      throw new IllegalArgumentException(
          "\"" + field + "\" must be an object of NAME -> {type, value}");
    }
    Map<String, Variable> variables;
    try {
      variables = StoredShapeReader.variables(environment);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + "." + e.getMessage());
    }
    boolean anySecret = variables.values().stream().anyMatch(v -> v.kind() == Variable.Kind.SECRET);
    if (anySecret && (encryptedDek == null || encryptedDek.isEmpty())) {
      throw new IllegalArgumentException(
          "missing field \"encryptedDEK\" (needed to decrypt the secret variables)");
    }
    return new DeploymentMetadata(projectId, deploymentId, encryptedDek, variables, grant, seal);
  }

  /** This metadata with another deployment id (for example from the command line). */
  public DeploymentMetadata withDeploymentId(String deploymentId) {
    return new DeploymentMetadata(projectId, deploymentId, encryptedDek, variables, grant, seal);
  }

  /**
   * The deployment's environment, plain values as stored and secrets decrypted, from one DecryptAll
   * call that sends the metadata's grant and seal. All or nothing.
   *
   * @throws CodecException if the call fails
   */
  public Map<String, String> decrypt(CodecClient codec) {
    return codec.decryptAll(projectId, deploymentId, encryptedDek, variables, grant, seal);
  }

  private static String text(Map<?, ?> root, String field, boolean required) {
    Object node = root.get(field);
    if (node == null || node == StoredShapeReader.NULL) {
      if (required) {
        throw new IllegalArgumentException("missing field \"" + field + "\"");
      }
      return null;
    }
    if (!(node instanceof String text)) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string");
    }
    if (required && text.isEmpty()) {
      throw new IllegalArgumentException("\"" + field + "\" is empty");
    }
    return text;
  }

  /**
   * Names the project, the deployment and the variables; never a value, the wrapped DEK or the
   * grant.
   */
  @Override
  public String toString() {
    return "DeploymentMetadata[projectId="
        + projectId
        + ", deploymentId="
        + deploymentId
        + ", variables="
        + new java.util.TreeSet<>(variables.keySet())
        + ", grant="
        + !grant.isEmpty()
        + ", sealed="
        + !seal.isEmpty()
        + "]";
  }
}
