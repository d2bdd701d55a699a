package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seal v2 through the core service with real crypto: the seal binds a SECRET by its GCM tag and
 * leaves the rest of the ciphertext to AES-GCM, so these tests check the pair as DecryptAll runs
 * it: every single-character change anywhere in the sealed set (name, kind, PLAIN value, any
 * character of any ciphertext) is refused, values moved between names are refused, and seal1 is
 * refused with a reason.
 */
class SealTamperingTest {
  private static final String PROJECT = "proj-t";
  private static final String B64 = "ABab01+/=";

  private CodecService service;
  private GrantService grants;
  private String dek;
  private Map<String, StoredVariable> revision;
  private String seal;

  @BeforeEach
  void setUp() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    EnvelopeCrypto crypto = new EnvelopeCrypto(() -> ring);
    DekCache cache = new DekCache(Duration.ofMinutes(5), 100);
    service =
        new CodecService(
            crypto,
            cache,
            Limits.DEFAULTS,
            InputFormats.strict(crypto, true),
            AccessPolicy.OPEN,
            ValueFormatCounter.NONE);
    grants =
        new GrantService(
            crypto, cache, Limits.DEFAULTS, InputFormats.strict(crypto, true), AccessPolicy.OPEN);
    dek = service.generateDek(PROJECT).encoded();
    EncryptedRevision encrypted =
        service.encrypt(
            PROJECT,
            dek,
            Map.of("DB_PASSWORD", "hunter2", "STRIPE_SECRET_KEY", "sk_live_" + "x".repeat(70)),
            Map.of("NEXT_PUBLIC_GREETING", "hello", "NODE_ENV", "production"));
    seal = encrypted.seal();
    revision = new HashMap<>();
    encrypted
        .encrypted()
        .forEach(
            (name, value) ->
                revision.put(name, new StoredVariable(StoredVariable.Kind.SECRET, value)));
    revision.put("NEXT_PUBLIC_GREETING", new StoredVariable(StoredVariable.Kind.PLAIN, "hello"));
    revision.put("NODE_ENV", new StoredVariable(StoredVariable.Kind.PLAIN, "production"));
  }

  @Test
  void sealedRevision_roundTrips() throws Exception {
    assertTrue(seal.startsWith("seal3:"), seal);
    Map<String, String> plain = service.decryptAll(PROJECT, "", dek, revision, "", seal).result();
    assertEquals("hunter2", plain.get("DB_PASSWORD"));
    assertEquals("production", plain.get("NODE_ENV"));
    assertEquals(4, plain.size());
    String resealed = service.sealVariables(PROJECT, dek, revision);
    assertEquals(plain, service.decryptAll(PROJECT, "", dek, revision, "", resealed).result());
  }

  @Test
  void everySingleCharacterChange_ofEveryCiphertext_isRefused() {
    for (String name : new String[] {"DB_PASSWORD", "STRIPE_SECRET_KEY"}) {
      String ct = revision.get(name).value();
      for (int i = 0; i < ct.length(); i++) {
        // and the character with the same low 8 bits outside ASCII (the seal takes a SECRET's
        // tail as low 8 bits: such a text is no base64, so decryption refuses it)
        for (char c : (B64 + (char) (ct.charAt(i) + 0x100)).toCharArray()) {
          if (ct.charAt(i) != c) {
            String changed = ct.substring(0, i) + c + ct.substring(i + 1);
            RejectedRequestException e =
                refused(with(name, new StoredVariable(StoredVariable.Kind.SECRET, changed)));
            // the seal catches the tail (the GCM tag); AES-GCM catches the rest, naming the
            // variable
            assertTrue(
                "SEAL_MISMATCH".equals(e.errorReason()) || e.getMessage().contains(name),
                name + " at " + i + ": " + e.getMessage());
          }
        }
      }
    }
  }

  @Test
  void everySingleCharacterChange_ofNamesAndPlainValues_andEveryKindChange_isASealMismatch() {
    for (Map.Entry<String, StoredVariable> entry : revision.entrySet()) {
      String name = entry.getKey();
      StoredVariable variable = entry.getValue();
      for (int i = 0; i < name.length(); i++) {
        Map<String, StoredVariable> renamed = new HashMap<>(revision);
        renamed.remove(name);
        renamed.put(changeAt(name, i), variable);
        assertEquals("SEAL_MISMATCH", refused(renamed).errorReason(), name + " at " + i);
      }
      if (variable.kind() == StoredVariable.Kind.PLAIN) {
        for (int i = 0; i < variable.value().length(); i++) {
          StoredVariable changed =
              new StoredVariable(StoredVariable.Kind.PLAIN, changeAt(variable.value(), i));
          assertEquals(
              "SEAL_MISMATCH", refused(with(name, changed)).errorReason(), name + " at " + i);
        }
      }
      StoredVariable.Kind other =
          variable.kind() == StoredVariable.Kind.PLAIN
              ? StoredVariable.Kind.SECRET
              : StoredVariable.Kind.PLAIN;
      RejectedRequestException kind =
          refused(with(name, new StoredVariable(other, variable.value())));
      assertEquals("SEAL_MISMATCH", kind.errorReason());
      assertTrue(kind.getMessage().contains(name), kind.getMessage());
    }
  }

  @Test
  void added_removed_andSwappedValues_areRefused() {
    assertEquals(
        "SEAL_MISMATCH",
        refused(with("NODE_OPTIONS", new StoredVariable(StoredVariable.Kind.PLAIN, "--require x")))
            .errorReason());
    Map<String, StoredVariable> dropped = new HashMap<>(revision);
    dropped.remove("DB_PASSWORD");
    assertTrue(refused(dropped).getMessage().contains("DB_PASSWORD"));
    Map<String, StoredVariable> plainSwapped = new HashMap<>(revision);
    plainSwapped.put("NODE_ENV", revision.get("NEXT_PUBLIC_GREETING"));
    plainSwapped.put("NEXT_PUBLIC_GREETING", revision.get("NODE_ENV"));
    assertEquals("SEAL_MISMATCH", refused(plainSwapped).errorReason());
    Map<String, StoredVariable> secretSwapped = new HashMap<>(revision);
    secretSwapped.put("DB_PASSWORD", revision.get("STRIPE_SECRET_KEY"));
    secretSwapped.put("STRIPE_SECRET_KEY", revision.get("DB_PASSWORD"));
    assertEquals("SEAL_MISMATCH", refused(secretSwapped).errorReason());
  }

  @Test
  void aNewCiphertextOfTheSameValue_underTheSameName_isRefused() throws Exception {
    String again =
        service
            .encrypt(PROJECT, dek, Map.of("DB_PASSWORD", "hunter2"), Map.of())
            .encrypted()
            .get("DB_PASSWORD");
    assertEquals(
        "SEAL_MISMATCH",
        refused(with("DB_PASSWORD", new StoredVariable(StoredVariable.Kind.SECRET, again)))
            .errorReason());
  }

  @Test
  void seal1_isRefusedWithAReason_onDecryptAllAndIssueGrant() {
    String seal1 =
        "seal1:AAAAAwAUTkVYVF9QVUJMSUNfR1JFRVRJTkcBABFTVFJJUEVfU0VDUkVUX0tFWQIABcOpVMO"
            + "JASuCwp4Vo+5PIzum6oqOgtXsPPEpxYO/rPriX5cVySUN";
    RejectedRequestException e = refused(revision, seal1);
    assertEquals("SEAL_INVALID", e.errorReason());
    assertTrue(e.getMessage().contains("seal1 is no longer accepted"), e.getMessage());
    RejectedRequestException grant =
        assertThrows(
            RejectedRequestException.class,
            () -> grants.issueGrant(PROJECT, "dep", dek, seal1, Duration.ofMinutes(5)));
    assertEquals("SEAL_INVALID", grant.errorReason());
    assertTrue(grant.getMessage().contains("re-seal"), grant.getMessage());
  }

  @Test
  void seal2_isRefusedWithAReason_onDecryptAllAndIssueGrant() {
    // seal2's layout (HMAC tag || manifest) with its prefix: what a stored seal2 looks like
    String seal2 = "seal2:" + seal.substring("seal3:".length());
    RejectedRequestException e = refused(revision, seal2);
    assertEquals("SEAL_INVALID", e.errorReason());
    assertTrue(
        e.getMessage().contains("seal2 is no longer accepted (the format is seal3)"),
        e.getMessage());
    RejectedRequestException grant =
        assertThrows(
            RejectedRequestException.class,
            () -> grants.issueGrant(PROJECT, "dep", dek, seal2, Duration.ofMinutes(5)));
    assertEquals("SEAL_INVALID", grant.errorReason());
    assertTrue(grant.getMessage().contains("seal2 is no longer accepted"), grant.getMessage());
  }

  private RejectedRequestException refused(Map<String, StoredVariable> variables) {
    return refused(variables, seal);
  }

  private RejectedRequestException refused(Map<String, StoredVariable> variables, String withSeal) {
    RejectedRequestException e =
        assertThrows(
            RejectedRequestException.class,
            () -> service.decryptAll(PROJECT, "", dek, variables, "", withSeal));
    assertFalse(
        e.getMessage().contains("hunter2") || e.getMessage().contains("sk_live_"), e.getMessage());
    return e;
  }

  private Map<String, StoredVariable> with(String name, StoredVariable variable) {
    Map<String, StoredVariable> out = new HashMap<>(revision);
    out.put(name, variable);
    return out;
  }

  private static String changeAt(String text, int i) {
    return text.substring(0, i) + (text.charAt(i) == 'A' ? 'B' : 'A') + text.substring(i + 1);
  }
}
