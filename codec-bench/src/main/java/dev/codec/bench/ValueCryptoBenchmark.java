package dev.codec.bench;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.SymmetricKey;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One value encrypted / decrypted by {@link EnvelopeCrypto.ValueCipher} ("enc1:" text, base64, AAD)
 * next to the raw JCE baseline: AES-256-GCM with one {@link Cipher} per thread (getInstance once),
 * {@code init + updateAAD + doFinal} on the same plaintext size and the same associated data.
 * Encryption on both sides draws a fresh 12-byte nonce from a per-thread {@link SecureRandom}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ValueCryptoBenchmark {
  @Param({"64", "1024", "65536"})
  public int size;

  private EnvelopeCrypto.ValueCipher valueCipher;
  private byte[] plaintext;
  private String encrypted;

  private Cipher cipher;
  private SecretKeySpec rawKey;
  private SecureRandom random;
  private byte[] aad;
  private byte[] rawSealed;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    EnvelopeCrypto crypto = Fixtures.crypto();
    SymmetricKey dek = SymmetricKey.random();
    valueCipher = crypto.valueCipher(Fixtures.PROJECT, dek);
    plaintext = Fixtures.plaintext(size);
    encrypted = valueCipher.encrypt(plaintext);

    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    rawKey = new SecretKeySpec(dek.getEncoded(), "AES");
    random = new SecureRandom();
    aad = Fixtures.valueAad();
    rawSealed = rawEncrypt();
  }

  @Benchmark
  public String codecEncrypt() {
    return valueCipher.encrypt(plaintext);
  }

  @Benchmark
  public byte[] codecDecrypt() throws InvalidCiphertextException {
    return valueCipher.decrypt(encrypted);
  }

  @Benchmark
  public byte[] rawJceEncrypt() throws GeneralSecurityException {
    return rawEncrypt();
  }

  @Benchmark
  public byte[] rawJceDecrypt() throws GeneralSecurityException {
    cipher.init(Cipher.DECRYPT_MODE, rawKey, new GCMParameterSpec(128, rawSealed, 0, 12));
    cipher.updateAAD(aad);
    return cipher.doFinal(rawSealed, 12, rawSealed.length - 12);
  }

  private byte[] rawEncrypt() throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    byte[] out = new byte[12 + plaintext.length + 16];
    System.arraycopy(nonce, 0, out, 0, 12);
    cipher.init(Cipher.ENCRYPT_MODE, rawKey, new GCMParameterSpec(128, nonce));
    cipher.updateAAD(aad);
    cipher.doFinal(plaintext, 0, plaintext.length, out, 12);
    return out;
  }
}
