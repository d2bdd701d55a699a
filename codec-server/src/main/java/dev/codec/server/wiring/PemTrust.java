package dev.codec.server.wiring;

import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client CA bundle ({@code codec.tls.client-ca}) from a PEM file, read again when its
 * modification time changes. grpc-java's {@code AdvancedTlsX509TrustManager} can watch the file
 * itself, but on its own thread and with its own failure handling; reading it here puts it under
 * {@link SecretReloads} like every other secret.
 */
final class PemTrust {
  private static final Logger LOG = LoggerFactory.getLogger(PemTrust.class);

  private final AdvancedTlsX509TrustManager trust;
  private final Path file;
  private volatile FileTime loadedVersion;

  private PemTrust(AdvancedTlsX509TrustManager trust, Path file) {
    this.trust = trust;
    this.file = file;
  }

  /**
   * Loads the CA certificates into {@code trust} now.
   *
   * @throws GeneralSecurityException naming the file, if it holds no certificate
   */
  static PemTrust load(AdvancedTlsX509TrustManager trust, Path file)
      throws IOException, GeneralSecurityException {
    PemTrust loaded = new PemTrust(trust, file);
    loaded.load();
    return loaded;
  }

  private void load() throws IOException, GeneralSecurityException {
    FileTime version = Files.getLastModifiedTime(file);
    X509Certificate[] cas;
    try (InputStream in = Files.newInputStream(file)) {
      cas = CertificateUtils.getX509Certificates(in);
    }
    if (cas.length == 0) {
      throw new GeneralSecurityException(
          "codec.tls.client-ca " + file + " holds no PEM certificate ('BEGIN CERTIFICATE')");
    }
    trust.updateTrustCredentials(cas);
    loadedVersion = version;
  }

  /** Loads the file again if its modification time changed; if that fails the CAs in force stay. */
  void reloadIfChanged() throws IOException, GeneralSecurityException {
    if (Files.getLastModifiedTime(file).equals(loadedVersion)) {
      return;
    }
    load();
    LOG.info("TLS client CA reloaded from {}", file);
  }
}
