package dev.codec.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * A call to the codec service failed. Carries the gRPC status code and the service's short message
 * (which names the field or variable at fault and never contains values or keys).
 */
public class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is, to decide what to do about it. */
    public enum Category {
        /** The request was wrong (a caller bug or bad data): do not retry. */
        INVALID_REQUEST,
        /** The caller is not authenticated or not allowed to do this: fix credentials or policy. */
        NOT_ALLOWED,
        /** The service cannot serve this now (unreachable, overloaded, shutting down, deadline): retry later. */
        UNAVAILABLE,
        /**
         * The data needs a key the service has not loaded (e.g. a retired KEK version), or is in the
         * legacy format while the service does not accept legacy input (FAILED_PRECONDITION).
         */
        KEY_UNAVAILABLE,
        /** Anything else (a bug on either side). */
        OTHER
    }

    /** Trailer in which the service returns the id of the call's audit line. */
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("codec-request-id", Metadata.ASCII_STRING_MARSHALLER);

    private final Status.Code code;
    private final String requestId;
    private final String errorReason;

    public CodecException(Status.Code code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    /**
     * @param errorReason the service's machine-readable reason (google.rpc.ErrorInfo), or {@code null}
     */
    public CodecException(Status.Code code, String message, String errorReason, Throwable cause) {
        this(code, message, errorReason, cause, null);
    }

    private CodecException(Status.Code code, String message, String errorReason, Throwable cause, String requestId) {
        super(code + (message == null || message.isEmpty() ? "" : ": " + message)
                + (errorReason == null ? "" : " [" + errorReason + "]"), cause);
        this.code = code;
        this.errorReason = errorReason;
        this.requestId = requestId;
    }
    /**
     * The service's machine-readable reason, e.g. {@code GRANT_EXPIRED}, {@code GRANT_MISSING},
     * {@code ENC1_INPUT_DISABLED}, {@code SEAL_MISMATCH} (the reason of a google.rpc.ErrorInfo detail in
     * the codec.dev domain), or {@code null} if the refusal carries none.
     */
    public String errorReason() {
        return errorReason;
    }

    private static String errorReasonOf(StatusRuntimeException e) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details == null) {
            return null;
        }
        for (Any detail : details.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    ErrorInfo info = detail.unpack(ErrorInfo.class);
                    if ("codec.dev".equals(info.getDomain()) && info.getReason().matches("[A-Z0-9_]{1,64}")) {
                        return info.getReason();
                    }
                } catch (InvalidProtocolBufferException ignored) {
                    return null;
                }
            }
        }
        return null;
    }

    static CodecException from(StatusRuntimeException e) {
        Status status = e.getStatus();
        String message = status.getDescription();
        Throwable cause = status.getCause() != null ? status.getCause() : e.getCause();
        if (status.getCode() == Status.Code.UNAVAILABLE && cause != null) {
            // local transport failures ("io exception") say little; name the root cause, e.g. a TLS
            // handshake or connection failure (these messages come from the local network stack)
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String detail = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
            message = (message == null ? "" : message + " ") + "(" + abbreviate(detail, 200) + ")";
        }
        Metadata trailers = e.getTrailers();
        return new CodecException(status.getCode(), message, errorReasonOf(e), e,
                trailers == null ? null : trailers.get(REQUEST_ID));
    }

    /**
     * The id the service gave this call (its audit line's {@code request_id}), to quote when asking an
     * operator about it; {@code null} when the call never reached the service.
     */
    public String requestId() {
        return requestId;
    }

    private static String abbreviate(String text, int max) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }

    /** The gRPC status code of the failed call. */
    public Status.Code code() {
        return code;
    }

    public Category category() {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED, ALREADY_EXISTS, NOT_FOUND -> Category.INVALID_REQUEST;
            case UNAUTHENTICATED, PERMISSION_DENIED -> Category.NOT_ALLOWED;
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, CANCELLED -> Category.UNAVAILABLE;
            case FAILED_PRECONDITION -> Category.KEY_UNAVAILABLE;
            default -> Category.OTHER;
        };
    }

    /** Whether trying the same call again later may succeed. */
    public boolean isRetryable() {
        return category() == Category.UNAVAILABLE;
    }
}
