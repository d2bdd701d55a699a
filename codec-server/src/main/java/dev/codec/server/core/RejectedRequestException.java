package dev.codec.server.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the service will not carry out, with a reason and a short message safe to send to the
 * caller: it names the field, variable or limit at fault and never contains a value, key or
 * ciphertext. Besides the coarse {@link Reason} (which the transport maps to a status code in one
 * place) it carries a machine-readable {@link ErrorReason} (always), metadata (e.g. {@code
 * kek_version}, {@code limit}, {@code field}) and the fields at fault ({@link FieldViolation}); the
 * transport sends them as google.rpc ErrorInfo and BadRequest details.
 */
public final class RejectedRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * At most this many field violations are attached (names up to 256 characters each: the status
   * travels in an HTTP/2 trailer, which clients cap at 8 KiB); the metadata {@code
   * field_violations} then says how many there were. The message names the first few anyway.
   */
  public static final int MAX_VIOLATIONS = 16;

  /** Why a request was rejected (the status code family). */
  public enum Reason {
    /** Malformed, non-authenticating or cross-project input, a missing or unknown field value. */
    BAD_INPUT,
    /** The input names a key this service does not have loaded (e.g. a retired KEK version). */
    KEY_UNAVAILABLE,
    /** A count or size limit was exceeded. */
    LIMIT_EXCEEDED,
    /**
     * The input is in the legacy format while legacy input is disabled (codec.legacy.accept=false).
     */
    LEGACY_DISABLED,
    /** An "enc1:" value while enc1 input is disabled (codec.formats.accept-enc1=false). */
    ENC1_DISABLED,
    /** No valid deployment grant for this call (see {@link #errorReason()} for which problem). */
    ACCESS_DENIED
  }

  private final Reason reason;
  private final ErrorReason error;
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final List<FieldViolation> violations = new ArrayList<>();

  public RejectedRequestException(Reason reason, ErrorReason error, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.error = error;
  }

  /**
   * {@code BAD_INPUT} / {@code FIELD_INVALID} for {@code field}: the message is "field: detail".
   */
  public static RejectedRequestException badInput(String field, String detail) {
    return new RejectedRequestException(
            Reason.BAD_INPUT, ErrorReason.FIELD_INVALID, field + ": " + detail)
        .withField(field, detail);
  }

  /** {@code BAD_INPUT} / {@code FIELD_REQUIRED}: "field: required" (plus an optional hint). */
  public static RejectedRequestException fieldRequired(String field, String hint) {
    String detail = hint == null ? "required" : "required" + hint;
    return new RejectedRequestException(
            Reason.BAD_INPUT, ErrorReason.FIELD_REQUIRED, field + ": " + detail)
        .withField(field, detail);
  }

  /**
   * {@code LIMIT_EXCEEDED}: "field: detail"; {@code limit} names the setting, {@code max} its
   * value.
   */
  public static RejectedRequestException limitExceeded(
      String field, String limit, long max, String detail) {
    return new RejectedRequestException(
            Reason.LIMIT_EXCEEDED, ErrorReason.LIMIT_EXCEEDED, field + ": " + detail)
        .withField(field, detail)
        .withMetadata("limit", limit)
        .withMetadata("max", Long.toString(max));
  }

  /** Adds an ErrorInfo metadata entry (no value, key or ciphertext). */
  public RejectedRequestException withMetadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** The one field at fault: metadata {@code field} and one field violation. */
  public RejectedRequestException withField(String field, String description) {
    metadata.putIfAbsent("field", field);
    return withViolation(field, description);
  }

  public RejectedRequestException withViolation(String field, String description) {
    if (violations.size() < MAX_VIOLATIONS) {
      violations.add(new FieldViolation(field, description));
    }
    return this;
  }

  /**
   * One violation {@code field[NAME]} per variable name (sanitised, at most {@link
   * #MAX_VIOLATIONS}).
   */
  public RejectedRequestException withVariables(
      String field, Collection<String> names, String description) {
    for (String name : names) {
      withViolation(field + "[" + RequestValidator.echo(name) + "]", description);
    }
    if (names.size() > MAX_VIOLATIONS) {
      metadata.put("field_violations", Integer.toString(names.size()));
    }
    return this;
  }

  public Reason reason() {
    return reason;
  }

  /** The machine-readable reason; never null. */
  public ErrorReason error() {
    return error;
  }

  /** The machine-readable reason's name (e.g. {@code GRANT_EXPIRED}). */
  public String errorReason() {
    return error.name();
  }

  /** ErrorInfo metadata, in insertion order; unmodifiable. */
  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /** The fields at fault, unmodifiable; empty when the refusal is not about particular fields. */
  public List<FieldViolation> violations() {
    return Collections.unmodifiableList(violations);
  }
}
