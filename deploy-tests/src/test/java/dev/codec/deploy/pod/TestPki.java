package dev.codec.deploy.pod;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway CA and the certificates a test needs, as cert-manager or an operator would make them:
 * a server certificate for the Service's DNS names, client certificates naming a caller. Keys are
 * written in the PEM encoding asked for (PKCS#8, or PKCS#1 RSA / SEC1 EC as cert-manager's {@code
 * encoding: PKCS1} writes them).
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final KeyPair caKeys;
  private final X509Certificate ca;

  public TestPki() {
    try {
      caKeys = keyPair("ECDSA", 256);
      X500Name name = new X500Name("CN=codec test CA " + RANDOM.nextInt(1_000_000));
      var builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(Instant.now().minusSeconds(60)),
              Date.from(Instant.now().plus(Duration.ofDays(1))),
              name,
              caKeys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca = sign(builder);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** The certificate as PEM. */
    public String certificatePem() {
      return pem(certificate);
    }

    /**
     * The private key as PEM in {@code encoding}: PKCS8, or PKCS1 (RSA "RSA PRIVATE KEY", EC "EC
     * PRIVATE KEY").
     */
    public String keyPem(String encoding) {
      if (encoding.equals("PKCS8")) {
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
      }
      if (!encoding.equals("PKCS1")) {
        throw new IllegalArgumentException("encoding " + encoding);
      }
      try {
        // PKCS#1 for RSA, SEC1 for EC, as openssl and cert-manager write them. The JDK's PKCS#8 EC
        // key holds
        // its curve in the wrapper only; SEC1 as cert-manager (Go's MarshalECPrivateKey) writes it
        // names the
        // curve inside, so it is copied in.
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        if (key.getAlgorithm().equals("RSA")) {
          return pem(
              new PemObject(
                  "RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded()));
        }
        org.bouncycastle.asn1.sec.ECPrivateKey inner =
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
            new org.bouncycastle.asn1.sec.ECPrivateKey(
                ((java.security.interfaces.ECPrivateKey) key).getParams().getOrder().bitLength(),
                    inner.getKey(),
                inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public String caPem() {
    return pem(ca);
  }

  /**
   * A server certificate for {@code dnsNames} (the first is also the CN), key {@code
   * algorithm}/{@code size}.
   */
  public Issued server(List<String> dnsNames, String algorithm, int size) {
    return issue(dnsNames.get(0), dnsNames, KeyPurposeId.id_kp_serverAuth, algorithm, size);
  }

  /** A client certificate naming {@code caller} (CN and SAN DNS), as mTLS callers present. */
  public Issued client(String caller) {
    return issue(caller, List.of(caller), KeyPurposeId.id_kp_clientAuth, "ECDSA", 256);
  }

  private Issued issue(
      String cn, List<String> dnsNames, KeyPurposeId usage, String algorithm, int size) {
    try {
      KeyPair keys = keyPair(algorithm, size);
      var builder =
          new JcaX509v3CertificateBuilder(
              ca,
              serial(),
              Date.from(Instant.now().minusSeconds(60)),
              Date.from(Instant.now().plus(Duration.ofDays(1))),
              new X500Name("CN=" + cn),
              keys.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              dnsNames.stream()
                  .map(n -> new GeneralName(GeneralName.dNSName, n))
                  .toArray(GeneralName[]::new)));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      return new Issued(sign(builder), keys.getPrivate());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder builder)
      throws GeneralSecurityException {
    try {
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair(String algorithm, int size) throws GeneralSecurityException {
    if (algorithm.equals("RSA")) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(size, RANDOM);
      return generator.generateKeyPair();
    }
    if (!algorithm.equals("ECDSA")) {
      throw new IllegalArgumentException("key algorithm " + algorithm);
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(size == 384 ? "secp384r1" : "secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof PemObject pemObject ? pemObject : new JcaMiscPEMGenerator(object));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
