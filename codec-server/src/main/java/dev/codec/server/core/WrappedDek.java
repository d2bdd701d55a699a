package dev.codec.server.core;

/**
 * A DEK as the service hands it out: wrapped under a KEK, as text ("dek1:..."), with the KEK
 * version that wraps it. Holds no key material in the clear.
 *
 * @param encoded the wrapped DEK, as stored by the caller
 * @param kekVersion the KEK version it is wrapped under
 */
public record WrappedDek(String encoded, int kekVersion) {}
