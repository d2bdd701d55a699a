package dev.codec.client;

/**
 * The status code of a failed call, as the service (or the local transport) reported it: the
 * canonical gRPC status codes, in their numeric order, as a type of this client so that its public
 * API does not expose grpc-java's. {@link CodecException#category()} says what to do about one; the
 * codes and the reasons the service sends with them are listed in docs/errors.md.
 */
public enum StatusCode {
  OK(0),
  CANCELLED(1),
  UNKNOWN(2),
  INVALID_ARGUMENT(3),
  DEADLINE_EXCEEDED(4),
  NOT_FOUND(5),
  ALREADY_EXISTS(6),
  PERMISSION_DENIED(7),
  RESOURCE_EXHAUSTED(8),
  FAILED_PRECONDITION(9),
  ABORTED(10),
  OUT_OF_RANGE(11),
  UNIMPLEMENTED(12),
  INTERNAL(13),
  UNAVAILABLE(14),
  DATA_LOSS(15),
  UNAUTHENTICATED(16);

  private static final StatusCode[] BY_VALUE = byValue();

  private final int value;

  StatusCode(int value) {
    this.value = value;
  }

  /** The code's number on the wire (gRPC's {@code grpc-status}, google.rpc.Code). */
  public int value() {
    return value;
  }

  /** The code of a wire number; {@link #UNKNOWN} for a number that is not a code (as gRPC does). */
  public static StatusCode of(int value) {
    return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
  }

  private static StatusCode[] byValue() {
    StatusCode[] byValue = new StatusCode[values().length];
    for (StatusCode code : values()) {
      byValue[code.value] = code;
    }
    return byValue;
  }
}
