package dev.codec.server.core;

import dev.codec.server.crypto.UnknownKekVersionException;
import java.util.List;

/**
 * The refusals of input that does not decrypt or unwrap, written once for every service of this
 * package (the transport maps them to status codes in {@code grpc/StatusMapping}). Messages name
 * the field and never the value.
 */
final class Refusals {
  private static final String INVALID_DEK =
      "invalid (malformed, tampered with, or wrapped for another project)";
  private static final String INVALID_VALUE =
      "cannot be decrypted (malformed, tampered with, from another project or under another DEK)";

  private Refusals() {}

  /** A value that does not decrypt (INVALID_CIPHERTEXT), naming the field. */
  static RejectedRequestException invalidValue(String field) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.INVALID_CIPHERTEXT,
            field + ": " + INVALID_VALUE)
        .withField(field, "cannot be decrypted");
  }

  /** Values that do not decrypt (INVALID_CIPHERTEXT), naming every variable (sorted). */
  static RejectedRequestException invalidValues(String field, List<String> names) {
    names.sort(null);
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.INVALID_CIPHERTEXT,
            field + "[" + RequestValidator.names(names) + "]: " + INVALID_VALUE)
        .withMetadata("field", field)
        .withVariables(field, names, "cannot be decrypted");
  }

  /** A wrapped DEK that does not unwrap for the project (INVALID_WRAPPED_DEK). */
  static RejectedRequestException invalidDek(String field) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.INVALID_WRAPPED_DEK,
            field + ": " + INVALID_DEK)
        .withField(field, "invalid wrapped DEK");
  }

  /** A wrapped DEK under a KEK version that is not loaded (KEY_UNAVAILABLE). */
  static RejectedRequestException keyUnavailable(String field, UnknownKekVersionException e) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.KEY_UNAVAILABLE,
            ErrorReason.KEK_VERSION_NOT_LOADED,
            field + ": wrapped under KEK version " + e.version() + ", which is not loaded")
        .withField(field, "KEK version not loaded")
        .withMetadata("kek_version", Integer.toString(e.version()));
  }
}
