package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.CodecStatus;
import dev.codec.client.DekToRewrap;
import dev.codec.client.RewrapResult;
import dev.codec.client.RotatedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.LegacyTestCrypto;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.KekRingLoader;
import dev.codec.server.wiring.SecretReloads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RewrapDek, RotateDek, Status, KEK hot reload and disabled legacy input, through the real server.
 */
class KeyLifecycleGrpcTest {
  private static final String PROJECT = "proj-rotate";
  private static final String OTHER_PROJECT = "proj-other";
  private static final String SECRET = "sk_live_rotate-me-4242";
  private static final int MAX_ENTRIES = 20;

  @TempDir static Path kekDir;

  private static String kekOne;
  private static String kekTwo;
  private static TestServer server;
  private static CodecClient codec;

  @BeforeAll
  static void startServer() throws Exception {
    kekOne = TestServer.writeKek(kekDir, 1);
    kekTwo = TestServer.writeKek(kekDir, 2);
    server =
        TestServer.start(
            kekDir,
            Map.of("codec.kek.reload-interval", "0s", "codec.limits.max-entries", MAX_ENTRIES));
    codec = server.client();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  // ---- RewrapDek ----

  @Test
  void rewrapDek_movesDekToActiveKek_valuesStillDecrypt() throws Exception {
    String underOne =
        new EnvelopeCrypto(() -> ring(kekDir, 1)).generateWrappedDek(PROJECT).encoded();
    String ct = codec.encrypt(PROJECT, underOne, Map.of("K", SECRET)).get("K");

    List<RewrapResult> results = codec.rewrapDeks(List.of(new DekToRewrap(PROJECT, underOne)));

    assertEquals(1, results.size());
    RewrapResult result = results.get(0);
    assertTrue(result.ok(), result.toString());
    assertEquals(2, result.kekVersion());
    assertTrue(result.encryptedDek().startsWith("dek1:k2:"), result.encryptedDek());
    assertEquals(SECRET, codec.decryptValue(PROJECT, result.encryptedDek(), "K", ct));
    assertEquals(
        SECRET,
        codec
            .decryptAll(PROJECT, "", result.encryptedDek(), Map.of("K", Variable.secret(ct)))
            .get("K"));
    // the DEK itself is unchanged
    assertEquals(
        HexFormat.of().formatHex(codec.decryptDek(PROJECT, underOne)),
        HexFormat.of().formatHex(codec.decryptDek(PROJECT, result.encryptedDek())));
  }

  @Test
  void rewrapDek_badItemsFailAtTheirIndex_othersSucceed(@TempDir Path otherDir) throws Exception {
    String good = codec.generateDek(PROJECT).encryptedDek();
    String otherProjects = codec.generateDek(OTHER_PROJECT).encryptedDek();
    TestServer.writeKek(otherDir, 7);
    String unloadedVersion =
        new EnvelopeCrypto(() -> ring(otherDir, null)).generateWrappedDek(PROJECT).encoded();

    List<RewrapResult> results =
        codec.rewrapDeks(
            List.of(
                new DekToRewrap(PROJECT, good),
                new DekToRewrap(PROJECT, "dek1:k2:garbage"),
                new DekToRewrap(PROJECT, otherProjects),
                new DekToRewrap(PROJECT, unloadedVersion),
                new DekToRewrap("bad project!", good),
                new DekToRewrap(PROJECT, ""),
                new DekToRewrap(OTHER_PROJECT, otherProjects)));

    assertEquals(7, results.size());
    for (int i = 0; i < results.size(); i++) {
      assertEquals(i, results.get(i).index());
    }
    assertTrue(results.get(0).ok());
    assertTrue(results.get(6).ok());
    assertEquals(SECRET, roundTrip(OTHER_PROJECT, results.get(6).encryptedDek()));
    assertItemFailed(results.get(1), StatusCode.INVALID_ARGUMENT, "encrypted_dek: invalid");
    assertItemFailed(results.get(2), StatusCode.INVALID_ARGUMENT, "encrypted_dek: invalid");
    assertItemFailed(results.get(3), StatusCode.FAILED_PRECONDITION, "KEK version 7");
    assertItemFailed(results.get(4), StatusCode.INVALID_ARGUMENT, "project_id");
    assertItemFailed(results.get(5), StatusCode.INVALID_ARGUMENT, "encrypted_dek: required");
  }

  @Test
  void rewrapDek_noItems_isInvalidArgument_tooMany_isResourceExhausted() {
    CodecException empty = assertThrows(CodecException.class, () -> codec.rewrapDeks(List.of()));
    assertEquals(StatusCode.INVALID_ARGUMENT, empty.code());
    assertTrue(empty.getMessage().contains("items"), empty.getMessage());

    String dek = codec.generateDek(PROJECT).encryptedDek();
    List<DekToRewrap> many = new ArrayList<>();
    for (int i = 0; i <= MAX_ENTRIES; i++) {
      many.add(new DekToRewrap(PROJECT, dek));
    }
    CodecException tooMany = assertThrows(CodecException.class, () -> codec.rewrapDeks(many));
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, tooMany.code());
    assertTrue(
        tooMany.getMessage().contains("items: 21 entries, limit is 20"), tooMany.getMessage());
  }

  // ---- RotateDek ----

  @Test
  void rotateDek_newDek_everyValueReencrypted_oldCiphertextsDoNotOpenUnderNewDek() {
    String oldDek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> plaintexts =
        Map.of("API_KEY", SECRET, "EMPTY", "", "UNICODE", "pässwörd-🔑");
    Map<String, String> oldCts = codec.encrypt(PROJECT, oldDek, plaintexts);

    RotatedDek rotated = codec.rotateDek(PROJECT, oldDek, oldCts);

    assertEquals(2, rotated.kekVersion());
    assertNotEquals(oldDek, rotated.encryptedDek());
    assertNotEquals(
        HexFormat.of().formatHex(codec.decryptDek(PROJECT, oldDek)),
        HexFormat.of().formatHex(codec.decryptDek(PROJECT, rotated.encryptedDek())));
    assertEquals(plaintexts.keySet(), rotated.encrypted().keySet());
    Map<String, Variable> variables = new java.util.HashMap<>();
    rotated
        .encrypted()
        .forEach(
            (name, ct) -> {
              assertTrue(ct.startsWith("enc2:"));
              assertNotEquals(oldCts.get(name), ct);
              variables.put(name, Variable.secret(ct));
            });
    assertEquals(plaintexts, codec.decryptAll(PROJECT, "", rotated.encryptedDek(), variables));
    CodecException stale =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptValue(
                    PROJECT, rotated.encryptedDek(), "API_KEY", oldCts.get("API_KEY")));
    assertEquals(StatusCode.INVALID_ARGUMENT, stale.code());
  }

  @Test
  void rotateDek_anyBadValueFailsTheWholeCall_namingEveryFailingVariable() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String otherDek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> cts =
        new java.util.HashMap<>(codec.encrypt(PROJECT, dek, Map.of("GOOD", SECRET)));
    cts.put("WRONG_DEK", codec.encrypt(PROJECT, otherDek, Map.of("X", SECRET)).get("X"));
    cts.put("GARBAGE", "enc1:AAAA");

    CodecException e = assertThrows(CodecException.class, () -> codec.rotateDek(PROJECT, dek, cts));

    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("encrypted[GARBAGE, WRONG_DEK]"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET));
  }

  @Test
  void rotateDek_validatesLikeEncrypt() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    assertStatus(
        StatusCode.INVALID_ARGUMENT, "project_id", () -> codec.rotateDek("", dek, Map.of()));
    assertStatus(
        StatusCode.INVALID_ARGUMENT, "encrypted_dek", () -> codec.rotateDek(PROJECT, "", Map.of()));
    assertStatus(
        StatusCode.INVALID_ARGUMENT,
        "encrypted_dek",
        () -> codec.rotateDek(OTHER_PROJECT, dek, Map.of()));
    assertStatus(
        StatusCode.INVALID_ARGUMENT,
        "encrypted[A=B]",
        () -> codec.rotateDek(PROJECT, dek, Map.of("A=B", "enc1:AAAA")));
    Map<String, String> many = new java.util.HashMap<>();
    for (int i = 0; i <= MAX_ENTRIES; i++) {
      many.put("V" + i, "enc1:AAAA");
    }
    assertStatus(
        StatusCode.RESOURCE_EXHAUSTED,
        "encrypted: 21 entries",
        () -> codec.rotateDek(PROJECT, dek, many));
    // no values: just a new DEK
    assertTrue(codec.rotateDek(PROJECT, dek, Map.of()).encryptedDek().startsWith("dek1:k2:"));
  }

  // ---- Status ----

  @Test
  void status_showsKekVersionsWithFingerprints_cache_andLegacyFlag() throws Exception {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    codec.encrypt(PROJECT, dek, Map.of("K", "v"));
    codec.encrypt(PROJECT, dek, Map.of("K", "v"));

    CodecStatus status = codec.status();

    assertEquals(2, status.activeKekVersion());
    assertEquals(2, status.kekVersions().size());
    assertEquals(1, status.kekVersions().get(0).version());
    assertEquals(fingerprint(kekOne), status.kekVersions().get(0).fingerprint());
    assertEquals(2, status.kekVersions().get(1).version());
    assertEquals(fingerprint(kekTwo), status.kekVersions().get(1).fingerprint());
    assertTrue(status.kekVersions().get(0).loadedAt().toEpochMilli() > 0);
    assertTrue(status.dekCacheSize() >= 1);
    assertTrue(
        status.dekCacheHitRatio() > 0 && status.dekCacheHitRatio() <= 1,
        "" + status.dekCacheHitRatio());
    assertFalse(status.legacyAccepted());
    assertFalse(status.toString().contains(kekOne));
  }

  // ---- legacy input disabled (the default) ----

  @Test
  void legacyInput_whenDisabled_isFailedPrecondition_garbageStaysInvalidArgument()
      throws Exception {
    byte[] dek = new byte[32];
    new SecureRandom().nextBytes(dek);
    String legacyDek = legacySeal(Base64.getDecoder().decode(kekTwo), dek);
    String legacyValue = legacySeal(dek, SECRET.getBytes(StandardCharsets.UTF_8));
    String currentDek = codec.generateDek(PROJECT).encryptedDek();

    assertStatus(
        StatusCode.FAILED_PRECONDITION,
        "encrypted_dek: legacy input is disabled",
        () -> codec.encrypt(PROJECT, legacyDek, Map.of("K", "v")));
    assertStatus(
        StatusCode.FAILED_PRECONDITION,
        "variables[LEGACY]: legacy input is disabled",
        () ->
            codec.decryptAll(
                PROJECT,
                "",
                currentDek,
                Map.of("LEGACY", Variable.secret(legacyValue), "PLAIN", Variable.plain("x"))));
    assertStatus(
        StatusCode.FAILED_PRECONDITION,
        "encrypted: legacy input is disabled",
        () -> codec.decryptValue(PROJECT, currentDek, legacyValue));
    assertStatus(
        StatusCode.FAILED_PRECONDITION,
        "encrypted[LEGACY]: legacy input is disabled",
        () -> codec.rotateDek(PROJECT, currentDek, Map.of("LEGACY", legacyValue)));
    RewrapResult rewrap = codec.rewrapDeks(List.of(new DekToRewrap(PROJECT, legacyDek))).get(0);
    assertItemFailed(rewrap, StatusCode.FAILED_PRECONDITION, "legacy input is disabled");
    // not legacy-looking: still INVALID_ARGUMENT
    assertStatus(
        StatusCode.INVALID_ARGUMENT,
        "encrypted_dek",
        () -> codec.encrypt(PROJECT, "bm90IGEga2V5", Map.of("K", "v")));
    assertStatus(
        StatusCode.INVALID_ARGUMENT,
        "encrypted",
        () -> codec.decryptValue(PROJECT, currentDek, "not base64!"));
  }

  // ---- hot reload through the running server ----

  @Test
  void hotReload_newKekVersionIsActiveWithoutRestart_badFileKeepsRingAndShowsInStatus(
      @TempDir Path dir) throws Exception {
    TestServer.writeKek(dir, 1);
    try (TestServer own = TestServer.start(dir, Map.of("codec.kek.reload-interval", "1h"))) {
      CodecClient client = own.client();
      assertTrue(own.context().getBean(SecretReloads.class).scheduled(SecretReloads.KEK));
      KekReloader reloader = own.context().getBean(KekReloader.class);
      String underOne = client.generateDek(PROJECT).encryptedDek();
      String ct = client.encrypt(PROJECT, underOne, Map.of("K", SECRET)).get("K");
      assertEquals("NOT_YET", client.status().lastReload().result());

      String three = TestServer.writeKek(dir, 3);
      reloader.reloadNow();

      assertEquals(3, client.generateDek(PROJECT).kekVersion());
      assertEquals(SECRET, client.decryptValue(PROJECT, underOne, "K", ct));
      CodecStatus afterAdd = client.status();
      assertEquals(3, afterAdd.activeKekVersion());
      assertEquals("OK", afterAdd.lastReload().result());
      assertNull(afterAdd.lastReload().error());
      assertEquals(fingerprint(three), afterAdd.kekVersions().get(1).fingerprint());

      Files.writeString(dir.resolve("4"), "not base64 at all");
      reloader.reloadNow();

      CodecStatus afterBad = client.status();
      assertEquals("FAILED", afterBad.lastReload().result());
      assertTrue(
          afterBad.lastReload().error().contains(dir.resolve("4") + " is not valid base64"),
          afterBad.lastReload().error());
      assertEquals(3, afterBad.activeKekVersion());
      assertEquals(3, client.generateDek(PROJECT).kekVersion());
      assertEquals(SECRET, client.decryptValue(PROJECT, underOne, "K", ct));

      Files.delete(dir.resolve("4"));
      Files.delete(dir.resolve("1"));
      reloader.reloadNow();

      assertEquals("OK", client.status().lastReload().result());
      assertStatus(
          StatusCode.FAILED_PRECONDITION,
          "KEK version 1, which is not loaded",
          () -> client.decryptValue(PROJECT, underOne, "K", ct));
    }
  }

  // ---- helpers ----

  private static String roundTrip(String project, String encryptedDek) {
    String ct = codec.encrypt(project, encryptedDek, Map.of("K", SECRET)).get("K");
    return codec.decryptValue(project, encryptedDek, "K", ct);
  }

  private static void assertItemFailed(RewrapResult result, StatusCode code, String messagePart) {
    assertFalse(result.ok(), result.toString());
    assertEquals(code, result.errorCode(), result.errorMessage());
    assertTrue(result.errorMessage().contains(messagePart), result.errorMessage());
    assertNull(result.encryptedDek());
  }

  private static void assertStatus(
      StatusCode code, String messagePart, org.junit.jupiter.api.function.Executable call) {
    CodecException e = assertThrows(CodecException.class, call);
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  private static String fingerprint(String kekBase64) throws Exception {
    return LegacyTestCrypto.fingerprint(kekBase64);
  }

  private static String legacySeal(byte[] key, byte[] plaintext) throws Exception {
    return LegacyTestCrypto.legacySeal(key, plaintext);
  }

  private static dev.codec.server.crypto.KekRing ring(Path dir, Integer active) {
    try {
      return KekRingLoader.fromDirectory(dir, active);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
