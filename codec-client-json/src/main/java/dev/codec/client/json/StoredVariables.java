package dev.codec.client.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.EncryptedRevision;
import dev.codec.client.Variable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored shape of an environment revision's variables, as JSON:
 *
 * <pre>{@code
 * {
 *   "DATABASE_URL": {"type": "secret", "encrypted": true, "value": "enc2:...", "keyVersion": 2},
 *   "LOG_LEVEL":    {"type": "plain", "value": "debug"}
 * }
 * }</pre>
 *
 * {@code keyVersion} is the version of the KEK that wraps the project's DEK the value was encrypted
 * under: the {@code N} of the wrapped DEK's {@code dek1:kN:} prefix (data from the earlier Node
 * codec has 1). It tells an operator which KEK a stored value depends on; decryption never needs it
 * (the wrapped DEK names its KEK itself), so {@link #parse} ignores it.
 *
 * <p>Control API: {@link #encryptRevision} turns a revision's plaintext variables into this shape
 * with one Encrypt call, which also returns the revision's seal. Runners: {@link #parse} (or {@link
 * DeploymentMetadata}) reads it back for DecryptAll. Parse errors name the variable and the field
 * at fault, never a value.
 */
public final class StoredVariables {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoredVariables() {}

  /** Parses the stored shape into variables for {@link CodecClient#decryptAll}. */
  public static Map<String, Variable> parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "variables: not valid JSON (line " + e.getLocation().getLineNr() + ")");
    }
    return parse(root);
  }

  /** Parses an already-read JSON object of the stored shape. */
  static Map<String, Variable> parse(JsonNode root) {
    // the checks live in StoredShapeReader, which reads deployment metadata without databind
    return StoredShapeReader.variables(root == null ? null : JSON.convertValue(root, Object.class));
  }

  /**
   * Encrypts a revision's variables for storage and seals the revision, with one Encrypt call (none
   * if there is neither a secret nor a wrapped DEK: such a revision is returned unsealed).
   *
   * @param revision name to variable, where {@link Variable#value()} is the <b>plaintext</b> the
   *     user entered; {@link Variable.Kind#SECRET} values are encrypted, {@link
   *     Variable.Kind#PLAIN} values are stored as they are
   * @param encryptedDek the project's wrapped DEK ({@code dek1:kN:...}, from {@link
   *     CodecClient#generateDek}); may be empty only when no variable is secret (the revision is
   *     then not sealed)
   * @return the stored shape as JSON text (one object, sorted by name): {@code {"type": "secret",
   *     "encrypted": true, "value": "enc2:...", "keyVersion": N}} for secrets, {@code {"type":
   *     "plain", "value": ...}} for plain values; and the revision's seal (store it with the
   *     revision)
   * @throws IllegalArgumentException if {@code encryptedDek} is not a {@code dek1:kN:} wrapped DEK
   * @throws CodecException if the call fails
   */
  public static EncryptedRevision encryptRevision(
      CodecClient codec, String projectId, String encryptedDek, Map<String, Variable> revision) {
    Map<String, String> secrets = new LinkedHashMap<>();
    Map<String, String> plain = new LinkedHashMap<>();
    revision.forEach(
        (name, variable) -> {
          if (variable.kind() == Variable.Kind.SECRET) {
            secrets.put(name, variable.value());
          } else {
            plain.put(name, variable.value());
          }
        });
    ObjectNode root = JSON.createObjectNode();
    if (secrets.isEmpty() && (encryptedDek == null || encryptedDek.isEmpty())) {
      revision.keySet().stream()
          .sorted()
          .forEach(name -> plain(root, name, revision.get(name).value()));
      return new EncryptedRevision(root.toString(), revision.size(), "");
    }
    int keyVersion = keyVersionOf(encryptedDek);
    CodecClient.EncryptedValues encrypted = codec.encrypt(projectId, encryptedDek, secrets, plain);
    for (String name : revision.keySet().stream().sorted().toList()) {
      Variable variable = revision.get(name);
      if (variable.kind() == Variable.Kind.PLAIN) {
        plain(root, name, variable.value());
      } else {
        String ciphertext = encrypted.encrypted().get(name);
        if (ciphertext == null) {
          throw new IllegalStateException(name + ": the service returned no ciphertext");
        }
        secret(root, name, ciphertext).put("keyVersion", keyVersion);
      }
    }
    return new EncryptedRevision(root.toString(), revision.size(), encrypted.seal());
  }

  /**
   * The KEK version named by a wrapped DEK's {@code dek1:kN:} prefix, parsed here so that clients
   * do not depend on server classes.
   *
   * @throws IllegalArgumentException if the text has no such prefix (for example a legacy DEK,
   *     which must be rewrapped before new values are encrypted under it); the message never shows
   *     the DEK
   */
  public static int keyVersionOf(String encryptedDek) {
    String prefix = "dek1:k";
    if (encryptedDek != null && encryptedDek.startsWith(prefix)) {
      int end = encryptedDek.indexOf(':', prefix.length());
      String digits = end < 0 ? "" : encryptedDek.substring(prefix.length(), end);
      if (!digits.isEmpty()
          && digits.length() <= 9
          && digits.chars().allMatch(c -> c >= '0' && c <= '9')
          && digits.charAt(0) != '0') {
        return Integer.parseInt(digits);
      }
    }
    throw new IllegalArgumentException(
        "encryptedDek: not a wrapped DEK of the form dek1:k<KEK version>:...");
  }

  private static void plain(ObjectNode root, String name, String value) {
    ObjectNode variable = root.putObject(name);
    variable.put("type", "plain");
    variable.put("value", value);
  }

  private static ObjectNode secret(ObjectNode root, String name, String ciphertext) {
    ObjectNode variable = root.putObject(name);
    variable.put("type", "secret");
    variable.put("encrypted", true);
    variable.put("value", ciphertext);
    return variable;
  }

  /**
   * The stored shape of encrypted values (name to ciphertext) as JSON text (an object), without
   * keyVersion.
   */
  public static String secrets(Map<String, String> encrypted) {
    ObjectNode root = JSON.createObjectNode();
    encrypted.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> secret(root, e.getKey(), e.getValue()));
    return root.toString();
  }
}
