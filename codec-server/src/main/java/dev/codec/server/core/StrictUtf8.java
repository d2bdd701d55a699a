package dev.codec.server.core;

/**
 * Checks that bytes are well-formed UTF-8 without decoding them: the Unicode standard's definition
 * (Table 3-7), which is exactly what the JDK's UTF-8 decoder accepts when told to report malformed
 * input (no overlong forms, no surrogates, nothing above U+10FFFF, no truncated or stray
 * sequences). Protobuf's {@code string} fields require the same.
 */
final class StrictUtf8 {
  private StrictUtf8() {}

  /** Whether {@code bytes} are well-formed UTF-8. */
  static boolean isValid(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (i < n && bytes[i] >= 0) {
      i++;
    }
    while (i < n) {
      int b = bytes[i] & 0xff;
      if (b < 0x80) {
        i++;
      } else if (b < 0xc2) {
        return false; // a continuation byte without a lead, or an overlong 2-byte lead (C0, C1)
      } else if (b < 0xe0) {
        if (i + 1 >= n || !continuation(bytes[i + 1])) {
          return false;
        }
        i += 2;
      } else if (b < 0xf0) {
        if (i + 2 >= n) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xff;
        boolean second =
            switch (b) {
              case 0xe0 -> b1 >= 0xa0 && b1 <= 0xbf; // no overlong
              case 0xed -> b1 >= 0x80 && b1 <= 0x9f; // no surrogates
              default -> continuation(bytes[i + 1]);
            };
        if (!second || !continuation(bytes[i + 2])) {
          return false;
        }
        i += 3;
      } else if (b < 0xf5) {
        if (i + 3 >= n) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xff;
        boolean second =
            switch (b) {
              case 0xf0 -> b1 >= 0x90 && b1 <= 0xbf; // no overlong
              case 0xf4 -> b1 >= 0x80 && b1 <= 0x8f; // nothing above U+10FFFF
              default -> continuation(bytes[i + 1]);
            };
        if (!second || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
          return false;
        }
        i += 4;
      } else {
        return false; // F5-FF never occur
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }
}
