package dev.codec.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.codec.server.core.ErrorReason;
import dev.codec.server.core.FieldViolation;
import dev.codec.server.core.RejectedRequestException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses.
 *
 * <ul>
 *   <li>{@code BAD_INPUT} -> {@code INVALID_ARGUMENT}
 *   <li>{@code KEY_UNAVAILABLE} -> {@code FAILED_PRECONDITION}
 *   <li>{@code LIMIT_EXCEEDED} -> {@code RESOURCE_EXHAUSTED}
 *   <li>{@code LEGACY_DISABLED} -> {@code FAILED_PRECONDITION}
 *   <li>{@code ENC1_DISABLED} -> {@code FAILED_PRECONDITION}
 *   <li>{@code ACCESS_DENIED} (no valid deployment grant) -> {@code PERMISSION_DENIED}
 *   <li>anything unexpected -> {@code INTERNAL} with a fixed message (details only in the server
 *       log)
 * </ul>
 *
 * Every status it makes carries a {@code google.rpc.ErrorInfo} detail (domain {@value
 * #ERROR_DOMAIN}, the {@link ErrorReason} and its metadata) and, when the refusal names fields or
 * variables, a {@code google.rpc.BadRequest} with one field violation each (never a value), through
 * grpc-protobuf's {@link StatusProto} (the {@code grpc-status-details-bin} trailer). The
 * interceptors' refusals (authentication, permissions, transport budgets) are made here too ({@link
 * #refusal}), so docs/errors.md has one table.
 */
public final class StatusMapping {
  /** The ErrorInfo domain of the codec's machine-readable reasons. */
  public static final String ERROR_DOMAIN = "codec.dev";

  private static final Logger LOG = LoggerFactory.getLogger(StatusMapping.class);

  private StatusMapping() {}

  public static StatusRuntimeException toStatus(Throwable failure) {
    if (failure instanceof RejectedRequestException rejected) {
      return StatusProto.toStatusRuntimeException(toStatusProto(rejected));
    }
    if (failure instanceof StatusRuntimeException status) {
      return status;
    }
    // A bug, not client input: log the type and stack (no request data is in them), answer blandly.
    LOG.error("Unexpected failure while serving a call", failure);
    return refusal(Status.Code.INTERNAL, ErrorReason.INTERNAL_ERROR, "internal error", Map.of());
  }

  /**
   * A refusal as a {@code google.rpc.Status} (the whole call's status, or one RewrapDek item's).
   */
  public static com.google.rpc.Status toStatusProto(RejectedRequestException rejected) {
    return statusProto(
        statusOf(rejected.reason()).getCode(),
        rejected.error(),
        rejected.getMessage(),
        rejected.metadata(),
        rejected.violations());
  }

  /**
   * A refusal made outside the service (an interceptor, a transport budget): the status with its
   * details in the trailers. Close the call with {@code e.getStatus()} and {@code e.getTrailers()}.
   */
  public static StatusRuntimeException refusal(
      Status.Code code, ErrorReason reason, String message, Map<String, String> metadata) {
    return StatusProto.toStatusRuntimeException(
        statusProto(code, reason, message, metadata, List.of()));
  }

  /** The trailers of {@link #refusal} (for {@code ServerCall.close(status, trailers)}). */
  public static Metadata trailers(StatusRuntimeException refusal) {
    Metadata trailers = refusal.getTrailers();
    return trailers == null ? new Metadata() : trailers;
  }

  private static com.google.rpc.Status statusProto(
      Status.Code code,
      ErrorReason reason,
      String message,
      Map<String, String> metadata,
      List<FieldViolation> violations) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason(reason.name())
                        .setDomain(ERROR_DOMAIN)
                        .putAllMetadata(metadata)
                        .build()));
    if (!violations.isEmpty()) {
      BadRequest.Builder badRequest = BadRequest.newBuilder();
      for (FieldViolation violation : violations) {
        badRequest.addFieldViolations(
            BadRequest.FieldViolation.newBuilder()
                .setField(violation.field())
                .setDescription(violation.description()));
      }
      status.addDetails(Any.pack(badRequest.build()));
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
