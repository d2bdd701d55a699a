package dev.codec.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.codec.server.core.RejectedRequestException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses.
 *
 * <ul>
 *   <li>{@code BAD_INPUT} -> {@code INVALID_ARGUMENT}</li>
 *   <li>{@code KEY_UNAVAILABLE} -> {@code FAILED_PRECONDITION}</li>
 *   <li>{@code LIMIT_EXCEEDED} -> {@code RESOURCE_EXHAUSTED}</li>
 *   <li>{@code LEGACY_DISABLED} -> {@code FAILED_PRECONDITION}</li>
 *   <li>{@code ENC1_DISABLED} -> {@code FAILED_PRECONDITION}</li>
 *   <li>{@code ACCESS_DENIED} (no valid deployment grant) -> {@code PERMISSION_DENIED}</li>
 *   <li>anything unexpected -> {@code INTERNAL} with a fixed message (details only in the server log)</li>
 * </ul>
 * A refusal with a machine-readable reason ({@link RejectedRequestException#errorReason()}, e.g.
 * {@code GRANT_EXPIRED}) also carries a {@code google.rpc.ErrorInfo} detail with that reason and the
 * domain {@value #ERROR_DOMAIN} (grpc-protobuf's {@link StatusProto}, in the {@code grpc-status-details-bin}
 * trailer).
 */
public final class StatusMapping {
    /** The ErrorInfo domain of the codec's machine-readable reasons. */
    public static final String ERROR_DOMAIN = "codec.dev";

    private static final Logger LOG = LoggerFactory.getLogger(StatusMapping.class);

    private StatusMapping() {}

    public static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof RejectedRequestException rejected) {
            if (rejected.errorReason() == null) {
                return statusOf(rejected.reason()).withDescription(rejected.getMessage()).asRuntimeException();
            }
            return StatusProto.toStatusRuntimeException(toStatusProto(rejected));
        }
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        // A bug, not client input: log the type and stack (no request data is in them), answer blandly.
        LOG.error("Unexpected failure while serving a call", failure);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }

    /** A refusal as a {@code google.rpc.Status} (the whole call's status, or one RewrapDek item's). */
    public static com.google.rpc.Status toStatusProto(RejectedRequestException rejected) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(statusOf(rejected.reason()).getCode().value())
                .setMessage(rejected.getMessage());
        if (rejected.errorReason() != null) {
            status.addDetails(Any.pack(ErrorInfo.newBuilder()
                    .setReason(rejected.errorReason())
                    .setDomain(ERROR_DOMAIN)
                    .build()));
        }
        return status.build();
    }

    static Status statusOf(RejectedRequestException.Reason reason) {
        return switch (reason) {
            case BAD_INPUT -> Status.INVALID_ARGUMENT;
            case KEY_UNAVAILABLE -> Status.FAILED_PRECONDITION;
            case LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            case LEGACY_DISABLED -> Status.FAILED_PRECONDITION;
            case ENC1_DISABLED -> Status.FAILED_PRECONDITION;
            case ACCESS_DENIED -> Status.PERMISSION_DENIED;
        };
    }
}
