package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.RotatedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.SharedTestServer;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.SymmetricKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * enc2 values are bound to their variable names: swapped, copied and renamed ciphertexts are
 * refused; enc1 is read only while allowed; RotateDek migrates enc1 to enc2; decrypts are counted
 * per format.
 */
@ExtendWith(SharedTestServer.class)
class ValueNameBindingGrpcTest {
  private static final String PROJECT = "proj-names";
  private static final String STRIPE = "sk_live_stripe_777";
  private static final String GREETING = "hello world";

  private static TestServer server;
  private static CodecClient codec;
  private static String dek;
  private static Map<String, String> cts;

  @BeforeAll
  static void start(TestServer shared) throws Exception {
    server = shared;
    codec = server.client();
    dek = codec.generateDek(PROJECT).encryptedDek();
    cts =
        codec.encrypt(
            PROJECT, dek, Map.of("STRIPE_SECRET_KEY", STRIPE, "NEXT_PUBLIC_GREETING", GREETING));
  }

  @Test
  void encrypt_writesEnc2_thatDecryptsUnderItsOwnName() {
    cts.values().forEach(ct -> assertTrue(ct.startsWith("enc2:"), ct));
    assertEquals(
        Map.of("STRIPE_SECRET_KEY", STRIPE, "NEXT_PUBLIC_GREETING", GREETING),
        codec.decryptAll(
            PROJECT,
            "",
            dek,
            Map.of(
                "STRIPE_SECRET_KEY",
                Variable.secret(cts.get("STRIPE_SECRET_KEY")),
                "NEXT_PUBLIC_GREETING",
                Variable.secret(cts.get("NEXT_PUBLIC_GREETING")))));
  }

  @Test
  void swappedCiphertexts_areRefused_namingBothVariables() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    Map.of(
                        "STRIPE_SECRET_KEY", Variable.secret(cts.get("NEXT_PUBLIC_GREETING")),
                        "NEXT_PUBLIC_GREETING", Variable.secret(cts.get("STRIPE_SECRET_KEY")))));

    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(
        e.getMessage().contains("variables[NEXT_PUBLIC_GREETING, STRIPE_SECRET_KEY]"),
        e.getMessage());
    assertFalse(e.getMessage().contains(STRIPE) || e.getMessage().contains(GREETING));
  }

  @Test
  void copiedCiphertext_underAPublicName_isRefused() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    Map.of(
                        "STRIPE_SECRET_KEY", Variable.secret(cts.get("STRIPE_SECRET_KEY")),
                        "SENTRY_PUBLIC_DSN", Variable.secret(cts.get("STRIPE_SECRET_KEY")))));

    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("variables[SENTRY_PUBLIC_DSN]"), e.getMessage());
  }

  @Test
  void renamedCiphertext_isRefused_byDecryptAllAndDecryptValue() {
    assertEquals(
        StatusCode.INVALID_ARGUMENT,
        assertThrows(
                CodecException.class,
                () ->
                    codec.decryptAll(
                        PROJECT,
                        "",
                        dek,
                        Map.of(
                            "NEXT_PUBLIC_GREETING", Variable.secret(cts.get("STRIPE_SECRET_KEY")))))
            .code());
    assertEquals(
        STRIPE,
        codec.decryptValue(PROJECT, dek, "STRIPE_SECRET_KEY", cts.get("STRIPE_SECRET_KEY")));
    CodecException renamed =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptValue(
                    PROJECT, dek, "NEXT_PUBLIC_GREETING", cts.get("STRIPE_SECRET_KEY")));
    assertEquals(StatusCode.INVALID_ARGUMENT, renamed.code());
    CodecException noName =
        assertThrows(
            CodecException.class,
            () -> codec.decryptValue(PROJECT, dek, cts.get("STRIPE_SECRET_KEY")));
    assertEquals(StatusCode.INVALID_ARGUMENT, noName.code());
    assertTrue(noName.getMessage().contains("name: required"), noName.getMessage());
    // the name is part of the associated data exactly: a name that is a prefix or extension fails
    // too
    assertEquals(
        StatusCode.INVALID_ARGUMENT,
        assertThrows(
                CodecException.class,
                () ->
                    codec.decryptValue(
                        PROJECT, dek, "STRIPE_SECRET_KE", cts.get("STRIPE_SECRET_KEY")))
            .code());
    assertEquals(
        StatusCode.INVALID_ARGUMENT,
        assertThrows(
                CodecException.class,
                () ->
                    codec.decryptValue(
                        PROJECT, dek, "STRIPE_SECRET_KEY_", cts.get("STRIPE_SECRET_KEY")))
            .code());
  }

  @Test
  void enc1_isAcceptedWhileAllowed_countedPerFormat_andRotateDekMigratesItToEnc2(@TempDir Path dir)
      throws Exception {
    TestServer.writeKek(dir, 1);
    try (TestServer strict = TestServer.start(dir, Map.of("codec.formats.accept-enc1", false))) {
      CodecClient client = strict.client();
      String projectDek = client.generateDek(PROJECT).encryptedDek();
      String enc1 = enc1(client, projectDek, "old-secret");
      String enc2 = client.encrypt(PROJECT, projectDek, Map.of("NEW", "new-secret")).get("NEW");

      CodecException refused =
          assertThrows(
              CodecException.class,
              () ->
                  client.decryptAll(
                      PROJECT,
                      "",
                      projectDek,
                      Map.of("OLD", Variable.secret(enc1), "NEW", Variable.secret(enc2))));
      assertEquals(StatusCode.FAILED_PRECONDITION, refused.code());
      assertEquals("ENC1_INPUT_DISABLED", refused.errorReason());
      assertTrue(refused.getMessage().contains("variables[OLD]"), refused.getMessage());
      assertEquals(
          "ENC1_INPUT_DISABLED",
          assertThrows(CodecException.class, () -> client.decryptValue(PROJECT, projectDek, enc1))
              .errorReason());

      // RotateDek reads enc1 even now: it is the migration
      RotatedDek rotated = client.rotateDek(PROJECT, projectDek, Map.of("OLD", enc1, "NEW", enc2));
      assertTrue(rotated.encrypted().get("OLD").startsWith("enc2:"));
      assertEquals(
          Map.of("OLD", "old-secret", "NEW", "new-secret"),
          client.decryptAll(
              PROJECT,
              "",
              rotated.encryptedDek(),
              Map.of(
                  "OLD",
                  Variable.secret(rotated.encrypted().get("OLD")),
                  "NEW",
                  Variable.secret(rotated.encrypted().get("NEW")))));
      // and binds each value to the name it was given under
      assertEquals(
          StatusCode.INVALID_ARGUMENT,
          assertThrows(
                  CodecException.class,
                  () ->
                      client.decryptValue(
                          PROJECT, rotated.encryptedDek(), "NEW", rotated.encrypted().get("OLD")))
              .code());
    }

    // the default server reads enc1, and counts what it decrypts per format
    MeterRegistry registry = server.context().getBean(MeterRegistry.class);
    double enc1Before = count(registry, "enc1");
    double enc2Before = count(registry, "enc2");
    String enc1 = enc1(codec, dek, "still-readable");
    assertEquals(
        Map.of("OLD", "still-readable", "STRIPE_SECRET_KEY", STRIPE),
        codec.decryptAll(
            PROJECT,
            "",
            dek,
            Map.of(
                "OLD",
                Variable.secret(enc1),
                "STRIPE_SECRET_KEY",
                Variable.secret(cts.get("STRIPE_SECRET_KEY")))));
    assertEquals("still-readable", codec.decryptValue(PROJECT, dek, enc1));
    assertEquals(enc1Before + 2, count(registry, "enc1"));
    assertEquals(enc2Before + 1, count(registry, "enc2"));
  }

  @Test
  void rotateDek_migratesEnc1ToEnc2_andEnc2StaysBoundToItsName() {
    String projectDek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> mixed = new HashMap<>();
    mixed.put("OLD_1", enc1(codec, projectDek, "one"));
    mixed.put("OLD_2", enc1(codec, projectDek, "two"));
    mixed.put("NEW", codec.encrypt(PROJECT, projectDek, Map.of("NEW", "three")).get("NEW"));

    RotatedDek rotated = codec.rotateDek(PROJECT, projectDek, mixed);

    rotated.encrypted().values().forEach(ct -> assertTrue(ct.startsWith("enc2:"), ct));
    assertEquals(
        "one",
        codec.decryptValue(
            PROJECT, rotated.encryptedDek(), "OLD_1", rotated.encrypted().get("OLD_1")));
    assertEquals(
        "three",
        codec.decryptValue(PROJECT, rotated.encryptedDek(), "NEW", rotated.encrypted().get("NEW")));
    // an enc2 value given to RotateDek under another name is refused, not laundered into a new
    // binding
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> codec.rotateDek(PROJECT, projectDek, Map.of("PUBLIC_NAME", mixed.get("NEW"))));
    assertTrue(e.getMessage().contains("encrypted[PUBLIC_NAME]"), e.getMessage());
  }

  /**
   * An "enc1:" value of {@code plaintext} under the project's DEK, as the previous codec version
   * wrote it.
   */
  private static String enc1(CodecClient client, String encryptedDek, String plaintext) {
    byte[] raw = client.decryptDek(PROJECT, encryptedDek);
    SymmetricKey key = SymmetricKey.copyOf(raw);
    try {
      return new EnvelopeCrypto(() -> null)
          .valueCipher(PROJECT, key)
          .encrypt(plaintext.getBytes(StandardCharsets.UTF_8));
    } finally {
      key.destroy();
    }
  }

  private static double count(MeterRegistry registry, String format) {
    return registry.get("codec.values.decrypted").tag("format", format).counter().count();
  }
}
