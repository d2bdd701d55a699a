package dev.codec.client;

/**
 * The status code of a failed call, as the service (or the local transport) reported it: the
 * canonical gRPC status codes, in their numeric order, as a type of this client so that its public
 * API does not expose grpc-java's. {@link CodecException#category()} says what to do about one; the
 * codes and the reasons the service sends with them are listed in docs/errors.md.
 */
public enum StatusCode {
  OK,
  CANCELLED,
  UNKNOWN,
  INVALID_ARGUMENT,
  DEADLINE_EXCEEDED,
  NOT_FOUND,
  ALREADY_EXISTS,
  PERMISSION_DENIED,
  RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION,
  ABORTED,
  OUT_OF_RANGE,
  UNIMPLEMENTED,
  INTERNAL,
  UNAVAILABLE,
  DATA_LOSS,
  UNAUTHENTICATED;

  private static final StatusCode[] BY_VALUE = values();

  /** The code's number on the wire (gRPC's {@code grpc-status}, google.rpc.Code). */
  public int value() {
    return ordinal();
  }

  /** The code of a wire number; {@link #UNKNOWN} for a number that is not a code (as gRPC does). */
  public static StatusCode of(int value) {
    return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
  }
}
