package dev.codec.server.crypto;

/**
 * A deployment grant that does not allow the call, with a {@link Reason} a program can act on and a
 * short message that never contains the grant, a key or a value.
 */
public final class GrantRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a grant was refused. The names are the machine-readable reasons sent to callers. */
  public enum Reason {
    /** Malformed, altered, or not authenticated by the named KEK version's grant key. */
    GRANT_INVALID,
    /**
     * The grant names a KEK version that is not loaded (retired, or from another deployment of the
     * codec).
     */
    GRANT_KEK_VERSION_NOT_LOADED,
    /** Past its expiry (plus the allowed clock skew). */
    GRANT_EXPIRED,
    /** Before its not-before time (minus the allowed clock skew). */
    GRANT_NOT_YET_VALID,
    /** Issued for another project. */
    GRANT_OTHER_PROJECT,
    /** Issued for another wrapped DEK of the project (for example before a DEK rotation). */
    GRANT_OTHER_DEK
  }

  private final Reason reason;

  public GrantRefusedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
