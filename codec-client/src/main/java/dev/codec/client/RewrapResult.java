package dev.codec.client;

import io.grpc.Status;

/**
 * The outcome of re-wrapping one DEK: on success {@code encryptedDek} and {@code kekVersion}, otherwise
 * {@code errorCode} (never {@code OK}) and {@code errorMessage}.
 *
 * @param index the position of the item in the request
 * @param encryptedDek the same DEK wrapped under the active KEK, or {@code null} on error
 * @param kekVersion the KEK version that wrapped it, or 0 on error
 * @param errorCode {@link Status.Code#OK} on success, else why this item failed
 * @param errorMessage the service's short reason (names the field), or {@code null} on success
 */
public record RewrapResult(int index, String encryptedDek, int kekVersion, Status.Code errorCode, String errorMessage) {
    public boolean ok() {
        return errorCode == Status.Code.OK;
    }
}
