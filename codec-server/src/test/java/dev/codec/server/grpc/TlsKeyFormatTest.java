package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.server.TestCertificates;
import dev.codec.server.TestCertificates.Issued;
import dev.codec.server.TestCertificates.KeyFormat;
import dev.codec.server.TestServer;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's TLS key in each PEM encoding cert-manager and OpenSSL write, loaded and reloaded.
 */
class TlsKeyFormatTest {
  @TempDir static Path dir;

  private static Issued ca;

  @BeforeAll
  static void ca() throws Exception {
    TestServer.writeKek(dir.resolve("kek"), 1);
    ca = TestCertificates.ca(dir, "ca");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"RSA, TRADITIONAL", "EC, TRADITIONAL", "RSA, PKCS8", "EC, PKCS8"})
  void serverKey_inEachPemFormat_servesTls(String algorithm, KeyFormat format) throws Exception {
    Issued server =
        TestCertificates.serverWithKey(
            dir, "server-" + algorithm + "-" + format, ca, algorithm, format);
    String header = Files.readString(server.keyFile()).lines().findFirst().orElseThrow();
    assertEquals(
        format == KeyFormat.PKCS8
            ? "-----BEGIN PRIVATE KEY-----"
            : "-----BEGIN " + algorithm + " PRIVATE KEY-----",
        header);
    try (TestServer codec =
        TestServer.start(dir.resolve("kek"), tls(server.certFile(), server.keyFile(), "1m"))) {
      SerialRecorder seen = new SerialRecorder();
      assertTrue(generateDek(codec, seen).startsWith("dek1:"));
      assertEquals(server.certificate().getSerialNumber(), seen.last.get());
    }
  }

  @Test
  void renewedCertificateAndKey_inAnotherFormat_areUsedWithoutRestart() throws Exception {
    Issued first = TestCertificates.serverWithKey(dir, "first", ca, "EC", KeyFormat.TRADITIONAL);
    Path certFile = dir.resolve("tls.crt");
    Path keyFile = dir.resolve("tls.key");
    Files.copy(first.certFile(), certFile, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(first.keyFile(), keyFile, StandardCopyOption.REPLACE_EXISTING);
    try (TestServer codec = TestServer.start(dir.resolve("kek"), tls(certFile, keyFile, "1s"))) {
      SerialRecorder seen = new SerialRecorder();
      generateDek(codec, seen);
      assertEquals(first.certificate().getSerialNumber(), seen.last.get());

      Issued renewed =
          TestCertificates.serverWithKey(dir, "renewed", ca, "RSA", KeyFormat.TRADITIONAL);
      Files.copy(
          renewed.keyFile(), dir.resolve("tls.key.tmp"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          renewed.certFile(), dir.resolve("tls.crt.tmp"), StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          dir.resolve("tls.key.tmp"),
          keyFile,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          dir.resolve("tls.crt.tmp"),
          certFile,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!renewed.certificate().getSerialNumber().equals(seen.last.get())
          && System.nanoTime() < deadline) {
        Thread.sleep(
            200); // polling a condition (the reload period is 1 s), bounded by the deadline
        generateDek(codec, seen);
      }
      assertEquals(
          renewed.certificate().getSerialNumber(),
          seen.last.get(),
          "new connections get the renewed certificate");
    }
  }

  @Test
  void encryptedOrMissingOrMismatchedKey_failsStartup_namingTheFix() throws Exception {
    Issued server = TestCertificates.serverWithKey(dir, "mismatch-a", ca, "EC", KeyFormat.PKCS8);
    Issued other = TestCertificates.serverWithKey(dir, "mismatch-b", ca, "EC", KeyFormat.PKCS8);
    Path encrypted = dir.resolve("encrypted.key");
    try (java.io.Writer out = Files.newBufferedWriter(encrypted);
        org.bouncycastle.openssl.jcajce.JcaPEMWriter pem =
            new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      pem.writeObject(
          new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
              server.key(),
              new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                      org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                  .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                  .setPassword("pw".toCharArray())
                  .build()));
    }
    Path notAKey = dir.resolve("not-a-key.pem");
    Files.writeString(notAKey, "hello\n");

    assertStartupFails(server.certFile(), encrypted, "is encrypted: codec needs it unencrypted");
    assertStartupFails(server.certFile(), notAKey, "holds no PEM private key: write it as PKCS#8");
    assertStartupFails(
        server.certFile(), other.keyFile(), "does not belong to the first certificate");
  }

  private static void assertStartupFails(Path cert, Path key, String expected) {
    Throwable e =
        assertThrows(
            Throwable.class,
            () -> TestServer.start(dir.resolve("kek"), tls(cert, key, "1m")).close());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" | ");
    }
    assertTrue(messages.toString().contains(expected), messages.toString());
  }

  private static Map<String, Object> tls(Path cert, Path key, String reload) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("codec.tls.cert", cert.toString());
    properties.put("codec.tls.key", key.toString());
    properties.put("codec.tls.reload-interval", reload);
    return properties;
  }

  /**
   * One call over a new TLS connection; the trust manager records the server certificate's serial.
   */
  private static String generateDek(TestServer codec, SerialRecorder seen) throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                codec.port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(seen.trusting(ca.certificate()))
                    .build())
            .build();
    try {
      return CodecClient.builder()
          .channel(ClientInterceptors.intercept(channel, TestServer.bearer(codec.token())))
          .build()
          .generateDek("p")
          .encryptedDek();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Trusts the test CA and remembers the serial of the last server certificate it checked. */
  private static final class SerialRecorder {
    final AtomicReference<BigInteger> last = new AtomicReference<>();

    X509TrustManager trusting(X509Certificate caCertificate) throws Exception {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("ca", caCertificate);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      X509TrustManager delegate = (X509TrustManager) factory.getTrustManagers()[0];
      return new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
          delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
          delegate.checkServerTrusted(chain, authType);
          last.set(chain[0].getSerialNumber());
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return delegate.getAcceptedIssuers();
        }
      };
    }
  }
}
