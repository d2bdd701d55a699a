package dev.codec.server.auth;

import dev.codec.server.core.ErrorReason;
import io.grpc.Status;
import java.util.Locale;

/**
 * Why the auth interceptor refused a call: the one list that gives the status code and ErrorInfo
 * reason sent to the caller, the {@code refusal} of the audit's refused-call summaries and the
 * {@code reason} label of {@code codec_auth_failures_total}. Labels are these fixed words only, so
 * no caller-supplied text (a token, a project id) can ever become a label.
 */
public enum RefusalReason {
  /** No bearer token and no client certificate. */
  MISSING_CREDENTIALS(
      Status.Code.UNAUTHENTICATED,
      ErrorReason.MISSING_CREDENTIALS,
      "send 'authorization: Bearer <token>' or a client certificate"),
  /** An authorization header that is not {@code Bearer <token>}. */
  MALFORMED_HEADER(
      Status.Code.UNAUTHENTICATED,
      ErrorReason.MALFORMED_CREDENTIALS,
      "the authorization header must be 'Bearer <token>'"),
  /** A token no configured caller has. */
  UNKNOWN_TOKEN(Status.Code.UNAUTHENTICATED, ErrorReason.UNKNOWN_TOKEN, "the token is not known"),
  /** A verified client certificate that names no configured caller. */
  UNKNOWN_CERTIFICATE(
      Status.Code.UNAUTHENTICATED,
      ErrorReason.UNKNOWN_CERTIFICATE,
      "the client certificate names no configured caller"),
  /** A client certificate whose names map to more than one caller. */
  AMBIGUOUS_CERTIFICATE(
      Status.Code.UNAUTHENTICATED,
      ErrorReason.AMBIGUOUS_CERTIFICATE,
      "the client certificate names more than one caller"),
  /** A known caller without the RPC's permission (the message names caller and permission). */
  PERMISSION_DENIED(
      Status.Code.PERMISSION_DENIED, ErrorReason.PERMISSION_MISSING, "permission missing"),
  /** An RPC the codec does not know (no entry in {@link MethodPermissions}). */
  UNKNOWN_METHOD(
      Status.Code.PERMISSION_DENIED, ErrorReason.METHOD_NOT_ALLOWED, "method not allowed");

  private final Status.Code code;
  private final ErrorReason error;
  private final String message;

  RefusalReason(Status.Code code, ErrorReason error, String message) {
    this.code = code;
    this.error = error;
    this.message = message;
  }

  /** The status code sent to the caller. */
  public Status.Code code() {
    return code;
  }

  /** The ErrorInfo reason sent to the caller. */
  public ErrorReason error() {
    return error;
  }

  /** The message sent to the caller, where the refusal does not build a more precise one. */
  public String message() {
    return message;
  }

  /** The audit refusal and metric label: the name in lower case, e.g. {@code unknown_token}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
