package dev.codec.client;

/**
 * The outcome of re-wrapping one DEK: on success {@code encryptedDek} and {@code kekVersion},
 * otherwise {@code errorCode} (never {@code OK}) and {@code errorMessage}.
 *
 * @param index the position of the item in the request
 * @param encryptedDek the same DEK wrapped under the active KEK, or {@code null} on error
 * @param kekVersion the KEK version that wrapped it, or 0 on error
 * @param errorCode {@link StatusCode#OK} on success, else why this item failed
 * @param errorMessage the service's short reason (names the field), or {@code null} on success
 * @param errorReason the machine-readable reason of the item's error (its google.rpc.ErrorInfo,
 *     e.g. {@code KEK_VERSION_NOT_LOADED}, {@code INVALID_WRAPPED_DEK}; docs/errors.md), or {@code
 *     null}
 */
public record RewrapResult(
    int index,
    String encryptedDek,
    int kekVersion,
    StatusCode errorCode,
    String errorMessage,
    String errorReason) {
  /** A result without a machine-readable reason. */
  public RewrapResult(
      int index, String encryptedDek, int kekVersion, StatusCode errorCode, String errorMessage) {
    this(index, encryptedDek, kekVersion, errorCode, errorMessage, null);
  }

  public boolean ok() {
    return errorCode == StatusCode.OK;
  }
}
