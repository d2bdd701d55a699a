package dev.codec.server.crypto;

import static dev.codec.server.crypto.TestBytes.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KekRingLoaderTest {
  private static final byte[] KEY_1 = pattern(32);
  private static final byte[] KEY_2 = reversed(KEY_1);

  @TempDir Path dir;

  // ---- directories that load

  @Test
  void fromDirectory_twoVersionFiles_loadsBothAndActivatesTheHighest() throws Exception {
    writeKey("1", KEY_1);
    writeKey("2", KEY_2);

    KekRing ring = KekRingLoader.fromDirectory(dir, null);

    assertEquals(List.of(1, 2), List.copyOf(ring.versions()));
    assertEquals(2, ring.activeVersion());
    assertArrayEquals(KEY_1, ring.get(1).getEncoded());
    assertArrayEquals(KEY_2, ring.get(2).getEncoded());
    assertArrayEquals(KEY_2, ring.active().getEncoded());
  }

  @Test
  void fromDirectory_explicitActiveVersion_isRespected() throws Exception {
    writeKey("1", KEY_1);
    writeKey("2", KEY_2);

    KekRing ring = KekRingLoader.fromDirectory(dir, 1);

    assertEquals(1, ring.activeVersion());
    assertArrayEquals(KEY_1, ring.active().getEncoded());
  }

  @Test
  void fromDirectory_versionsAreNumericNotLexicographic() throws Exception {
    writeKey("9", KEY_1);
    writeKey("10", KEY_2);

    KekRing ring = KekRingLoader.fromDirectory(dir, null);

    assertEquals(10, ring.activeVersion());
    assertEquals(List.of(9, 10), List.copyOf(ring.versions()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"%s\n", "%s\r\n", "  %s  \n\n", "\t%s"})
  void fromDirectory_whitespaceAroundTheBase64_isIgnored(String layout) throws Exception {
    write("1", String.format(layout, base64(KEY_1)));

    assertArrayEquals(KEY_1, KekRingLoader.fromDirectory(dir, null).get(1).getEncoded());
  }

  @Test
  void fromDirectory_otherEntriesAreIgnored() throws Exception {
    writeKey("1", KEY_1);
    write(".hidden", "not a key");
    write("README", "not a key");
    write("01", "not a key");
    write("0", "not a key");
    write("1.bak", "not a key");
    Files.createDirectory(dir.resolve("..data"));

    KekRing ring = KekRingLoader.fromDirectory(dir, null);

    assertEquals(List.of(1), List.copyOf(ring.versions()));
  }

  @Test
  void fromDirectory_kubernetesSecretMountLayout_loads() throws Exception {
    Path timestamped = Files.createDirectory(dir.resolve("..2026_11_23_10_00_00.123"));
    Files.writeString(timestamped.resolve("1"), base64(KEY_1) + "\n");
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_11_23_10_00_00.123"));
    Files.createSymbolicLink(dir.resolve("1"), Path.of("..data/1"));

    KekRing ring = KekRingLoader.fromDirectory(dir, null);

    assertEquals(List.of(1), List.copyOf(ring.versions()));
    assertArrayEquals(KEY_1, ring.get(1).getEncoded());
  }

  @Test
  void fromDirectory_kubernetesAtomicSwap_loadsTheNewGeneration() throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_11_23_10_00_00.123"));
    Files.writeString(first.resolve("1"), base64(KEY_1));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(dir.resolve("1"), Path.of("..data/1"));
    // Kubelet's swap: new timestamped dir, ..data re-pointed, new version link added.
    Path second = Files.createDirectory(dir.resolve("..2026_11_24_10_00_00.456"));
    Files.writeString(second.resolve("1"), base64(KEY_1));
    Files.writeString(second.resolve("2"), base64(KEY_2));
    Files.delete(dir.resolve("..data"));
    Files.createSymbolicLink(dir.resolve("..data"), second.getFileName());
    Files.createSymbolicLink(dir.resolve("2"), Path.of("..data/2"));

    KekRing ring = KekRingLoader.fromDirectory(dir, null);

    assertEquals(2, ring.activeVersion());
    assertArrayEquals(KEY_2, ring.get(2).getEncoded());
  }

  // ---- directories that do not load

  @Test
  void fromDirectory_activeVersionMissing_failsNamingTheVersion() throws Exception {
    writeKey("1", KEY_1);
    writeKey("2", KEY_2);

    String message = loadFailure(3);

    assertTrue(message.contains("3"), message);
    assertTrue(message.contains("codec.kek.active"), message);
  }

  @Test
  void fromDirectory_missingDirectory_failsNamingIt() {
    Path missing = dir.resolve("nope");

    String message = loadFailure(missing);

    assertTrue(message.contains(missing.toString()), message);
    assertTrue(message.contains("does not exist"), message);
  }

  @Test
  void fromDirectory_pathIsAFile_failsNamingIt() throws Exception {
    Path file = write("kek", base64(KEY_1));

    String message = loadFailure(file);

    assertTrue(message.contains(file.toString()), message);
    assertTrue(message.contains("not a directory"), message);
    assertFalse(message.contains(base64(KEY_1)), message);
  }

  @Test
  void fromDirectory_emptyDirectory_failsNamingIt() {
    String message = loadFailure(dir);

    assertTrue(message.contains(dir.toString()), message);
    assertTrue(message.contains("no KEK version files"), message);
  }

  @Test
  void fromDirectory_onlyIgnoredEntries_failsAsEmpty() throws Exception {
    Path timestamped = Files.createDirectory(dir.resolve("..2026_11_23_10_00_00.123"));
    Files.writeString(timestamped.resolve("1"), base64(KEY_1));
    Files.createSymbolicLink(dir.resolve("..data"), timestamped.getFileName());
    write(".hidden", base64(KEY_1));
    write("README", "keys go here");

    String message = loadFailure(dir);

    assertTrue(message.contains("no KEK version files"), message);
    assertFalse(message.contains(base64(KEY_1)), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64 at all!", "QUJD*EFG", "QUJD\nRUZH\nSElK"})
  void fromDirectory_fileWithBadBase64_failsNamingTheFileButNotItsContent(String content)
      throws Exception {
    Path file = write("1", content);

    String message = loadFailure(dir);

    assertTrue(message.contains(file.toString()), message);
    assertTrue(message.contains("not valid base64"), message);
    assertFalse(message.contains(content.trim()), message);
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 24, 31, 33, 48, 64})
  void fromDirectory_fileWithWrongKeyLength_failsNamingTheFileButNotItsContent(int length)
      throws Exception {
    String content = base64(pattern(length));
    Path file = write("2", content + "\n");

    String message = loadFailure(dir);

    assertTrue(message.contains(file.toString()), message);
    assertTrue(message.contains(length + " bytes"), message);
    assertFalse(message.contains(content), message);
    assertFalse(message.contains(content.substring(0, 12)), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "   \r\n\t "})
  void fromDirectory_emptyFile_failsNamingTheFile(String content) throws Exception {
    Path file = write("1", content);

    String message = loadFailure(dir);

    assertTrue(message.contains(file.toString()), message);
    assertTrue(message.contains("empty"), message);
  }

  @Test
  void fromDirectory_danglingSymlink_failsNamingTheFile() throws Exception {
    writeKey("1", KEY_1);
    Path link = Files.createSymbolicLink(dir.resolve("2"), Path.of("..data/2"));

    String message = loadFailure(dir);

    assertTrue(message.contains(link.toString()), message);
    assertTrue(message.contains("dangling"), message);
    assertFalse(message.contains(base64(KEY_1)), message);
  }

  @Test
  void fromDirectory_versionNameIsADirectory_failsNamingIt() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("1"));

    String message = loadFailure(dir);

    assertTrue(message.contains(sub.toString()), message);
  }

  @Test
  void fromDirectory_oneGoodAndOneBadFile_failsRatherThanLoadingPartially() throws Exception {
    writeKey("1", KEY_1);
    write("2", base64(pattern(16)));

    assertThrows(KekLoadException.class, () -> KekRingLoader.fromDirectory(dir, null));
  }

  // ---- fromBase64

  @ParameterizedTest
  @ValueSource(strings = {"%s", " %s\n", "\t%s\r\n"})
  void fromBase64_validKey_isVersion1AndActive(String layout) throws Exception {
    KekRing ring = KekRingLoader.fromBase64(String.format(layout, base64(KEY_1)), "CODEC_KEK");

    assertEquals(List.of(1), List.copyOf(ring.versions()));
    assertEquals(1, ring.activeVersion());
    assertArrayEquals(KEY_1, ring.active().getEncoded());
  }

  @Test
  void fromBase64_invalidInputs_failNamingTheSourceButNotTheContent() {
    String wrongLength = base64(pattern(16));
    String tooLong = base64(pattern(48));
    byte[] allOnes = new byte[32];
    Arrays.fill(allOnes, (byte) 0xFF);
    String urlSafe =
        Base64.getUrlEncoder().encodeToString(allOnes); // "____...8=": not standard base64

    assertBase64Rejected("", "empty");
    assertBase64Rejected("   ", "empty");
    assertBase64Rejected("%%%not-base64%%%", "not valid base64");
    assertBase64Rejected(wrongLength, "16 bytes");
    assertBase64Rejected(tooLong, "48 bytes");
    assertBase64Rejected(urlSafe, "not valid base64");
  }

  // ---- helpers

  private void writeKey(String name, byte[] key) throws IOException {
    write(name, base64(key) + "\n");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
  }

  private String loadFailure(Integer active) {
    return assertThrows(KekLoadException.class, () -> KekRingLoader.fromDirectory(dir, active))
        .getMessage();
  }

  private static String loadFailure(Path directory) {
    return assertThrows(KekLoadException.class, () -> KekRingLoader.fromDirectory(directory, null))
        .getMessage();
  }

  private static void assertBase64Rejected(String text, String expected) {
    String message =
        assertThrows(KekLoadException.class, () -> KekRingLoader.fromBase64(text, "CODEC_KEK"))
            .getMessage();
    assertTrue(message.contains("CODEC_KEK"), message);
    assertTrue(message.contains(expected), message);
    if (!text.isBlank()) {
      assertFalse(message.contains(text.trim()), message);
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] reversed(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }
}
