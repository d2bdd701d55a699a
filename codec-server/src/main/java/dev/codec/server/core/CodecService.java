package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;
import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.ValueVersion;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SymmetricKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The codec's data operations on plain Java types: GenerateDek, Encrypt, SealVariables and the
 * decrypting calls (DecryptDek, DecryptValue, DecryptAll), with validation and limits, the DEK
 * cache, deployment grants ({@link GrantCheck}) and revision seals ({@link Seals}). Which input
 * formats are read is the {@link InputFormats} strategy's business; key lifecycle is {@link
 * KeyLifecycle}'s, issuing grants {@link GrantService}'s. Transport-free; every refusal is a {@link
 * RejectedRequestException} with a message safe to return to the caller. Thread-safe.
 *
 * <p>Longer than most classes here (about 400 lines, half of it javadoc): the three decrypting
 * calls and their overloads share the grant, seal and all-or-nothing steps, and read best side by
 * side.
 */
public final class CodecService {

  private final EnvelopeCrypto crypto;
  private final RequestValidator validate;
  private final InputFormats formats;
  private final ProjectDeks deks;
  private final GrantCheck grantCheck;
  private final AccessPolicy access;
  private final ValueFormatCounter formatCounter;

  /**
   * @param formats which input formats are read ({@code codec.legacy.accept}, {@code
   *     codec.formats.accept-enc1})
   * @param access whether grants and seals are required, the grants' clock and skew
   * @param formatCounter told how many values of each format every call decrypted
   */
  public CodecService(
      EnvelopeCrypto crypto,
      DekCache dekCache,
      Limits limits,
      InputFormats formats,
      AccessPolicy access,
      ValueFormatCounter formatCounter) {
    GrantCheck.requireGrantableIds(limits);
    this.crypto = crypto;
    this.validate = RequestValidator.of(limits);
    this.formats = formats;
    this.deks = new ProjectDeks(dekCache, validate, formats);
    this.grantCheck = new GrantCheck(crypto.grants(), access);
    this.access = access;
    this.formatCounter = formatCounter;
  }

  /** A new DEK for {@code projectId}, wrapped under the active KEK. */
  public WrappedDek generateDek(String projectId) throws RejectedRequestException {
    validate.projectId(projectId);
    return wrapped(crypto.generateWrappedDek(projectId));
  }

  /**
   * Encrypts every value under the project's DEK (one unwrap for the whole call); name to "enc2:"
   * text.
   */
  public Map<String, String> encrypt(
      String projectId, String encryptedDek, Map<String, String> values)
      throws RejectedRequestException {
    return encrypt(projectId, encryptedDek, values, Map.of()).encrypted();
  }

  /**
   * Encrypts every value under the project's DEK, bound to its name ("enc2:"), and seals the
   * revision made of those ciphertexts and {@code plainValues}.
   */
  public EncryptedRevision encrypt(
      String projectId,
      String encryptedDek,
      Map<String, String> values,
      Map<String, String> plainValues)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.entryCount("values", values.size());
    validate.entryCount("values and plain_values", values.size() + plainValues.size());
    List<String> names = new ArrayList<>(values.size());
    List<byte[]> plaintexts = new ArrayList<>(values.size());
    for (Map.Entry<String, String> entry : values.entrySet()) {
      validate.name("values", entry.getKey());
      byte[] plaintext = entry.getValue().getBytes(StandardCharsets.UTF_8);
      validate.plaintextSize("values", entry.getKey(), plaintext.length);
      names.add(entry.getKey());
      plaintexts.add(plaintext);
    }
    List<String> both = new ArrayList<>();
    for (Map.Entry<String, String> entry : plainValues.entrySet()) {
      validate.name("plain_values", entry.getKey());
      validate.plainSize("plain_values", entry.getKey(), entry.getValue());
      if (values.containsKey(entry.getKey())) {
        both.add(entry.getKey());
      }
    }
    if (!both.isEmpty()) {
      both.sort(null);
      throw new RejectedRequestException(
              RejectedRequestException.Reason.BAD_INPUT,
              ErrorReason.FIELD_INVALID,
              "plain_values["
                  + RequestValidator.names(both)
                  + "]: also in values (a variable is "
                  + "either SECRET or PLAIN)")
          .withMetadata("field", "plain_values")
          .withVariables("plain_values", both, "also in values");
    }
    DekKeys keys = deks.cachedKeys(projectId, "encrypted_dek", encryptedDek);
    try {
      ValueCipher cipher = crypto.valueCipher(projectId, keys.dek());
      Map<String, String> encrypted = new HashMap<>(capacity(values.size()));
      List<RevisionSeal.Entry> revision = new ArrayList<>(values.size() + plainValues.size());
      for (int i = 0; i < names.size(); i++) {
        String ciphertext = cipher.encrypt(names.get(i), plaintexts.get(i));
        encrypted.put(names.get(i), ciphertext);
        revision.add(new RevisionSeal.Entry(names.get(i), true, ciphertext));
      }
      plainValues.forEach(
          (name, value) -> revision.add(new RevisionSeal.Entry(name, false, value)));
      return new EncryptedRevision(encrypted, Seals.seal(keys.sealKey(), projectId, revision));
    } finally {
      plaintexts.forEach(p -> Arrays.fill(p, (byte) 0));
      keys.destroy();
    }
  }

  /**
   * Seals a stored revision: checks that every SECRET value decrypts under the DEK for its name,
   * and returns the seal over the whole set.
   */
  public String sealVariables(
      String projectId, String encryptedDek, Map<String, StoredVariable> variables)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.entryCount("variables", variables.size());
    validateVariables(variables);
    DekKeys keys = deks.cachedKeys(projectId, "encrypted_dek", encryptedDek);
    try {
      ValueCipher cipher = crypto.valueCipher(projectId, keys.dek());
      List<String> failed = new ArrayList<>();
      for (Map.Entry<String, StoredVariable> entry : variables.entrySet()) {
        if (entry.getValue().kind() != StoredVariable.Kind.SECRET) {
          continue;
        }
        try {
          Arrays.fill(
              formats.decrypt(cipher, entry.getKey(), entry.getValue().value(), null), (byte) 0);
        } catch (InvalidCiphertextException e) {
          failed.add(entry.getKey());
        }
      }
      if (!failed.isEmpty()) {
        throw Refusals.invalidValues("variables", failed);
      }
      return Seals.seal(keys.sealKey(), projectId, Seals.entries(variables));
    } finally {
      keys.destroy();
    }
  }

  /**
   * The plaintext DEK (32 bytes). The caller must be allowed to take the DEK out of the service.
   */
  public byte[] decryptDek(String projectId, String encryptedDek) throws RejectedRequestException {
    return decryptDek(projectId, encryptedDek, "").result();
  }

  /**
   * The plaintext DEK (32 bytes), with a deployment grant when grants are required (the DEK opens
   * every value of the project, so exporting it needs at least what decrypting one value needs).
   */
  public Granted<byte[]> decryptDek(String projectId, String encryptedDek, String grant)
      throws RejectedRequestException {
    return decryptDek(projectId, encryptedDek, grant, CodecService::ignoreGrant);
  }

  /**
   * As {@link #decryptDek(String, String, String)}, telling {@code onVerified} about the grant as
   * soon as it is verified (before any later check can refuse the call).
   */
  public Granted<byte[]> decryptDek(
      String projectId, String encryptedDek, String grant, Consumer<GrantIdentity> onVerified)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.wrappedDek("encrypted_dek", encryptedDek);
    GrantIdentity verified =
        grantCheck.verify(projectId, "", encryptedDek, grant, null, onVerified);
    SymmetricKey dek = deks.cached(projectId, "encrypted_dek", encryptedDek);
    try {
      return new Granted<>(dek.getEncoded(), verified);
    } finally {
      dek.destroy();
    }
  }

  /** Decrypts one value (not enc2) with the project's wrapped DEK. */
  public String decryptValue(String projectId, String encrypted, String encryptedDek)
      throws RejectedRequestException {
    return decryptValue(projectId, encrypted, encryptedDek, "", "").result();
  }

  /**
   * Decrypts one value with the project's wrapped DEK.
   *
   * @param name the variable the value is stored under: required for "enc2:" values
   * @param grant a deployment grant, or empty (refused when grants are required)
   */
  public Granted<String> decryptValue(
      String projectId, String encrypted, String encryptedDek, String name, String grant)
      throws RejectedRequestException {
    return decryptValue(projectId, encrypted, encryptedDek, name, grant, CodecService::ignoreGrant);
  }

  /**
   * As {@link #decryptValue(String, String, String, String, String)}, telling {@code onVerified}
   * about the grant.
   */
  public Granted<String> decryptValue(
      String projectId,
      String encrypted,
      String encryptedDek,
      String name,
      String grant,
      Consumer<GrantIdentity> onVerified)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.ciphertextSize("encrypted", encrypted);
    checkValueInput(encrypted, name);
    GrantIdentity verified =
        grantCheck.verify(projectId, "", encryptedDek, grant, null, onVerified);
    SymmetricKey dek = deks.cached(projectId, "encrypted_dek", encryptedDek);
    try {
      return new Granted<>(
          decryptOne(crypto.valueCipher(projectId, dek), name, encrypted), verified);
    } finally {
      dek.destroy();
    }
  }

  /** Decrypts one value (not enc2) with a plaintext DEK supplied by the caller. */
  public String decryptValue(String projectId, String encrypted, byte[] dek)
      throws RejectedRequestException {
    return decryptValue(projectId, encrypted, dek, "");
  }

  /**
   * Decrypts one value with a plaintext DEK supplied by the caller (who holds the DEK already: no
   * grant).
   *
   * @param name the variable the value is stored under: required for "enc2:" values
   */
  public String decryptValue(String projectId, String encrypted, byte[] dek, String name)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.ciphertextSize("encrypted", encrypted);
    if (dek.length != SymmetricKey.KEY_BYTES) {
      throw badInput("dek", "must be " + SymmetricKey.KEY_BYTES + " bytes, got " + dek.length);
    }
    checkValueInput(encrypted, name);
    SymmetricKey key = SymmetricKey.copyOf(dek);
    try {
      return decryptOne(crypto.valueCipher(projectId, key), name, encrypted);
    } finally {
      key.destroy();
    }
  }

  /** DecryptValue's format checks: legacy and enc1 only while accepted, a name for enc2. */
  private void checkValueInput(String encrypted, String name) throws RejectedRequestException {
    formats.checkValue("encrypted", encrypted);
    if (EnvelopeCrypto.valueVersion(encrypted) == ValueVersion.ENC2) {
      if (name.isEmpty()) {
        throw fieldRequired("name", " for an enc2 value (the variable it is stored under)");
      }
      validate.name("name", name);
    }
  }

  /**
   * Decrypts a deployment's variables: PLAIN values unchanged, SECRET values decrypted. All or
   * nothing: if any SECRET fails, the whole call is rejected naming every failing variable.
   *
   * @param encryptedDek the project's wrapped DEK; may be empty only when no variable is SECRET
   */
  public Map<String, String> decryptAll(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, StoredVariable> variables)
      throws RejectedRequestException {
    return decryptAll(projectId, deploymentId, encryptedDek, variables, "", "").result();
  }

  /**
   * Decrypts a deployment's variables, checking its grant and its seal. All or nothing.
   *
   * @param deploymentId the caller's claim: with a grant, empty or the grant's deployment id
   * @param grant a deployment grant, or empty (refused when grants are required)
   * @param seal the revision's seal, or empty (refused when seals are required)
   */
  public Granted<Map<String, String>> decryptAll(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, StoredVariable> variables,
      String grant,
      String seal)
      throws RejectedRequestException {
    return decryptAll(
        projectId, deploymentId, encryptedDek, variables, grant, seal, CodecService::ignoreGrant);
  }

  /**
   * As {@link #decryptAll(String, String, String, Map, String, String)}, telling {@code onVerified}
   * about the grant as soon as it is verified (so a call refused later, for a seal mismatch or a
   * value that does not decrypt, is still attributed to the grant).
   */
  public Granted<Map<String, String>> decryptAll(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, StoredVariable> variables,
      String grant,
      String seal,
      Consumer<GrantIdentity> onVerified)
      throws RejectedRequestException {
    Granted<DecryptedValues> decrypted =
        decryptAllUtf8(projectId, deploymentId, encryptedDek, variables, grant, seal, onVerified);
    try {
      return new Granted<>(decrypted.result().toMap(), decrypted.grant());
    } finally {
      decrypted.result().destroy();
    }
  }

  /**
   * As {@link #decryptAll(String, String, String, Map, String, String, Consumer)}, with the
   * decrypted values as their UTF-8 bytes (checked to be well-formed, never decoded), in the order
   * of {@code variables}: the same checks, refusals and all-or-nothing rule. The caller should
   * {@link DecryptedValues#destroy()} the result once it has written it out.
   */
  public Granted<DecryptedValues> decryptAllUtf8(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, StoredVariable> variables,
      String grant,
      String seal,
      Consumer<GrantIdentity> onVerified)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.deploymentId(deploymentId);
    validate.entryCount("variables", variables.size());
    boolean anySecret = validateVariables(variables);
    GrantIdentity verified =
        grantCheck.verify(projectId, deploymentId, encryptedDek, grant, seal, onVerified);
    if (seal.isEmpty() && access.sealsRequired()) {
      throw Seals.missing("");
    }
    if (seal.isEmpty() && !anySecret && encryptedDek.isEmpty()) {
      DecryptedValues plain = new DecryptedValues(variables.size());
      variables.forEach((name, variable) -> plain.addPlain(name, variable.value()));
      return new Granted<>(plain, verified);
    }
    if (encryptedDek.isEmpty() && !seal.isEmpty()) {
      throw fieldRequired("encrypted_dek", " to verify the seal");
    }
    DekKeys keys = deks.cachedKeys(projectId, "encrypted_dek", encryptedDek);
    try {
      if (!seal.isEmpty()) {
        Seals.verify(keys.sealKey(), projectId, variables, seal);
      }
      return new Granted<>(
          decryptVariables(crypto.valueCipher(projectId, keys.dek()), variables), verified);
    } finally {
      keys.destroy();
    }
  }

  /**
   * Checks names, kinds and sizes, and refuses legacy and enc1 values while they are disabled.
   *
   * @return whether any variable is SECRET
   */
  private boolean validateVariables(Map<String, StoredVariable> variables)
      throws RejectedRequestException {
    Map<String, String> secrets = new HashMap<>(capacity(variables.size()));
    for (Map.Entry<String, StoredVariable> entry : variables.entrySet()) {
      String name = entry.getKey();
      StoredVariable variable = entry.getValue();
      validate.name("variables", name);
      switch (variable.kind()) {
        case PLAIN -> validate.plainSize("variables", name, variable.value());
        case SECRET -> {
          validate.ciphertextSize("variables", name, variable.value());
          secrets.put(name, variable.value());
        }
        default ->
            throw badInput(
                "variables[" + RequestValidator.echo(name) + "]", "kind must be PLAIN or SECRET");
      }
    }
    formats.checkValues("variables", secrets, false);
    return !secrets.isEmpty();
  }

  /**
   * Every variable in order: PLAIN unchanged, SECRET decrypted and checked to be well-formed UTF-8
   * (a value that is not is refused like one that does not decrypt: never a replacement character).
   */
  private DecryptedValues decryptVariables(
      ValueCipher cipher, Map<String, StoredVariable> variables) throws RejectedRequestException {
    DecryptedValues values = new DecryptedValues(variables.size());
    try {
      return decryptInto(values, cipher, variables);
    } catch (RejectedRequestException | RuntimeException e) {
      values.destroy(); // no half-result, and no plaintext left behind on any way out
      throw e;
    }
  }

  private DecryptedValues decryptInto(
      DecryptedValues values, ValueCipher cipher, Map<String, StoredVariable> variables)
      throws RejectedRequestException {
    List<String> failed = null;
    InputFormats.FormatCounts counts = new InputFormats.FormatCounts();
    for (Map.Entry<String, StoredVariable> entry : variables.entrySet()) {
      StoredVariable variable = entry.getValue();
      if (variable.kind() == StoredVariable.Kind.PLAIN) {
        values.addPlain(entry.getKey(), variable.value());
        continue;
      }
      byte[] plaintext;
      try {
        plaintext = formats.decrypt(cipher, entry.getKey(), variable.value(), counts);
      } catch (InvalidCiphertextException e) {
        plaintext = null;
      }
      if (plaintext != null && StrictUtf8.isValid(plaintext)) {
        values.addSecret(entry.getKey(), plaintext);
        continue;
      }
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
      if (failed == null) {
        failed = new ArrayList<>();
      }
      failed.add(entry.getKey());
    }
    if (failed != null) {
      throw Refusals.invalidValues("variables", failed);
    }
    counts.reportTo(formatCounter);
    return values;
  }

  private String decryptOne(ValueCipher cipher, String name, String encrypted)
      throws RejectedRequestException {
    if (encrypted.isEmpty()) {
      throw fieldRequired("encrypted", null);
    }
    InputFormats.FormatCounts counts = new InputFormats.FormatCounts();
    try {
      String value = utf8(formats.decrypt(cipher, name, encrypted, counts));
      counts.reportTo(formatCounter);
      return value;
    } catch (InvalidCiphertextException | CharacterCodingException e) {
      throw Refusals.invalidValue("encrypted");
    }
  }

  /** The core's view of a wrapped DEK from the crypto layer. */
  static WrappedDek wrapped(EnvelopeCrypto.WrappedDek wrapped) {
    return new WrappedDek(wrapped.encoded(), wrapped.kekVersion());
  }

  /**
   * Strict UTF-8: an authentic value is always valid UTF-8, but never return replacement
   * characters. Pure ASCII (most environment values) is valid UTF-8 and decodes to the same
   * characters as ISO-8859-1, so it skips the strict decoder and its allocations; anything else
   * goes through it.
   */
  static String utf8(byte[] bytes) throws CharacterCodingException {
    if (isAscii(bytes)) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** The observer of the overloads that take none: a verified grant is not reported. */
  private static void ignoreGrant(GrantIdentity grant) {}

  static int capacity(int entries) {
    return (int) (entries / 0.75f) + 1;
  }
}
