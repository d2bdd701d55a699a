package dev.codec.server.core;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.ValueVersion;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.LegacyFormat;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which input formats the service reads, and how: detection, refusal, unwrap and decrypt of wrapped
 * DEKs ("dek1:", legacy) and values ("enc2:", "enc1:", legacy). Whether legacy input is read is
 * decided once, by choosing the strategy ({@link #strict} or {@link #acceptingLegacy}); whether
 * enc1 is read is a setting of either. Output is always the current format (EnvelopeCrypto writes
 * only "dek1:" and "enc2:").
 */
public abstract sealed class InputFormats
    permits InputFormats.Strict, InputFormats.AcceptingLegacy {
  /** An input format that can be switched off, and the refusal that names it. */
  enum Disabled {
    LEGACY(
        RejectedRequestException.Reason.LEGACY_DISABLED,
        ErrorReason.LEGACY_INPUT_DISABLED,
        "legacy input is disabled (codec.legacy.accept=false)",
        "legacy input is disabled"),
    ENC1(
        RejectedRequestException.Reason.ENC1_DISABLED,
        ErrorReason.ENC1_INPUT_DISABLED,
        "enc1 input is disabled (codec.formats.accept-enc1=false); migrate the values to enc2 with RotateDek",
        "enc1 input is disabled");

    private final RejectedRequestException.Reason reason;
    private final ErrorReason error;
    private final String message;
    private final String violation;

    Disabled(
        RejectedRequestException.Reason reason,
        ErrorReason error,
        String message,
        String violation) {
      this.reason = reason;
      this.error = error;
      this.message = message;
      this.violation = violation;
    }
  }

  /** Counts the values that decrypted, per input format (for the migration metric). */
  static final class FormatCounts {
    int enc1;
    int enc2;
    int legacy;

    void reportTo(ValueFormatCounter counter) {
      counter.decrypted(enc1, enc2, legacy);
    }
  }

  final EnvelopeCrypto crypto;
  private final boolean acceptEnc1;

  private InputFormats(EnvelopeCrypto crypto, boolean acceptEnc1) {
    this.crypto = crypto;
    this.acceptEnc1 = acceptEnc1;
  }

  /**
   * Reads "dek1:" wrapped DEKs and "enc2:" (and, if {@code acceptEnc1}, "enc1:") values; refuses
   * legacy.
   */
  public static InputFormats strict(EnvelopeCrypto crypto, boolean acceptEnc1) {
    return new Strict(crypto, acceptEnc1);
  }

  /** As {@link #strict}, and reads legacy wrapped DEKs and values too ({@link LegacyFormat}). */
  public static InputFormats acceptingLegacy(EnvelopeCrypto crypto, boolean acceptEnc1) {
    return new AcceptingLegacy(crypto, acceptEnc1);
  }

  /** {@link #acceptingLegacy} or {@link #strict}, as {@code codec.legacy.accept} says. */
  public static InputFormats of(EnvelopeCrypto crypto, boolean acceptLegacy, boolean acceptEnc1) {
    return acceptLegacy ? acceptingLegacy(crypto, acceptEnc1) : strict(crypto, acceptEnc1);
  }

  /** Whether legacy wrapped DEKs and values are read. */
  public abstract boolean acceptsLegacy();

  /**
   * Unwraps a wrapped DEK of any accepted format (check it with {@link #checkWrappedDek} first).
   */
  abstract SymmetricKey unwrap(String projectId, String encryptedDek)
      throws InvalidCiphertextException, UnknownKekVersionException;

  /** Decrypts a value that is in no current format ("enc1:", "enc2:"). */
  abstract byte[] decryptOther(ValueCipher cipher, String encrypted)
      throws InvalidCiphertextException;

  /** Whether this text is a legacy-format value this strategy refuses (as opposed to garbage). */
  abstract boolean refusesAsLegacyValue(String encrypted);

  /** Whether this text is a legacy-format wrapped DEK this strategy refuses. */
  abstract boolean refusesAsLegacyDek(String encryptedDek);

  /** Refuses a wrapped DEK in a format that is switched off. */
  void checkWrappedDek(String field, String encryptedDek) throws RejectedRequestException {
    if (refusesAsLegacyDek(encryptedDek)) {
      throw refuse(Disabled.LEGACY, field, null);
    }
  }

  /** Refuses one value in a format that is switched off (legacy first, then enc1). */
  void checkValue(String field, String encrypted) throws RejectedRequestException {
    Disabled disabled = disabledFormatOf(encrypted, true);
    if (disabled != null) {
      throw refuse(disabled, field, null);
    }
  }

  /**
   * Refuses, naming every such entry, the values of {@code ciphertexts} in a format that is
   * switched off: legacy ones first, then (unless {@code enc1Always}, for RotateDek, which migrates
   * them) enc1.
   */
  void checkValues(String field, Map<String, String> ciphertexts, boolean enc1Always)
      throws RejectedRequestException {
    List<String> legacy = null;
    List<String> enc1 = null;
    for (Map.Entry<String, String> entry : ciphertexts.entrySet()) {
      Disabled disabled = disabledFormatOf(entry.getValue(), !enc1Always);
      if (disabled == Disabled.LEGACY) {
        legacy = legacy == null ? new ArrayList<>() : legacy;
        legacy.add(entry.getKey());
      } else if (disabled == Disabled.ENC1) {
        enc1 = enc1 == null ? new ArrayList<>() : enc1;
        enc1.add(entry.getKey());
      }
    }
    if (legacy != null) {
      throw refuse(Disabled.LEGACY, field, legacy);
    }
    if (enc1 != null) {
      throw refuse(Disabled.ENC1, field, enc1);
    }
  }

  private Disabled disabledFormatOf(String encrypted, boolean checkEnc1) {
    if (refusesAsLegacyValue(encrypted)) {
      return Disabled.LEGACY;
    }
    if (checkEnc1 && !acceptEnc1 && EnvelopeCrypto.valueVersion(encrypted) == ValueVersion.ENC1) {
      return Disabled.ENC1;
    }
    return null;
  }

  /**
   * The one refusal of input in a switched-off format: for one field ({@code names} null) or naming
   * every variable of a map field (sorted).
   */
  static RejectedRequestException refuse(Disabled format, String field, List<String> names) {
    if (names == null) {
      return new RejectedRequestException(
              format.reason, format.error, field + ": " + format.message)
          .withField(field, format.violation);
    }
    names.sort(null);
    return new RejectedRequestException(
            format.reason,
            format.error,
            field + "[" + RequestValidator.names(names) + "]: " + format.message)
        .withMetadata("field", field)
        .withVariables(field, names, format.violation);
  }

  /**
   * Decrypts an "enc2:" value of variable {@code name}, an "enc1:" value, or a value in another
   * accepted format. Whether enc1 is accepted is checked before ({@link #checkValue}; RotateDek
   * always reads it).
   *
   * @param counts told which format decrypted; may be null
   */
  byte[] decrypt(ValueCipher cipher, String name, String encrypted, FormatCounts counts)
      throws InvalidCiphertextException {
    switch (EnvelopeCrypto.valueVersion(encrypted)) {
      case ENC2 -> {
        byte[] plaintext = cipher.decrypt(name, encrypted);
        if (counts != null) {
          counts.enc2++;
        }
        return plaintext;
      }
      case ENC1 -> {
        byte[] plaintext = cipher.decrypt(encrypted);
        if (counts != null) {
          counts.enc1++;
        }
        return plaintext;
      }
      default -> {
        byte[] plaintext = decryptOther(cipher, encrypted);
        if (counts != null) {
          counts.legacy++;
        }
        return plaintext;
      }
    }
  }

  /** Current formats only: legacy input is refused with LEGACY_INPUT_DISABLED. */
  static final class Strict extends InputFormats {
    private Strict(EnvelopeCrypto crypto, boolean acceptEnc1) {
      super(crypto, acceptEnc1);
    }

    @Override
    public boolean acceptsLegacy() {
      return false;
    }

    @Override
    SymmetricKey unwrap(String projectId, String encryptedDek)
        throws InvalidCiphertextException, UnknownKekVersionException {
      return crypto.unwrap(projectId, encryptedDek);
    }

    @Override
    byte[] decryptOther(ValueCipher cipher, String encrypted) throws InvalidCiphertextException {
      throw new InvalidCiphertextException();
    }

    @Override
    boolean refusesAsLegacyValue(String encrypted) {
      return LegacyFormat.isValue(encrypted);
    }

    @Override
    boolean refusesAsLegacyDek(String encryptedDek) {
      return LegacyFormat.isWrappedDek(encryptedDek);
    }
  }

  /** Current formats and the legacy Node codec's (read only, during the migration). */
  static final class AcceptingLegacy extends InputFormats {
    private AcceptingLegacy(EnvelopeCrypto crypto, boolean acceptEnc1) {
      super(crypto, acceptEnc1);
    }

    @Override
    public boolean acceptsLegacy() {
      return true;
    }

    @Override
    SymmetricKey unwrap(String projectId, String encryptedDek)
        throws InvalidCiphertextException, UnknownKekVersionException {
      if (LegacyFormat.isWrappedDek(encryptedDek)) {
        return crypto.unwrapLegacy(encryptedDek);
      }
      return crypto.unwrap(projectId, encryptedDek);
    }

    @Override
    byte[] decryptOther(ValueCipher cipher, String encrypted) throws InvalidCiphertextException {
      if (!LegacyFormat.isValue(encrypted)) {
        throw new InvalidCiphertextException();
      }
      return cipher.decryptLegacy(encrypted);
    }

    @Override
    boolean refusesAsLegacyValue(String encrypted) {
      return false;
    }

    @Override
    boolean refusesAsLegacyDek(String encryptedDek) {
      return false;
    }
  }
}
