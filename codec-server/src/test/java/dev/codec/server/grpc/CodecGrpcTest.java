package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.server.SharedTestServer;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRingLoader;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every RPC and every error code through the real server on a random port and the real client. */
@ExtendWith(SharedTestServer.class)
class CodecGrpcTest {
  private static final String PROJECT = "proj-0f22036d";
  private static final String OTHER_PROJECT = "proj-other";
  private static final String SECRET = "sk_live_do-not-leak-4242";

  private static TestServer server;
  private static CodecClient codec;
  private static CodecServiceGrpc.CodecServiceBlockingStub raw;

  @BeforeAll
  static void startServer(TestServer shared) throws Exception {
    server = shared; // KEK versions 1 and 2
    codec = server.client();
    raw = CodecServiceGrpc.newBlockingStub(server.channel());
  }

  @Test
  void generateDek_wrapsUnderHighestKekVersion() {
    GeneratedDek dek = codec.generateDek(PROJECT);

    assertEquals(2, dek.kekVersion());
    assertTrue(dek.encryptedDek().startsWith("dek1:k2:"), dek.encryptedDek());
    assertNotEquals(dek.encryptedDek(), codec.generateDek(PROJECT).encryptedDek());
  }

  @Test
  void encryptThenDecryptAll_roundTripsSecretsAndPassesPlainValuesThrough() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> plaintexts =
        Map.of(
            "API_KEY", SECRET,
            "EMPTY", "",
            "UNICODE", "pässwörd-🔑-密码",
            "MULTILINE", "-----BEGIN KEY-----\nline \"one\"\nline 'two'\n-----END KEY-----\n");

    Map<String, String> encrypted = codec.encrypt(PROJECT, dek, plaintexts);

    assertEquals(plaintexts.keySet(), encrypted.keySet());
    encrypted.values().forEach(ct -> assertTrue(ct.startsWith("enc2:"), ct));
    assertFalse(encrypted.values().stream().anyMatch(ct -> ct.contains(SECRET)));
    Map<String, Variable> variables = new HashMap<>();
    encrypted.forEach((name, ct) -> variables.put(name, Variable.secret(ct)));
    variables.put("LOG_LEVEL", Variable.plain("debug"));

    Map<String, String> decrypted = codec.decryptAll(PROJECT, "deploy-1", dek, variables);

    Map<String, String> expected = new HashMap<>(plaintexts);
    expected.put("LOG_LEVEL", "debug");
    assertEquals(expected, decrypted);
  }

  @Test
  void decryptAll_thousandVariables() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> plaintexts = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      plaintexts.put("VAR_" + i, "value-" + i + "-" + "x".repeat(i % 50));
    }
    Map<String, Variable> variables = new HashMap<>();
    codec
        .encrypt(PROJECT, dek, plaintexts)
        .forEach((name, ct) -> variables.put(name, Variable.secret(ct)));

    assertEquals(plaintexts, codec.decryptAll(PROJECT, "", dek, variables));
  }

  @Test
  void decryptAll_onlyPlainValues_needsNoDek() {
    assertEquals(
        Map.of("A", "1"), codec.decryptAll(PROJECT, "", "", Map.of("A", Variable.plain("1"))));
  }

  @Test
  void decryptDek_returns32BytesThatDecryptValues() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String ct = codec.encrypt(PROJECT, dek, Map.of("K", SECRET)).get("K");

    byte[] plainDek = codec.decryptDek(PROJECT, dek);

    assertEquals(32, plainDek.length);
    assertArrayEquals(plainDek, codec.decryptDek(PROJECT, dek));
    assertEquals(SECRET, codec.decryptValueWithDek(PROJECT, plainDek, "K", ct));
    assertEquals(SECRET, codec.decryptValue(PROJECT, dek, "K", ct));
  }

  @Test
  void dekWrappedByOlderKekVersion_stillWorks() throws Exception {
    EnvelopeCrypto versionOne = new EnvelopeCrypto(() -> uncheckedRing(server.kekDir(), 1));
    String dek = versionOne.generateWrappedDek(PROJECT).encoded();
    assertTrue(dek.startsWith("dek1:k1:"));

    String ct = codec.encrypt(PROJECT, dek, Map.of("K", SECRET)).get("K");

    assertEquals(SECRET, codec.decryptValue(PROJECT, dek, "K", ct));
  }

  @Test
  void dekWrappedByUnloadedKekVersion_isFailedPrecondition(@TempDir Path otherDir)
      throws Exception {
    TestServer.writeKek(otherDir, 7);
    String dek =
        new EnvelopeCrypto(() -> uncheckedRing(otherDir, null))
            .generateWrappedDek(PROJECT)
            .encoded();

    CodecException e =
        assertFails(
            StatusCode.FAILED_PRECONDITION, () -> codec.encrypt(PROJECT, dek, Map.of("K", "v")));

    assertTrue(e.getMessage().contains("KEK version 7"), e.getMessage());
  }

  @Test
  void wrappedDekOfAnotherProject_isInvalidArgument() {
    String dek = codec.generateDek(OTHER_PROJECT).encryptedDek();

    CodecException e =
        assertFails(
            StatusCode.INVALID_ARGUMENT, () -> codec.encrypt(PROJECT, dek, Map.of("K", "v")));

    assertTrue(e.getMessage().contains("encrypted_dek"), e.getMessage());
    assertFails(StatusCode.INVALID_ARGUMENT, () -> codec.decryptDek(PROJECT, dek));
  }

  @Test
  void valueOfAnotherProject_isRejectedNamingTheVariable() {
    String otherDek = codec.generateDek(OTHER_PROJECT).encryptedDek();
    String foreign = codec.encrypt(OTHER_PROJECT, otherDek, Map.of("K", SECRET)).get("K");
    String dek = codec.generateDek(PROJECT).encryptedDek();

    CodecException e =
        assertFails(
            StatusCode.INVALID_ARGUMENT,
            () -> codec.decryptAll(PROJECT, "", dek, Map.of("STOLEN", Variable.secret(foreign))));

    assertTrue(e.getMessage().contains("STOLEN"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET));
    assertFalse(e.getMessage().contains(foreign));
  }

  @Test
  void decryptAll_anyTamperedSecretFailsTheWholeCall_namingEveryFailure() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> cts =
        codec.encrypt(PROJECT, dek, Map.of("GOOD", "fine", "BAD_1", SECRET, "BAD_2", SECRET));
    Map<String, Variable> variables =
        Map.of(
            "GOOD", Variable.secret(cts.get("GOOD")),
            "BAD_1", Variable.secret(flipLastDataChar(cts.get("BAD_1"))),
            "BAD_2", Variable.secret("enc1:not-base64!"));

    CodecException e =
        assertFails(
            StatusCode.INVALID_ARGUMENT, () -> codec.decryptAll(PROJECT, "", dek, variables));

    assertTrue(e.getMessage().contains("BAD_1, BAD_2"), e.getMessage());
    assertFalse(e.getMessage().contains("GOOD"), e.getMessage());
  }

  @Test
  void decryptValue_tamperedCiphertext_isInvalidArgument() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String ct = codec.encrypt(PROJECT, dek, Map.of("K", SECRET)).get("K");

    CodecException e =
        assertFails(
            StatusCode.INVALID_ARGUMENT,
            () -> codec.decryptValue(PROJECT, dek, "K", flipLastDataChar(ct)));

    assertTrue(e.getMessage().startsWith("INVALID_ARGUMENT: encrypted:"), e.getMessage());
  }

  @Test
  void badProjectIds_areInvalidArgument() {
    for (String bad : List.of("", "has space", "slash/", "x".repeat(129), "ünïcode")) {
      CodecException e = assertFails(StatusCode.INVALID_ARGUMENT, () -> codec.generateDek(bad));
      assertTrue(e.getMessage().contains("project_id"), e.getMessage());
    }
  }

  @Test
  void unspecifiedKind_isInvalidArgumentNamingTheVariable() {
    DecryptAllRequest request =
        DecryptAllRequest.newBuilder()
            .setProjectId(PROJECT)
            .putVariables("NO_KIND", dev.codec.proto.v1.Variable.newBuilder().setValue("x").build())
            .build();

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> raw.decryptAll(request));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("NO_KIND"), e.getStatus().getDescription());
  }

  @Test
  void unknownKindNumber_isInvalidArgument() {
    DecryptAllRequest request =
        DecryptAllRequest.newBuilder()
            .setProjectId(PROJECT)
            .putVariables(
                "FUTURE",
                dev.codec.proto.v1.Variable.newBuilder().setKindValue(99).setValue("x").build())
            .build();

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> raw.decryptAll(request));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void decryptValue_wrongDekLength_isInvalidArgument() {
    CodecException e =
        assertFails(
            StatusCode.INVALID_ARGUMENT,
            () -> codec.decryptValueWithDek(PROJECT, new byte[16], "enc1:AAAA"));

    assertTrue(e.getMessage().contains("dek: must be 32 bytes"), e.getMessage());
  }

  @Test
  void decryptValue_withoutAnyKey_isInvalidArgument() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                raw.decryptValue(
                    DecryptValueRequest.newBuilder()
                        .setProjectId(PROJECT)
                        .setEncrypted("enc1:AAAA")
                        .build()));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("encrypted_dek"), e.getStatus().getDescription());
  }

  @Test
  void decryptValue_withPlainDekOfAnotherProject_isRejected() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String ct = codec.encrypt(PROJECT, dek, Map.of("K", SECRET)).get("K");
    byte[] plainDek = codec.decryptDek(PROJECT, dek);

    assertFails(
        StatusCode.INVALID_ARGUMENT,
        () -> codec.decryptValueWithDek(OTHER_PROJECT, plainDek, "K", ct));
    assertFails(
        StatusCode.INVALID_ARGUMENT,
        () ->
            raw.decryptValue(
                DecryptValueRequest.newBuilder()
                    .setProjectId(PROJECT)
                    .setEncrypted(ct)
                    .setDek(ByteString.copyFrom(new byte[32]))
                    .build()));
  }

  @Test
  void missingOrGarbageWrappedDek_isInvalidArgument() {
    assertTrue(
        assertFails(StatusCode.INVALID_ARGUMENT, () -> codec.encrypt(PROJECT, "", Map.of("K", "v")))
            .getMessage()
            .contains("encrypted_dek: required"));
    for (String garbage :
        List.of("dek1:k1:", "dek1:k1:@@@@", "dek1:kx:AAAA", "plainbase64AAAA=", "x".repeat(5000))) {
      assertFails(StatusCode.INVALID_ARGUMENT, () -> codec.decryptDek(PROJECT, garbage));
    }
  }

  @Test
  void tooManyEntries_isResourceExhaustedNamingTheLimit() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i <= 10_000; i++) {
      values.put("V" + i, "");
    }

    CodecException e =
        assertFails(StatusCode.RESOURCE_EXHAUSTED, () -> codec.encrypt(PROJECT, dek, values));

    assertTrue(e.getMessage().contains("limit is 10000"), e.getMessage());
  }

  @Test
  void valueOverSizeLimit_isResourceExhaustedNamingTheVariable() {
    String dek = codec.generateDek(PROJECT).encryptedDek();

    CodecException e =
        assertFails(
            StatusCode.RESOURCE_EXHAUSTED,
            () -> codec.encrypt(PROJECT, dek, Map.of("HUGE", "x".repeat(65_537))));

    assertTrue(e.getMessage().contains("values[HUGE]"), e.getMessage());
    assertEquals(1, codec.encrypt(PROJECT, dek, Map.of("MAX", "x".repeat(65_536))).size());
  }

  @Test
  void badVariableNames_areInvalidArgument() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    for (String bad : List.of("", "A=B", "NEW\nLINE", "N".repeat(257))) {
      assertFails(StatusCode.INVALID_ARGUMENT, () -> codec.encrypt(PROJECT, dek, Map.of(bad, "v")));
    }
  }

  @Test
  void concurrentCallers_allRoundTrip() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String project = "proj-" + t;
        results.add(
            pool.submit(
                () -> {
                  String dek = codec.generateDek(project).encryptedDek();
                  for (int i = 0; i < 50; i++) {
                    String value = project + "-" + i;
                    String ct = codec.encrypt(project, dek, Map.of("V", value)).get("V");
                    if (!value.equals(
                        codec
                            .decryptAll(project, "", dek, Map.of("V", Variable.secret(ct)))
                            .get("V"))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static CodecException assertFails(
      StatusCode expected, org.junit.jupiter.api.function.Executable call) {
    Throwable thrown = assertThrows(Throwable.class, call);
    CodecException e =
        thrown instanceof StatusRuntimeException s
            ? new CodecException(
                StatusCode.of(s.getStatus().getCode().value()), s.getStatus().getDescription(), s)
            : (CodecException) thrown;
    assertEquals(expected, e.code(), e.getMessage());
    return e;
  }

  /**
   * Changes the last base64 data character so the decoded bytes change (keeps the text canonical).
   */
  private static String flipLastDataChar(String text) {
    int i = text.length() - 1;
    while (text.charAt(i) == '=') {
      i--;
    }
    char replacement = text.charAt(i) == 'A' ? 'Q' : 'A';
    return text.substring(0, i) + replacement + text.substring(i + 1);
  }

  private static dev.codec.server.crypto.KekRing uncheckedRing(Path dir, Integer active) {
    try {
      return KekRingLoader.fromDirectory(dir, active);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
