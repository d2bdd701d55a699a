package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.Reason.BAD_INPUT;
import static dev.codec.server.core.RejectedRequestException.Reason.KEY_UNAVAILABLE;
import static dev.codec.server.core.RejectedRequestException.Reason.LIMIT_EXCEEDED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.core.RejectedRequestException.Reason;
import dev.codec.server.core.StoredVariable.Kind;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodecServiceTest {
  private static final Limits LIMITS = new Limits(16, 4, 64, 16);
  private static final String PROJECT = "proj-a";
  private static final String OTHER_PROJECT = "proj-b";
  private static final String DEPLOYMENT = "deploy-1";

  /** Plaintexts used as secrets below: no rejection message may ever contain one of them. */
  private static final String SECRET = "hunter2-s3cr3t";

  private static final String OTHER_SECRET = "correct-horse-battery";
  private static final String PLAIN = "plain-visible-value";
  private static final List<String> NEVER_IN_MESSAGES = List.of(SECRET, OTHER_SECRET, PLAIN);

  private SymmetricKey kek1;
  private EnvelopeCrypto crypto;
  private CodecService service;

  @BeforeEach
  void setUp() throws Exception {
    kek1 = SymmetricKey.random();
    KekRing ring = KekRing.of(Map.of(1, kek1), null);
    crypto = new EnvelopeCrypto(() -> ring);
    service = OpenCodecService.of(crypto, new DekCache(Duration.ofMinutes(5), 100), LIMITS);
  }

  // ---- generateDek and project ids

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abcdefghijklmnopq",
        "proj/a",
        "proj a",
        "pr\u00f6j",
        "proj:a",
        "a\nb",
        "proj*"
      })
  void generateDek_invalidProjectId_isRejected(String projectId) {
    assertRejected(BAD_INPUT, () -> service.generateDek(projectId), "project_id");
  }

  @Test
  void generateDek_projectIdOfMaxLengthWithEveryAllowedCharClass_isAccepted() throws Exception {
    String projectId = "aZ09._-abcdefghi";
    assertEquals(16, projectId.length());

    WrappedDek wrapped = service.generateDek(projectId);

    assertEquals(1, wrapped.kekVersion());
    assertTrue(wrapped.encoded().startsWith("dek1:k1:"), wrapped.encoded());
    assertEquals(32, service.decryptDek(projectId, wrapped.encoded()).length);
  }

  // ---- round trips

  @Test
  void encrypt_thenDecryptAll_passesPlainThroughAndDecryptsSecrets() throws Exception {
    String dek = newDek(PROJECT);
    Map<String, String> encrypted =
        service.encrypt(PROJECT, dek, Map.of("DB_PASSWORD", SECRET, "EMPTY", ""));

    Map<String, String> values =
        service.decryptAll(
            PROJECT,
            DEPLOYMENT,
            dek,
            Map.of(
                "DB_PASSWORD", secret(encrypted.get("DB_PASSWORD")),
                "EMPTY", secret(encrypted.get("EMPTY")),
                "LOG_LEVEL", plain(PLAIN),
                "LOOKS_ENCRYPTED", plain(encrypted.get("DB_PASSWORD"))));

    assertEquals(
        Map.of(
            "DB_PASSWORD",
            SECRET,
            "EMPTY",
            "",
            "LOG_LEVEL",
            PLAIN,
            "LOOKS_ENCRYPTED",
            encrypted.get("DB_PASSWORD")),
        values);
    assertTrue(encrypted.get("DB_PASSWORD").startsWith("enc2:"));
    assertFalse(encrypted.get("DB_PASSWORD").contains(SECRET));
  }

  @Test
  void encrypt_thenDecryptValue_withWrappedDek_returnsValue() throws Exception {
    String dek = newDek(PROJECT);
    String value = "p\u00e4ss-\uD83D\uDD11\nline2";
    String encrypted = service.encrypt(PROJECT, dek, Map.of("K", value)).get("K");

    assertEquals(value, service.decryptValue(PROJECT, encrypted, dek, "K", "").result());
  }

  @Test
  void decryptValue_withPlaintextDekFromDecryptDek_returnsValue() throws Exception {
    String dek = newDek(PROJECT);
    String encrypted = encryptOne(PROJECT, dek, SECRET);

    byte[] plaintextDek = service.decryptDek(PROJECT, dek);

    assertEquals(32, plaintextDek.length);
    assertEquals(SECRET, service.decryptValue(PROJECT, encrypted, plaintextDek, "V"));
    assertArrayEquals(
        plaintextDek, service.decryptDek(PROJECT, dek), "the caller's copy must not be wiped");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 31, 33})
  void decryptValue_withPlaintextDekOfWrongLength_isRejected(int length) throws Exception {
    String encrypted = encryptOne(PROJECT, newDek(PROJECT), SECRET);

    assertRejected(
        BAD_INPUT, () -> service.decryptValue(PROJECT, encrypted, new byte[length]), "dek");
  }

  @Test
  void decryptValue_emptyEncrypted_isRejected() throws Exception {
    String dek = newDek(PROJECT);

    assertRejected(BAD_INPUT, () -> service.decryptValue(PROJECT, "", dek), "encrypted");
    assertRejected(
        BAD_INPUT,
        () -> service.decryptValue(PROJECT, "", service.decryptDek(PROJECT, dek)),
        "encrypted");
  }

  // ---- cross-project and wrong keys

  @Test
  void decryptValue_valueOfProjectAAsProjectB_isRejected() throws Exception {
    String dekA = newDek(PROJECT);
    String valueA = encryptOne(PROJECT, dekA, SECRET);
    byte[] plaintextDekA = service.decryptDek(PROJECT, dekA);

    assertRejected(
        BAD_INPUT,
        () -> service.decryptValue(OTHER_PROJECT, valueA, plaintextDekA, "V"),
        "encrypted");
    assertRejected(
        BAD_INPUT,
        () -> service.decryptValue(OTHER_PROJECT, valueA, newDek(OTHER_PROJECT), "V", ""),
        "encrypted");
    assertRejected(
        BAD_INPUT,
        () -> service.decryptValue(OTHER_PROJECT, valueA, dekA, "V", ""),
        "encrypted_dek");
  }

  @Test
  void decryptAll_wrappedDekOfAnotherProject_isRejected() throws Exception {
    String dekA = newDek(PROJECT);
    String valueA = encryptOne(PROJECT, dekA, SECRET);

    assertRejected(
        BAD_INPUT,
        () -> service.decryptAll(OTHER_PROJECT, DEPLOYMENT, dekA, Map.of("K", secret(valueA))),
        "encrypted_dek");
  }

  @Test
  void decryptDek_unknownKekVersion_isKeyUnavailableNamingTheVersion() throws Exception {
    KekRing laterRing = KekRing.of(Map.of(1, kek1, 7, SymmetricKey.random()), null);
    String dekUnder7 = new EnvelopeCrypto(() -> laterRing).generateWrappedDek(PROJECT).encoded();

    assertRejected(
        KEY_UNAVAILABLE, () -> service.decryptDek(PROJECT, dekUnder7), "encrypted_dek", "7");
    assertRejected(
        KEY_UNAVAILABLE, () -> service.decryptValue(PROJECT, "enc1:AAAA", dekUnder7), "7");
  }

  @Test
  void decryptDek_tamperedOrOversizedWrappedDek_isRejected() throws Exception {
    String dek = newDek(PROJECT);
    String tampered =
        dek.substring(0, dek.length() - 2)
            + (dek.charAt(dek.length() - 2) == 'A' ? 'B' : 'A')
            + dek.charAt(dek.length() - 1);

    assertRejected(BAD_INPUT, () -> service.decryptDek(PROJECT, tampered), "encrypted_dek");
    assertRejected(BAD_INPUT, () -> service.decryptDek(PROJECT, ""), "encrypted_dek");
    assertRejected(
        BAD_INPUT, () -> service.decryptDek(PROJECT, dek + "A".repeat(1024)), "encrypted_dek");
  }

  // ---- decryptAll: all or nothing

  @Test
  void decryptAll_twoCorruptedSecrets_rejectsTheWholeCallNamingBothSorted() throws Exception {
    String dek = newDek(PROJECT);
    String good = service.encrypt(PROJECT, dek, Map.of("GOOD", OTHER_SECRET)).get("GOOD");
    String tampered = tamper(encryptOne(PROJECT, dek, SECRET));
    String fromOtherProject = encryptOne(OTHER_PROJECT, newDek(OTHER_PROJECT), SECRET);
    Map<String, StoredVariable> variables = new LinkedHashMap<>();
    variables.put("ZETA", secret(tampered));
    variables.put("GOOD", secret(good));
    variables.put("ALPHA", secret(fromOtherProject));
    variables.put("SHOWN", plain(PLAIN));

    String message =
        assertRejected(
            BAD_INPUT,
            () -> service.decryptAll(PROJECT, DEPLOYMENT, dek, variables),
            "ALPHA, ZETA");

    assertFalse(message.contains("GOOD"), message);
    assertFalse(message.contains("SHOWN"), message);
    for (String ciphertext : List.of(good, tampered, fromOtherProject)) {
      assertFalse(message.contains(ciphertext.substring(5, 15)), message);
    }
  }

  @Test
  void decryptAll_secretThatIsNotUtf8_isRejectedNamingTheVariable() throws Exception {
    String dek = newDek(PROJECT);
    SymmetricKey plaintextDek = SymmetricKey.copyOf(service.decryptDek(PROJECT, dek));
    String notUtf8 =
        crypto.valueCipher(PROJECT, plaintextDek).encrypt(new byte[] {(byte) 0xC3, (byte) 0x28});

    assertRejected(
        BAD_INPUT,
        () -> service.decryptAll(PROJECT, DEPLOYMENT, dek, Map.of("BINARY", secret(notUtf8))),
        "BINARY");
  }

  @Test
  void decryptAll_unspecifiedKind_isRejectedNamingTheVariable() throws Exception {
    String dek = newDek(PROJECT);

    assertRejected(
        BAD_INPUT,
        () ->
            service.decryptAll(
                PROJECT,
                DEPLOYMENT,
                dek,
                Map.of("MYSTERY", new StoredVariable(Kind.UNSPECIFIED, PLAIN))),
        "MYSTERY");
  }

  @Test
  void decryptAll_onlyPlainWithEmptyEncryptedDek_returnsThem() throws Exception {
    Map<String, String> values =
        service.decryptAll(PROJECT, DEPLOYMENT, "", Map.of("A", plain(PLAIN), "B", plain("")));

    assertEquals(Map.of("A", PLAIN, "B", ""), values);
  }

  @Test
  void decryptAll_noVariablesAndEmptyDeploymentId_returnsEmpty() throws Exception {
    assertEquals(Map.of(), service.decryptAll(PROJECT, "", "", Map.of()));
  }

  @Test
  void decryptAll_secretWithEmptyEncryptedDek_isRejectedNamingEncryptedDek() throws Exception {
    String encrypted = encryptOne(PROJECT, newDek(PROJECT), SECRET);

    assertRejected(
        BAD_INPUT,
        () -> service.decryptAll(PROJECT, DEPLOYMENT, "", Map.of("K", secret(encrypted))),
        "encrypted_dek");
  }

  @ParameterizedTest
  @ValueSource(strings = {"deploy/1", "deploy 1", "abcdefghijklmnopq"})
  void decryptAll_invalidDeploymentId_isRejected(String deploymentId) {
    assertRejected(
        BAD_INPUT, () -> service.decryptAll(PROJECT, deploymentId, "", Map.of()), "deployment_id");
  }

  // ---- limits

  @Test
  void encrypt_tooManyEntries_isLimitExceededNamingTheLimit() throws Exception {
    String dek = newDek(PROJECT);
    Map<String, String> five =
        Map.of("A", SECRET, "B", SECRET, "C", SECRET, "D", SECRET, "E", SECRET);

    assertRejected(
        LIMIT_EXCEEDED, () -> service.encrypt(PROJECT, dek, five), "values", "limit is 4");
    assertEquals(
        4, service.encrypt(PROJECT, dek, Map.of("A", "1", "B", "2", "C", "3", "D", "4")).size());
  }

  @Test
  void decryptAll_tooManyEntries_isLimitExceededNamingTheLimit() {
    Map<String, StoredVariable> five =
        Map.of(
            "A",
            plain(PLAIN),
            "B",
            plain(PLAIN),
            "C",
            plain(PLAIN),
            "D",
            plain(PLAIN),
            "E",
            plain(PLAIN));

    assertRejected(
        LIMIT_EXCEEDED,
        () -> service.decryptAll(PROJECT, DEPLOYMENT, "", five),
        "variables",
        "limit is 4");
  }

  @Test
  void encrypt_valueOverMaxValueBytes_isLimitExceededNamingTheVariable() throws Exception {
    String dek = newDek(PROJECT);
    String atLimit = "x".repeat(64);
    String overInUtf8 = "\u00e9".repeat(33); // 33 characters, 66 UTF-8 bytes

    assertEquals(
        atLimit,
        service.decryptValue(PROJECT, encryptOne(PROJECT, dek, atLimit), dek, "V", "").result());
    assertRejected(
        LIMIT_EXCEEDED,
        () -> service.encrypt(PROJECT, dek, Map.of("BIG", "x".repeat(65))),
        "BIG",
        "64");
    assertRejected(
        LIMIT_EXCEEDED, () -> service.encrypt(PROJECT, dek, Map.of("WIDE", overInUtf8)), "WIDE");
  }

  @Test
  void decryptAll_plainValueOverLimit_isLimitExceededNamingTheVariable() {
    assertRejected(
        LIMIT_EXCEEDED,
        () ->
            service.decryptAll(PROJECT, DEPLOYMENT, "", Map.of("BIG_PLAIN", plain("p".repeat(65)))),
        "BIG_PLAIN");
  }

  @Test
  void decryptAll_secretCiphertextOverLimit_isLimitExceededNamingTheVariable() throws Exception {
    String dek = newDek(PROJECT);
    String longest = service.encrypt(PROJECT, dek, Map.of("MAX", "x".repeat(64))).get("MAX");

    assertEquals(
        Map.of("MAX", "x".repeat(64)),
        service.decryptAll(PROJECT, DEPLOYMENT, dek, Map.of("MAX", secret(longest))));
    assertRejected(
        LIMIT_EXCEEDED,
        () ->
            service.decryptAll(
                PROJECT, DEPLOYMENT, dek, Map.of("BIG_SECRET", secret(longest + "AAAA"))),
        "BIG_SECRET");
    assertRejected(
        LIMIT_EXCEEDED, () -> service.decryptValue(PROJECT, longest + "AAAA", dek), "encrypted");
  }

  // ---- variable names

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "A=B",
        "=",
        "A\nB",
        "TAB\tNAME",
        "NUL\0",
        "DEL\u007f",
        "C1\u0085",
        "NAME_LONGER_THAN_16"
      })
  void encrypt_invalidName_isRejected(String name) throws Exception {
    String dek = newDek(PROJECT);

    String message =
        assertRejected(
            BAD_INPUT, () -> service.encrypt(PROJECT, dek, Map.of(name, SECRET)), "values");

    assertNoControlCharacters(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "A=B", "A\nB", "ESC\u001b[31m", "NAME_LONGER_THAN_16"})
  void decryptAll_invalidName_isRejected(String name) {
    String message =
        assertRejected(
            BAD_INPUT,
            () -> service.decryptAll(PROJECT, DEPLOYMENT, "", Map.of(name, plain(PLAIN))),
            "variables");

    assertNoControlCharacters(message);
  }

  @Test
  void encrypt_nameAtMaxLength_isAccepted() throws Exception {
    String name = "N".repeat(16);

    assertEquals(
        List.of(name),
        List.copyOf(service.encrypt(PROJECT, newDek(PROJECT), Map.of(name, SECRET)).keySet()));
  }

  // ---- helpers

  private String newDek(String projectId) throws RejectedRequestException {
    return service.generateDek(projectId).encoded();
  }

  private String encryptOne(String projectId, String dek, String value)
      throws RejectedRequestException {
    return service.encrypt(projectId, dek, Map.of("V", value)).get("V");
  }

  private static StoredVariable secret(String ciphertext) {
    return new StoredVariable(Kind.SECRET, ciphertext);
  }

  private static StoredVariable plain(String value) {
    return new StoredVariable(Kind.PLAIN, value);
  }

  /** The same ciphertext with one base64 character (not the last, not padding) changed. */
  private static String tamper(String encrypted) {
    int i = "enc2:".length() + 3;
    char replacement = encrypted.charAt(i) == 'A' ? 'B' : 'A';
    return encrypted.substring(0, i) + replacement + encrypted.substring(i + 1);
  }

  /**
   * Asserts that {@code call} is rejected for {@code reason} with a message naming every fragment
   * and containing none of the plaintexts used in these tests. Returns the message.
   */
  private static String assertRejected(Reason reason, Executable call, String... fragments) {
    RejectedRequestException e = assertThrows(RejectedRequestException.class, call);
    String message = e.getMessage();
    assertEquals(reason, e.reason(), message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), () -> "'" + message + "' does not name " + fragment);
    }
    for (String plaintext : NEVER_IN_MESSAGES) {
      assertFalse(message.contains(plaintext), () -> "'" + message + "' contains a value");
    }
    return message;
  }

  private static void assertNoControlCharacters(String message) {
    assertTrue(
        message.chars().noneMatch(Character::isISOControl),
        () -> "control character in: " + message);
  }
}
