package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KekRingTest {
  private final SymmetricKey key1 = SymmetricKey.random();
  private final SymmetricKey key2 = SymmetricKey.random();

  @Test
  void of_withoutActive_activatesTheHighestVersion() throws Exception {
    KekRing ring = KekRing.of(Map.of(2, key2, 1, key1), null);

    assertEquals(2, ring.activeVersion());
    assertSame(key2, ring.active());
    assertSame(key1, ring.get(1));
    assertEquals(List.of(1, 2), List.copyOf(ring.versions()));
  }

  @Test
  void of_explicitActive_isUsed() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, key1, 2, key2), 1);

    assertEquals(1, ring.activeVersion());
    assertSame(key1, ring.active());
  }

  @Test
  void of_activeNotLoaded_failsNamingTheVersion() {
    String message =
        assertThrows(KekLoadException.class, () -> KekRing.of(Map.of(1, key1), 5)).getMessage();

    assertTrue(message.contains("5"), message);
  }

  @Test
  void of_noKeys_fails() {
    assertThrows(KekLoadException.class, () -> KekRing.of(Map.of(), null));
  }

  @Test
  void of_nonPositiveVersion_fails() {
    assertThrows(KekLoadException.class, () -> KekRing.of(Map.of(0, key1), null));
    assertThrows(KekLoadException.class, () -> KekRing.of(Map.of(-1, key1, 1, key2), 1));
  }

  @Test
  void get_unknownVersion_throwsCarryingTheVersion() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, key1), null);

    assertEquals(4, assertThrows(UnknownKekVersionException.class, () -> ring.get(4)).version());
  }

  @Test
  void toString_namesVersionsButNoKeyMaterial() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, key1, 2, key2), null);

    String text = ring.toString() + new CurrentKekRing(ring);

    assertTrue(text.contains("versions=[1, 2]"), text);
    assertTrue(text.contains("active=2"), text);
    for (SymmetricKey key : List.of(key1, key2)) {
      assertNoKeyMaterial(text, key.getEncoded());
    }
  }

  static void assertNoKeyMaterial(String text, byte[] key) {
    String base64 = Base64.getEncoder().encodeToString(key);
    String hex = HexFormat.of().formatHex(key);
    assertFalse(text.contains(base64.substring(0, 8)), text);
    assertFalse(text.toLowerCase(Locale.ROOT).contains(hex.substring(0, 8)), text);
    assertFalse(text.contains(new String(key, StandardCharsets.ISO_8859_1)), text);
  }
}
