package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;
import static dev.codec.server.core.RejectedRequestException.fieldRequired;
import static dev.codec.server.core.RejectedRequestException.limitExceeded;

import java.util.Collection;
import java.util.Iterator;

/**
 * Checks request fields against the {@link Limits}. Every message names the field (and variable) at
 * fault; names are echoed only after sanitising, values never.
 */
final class RequestValidator {
  /** Wrapped DEKs are ~90 characters; anything much longer is not one (and is not parsed). */
  static final int MAX_WRAPPED_DEK_LENGTH = 1024;

  private static final int MAX_ECHOED_NAME = 64;
  private static final int MAX_NAMES_IN_MESSAGE = 10;

  private final Limits limits;
  private final int maxCiphertextLength;

  /** The validator for {@code limits}: ciphertexts may be as long as the largest value's. */
  static RequestValidator of(Limits limits) {
    return new RequestValidator(
        limits,
        dev.codec.server.crypto.EnvelopeCrypto.maxValueCiphertextLength(limits.maxValueBytes()));
  }

  RequestValidator(Limits limits, int maxCiphertextLength) {
    this.limits = limits;
    this.maxCiphertextLength = maxCiphertextLength;
  }

  void projectId(String projectId) throws RejectedRequestException {
    identifier("project_id", projectId, true);
  }

  void deploymentId(String deploymentId) throws RejectedRequestException {
    identifier("deployment_id", deploymentId, false);
  }

  void wrappedDek(String field, String wrappedDek) throws RejectedRequestException {
    if (wrappedDek.isEmpty()) {
      throw fieldRequired(field, null);
    }
    if (wrappedDek.length() > MAX_WRAPPED_DEK_LENGTH) {
      throw new RejectedRequestException(
              RejectedRequestException.Reason.BAD_INPUT,
              ErrorReason.INVALID_WRAPPED_DEK,
              field + ": not a wrapped DEK (longer than " + MAX_WRAPPED_DEK_LENGTH + " characters)")
          .withField(field, "not a wrapped DEK (too long)");
    }
  }

  void entryCount(String field, int count) throws RejectedRequestException {
    if (count > limits.maxEntries()) {
      throw limitExceeded(
          field,
          "codec.limits.max-entries",
          limits.maxEntries(),
          count + " entries, limit is " + limits.maxEntries());
    }
  }

  void name(String field, String name) throws RejectedRequestException {
    if (name.isEmpty()) {
      throw badInput(field, "a variable name is empty");
    }
    if (name.length() > limits.maxNameLength()) {
      throw badInput(
              field + "[" + echo(name) + "]",
              "name longer than " + limits.maxNameLength() + " characters")
          .withMetadata("limit", "codec.limits.max-name-length")
          .withMetadata("max", Integer.toString(limits.maxNameLength()));
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '=' || Character.isISOControl(c)) {
        throw badInput(field + "[" + echo(name) + "]", "name contains '=' or a control character");
      }
    }
  }

  void plaintextSize(String field, String name, int utf8Bytes) throws RejectedRequestException {
    if (utf8Bytes > limits.maxValueBytes()) {
      throw limitExceeded(
          field + "[" + echo(name) + "]",
          "codec.limits.max-value-bytes",
          limits.maxValueBytes(),
          "value is " + utf8Bytes + " bytes, limit is " + limits.maxValueBytes());
    }
  }

  /**
   * Plain values pass through unchanged and are never encoded, so their limit is counted in UTF-16
   * characters (cheap), not UTF-8 bytes: a plain value may take up to 3x the limit in UTF-8.
   */
  void plainSize(String field, String name, String value) throws RejectedRequestException {
    if (value.length() > limits.maxValueBytes()) {
      throw limitExceeded(
          field + "[" + echo(name) + "]",
          "codec.limits.max-value-bytes",
          limits.maxValueBytes(),
          "value is longer than " + limits.maxValueBytes() + " characters");
    }
  }

  void ciphertextSize(String field, String name, String ciphertext)
      throws RejectedRequestException {
    if (ciphertext.length() > maxCiphertextLength) {
      throw limitExceeded(
          field + "[" + echo(name) + "]",
          "codec.limits.max-value-bytes",
          limits.maxValueBytes(),
          "ciphertext is longer than "
              + maxCiphertextLength
              + " characters (plaintext limit "
              + limits.maxValueBytes()
              + " bytes)");
    }
  }

  void ciphertextSize(String field, String ciphertext) throws RejectedRequestException {
    if (ciphertext.length() > maxCiphertextLength) {
      throw limitExceeded(
          field,
          "codec.limits.max-value-bytes",
          limits.maxValueBytes(),
          "ciphertext is longer than "
              + maxCiphertextLength
              + " characters (plaintext limit "
              + limits.maxValueBytes()
              + " bytes)");
    }
  }

  private void identifier(String field, String value, boolean required)
      throws RejectedRequestException {
    if (value.isEmpty()) {
      if (required) {
        throw fieldRequired(field, null);
      }
      return;
    }
    if (value.length() > limits.maxProjectIdLength()) {
      throw badInput(field, "longer than " + limits.maxProjectIdLength() + " characters")
          .withMetadata("limit", "codec.limits.max-project-id-length")
          .withMetadata("max", Integer.toString(limits.maxProjectIdLength()));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        throw badInput(field, "only letters, digits, '.', '_' and '-' are allowed");
      }
    }
  }

  /** "A, B, C" for the first few names (sanitised), then "and N more". */
  static String names(Collection<String> names) {
    StringBuilder out = new StringBuilder();
    Iterator<String> it = names.iterator();
    for (int i = 0; i < MAX_NAMES_IN_MESSAGE && it.hasNext(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(echo(it.next()));
    }
    if (names.size() > MAX_NAMES_IN_MESSAGE) {
      out.append(" and ").append(names.size() - MAX_NAMES_IN_MESSAGE).append(" more");
    }
    return out.toString();
  }

  /** A variable name made safe to put in a message: control characters replaced, length capped. */
  static String echo(String name) {
    StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_ECHOED_NAME + 3));
    for (int i = 0; i < name.length() && i < MAX_ECHOED_NAME; i++) {
      char c = name.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    if (name.length() > MAX_ECHOED_NAME) {
      out.append("...");
    }
    return out.toString();
  }
}
