package dev.codec.server.auth;

import java.util.Locale;

/**
 * What a caller may do. Configured per caller as {@code codec.auth.callers.<name>.permissions}.
 *
 * <ul>
 *   <li>{@code encrypt}: GenerateDek, Encrypt (the control API).
 *   <li>{@code decrypt}: DecryptAll, and DecryptValue with a wrapped DEK (runners). Plaintext
 *       values leave the service, but keys never do.
 *   <li>{@code export-dek}: DecryptDek, and DecryptValue with a plaintext DEK. The project's DEK
 *       leaves the service and stays valid until the project's DEK is rotated, so nobody has this
 *       unless it is configured for them explicitly.
 *   <li>{@code rotate}: key lifecycle RPCs (RewrapDek, RotateDek, Status): migration jobs and
 *       operators.
 *   <li>{@code grant}: IssueGrant, deployment grants for runners (the control API, when it creates
 *       a deployment). A grant plus a {@code decrypt} token opens one deployment's values.
 * </ul>
 */
public enum Permission {
  ENCRYPT("encrypt"),
  DECRYPT("decrypt"),
  EXPORT_DEK("export-dek"),
  ROTATE("rotate"),
  GRANT("grant");

  private final String configName;

  Permission(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration and messages, e.g. {@code export-dek}. */
  public String configName() {
    return configName;
  }

  /**
   * Parses a configured permission name.
   *
   * @throws IllegalArgumentException naming the unknown permission and the known ones
   */
  public static Permission fromConfigName(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Permission permission : values()) {
      if (permission.configName.equals(normalized)) {
        return permission;
      }
    }
    throw new IllegalArgumentException(
        "unknown permission '" + name + "' (known: encrypt, decrypt, export-dek, rotate, grant)");
  }

  @Override
  public String toString() {
    return configName;
  }
}
