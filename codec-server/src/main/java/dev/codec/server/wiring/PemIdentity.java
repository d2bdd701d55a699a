package dev.codec.server.wiring;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS identity from PEM files, re-read when they change. grpc-java's own file loader
 * reads PKCS#8 keys only; cert-manager writes PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1
 * EC ({@code BEGIN EC PRIVATE KEY}) keys by default, so the key is read with BouncyCastle's {@link
 * PEMParser} and {@link JcaPEMKeyConverter}, which accept all three. The key must belong to the
 * first certificate of the chain (checked with a test signature).
 *
 * <p>The first load happens at startup and fails it with one message naming the file and the fix.
 * Later reloads ({@link SecretReloads} calls {@link #reloadIfChanged()}; the files are read again
 * when a modification time changed) that fail keep the identity in force.
 */
final class PemIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(PemIdentity.class);
  static final String FORMATS =
      "PKCS#8 'BEGIN PRIVATE KEY', PKCS#1 'BEGIN RSA PRIVATE KEY' or SEC1 'BEGIN EC PRIVATE KEY'";

  private final AdvancedTlsX509KeyManager keys;
  private final Path certFile;
  private final Path keyFile;
  private volatile List<FileTime> loadedVersions;

  private PemIdentity(AdvancedTlsX509KeyManager keys, Path certFile, Path keyFile) {
    this.keys = keys;
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  /**
   * Loads the identity into {@code keys} now.
   *
   * @throws GeneralSecurityException naming the file and what to do, if the load fails
   */
  static PemIdentity load(AdvancedTlsX509KeyManager keys, Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    PemIdentity identity = new PemIdentity(keys, certFile, keyFile);
    identity.load();
    return identity;
  }

  private void load() throws IOException, GeneralSecurityException {
    List<FileTime> versions =
        List.of(Files.getLastModifiedTime(certFile), Files.getLastModifiedTime(keyFile));
    X509Certificate[] chain = readChain(certFile);
    PrivateKey key = readKey(keyFile);
    checkPair(key, chain[0]);
    keys.updateIdentityCredentials(chain, key);
    loadedVersions = versions;
  }

  /**
   * Loads the files again if a modification time changed; if that fails the identity in force
   * stays.
   *
   * @throws GeneralSecurityException naming the file and the problem
   */
  void reloadIfChanged() throws IOException, GeneralSecurityException {
    List<FileTime> versions =
        List.of(Files.getLastModifiedTime(certFile), Files.getLastModifiedTime(keyFile));
    if (versions.equals(loadedVersions)) {
      return;
    }
    load();
    LOG.info("TLS identity reloaded from {} and {}", certFile, keyFile);
  }

  /** The certificate chain in {@code file}, leaf first. */
  static X509Certificate[] readChain(Path file) throws IOException, GeneralSecurityException {
    X509Certificate[] chain;
    try (InputStream in = Files.newInputStream(file)) {
      chain = CertificateUtils.getX509Certificates(in);
    }
    if (chain.length == 0) {
      throw new GeneralSecurityException(
          "codec.tls.cert " + file + " holds no PEM certificate ('BEGIN CERTIFICATE')");
    }
    return chain;
  }

  /** The unencrypted private key in {@code file}: PKCS#8, PKCS#1 RSA or SEC1 EC PEM. */
  static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
    Object pem;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      pem = parser.readObject();
      while (pem != null
          && !(pem instanceof PEMKeyPair
              || pem instanceof PrivateKeyInfo
              || pem instanceof PEMEncryptedKeyPair
              || pem instanceof PKCS8EncryptedPrivateKeyInfo)) {
        pem = parser.readObject(); // skip e.g. EC PARAMETERS before an EC key
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof java.nio.file.NoSuchFileException) {
        throw e;
      }
      throw new GeneralSecurityException(
          "codec.tls.key "
              + file
              + " is not a readable PEM private key ("
              + e.getClass().getSimpleName()
              + "): write it as "
              + FORMATS);
    }
    if (pem instanceof PEMEncryptedKeyPair || pem instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new GeneralSecurityException(
          "codec.tls.key " + file + " is encrypted: codec needs it unencrypted, as " + FORMATS);
    }
    if (pem == null) {
      throw new GeneralSecurityException(
          "codec.tls.key " + file + " holds no PEM private key: write it as " + FORMATS);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      return pem instanceof PEMKeyPair pair
          ? converter.getPrivateKey(pair.getPrivateKeyInfo())
          : converter.getPrivateKey((PrivateKeyInfo) pem);
    } catch (IOException e) {
      throw new GeneralSecurityException(
          "codec.tls.key "
              + file
              + " holds a key that cannot be converted ("
              + e.getMessage()
              + "): use an RSA or EC key");
    }
  }

  /** Fails unless {@code key} signs what {@code certificate}'s public key verifies. */
  static void checkPair(PrivateKey key, X509Certificate certificate)
      throws GeneralSecurityException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new GeneralSecurityException(
                  "codec.tls.key holds a " + key.getAlgorithm() + " key: use an RSA or EC key");
        };
    byte[] probe = "codec tls key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new GeneralSecurityException(
          "codec.tls.key does not belong to the first certificate in codec.tls.cert"
              + " (serial "
              + certificate.getSerialNumber().toString(16)
              + "): give the matching pair");
    }
  }
}
