package dev.codec.server.grpc;

import dev.codec.server.core.RejectedRequestException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
 *   <li>anything unexpected -> {@code INTERNAL} with a fixed message (details only in the server log)</li>
 * </ul>
 */
public final class StatusMapping {
    private static final Logger LOG = LoggerFactory.getLogger(StatusMapping.class);

    private StatusMapping() {}

    public static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof RejectedRequestException rejected) {
            return statusOf(rejected.reason()).withDescription(rejected.getMessage()).asRuntimeException();
        }
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        // A bug, not client input: log the type and stack (no request data is in them), answer blandly.
        LOG.error("Unexpected failure while serving a call", failure);
        return Status.INTERNAL.withDescription("internal error").asRuntimeException();
    }

    static Status statusOf(RejectedRequestException.Reason reason) {
        return switch (reason) {
            case BAD_INPUT -> Status.INVALID_ARGUMENT;
            case KEY_UNAVAILABLE -> Status.FAILED_PRECONDITION;
            case LIMIT_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
            case LEGACY_DISABLED -> Status.FAILED_PRECONDITION;
        };
    }
}
