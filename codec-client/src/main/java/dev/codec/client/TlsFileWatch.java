package dev.codec.client;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loads TLS files into grpc-java's AdvancedTls managers now, and again whenever one of them changes
 * (its inode, modification time or size, checked every period: a Kubernetes Secret update swaps a
 * symlink, cert-manager rewrites the files). A reload that fails (a file half written, a
 * certificate and key that are momentarily not a pair) keeps the material in force and is tried
 * again at the next check; it is reported once per distinct problem through {@link System.Logger},
 * naming the file, never its content.
 *
 * <p>Hand-written around the managers' in-memory updates: the managers' own file-watching variants
 * ({@code updateIdentityCredentials(File, File, period, ...)}) in grpc-java 1.75 did not pick up
 * files replaced by a rename in our tests (ClientTlsReloadTest), and the server watches its files
 * the same way (PemIdentity).
 */
final class TlsFileWatch implements Closeable {
  private static final System.Logger LOG = System.getLogger(TlsFileWatch.class.getName());

  /** Reads the files and puts their material into a manager. */
  interface Loader {
    void load() throws IOException, GeneralSecurityException;
  }

  private final List<Path> files;
  private final Loader loader;
  private volatile List<Object> loadedVersions;
  private volatile String lastError;
  private volatile ScheduledFuture<?> task;

  private TlsFileWatch(List<Path> files, Loader loader) {
    this.files = List.copyOf(files);
    this.loader = loader;
  }

  /** Loads now (failing with the reason) and then watches the files. */
  static TlsFileWatch start(
      List<Path> files, Loader loader, long periodMillis, ScheduledExecutorService executor)
      throws IOException, GeneralSecurityException {
    TlsFileWatch watch = new TlsFileWatch(files, loader);
    List<Object> versions = watch.versions();
    loader.load();
    watch.loadedVersions = versions;
    watch.task =
        executor.scheduleWithFixedDelay(
            watch::reloadIfChanged, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    return watch;
  }

  /** The client certificate chain and key of two PEM files (the key PKCS#8), into {@code keys}. */
  static Loader identity(AdvancedTlsX509KeyManager keys, Path certFile, Path keyFile) {
    return () -> {
      X509Certificate[] chain;
      try (InputStream in = Files.newInputStream(certFile)) {
        chain = CertificateUtils.getX509Certificates(in);
      }
      if (chain.length == 0) {
        throw new GeneralSecurityException(certFile + " holds no PEM certificate");
      }
      PrivateKey key;
      try (InputStream in = Files.newInputStream(keyFile)) {
        key = CertificateUtils.getPrivateKey(in);
      } catch (RuntimeException e) {
        throw new GeneralSecurityException(
            keyFile + " holds no unencrypted PKCS#8 PEM private key");
      }
      checkPair(key, chain[0], certFile, keyFile);
      keys.updateIdentityCredentials(chain, key);
    };
  }

  /** The CA certificates of a PEM file, into {@code trust}. */
  static Loader trust(AdvancedTlsX509TrustManager trust, Path caFile) {
    return () -> {
      X509Certificate[] cas;
      try (InputStream in = Files.newInputStream(caFile)) {
        cas = CertificateUtils.getX509Certificates(in);
      }
      if (cas.length == 0) {
        throw new GeneralSecurityException(caFile + " holds no PEM certificate");
      }
      trust.updateTrustCredentials(cas);
    };
  }

  /** Fails unless {@code key} signs what {@code certificate}'s public key verifies. */
  private static void checkPair(
      PrivateKey key, X509Certificate certificate, Path certFile, Path keyFile)
      throws GeneralSecurityException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> null;
        };
    if (algorithm == null) {
      return; // Ed25519 and others: the handshake checks the pair
    }
    byte[] probe = "codec-client key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(probe);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException(
          "the key in " + keyFile + " does not belong to the certificate in " + certFile);
    }
  }

  private List<Object> versions() throws IOException {
    List<Object> versions = new ArrayList<>();
    for (Path file : files) {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      versions.add(
          List.of(
              String.valueOf(attributes.fileKey()),
              attributes.lastModifiedTime(),
              attributes.size()));
    }
    return versions;
  }

  private void reloadIfChanged() {
    try {
      List<Object> versions = versions();
      if (versions.equals(loadedVersions)) {
        return;
      }
      loader.load();
      loadedVersions = versions;
      lastError = null;
      LOG.log(System.Logger.Level.INFO, "codec-client: TLS material reloaded from {0}", files);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      String error =
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      if (!error.equals(lastError)) {
        lastError = error;
        LOG.log(
            System.Logger.Level.WARNING,
            "codec-client: TLS reload from {0} failed, keeping the current " + "material: {1}",
            files,
            error);
      }
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> running = task;
    if (running != null) {
      running.cancel(false);
    }
  }
}
