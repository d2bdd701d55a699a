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
        LEGACY_DISABLED
    }

    private final Reason reason;

    public RejectedRequestException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
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
