package dev.codec.server.core;

import dev.codec.server.crypto.EnvelopeCrypto;

/**
 * Test fixture: a {@link CodecService} that reads current formats only, under the open access
 * policy.
 */
final class OpenCodecService {
  private OpenCodecService() {}

  static CodecService of(EnvelopeCrypto crypto, DekCache cache, Limits limits) {
    return new CodecService(
        crypto,
        cache,
        limits,
        InputFormats.strict(crypto, true),
        AccessPolicy.OPEN,
        ValueFormatCounter.NONE);
  }
}
