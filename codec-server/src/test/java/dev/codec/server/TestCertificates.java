package dev.codec.server;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throwaway EC certificates for TLS tests: a CA and leaf certificates it signs, written as PEM
 * files.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate with its key, and where their PEM files are. */
  public record Issued(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {}

  private TestCertificates() {}

  /**
   * A self-signed CA named {@code name}, written to {@code dir/name.crt} and {@code dir/name.key}.
   */
  public static Issued ca(Path dir, String name) throws Exception {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder builder =
        builder(subject, subject, keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    return write(dir, name, sign(builder, keys.getPrivate()), keys.getPrivate());
  }

  /**
   * A leaf certificate for {@code commonName} with SAN DNS names (and 127.0.0.1), signed by {@code
   * ca}.
   */
  public static Issued leaf(
      Path dir, String fileName, Issued ca, String commonName, String... dnsNames)
      throws Exception {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder builder =
        builder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()),
                new X500Name("CN=" + commonName),
                keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    GeneralName[] names = new GeneralName[dnsNames.length + 1];
    for (int i = 0; i < dnsNames.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
    }
    names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    return write(dir, fileName, sign(builder, ca.key()), keys.getPrivate());
  }

  /**
   * A leaf certificate with exactly these subject alternative names (none: no SAN extension at
   * all), signed by {@code ca}.
   */
  public static Issued leafWithNames(
      Path dir, String fileName, Issued ca, String commonName, GeneralName... sans)
      throws Exception {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder builder =
        builder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()),
                new X500Name("CN=" + commonName),
                keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    if (sans.length > 0) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    }
    return write(dir, fileName, sign(builder, ca.key()), keys.getPrivate());
  }

  /** How a private key is written to PEM. */
  public enum KeyFormat {
    /** {@code BEGIN PRIVATE KEY}. */
    PKCS8,
    /**
     * {@code BEGIN RSA PRIVATE KEY} or {@code BEGIN EC PRIVATE KEY} (OpenSSL's traditional forms).
     */
    TRADITIONAL
  }

  /**
   * A server certificate for {@code localhost} (and 127.0.0.1) with an RSA or EC key written in
   * {@code format}, signed by {@code ca}.
   */
  public static Issued serverWithKey(
      Path dir, String fileName, Issued ca, String algorithm, KeyFormat format) throws Exception {
    KeyPair keys;
    if ("RSA".equals(algorithm)) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      keys = generator.generateKeyPair();
    } else {
      keys = keyPair();
    }
    X509v3CertificateBuilder builder =
        builder(
                new X500Name(ca.certificate().getSubjectX500Principal().getName()),
                new X500Name("CN=localhost"),
                keys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(
                    new GeneralName[] {
                      new GeneralName(GeneralName.dNSName, "localhost"),
                      new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                    }));
    Issued issued = write(dir, fileName, sign(builder, ca.key()), keys.getPrivate());
    if (format == KeyFormat.TRADITIONAL && "RSA".equals(algorithm)) {
      try (Writer out = Files.newBufferedWriter(issued.keyFile());
          JcaPEMWriter pem = new JcaPEMWriter(out)) {
        pem.writeObject(keys.getPrivate()); // PKCS#1
      }
    } else if (format == KeyFormat.TRADITIONAL) {
      // SEC1 as OpenSSL and cert-manager write it: with the named curve and the public key inside
      // (BouncyCastle's writer would leave the curve out of a JDK key)
      org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
          org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
      org.bouncycastle.asn1.sec.ECPrivateKey inner =
          org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
      org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicInfo =
          org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(
              keys.getPublic().getEncoded());
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(
              256,
              inner.getKey(),
              publicInfo.getPublicKeyData(),
              info.getPrivateKeyAlgorithm().getParameters());
      try (Writer out = Files.newBufferedWriter(issued.keyFile());
          org.bouncycastle.util.io.pem.PemWriter pem =
              new org.bouncycastle.util.io.pem.PemWriter(out)) {
        pem.writeObject(
            new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      }
    }
    return issued;
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static Issued write(Path dir, String name, X509Certificate certificate, PrivateKey key)
      throws IOException {
    Files.createDirectories(dir);
    Path certFile = dir.resolve(name + ".crt");
    Path keyFile = dir.resolve(name + ".key");
    try (Writer out = Files.newBufferedWriter(certFile);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(certificate);
    }
    try (Writer out = Files.newBufferedWriter(keyFile);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(new JcaPKCS8Generator(key, null));
    }
    return new Issued(certificate, key, certFile, keyFile);
  }
}
