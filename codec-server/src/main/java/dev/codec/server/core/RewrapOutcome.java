package dev.codec.server.core;

/**
 * The outcome of re-wrapping one DEK: exactly one of {@code rewrapped} and {@code error} is
 * non-null.
 *
 * @param rewrapped the same DEK wrapped under the active KEK
 * @param error why this item was refused (its message is safe to return)
 */
public record RewrapOutcome(WrappedDek rewrapped, RejectedRequestException error) {
  static RewrapOutcome success(WrappedDek rewrapped) {
    return new RewrapOutcome(rewrapped, null);
  }

  static RewrapOutcome failure(RejectedRequestException error) {
    return new RewrapOutcome(null, error);
  }
}
