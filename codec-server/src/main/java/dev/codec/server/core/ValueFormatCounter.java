package dev.codec.server.core;

/** Told how many values each call decrypted, per input format (for the migration metric). */
@FunctionalInterface
public interface ValueFormatCounter {
  ValueFormatCounter NONE = (enc1, enc2, legacy) -> {};

  void decrypted(int enc1, int enc2, int legacy);
}
