package dev.codec.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A call to the codec service failed. Carries the gRPC status code and the service's short message
 * (which names the field or variable at fault and never contains values or keys), and the service's
 * machine-readable details (docs/errors.md): the {@link #errorReason() reason} and {@link
 * #errorMetadata() metadata} of its {@code google.rpc.ErrorInfo}, and the {@link #fieldViolations()
 * fields at fault} of its {@code google.rpc.BadRequest}. Programs should act on the reason, not on
 * the message.
 */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is, to decide what to do about it. */
  public enum Category {
    /**
     * The request was wrong (a caller bug or bad data): do not retry. This includes input the
     * service is configured to refuse ({@code LEGACY_INPUT_DISABLED}, {@code ENC1_INPUT_DISABLED},
     * FAILED_PRECONDITION): migrate the data (RotateDek) or change the service's configuration;
     * retrying does not help.
     */
    INVALID_REQUEST,
    /** The caller is not authenticated or not allowed to do this: fix credentials or policy. */
    NOT_ALLOWED,
    /**
     * The service cannot serve this now (unreachable, overloaded, shutting down, deadline, its
     * request budget in use: {@code REQUEST_BUDGET_EXHAUSTED}, {@code HEALTH_WATCH_LIMIT}): retry
     * later.
     */
    UNAVAILABLE,
    /**
     * The data needs a KEK version the answering instance has not loaded ({@code
     * KEK_VERSION_NOT_LOADED}, {@code GRANT_KEK_VERSION_NOT_LOADED}): an operator problem (a
     * retired version, or a new one not yet mounted). Not retried automatically; it may succeed
     * later, once the KEK is loaded (pods re-read their KEK directory every
     * codec.kek.reload-interval), or on another instance during a KEK rotation.
     */
    KEY_UNAVAILABLE,
    /** Anything else (a bug on either side). */
    OTHER
  }

  /** Trailer in which the service returns the id of the call's audit line. */
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("codec-request-id", Metadata.ASCII_STRING_MARSHALLER);

  private final StatusCode code;
  private final String requestId;
  private final String errorReason;
  private final Map<String, String> errorMetadata;
  private final List<FieldViolation> fieldViolations;

  public CodecException(StatusCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  /**
   * @param errorReason the service's machine-readable reason (google.rpc.ErrorInfo), or {@code
   *     null}
   */
  public CodecException(StatusCode code, String message, String errorReason, Throwable cause) {
    this(code, message, errorReason, cause, null, Map.of(), List.of());
  }

  private CodecException(
      StatusCode code,
      String message,
      String errorReason,
      Throwable cause,
      String requestId,
      Map<String, String> errorMetadata,
      List<FieldViolation> fieldViolations) {
    super(
        code
            + (message == null || message.isEmpty() ? "" : ": " + message)
            + (errorReason == null ? "" : " [" + errorReason + "]"),
        cause);
    this.code = code;
    this.errorReason = errorReason;
    this.requestId = requestId;
    this.errorMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(errorMetadata));
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  /**
   * The service's machine-readable reason, e.g. {@code GRANT_EXPIRED}, {@code GRANT_MISSING},
   * {@code ENC1_INPUT_DISABLED}, {@code SEAL_MISMATCH} (the reason of a google.rpc.ErrorInfo detail
   * in the codec.dev domain), or {@code null} if the refusal carries none.
   */
  public String errorReason() {
    return errorReason;
  }

  /**
   * The metadata of the service's ErrorInfo (e.g. {@code kek_version}, {@code field}, {@code
   * limit}, {@code max}, {@code permission}; docs/errors.md), unmodifiable; empty if the refusal
   * carries none.
   */
  public Map<String, String> errorMetadata() {
    return errorMetadata;
  }

  /**
   * The fields at fault (one per variable for per-variable problems, e.g. {@code
   * variables[API_KEY]}; at most 16, the metadata {@code field_violations} then gives the total),
   * unmodifiable; empty if none.
   */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  /**
   * The codec.dev ErrorInfo of the status, or null (none, another domain, or a reason that is not a
   * word).
   */
  private static ErrorInfo errorInfoOf(com.google.rpc.Status details) {
    if (details == null) {
      return null;
    }
    for (Any detail : details.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          if ("codec.dev".equals(info.getDomain()) && info.getReason().matches("[A-Z0-9_]{1,64}")) {
            return info;
          }
        } catch (InvalidProtocolBufferException ignored) {
          return null;
        }
      }
    }
    return null;
  }

  /** The codec.dev ErrorInfo reason of a google.rpc.Status (a RewrapDek item's error), or null. */
  static String errorReasonOf(com.google.rpc.Status status) {
    ErrorInfo info = errorInfoOf(status);
    return info == null ? null : info.getReason();
  }

  private static List<FieldViolation> violationsOf(com.google.rpc.Status details) {
    if (details == null) {
      return List.of();
    }
    List<FieldViolation> violations = new ArrayList<>();
    for (Any detail : details.getDetailsList()) {
      if (detail.is(BadRequest.class)) {
        try {
          detail
              .unpack(BadRequest.class)
              .getFieldViolationsList()
              .forEach(v -> violations.add(new FieldViolation(v.getField(), v.getDescription())));
        } catch (InvalidProtocolBufferException ignored) {
          return List.of();
        }
      }
    }
    return violations;
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
      String detail =
          root.getClass().getSimpleName()
              + (root.getMessage() == null ? "" : ": " + root.getMessage());
      message = (message == null ? "" : message + " ") + "(" + abbreviate(detail, 200) + ")";
    }
    Metadata trailers = e.getTrailers();
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    ErrorInfo info = errorInfoOf(details);
    return new CodecException(
        StatusCode.of(status.getCode().value()),
        message,
        info == null ? null : info.getReason(),
        e,
        trailers == null ? null : trailers.get(REQUEST_ID),
        info == null ? Map.of() : info.getMetadataMap(),
        violationsOf(details));
  }

  /**
   * The id the service gave this call (its audit line's {@code request_id}), to quote when asking
   * an operator about it; {@code null} when the call never reached the service.
   */
  public String requestId() {
    return requestId;
  }

  private static String abbreviate(String text, int max) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
  }

  /** The status code of the failed call (the gRPC status code, as this client's own type). */
  public StatusCode code() {
    return code;
  }

  /**
   * What kind of failure this is. By the status code, except where one code has causes that call
   * for different actions, told apart by the {@link #errorReason()}: FAILED_PRECONDITION is {@link
   * Category#KEY_UNAVAILABLE} for {@code KEK_VERSION_NOT_LOADED} but {@link
   * Category#INVALID_REQUEST} for {@code LEGACY_INPUT_DISABLED} and {@code ENC1_INPUT_DISABLED};
   * RESOURCE_EXHAUSTED is {@link Category#UNAVAILABLE} for the service's request budget ({@code
   * REQUEST_BUDGET_EXHAUSTED}, {@code HEALTH_WATCH_LIMIT}) but {@link Category#INVALID_REQUEST} for
   * a size or count limit; PERMISSION_DENIED with {@code GRANT_KEK_VERSION_NOT_LOADED} is {@link
   * Category#KEY_UNAVAILABLE}.
   */
  public Category category() {
    if (errorReason != null) {
      switch (errorReason) {
        case "KEK_VERSION_NOT_LOADED", "GRANT_KEK_VERSION_NOT_LOADED" -> {
          return Category.KEY_UNAVAILABLE;
        }
        case "LEGACY_INPUT_DISABLED", "ENC1_INPUT_DISABLED" -> {
          return Category.INVALID_REQUEST;
        }
        case "REQUEST_BUDGET_EXHAUSTED", "HEALTH_WATCH_LIMIT", "REQUEST_RECEIVE_TIMEOUT" -> {
          return Category.UNAVAILABLE;
        }
        default -> {}
      }
    }
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, RESOURCE_EXHAUSTED, ALREADY_EXISTS, NOT_FOUND ->
          Category.INVALID_REQUEST;
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
