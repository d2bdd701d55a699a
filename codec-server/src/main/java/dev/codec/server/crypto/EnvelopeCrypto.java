package dev.codec.server.crypto;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Envelope encryption: DEKs wrapped under the KEK ring, values encrypted under DEKs, each bound to
 * its project by associated data. See {@link WrappedDekFormat} and {@link ValueFormat} for the
 * layouts.
 *
 * <p>Plain Java, no framework: the service layers above add caching, limits and the wire mapping.
 * Thread-safe. The KEK ring is read through a supplier on every call, so it can be replaced while
 * running (key rotation) without touching this class.
 */
public final class EnvelopeCrypto {
  private final Supplier<KekRing> ring;

  /** A new DEK wrapped under the active KEK, and that KEK's version. */
  public record WrappedDek(String encoded, int kekVersion) {}

  public EnvelopeCrypto(Supplier<KekRing> ring) {
    this.ring = ring;
  }

  /** Generates a random DEK for {@code projectId} and wraps it under the active KEK. */
  public WrappedDek generateWrappedDek(String projectId) {
    SymmetricKey dek = SymmetricKey.random();
    try {
      return wrap(projectId, dek);
    } finally {
      dek.destroy();
    }
  }

  /** Wraps {@code dek} for {@code projectId} under the active KEK. */
  public WrappedDek wrap(String projectId, SymmetricKey dek) {
    try (RingUse use = use()) {
      KekRing current = use.ring();
      int version = current.activeVersion();
      String prefix = WrappedDekFormat.prefix(version);
      byte[] raw = dek.getEncoded();
      try {
        byte[] sealed =
            AesGcm.seal(current.active(), raw, WrappedDekFormat.associatedData(prefix, projectId));
        return new WrappedDek(WrappedDekFormat.encode(prefix, sealed), version);
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }
  }

  /** The ring for one operation, leased so a reload cannot wipe its keys while they are in use. */
  private RingUse use() {
    return RingUse.of(ring);
  }

  /**
   * Unwraps a DEK that was wrapped for {@code projectId}.
   *
   * @throws InvalidCiphertextException if it is malformed, tampered with, or wrapped for another
   *     project
   * @throws UnknownKekVersionException if it names a KEK version that is not loaded
   */
  public SymmetricKey unwrap(String projectId, String wrapped)
      throws InvalidCiphertextException, UnknownKekVersionException {
    WrappedDekFormat.Parsed parsed = WrappedDekFormat.parse(wrapped);
    byte[] raw;
    try (RingUse use = use()) {
      SymmetricKey kek = use.ring().get(parsed.kekVersion());
      raw =
          AesGcm.open(
              kek,
              parsed.sealed(),
              WrappedDekFormat.associatedData(parsed.prefix(), projectId),
              AesGcm.NONCE_BYTES);
    }
    try {
      return SymmetricKey.copyOf(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * Unwraps a legacy wrapped DEK ({@link LegacyFormat}): it names no KEK version and has no
   * associated data, so every loaded KEK is tried, newest first. Not bound to any project.
   *
   * @throws InvalidCiphertextException if it is malformed or no loaded KEK opens it
   */
  public SymmetricKey unwrapLegacy(String wrapped) throws InvalidCiphertextException {
    byte[] sealed = LegacyFormat.parseWrappedDek(wrapped);
    try (RingUse use = use()) {
      KekRing current = use.ring();
      for (int version : current.versions().descendingSet()) {
        byte[] raw;
        try {
          raw = AesGcm.open(current.get(version), sealed, new byte[0], AesGcm.LEGACY_NONCE_BYTES);
        } catch (InvalidCiphertextException | UnknownKekVersionException e) {
          continue;
        }
        try {
          return SymmetricKey.copyOf(raw);
        } finally {
          Arrays.fill(raw, (byte) 0);
        }
      }
    }
    throw new InvalidCiphertextException();
  }

  /** Deployment grants authenticated with keys derived from the same KEK ring. */
  public DeploymentGrants grants() {
    return new DeploymentGrants(ring);
  }

  /** The active KEK version of the ring in force. */
  public int activeKekVersion() {
    return ring.get().activeVersion();
  }

  /** A cipher for the values of one project under one DEK (computes the associated data once). */
  public ValueCipher valueCipher(String projectId, SymmetricKey dek) {
    return new ValueCipher(
        dek, ValueFormat.associatedData(projectId), ValueFormat.associatedDataV2Project(projectId));
  }

  /** The format of a value's text, by its prefix (no other check). */
  public enum ValueVersion {
    /** "enc2:": bound to project and variable name. */
    ENC2,
    /** "enc1:": bound to the project only. */
    ENC1,
    /** Anything else: a legacy value (if {@link LegacyFormat#isValue}) or garbage. */
    OTHER
  }

  /** The format named by the prefix of {@code encrypted}. */
  public static ValueVersion valueVersion(String encrypted) {
    if (encrypted.startsWith(ValueFormat.PREFIX_V2)) {
      return ValueVersion.ENC2;
    }
    return encrypted.startsWith(ValueFormat.PREFIX) ? ValueVersion.ENC1 : ValueVersion.OTHER;
  }

  /** The longest "enc1:" text a plaintext of {@code maxPlaintextBytes} can produce. */
  public static int maxValueCiphertextLength(int maxPlaintextBytes) {
    return ValueFormat.maxEncodedLength(maxPlaintextBytes);
  }

  /** Encrypts and decrypts values of one project under one DEK. Thread-safe. */
  public static final class ValueCipher {
    private final SymmetricKey dek;
    private final byte[] associatedData;
    private final byte[] projectPartV2;

    private ValueCipher(SymmetricKey dek, byte[] associatedData, byte[] projectPartV2) {
      this.dek = dek;
      this.associatedData = associatedData;
      this.projectPartV2 = projectPartV2;
    }

    /**
     * Encrypts {@code plaintext} of variable {@code name} with a fresh nonce into the "enc2:"
     * format.
     */
    public String encrypt(String name, byte[] plaintext) {
      return ValueFormat.encodeV2(
          AesGcm.seal(dek, plaintext, ValueFormat.associatedDataV2(projectPartV2, name)));
    }

    /**
     * Decrypts an "enc2:" value stored under variable {@code name}.
     *
     * @throws InvalidCiphertextException if it is malformed, tampered with, from another project,
     *     under another DEK, or made for another variable name
     */
    public byte[] decrypt(String name, String encrypted) throws InvalidCiphertextException {
      return AesGcm.open(
          dek,
          ValueFormat.parseV2(encrypted),
          ValueFormat.associatedDataV2(projectPartV2, name),
          AesGcm.NONCE_BYTES);
    }

    /**
     * Encrypts {@code plaintext} with a fresh nonce into the old "enc1:" text format. The service
     * never writes enc1 any more; this stays for tests and benchmarks of the enc1 migration.
     */
    public String encrypt(byte[] plaintext) {
      return ValueFormat.encode(AesGcm.seal(dek, plaintext, associatedData));
    }

    /**
     * Decrypts an "enc1:" value.
     *
     * @throws InvalidCiphertextException if it is malformed, tampered with, from another project or
     *     encrypted under another DEK
     */
    public byte[] decrypt(String encrypted) throws InvalidCiphertextException {
      return AesGcm.open(dek, ValueFormat.parse(encrypted), associatedData, AesGcm.NONCE_BYTES);
    }

    /**
     * Decrypts a legacy value ({@link LegacyFormat}: 16-byte IV, no associated data).
     *
     * @throws InvalidCiphertextException if it is malformed, tampered with or under another DEK
     */
    public byte[] decryptLegacy(String encrypted) throws InvalidCiphertextException {
      return AesGcm.open(
          dek, LegacyFormat.parseValue(encrypted), new byte[0], AesGcm.LEGACY_NONCE_BYTES);
    }

    @Override
    public String toString() {
      return "ValueCipher[redacted]";
    }
  }
}
