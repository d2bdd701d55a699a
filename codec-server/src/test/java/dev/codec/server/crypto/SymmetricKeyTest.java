package dev.codec.server.crypto;

import static dev.codec.server.crypto.KekRingTest.assertNoKeyMaterial;
import static dev.codec.server.crypto.TestBytes.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SymmetricKeyTest {

  @Test
  void toString_containsNoKeyMaterial() {
    SymmetricKey key = SymmetricKey.copyOf(pattern(32));

    assertEquals("SymmetricKey[redacted]", key.toString());
    assertNoKeyMaterial(key.toString(), pattern(32));
  }

  @Test
  void destroy_wipesTheKey_andLaterUseFails() {
    SymmetricKey key = SymmetricKey.random();

    key.destroy();

    assertTrue(key.isDestroyed());
    assertThrows(IllegalStateException.class, key::getEncoded);
    assertThrows(IllegalStateException.class, () -> AesGcm.seal(key, new byte[1], new byte[0]));
  }

  @Test
  void getEncoded_returnsACopyTheCallerMayWipe() {
    SymmetricKey key = SymmetricKey.copyOf(pattern(32));

    Arrays.fill(key.getEncoded(), (byte) 0);

    assertArrayEquals(pattern(32), key.getEncoded());
  }

  @Test
  void copyOf_copiesTheInput() {
    byte[] source = pattern(32);
    SymmetricKey key = SymmetricKey.copyOf(source);

    Arrays.fill(source, (byte) 0);

    assertArrayEquals(pattern(32), key.getEncoded());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 31, 33, 64})
  void copyOf_wrongLength_isRejected(int length) {
    assertThrows(IllegalArgumentException.class, () -> SymmetricKey.copyOf(new byte[length]));
  }

  @Test
  void random_givesDistinctAesKeys() {
    SymmetricKey a = SymmetricKey.random();
    SymmetricKey b = SymmetricKey.random();

    assertFalse(Arrays.equals(a.getEncoded(), b.getEncoded()));
    assertEquals(32, a.getEncoded().length);
    assertEquals("AES", a.getAlgorithm());
    assertEquals("RAW", a.getFormat());
    assertNotEquals(a, SymmetricKey.copyOf(a.getEncoded()), "keys compare by identity only");
  }
}
