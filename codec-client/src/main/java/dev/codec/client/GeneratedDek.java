package dev.codec.client;

/**
 * A project's new DEK, wrapped under the service's KEK: safe to store, useless without the service.
 *
 * @param encryptedDek the wrapped DEK text ("dek1:k&lt;N&gt;:...")
 * @param kekVersion the KEK version that wrapped it
 */
public record GeneratedDek(String encryptedDek, int kekVersion) {}
