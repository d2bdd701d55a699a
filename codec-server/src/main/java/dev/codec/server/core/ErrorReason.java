package dev.codec.server.core;

/**
 * Every machine-readable refusal reason the service sends: the {@code reason} of the {@code
 * google.rpc.ErrorInfo} detail (domain {@code codec.dev}) of every non-OK status. The one list of
 * reason names (docs/errors.md has the table: status code, meaning, metadata, retryable;
 * ErrorsDocTest keeps it complete). Names are part of the contract: never rename one, only add.
 */
public enum ErrorReason {
  // ---- request data (INVALID_ARGUMENT unless noted) ----
  /** A required field is empty. Metadata {@code field}. */
  FIELD_REQUIRED,
  /**
   * A field's value is malformed or not allowed (characters, length, kind, a variable name).
   * Metadata {@code field}.
   */
  FIELD_INVALID,
  /**
   * A value cannot be decrypted (malformed, tampered with, another project, DEK or name).
   * BadRequest per variable.
   */
  INVALID_CIPHERTEXT,
  /** A wrapped DEK is malformed, tampered with or another project's. Metadata {@code field}. */
  INVALID_WRAPPED_DEK,
  /** The request could not be parsed (not the RPC's message, bad gzip). */
  MALFORMED_REQUEST,
  /**
   * A count or size limit (RESOURCE_EXHAUSTED). Metadata {@code field}, {@code limit} (the
   * setting), {@code max}.
   */
  LIMIT_EXCEEDED,
  /**
   * FAILED_PRECONDITION: a wrapped DEK (or grant) names a KEK version this instance has not loaded.
   * Metadata {@code kek_version}.
   */
  KEK_VERSION_NOT_LOADED,
  /** FAILED_PRECONDITION: legacy input while codec.legacy.accept=false. BadRequest per variable. */
  LEGACY_INPUT_DISABLED,
  /**
   * FAILED_PRECONDITION: an enc1 value while codec.formats.accept-enc1=false. BadRequest per
   * variable.
   */
  ENC1_INPUT_DISABLED,
  /** DecryptAll without a seal while codec.seals.required=true. */
  SEAL_MISSING,
  /** The seal is not a seal. */
  SEAL_INVALID,
  /**
   * The variables or values differ from the sealed revision. BadRequest per variable when names are
   * known.
   */
  SEAL_MISMATCH,

  // ---- deployment grants (PERMISSION_DENIED; the names of crypto.GrantRefusedException.Reason,
  // plus two) ----
  GRANT_MISSING,
  GRANT_INVALID,
  GRANT_EXPIRED,
  GRANT_NOT_YET_VALID,
  GRANT_OTHER_PROJECT,
  GRANT_OTHER_DEK,
  GRANT_OTHER_DEPLOYMENT,
  GRANT_KEK_VERSION_NOT_LOADED,
  /** A revision-bound grant used with another revision's seal, or without a seal (DecryptAll). */
  GRANT_OTHER_REVISION,
  /**
   * A revision-bound grant on DecryptValue or DecryptDek, which cannot show that a value belongs to
   * the revision.
   */
  GRANT_REVISION_BOUND,
  /** A grant issued without a seal (every value under its DEK) while codec.seals.required=true. */
  GRANT_NOT_REVISION_BOUND,

  // ---- authentication and permissions (the auth interceptor) ----
  /** UNAUTHENTICATED: neither a bearer token nor a client certificate. */
  MISSING_CREDENTIALS,
  /** UNAUTHENTICATED: the authorization header is not {@code Bearer <token>}. */
  MALFORMED_CREDENTIALS,
  /** UNAUTHENTICATED: the token is not configured. */
  UNKNOWN_TOKEN,
  /** UNAUTHENTICATED: the client certificate names no configured caller. */
  UNKNOWN_CERTIFICATE,
  /** UNAUTHENTICATED: the client certificate names more than one caller. */
  AMBIGUOUS_CERTIFICATE,
  /**
   * PERMISSION_DENIED: the caller lacks the RPC's permission. Metadata {@code permission}, {@code
   * caller}.
   */
  PERMISSION_MISSING,
  /** PERMISSION_DENIED: a method the service does not know. */
  METHOD_NOT_ALLOWED,

  // ---- transport budgets (docs/limits.md) ----
  /**
   * RESOURCE_EXHAUSTED: the request-bytes budget (per server or per peer) is in use; retry later.
   * Metadata {@code limit}.
   */
  REQUEST_BUDGET_EXHAUSTED,
  /**
   * DEADLINE_EXCEEDED: the request did not arrive in full within
   * codec.transport.request-receive-timeout.
   */
  REQUEST_RECEIVE_TIMEOUT,
  /** RESOURCE_EXHAUSTED: too many open Health/Watch streams. Metadata {@code limit}. */
  HEALTH_WATCH_LIMIT,

  /** INTERNAL: a bug (details only in the server log). */
  INTERNAL_ERROR;

  /** The reason of a grant refusal from the crypto core (the same name). */
  public static ErrorReason ofGrantRefusal(String grantRefusalName) {
    return valueOf(grantRefusalName);
  }
}
