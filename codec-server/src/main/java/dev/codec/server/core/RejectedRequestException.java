package dev.codec.server.core;

/**
 * A request the service will not carry out, with a reason and a short message safe to send to the
 * caller: it names the field, variable or limit at fault and never contains a value, key or ciphertext.
 * The transport layer maps {@link Reason} to its own status codes in one place.
 */
public final class RejectedRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a request was rejected. */
    public enum Reason {
        /** Malformed, non-authenticating or cross-project input, a missing or unknown field value. */
        BAD_INPUT,
        /** The input names a key this service does not have loaded (e.g. a retired KEK version). */
        KEY_UNAVAILABLE,
        /** A count or size limit was exceeded. */
        LIMIT_EXCEEDED,
        /** The input is in the legacy format while legacy input is disabled (codec.legacy.accept=false). */
        LEGACY_DISABLED,
        /** An "enc1:" value while enc1 input is disabled (codec.formats.accept-enc1=false). */
        ENC1_DISABLED,
        /** No valid deployment grant for this call (see {@link #errorReason()} for which problem). */
        ACCESS_DENIED
    }

    /** Machine-readable reasons ({@link #errorReason()}) other than the grant refusals. */
    public static final String ENC1_INPUT_DISABLED = "ENC1_INPUT_DISABLED";
    public static final String GRANT_MISSING = "GRANT_MISSING";
    public static final String GRANT_OTHER_DEPLOYMENT = "GRANT_OTHER_DEPLOYMENT";
    /** A revision-bound grant with another revision's seal, or without a seal (DecryptAll). */
    public static final String GRANT_OTHER_REVISION = "GRANT_OTHER_REVISION";
    /** A revision-bound grant on DecryptValue or DecryptDek, which cannot show a value belongs to the revision. */
    public static final String GRANT_REVISION_BOUND = "GRANT_REVISION_BOUND";
    /** A grant issued without a seal (every value under its DEK) while codec.seals.required=true. */
    public static final String GRANT_NOT_REVISION_BOUND = "GRANT_NOT_REVISION_BOUND";
    public static final String SEAL_MISSING = "SEAL_MISSING";
    public static final String SEAL_INVALID = "SEAL_INVALID";
    public static final String SEAL_MISMATCH = "SEAL_MISMATCH";

    private final Reason reason;
    private final String errorReason;

    public RejectedRequestException(Reason reason, String message) {
        this(reason, null, message);
    }

    /**
     * @param errorReason a fixed UPPER_SNAKE word a program can act on (sent as google.rpc.ErrorInfo's
     *     reason), or {@code null}
     */
    public RejectedRequestException(Reason reason, String errorReason, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.errorReason = errorReason;
    }

    /** The machine-readable reason (e.g. {@code GRANT_EXPIRED}), or {@code null} for none. */
    public String errorReason() {
        return errorReason;
    }

    public static RejectedRequestException badInput(String message) {
        return new RejectedRequestException(Reason.BAD_INPUT, message);
    }

    public static RejectedRequestException limitExceeded(String message) {
        return new RejectedRequestException(Reason.LIMIT_EXCEEDED, message);
    }

    public Reason reason() {
        return reason;
    }
}
