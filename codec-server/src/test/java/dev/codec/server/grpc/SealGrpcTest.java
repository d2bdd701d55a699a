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
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealed revisions through the real server with {@code codec.seals.required=true}: injected,
 * dropped, renamed, downgraded and changed variables are refused naming the variables, never the
 * values.
 */
class SealGrpcTest {
  private static final String PROJECT = "proj-seal";
  private static final String STRIPE = "sk_live_seal_999";

  @TempDir static Path kekDir;

  private static TestServer server;
  private static CodecClient codec;
  private static String dek;
  private static Map<String, Variable> revision;
  private static String seal;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    server = TestServer.start(kekDir, Map.of("codec.seals.required", true));
    codec = server.client();
    dek = codec.generateDek(PROJECT).encryptedDek();
    CodecClient.EncryptedValues encrypted =
        codec.encrypt(
            PROJECT,
            dek,
            Map.of("STRIPE_SECRET_KEY", STRIPE),
            Map.of("LOG_LEVEL", "info", "NEXT_PUBLIC_GREETING", "hello"));
    seal = encrypted.seal();
    revision =
        Map.of(
            "STRIPE_SECRET_KEY", Variable.secret(encrypted.encrypted().get("STRIPE_SECRET_KEY")),
            "LOG_LEVEL", Variable.plain("info"),
            "NEXT_PUBLIC_GREETING", Variable.plain("hello"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void sealedRevision_decrypts() {
    assertTrue(seal.startsWith("seal3:"), seal);
    assertEquals(
        Map.of("STRIPE_SECRET_KEY", STRIPE, "LOG_LEVEL", "info", "NEXT_PUBLIC_GREETING", "hello"),
        codec.decryptAll(PROJECT, "", dek, revision, "", seal));
  }

  @Test
  void unsealedSet_isRefused_whenSealsAreRequired() {
    CodecException e =
        assertThrows(CodecException.class, () -> codec.decryptAll(PROJECT, "", dek, revision));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("SEAL_MISSING", e.errorReason());
  }

  @Test
  void injectedVariable_isRefusedByName() {
    Map<String, Variable> injected = with("NODE_OPTIONS", Variable.plain("--require /tmp/evil.js"));

    CodecException e = refused(injected);
    assertTrue(
        e.getMessage().contains("not in it (injected or renamed) [NODE_OPTIONS]"), e.getMessage());
    assertFalse(e.getMessage().contains("evil"));
  }

  @Test
  void droppedVariable_isRefusedByName() {
    Map<String, Variable> dropped = new HashMap<>(revision);
    dropped.remove("LOG_LEVEL");

    assertTrue(refused(dropped).getMessage().contains("missing (dropped or renamed) [LOG_LEVEL]"));
  }

  @Test
  void renamedVariable_isRefusedNamingBothNames() {
    Map<String, Variable> renamed = new HashMap<>(revision);
    renamed.put("GREETING", renamed.remove("NEXT_PUBLIC_GREETING"));

    String message = refused(renamed).getMessage();
    assertTrue(
        message.contains("[GREETING]") && message.contains("[NEXT_PUBLIC_GREETING]"), message);
  }

  @Test
  void secretTurnedPlain_isRefused_andTheAttackersValueNeverReturned() {
    Map<String, Variable> downgraded = new HashMap<>(revision);
    downgraded.put("STRIPE_SECRET_KEY", Variable.plain("sk_live_attacker"));

    CodecException e = refused(downgraded);
    assertTrue(
        e.getMessage().contains("sealed as SECRET, given as PLAIN [STRIPE_SECRET_KEY]"),
        e.getMessage());
    assertFalse(e.getMessage().contains("attacker"));
    assertEquals(
        List.of(
            new dev.codec.client.FieldViolation(
                "variables[STRIPE_SECRET_KEY]", "sealed as SECRET, given as PLAIN")),
        e.fieldViolations());
    assertFalse(e.fieldViolations().toString().contains("attacker"));
  }

  @Test
  void changedPlainValue_andSealOfAnotherDek_areRefused() {
    CodecException changed = refused(with("LOG_LEVEL", Variable.plain("debug")));
    assertTrue(changed.getMessage().contains("a value differs"), changed.getMessage());

    String otherDek = codec.generateDek(PROJECT).encryptedDek();
    String otherCt =
        codec
            .encrypt(PROJECT, otherDek, Map.of("STRIPE_SECRET_KEY", STRIPE))
            .get("STRIPE_SECRET_KEY");
    Map<String, Variable> underOther = with("STRIPE_SECRET_KEY", Variable.secret(otherCt));
    CodecException other =
        assertThrows(
            CodecException.class,
            () -> codec.decryptAll(PROJECT, "", otherDek, underOther, "", seal));
    assertEquals("SEAL_MISMATCH", other.errorReason());
    CodecException garbage =
        assertThrows(
            CodecException.class,
            () -> codec.decryptAll(PROJECT, "", dek, revision, "", "seal3:AAAA"));
    assertEquals("SEAL_INVALID", garbage.errorReason());
    CodecException seal2 =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptAll(
                    PROJECT, "", dek, revision, "", "seal2:" + seal.substring("seal3:".length())));
    assertEquals("SEAL_INVALID", seal2.errorReason());
    assertTrue(
        seal2.getMessage().contains("seal2 is no longer accepted (the format is seal3)"),
        seal2.getMessage());
    CodecException outdated =
        assertThrows(
            CodecException.class,
            () -> codec.decryptAll(PROJECT, "", dek, revision, "", "seal1:AAAA"));
    assertEquals("SEAL_INVALID", outdated.errorReason());
    assertTrue(
        outdated.getMessage().contains("seal1 is no longer accepted"), outdated.getMessage());
  }

  /**
   * The seal covers a SECRET's GCM tag; a change before it is caught by AES-GCM, naming the
   * variable.
   */
  @Test
  void secretChangedBetweenNonceAndTag_isRefusedByDecryption() {
    String ct = revision.get("STRIPE_SECRET_KEY").value();
    int middle = ct.length() / 2;
    String changed =
        ct.substring(0, middle) + (ct.charAt(middle) == 'A' ? 'B' : 'A') + ct.substring(middle + 1);

    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    with("STRIPE_SECRET_KEY", Variable.secret(changed)),
                    "",
                    seal));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(
        e.getMessage().contains("variables[STRIPE_SECRET_KEY]: cannot be decrypted"),
        e.getMessage());
  }

  @Test
  void sealVariables_sealsStoredRevisions_refusesMovedCiphertexts_andReSealsAfterRotateDek() {
    assertEquals(
        Map.of("STRIPE_SECRET_KEY", STRIPE, "LOG_LEVEL", "info", "NEXT_PUBLIC_GREETING", "hello"),
        codec.decryptAll(
            PROJECT, "", dek, revision, "", codec.sealVariables(PROJECT, dek, revision)));
    // a changed PLAIN value is re-sealed from the stored ciphertexts
    Map<String, Variable> changed = with("LOG_LEVEL", Variable.plain("debug"));
    assertEquals(
        "debug",
        codec
            .decryptAll(PROJECT, "", dek, changed, "", codec.sealVariables(PROJECT, dek, changed))
            .get("LOG_LEVEL"));
    // it never vouches for a ciphertext moved to another name
    Map<String, Variable> moved = with("NEXT_PUBLIC_GREETING", revision.get("STRIPE_SECRET_KEY"));
    CodecException e =
        assertThrows(CodecException.class, () -> codec.sealVariables(PROJECT, dek, moved));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("variables[NEXT_PUBLIC_GREETING]"), e.getMessage());

    RotatedDek rotated =
        codec.rotateDek(
            PROJECT, dek, Map.of("STRIPE_SECRET_KEY", revision.get("STRIPE_SECRET_KEY").value()));
    Map<String, Variable> rotatedRevision =
        with("STRIPE_SECRET_KEY", Variable.secret(rotated.encrypted().get("STRIPE_SECRET_KEY")));
    assertEquals(
        "SEAL_MISMATCH",
        assertThrows(
                CodecException.class,
                () ->
                    codec.decryptAll(
                        PROJECT, "", rotated.encryptedDek(), rotatedRevision, "", seal))
            .errorReason(),
        "the old seal is tied to the old DEK");
    String resealed = codec.sealVariables(PROJECT, rotated.encryptedDek(), rotatedRevision);
    assertEquals(
        STRIPE,
        codec
            .decryptAll(PROJECT, "", rotated.encryptedDek(), rotatedRevision, "", resealed)
            .get("STRIPE_SECRET_KEY"));
  }

  @Test
  void encrypt_refusesANameThatIsBothSecretAndPlain() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () -> codec.encrypt(PROJECT, dek, Map.of("X", "s"), Map.of("X", "p")));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("plain_values[X]"), e.getMessage());
  }

  private static CodecException refused(Map<String, Variable> variables) {
    CodecException e =
        assertThrows(
            CodecException.class, () -> codec.decryptAll(PROJECT, "", dek, variables, "", seal));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("SEAL_MISMATCH", e.errorReason(), e.getMessage());
    assertFalse(e.getMessage().contains(STRIPE));
    return e;
  }

  private static Map<String, Variable> with(String name, Variable variable) {
    Map<String, Variable> out = new HashMap<>(revision);
    out.put(name, variable);
    return out;
  }
}
