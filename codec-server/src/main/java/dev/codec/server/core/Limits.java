package dev.codec.server.core;

/**
 * Input limits of the service.
 *
 * @param maxProjectIdLength longest project_id (and deployment_id), in characters of [A-Za-z0-9._-]
 * @param maxEntries most values (Encrypt) or variables (DecryptAll) in one call
 * @param maxValueBytes largest plaintext value in UTF-8 bytes (ciphertexts accordingly)
 * @param maxNameLength longest variable name, in characters
 */
public record Limits(int maxProjectIdLength, int maxEntries, int maxValueBytes, int maxNameLength) {
  public static final Limits DEFAULTS = new Limits(128, 10_000, 65_536, 256);

  public Limits {
    if (maxProjectIdLength < 1 || maxEntries < 1 || maxValueBytes < 1 || maxNameLength < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
