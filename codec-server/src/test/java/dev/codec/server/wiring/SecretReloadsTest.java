package dev.codec.server.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.codec.server.LogCapture;
import dev.codec.server.TestCertificates;
import dev.codec.server.TestCertificates.Issued;
import dev.codec.server.TestCertificates.KeyFormat;
import dev.codec.server.TestServer;
import dev.codec.server.auth.CallerTokens;
import dev.codec.server.config.AuthConfiguration;
import dev.codec.server.config.KekConfiguration;
import dev.codec.server.config.TlsConfiguration;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.ops.CodecMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SecretReloads} with the real loaders of every file-backed secret, on real files: each kind
 * is re-read on its schedule after a change, a broken file keeps the last good state (logged once,
 * counted each time), and an interval of 0 never re-reads.
 */
class SecretReloadsTest {
  private static final Duration FAST = Duration.ofMillis(20);
  private static final String LOGGER = SecretReloads.class.getName();

  @TempDir Path dir;

  private SimpleMeterRegistry registry;
  private SecretReloads reloads;

  @BeforeEach
  void setUp() {
    registry = new SimpleMeterRegistry();
    CodecMetrics metrics = new CodecMetrics(registry);
    reloads = new CodecFactory(Map.of()).secretReloads(() -> metrics);
    new SecretReloadMeters(reloads).bindTo(registry);
  }

  @AfterEach
  void tearDown() {
    reloads.close();
  }

  /** Polls {@code condition} until it holds (the reload interval is 20 ms), failing after 20 s. */
  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private double failuresCounted(String secret) {
    return registry.get("codec.secret.reload.failures").tag("secret", secret).counter().count();
  }

  private double okGauge(String secret) {
    return registry.get("codec.secret.reload.ok").tag("secret", secret).gauge().value();
  }

  /**
   * Replaces {@code target} in one step, as Kubernetes swaps a mounted Secret (a reload never sees
   * a half-written file), with a modification time in the future (so a rewrite within the file
   * system's time granularity is seen). The temporary file is a dotfile, which the KEK and token
   * loaders ignore.
   */
  private static void replace(Path target, String content) throws Exception {
    Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.writeString(temporary, content);
    Files.setLastModifiedTime(temporary, FileTime.from(Instant.now().plusSeconds(5)));
    Files.move(
        temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void replace(Path target, Path source) throws Exception {
    replace(target, Files.readString(source));
  }

  /** A new random KEK file for {@code version}, written in one step. */
  private void writeKek(int version) throws Exception {
    Path scratch = Files.createTempDirectory(dir, "scratch");
    TestServer.writeKek(scratch, version);
    replace(
        dir.resolve("kek").resolve(Integer.toString(version)),
        scratch.resolve(Integer.toString(version)));
  }

  private CurrentKekRing kekRing(Duration interval) throws Exception {
    Path kek = dir.resolve("kek");
    TestServer.writeKek(kek, 1);
    KekConfiguration config = new KekConfiguration(kek.toString(), null, interval);
    CodecFactory factory = new CodecFactory(Map.of());
    CurrentKekRing ring = factory.currentKekRing(config);
    factory.kekReloader(ring, config, new DekCache(Duration.ofMinutes(1), 10), reloads);
    return ring;
  }

  // ---- KEK ring ----

  @Test
  void kek_newVersionOnDisk_isInForceAfterTheNextReload() throws Exception {
    CurrentKekRing ring = kekRing(FAST);
    assertEquals(Set.of(1), ring.get().versions());

    writeKek(2);

    await("KEK version 2 is loaded", () -> ring.get().versions().equals(Set.of(1, 2)));
    assertEquals(2, ring.get().activeVersion());
    await("status OK", () -> reloads.status(SecretReloads.KEK).result() == SecretReloads.Result.OK);
  }

  @Test
  void kek_brokenFile_keepsTheRing_logsOnce_countsEveryFailure_thenRecovers() throws Exception {
    CurrentKekRing ring = kekRing(FAST);
    try (LogCapture log = LogCapture.of(LOGGER, Level.INFO)) {
      replace(dir.resolve("kek").resolve("2"), "not base64 at all\n");

      await(
          "three failed KEK reloads",
          () ->
              reloads.status(SecretReloads.KEK).failures() >= 3
                  // the counter is told after the status is set: wait for both
                  && failuresCounted(SecretReloads.KEK) >= 3);
      assertEquals(Set.of(1), ring.get().versions(), "the last good ring stays in force");
      SecretReloads.Status failed = reloads.status(SecretReloads.KEK);
      assertEquals(SecretReloads.Result.FAILED, failed.result());
      assertTrue(failed.error().contains("2"), failed.error());
      assertEquals(1, errors(log).size(), "one ERROR line per distinct error: " + log.lines());
      assertTrue(failuresCounted(SecretReloads.KEK) >= 3);
      assertEquals(0.0, okGauge(SecretReloads.KEK));
      assertTrue(
          registry.get("codec.kek.reload.failures").counter().count() >= 3,
          "the older KEK counter too");

      writeKek(2);
      await("the KEK reload works again", () -> ring.get().versions().equals(Set.of(1, 2)));
      await(
          "status OK", () -> reloads.status(SecretReloads.KEK).result() == SecretReloads.Result.OK);
      assertEquals(1.0, okGauge(SecretReloads.KEK));
      await(
          "one 'works again' line",
          () -> log.messagesOf(LOGGER).stream().anyMatch(m -> m.contains("works again")));
      assertEquals(1, errors(log).size(), log.lines().toString());
    }
  }

  private static List<String> errors(LogCapture log) {
    return log.messagesOf(LOGGER).stream()
        .filter(m -> m.contains("failed, keeping the last good state"))
        .toList();
  }

  // ---- caller tokens ----

  private CallerTokens tokens(Path tokensDir, Duration interval) {
    return new SecretWiring()
        .callerTokens(new AuthConfiguration(true, tokensDir.toString(), interval), reloads);
  }

  @Test
  void callerTokens_newTokenFile_isAcceptedAfterTheNextReload() throws Exception {
    Path tokensDir = Files.createDirectories(dir.resolve("callers"));
    String first = TestServer.writeToken(tokensDir, "runner");
    CallerTokens tokens = tokens(tokensDir, FAST);
    assertEquals("runner", tokens.callerOf(first).orElseThrow());

    String second = TestServer.writeToken(tokensDir, "control");

    await("the new token is known", () -> tokens.callerOf(second).isPresent());
    assertEquals("control", tokens.callerOf(second).orElseThrow());
  }

  @Test
  void callerTokens_unreadableDirectory_keepsTheTokens_logsOnce_andCounts() throws Exception {
    Path tokensDir = Files.createDirectories(dir.resolve("callers"));
    String token = TestServer.writeToken(tokensDir, "runner");
    CallerTokens tokens = tokens(tokensDir, FAST);
    try (LogCapture log = LogCapture.of(LOGGER, Level.INFO)) {
      Files.move(tokensDir, dir.resolve("callers-gone"), StandardCopyOption.ATOMIC_MOVE);

      await(
          "three failed token reloads",
          () ->
              reloads.status(SecretReloads.CALLER_TOKENS).failures() >= 3
                  // the counter is told after the status is set: wait for both
                  && failuresCounted(SecretReloads.CALLER_TOKENS) >= 3);
      assertEquals(
          "runner", tokens.callerOf(token).orElseThrow(), "the last good tokens stay in force");
      assertEquals(1, errors(log).size(), log.lines().toString());
      assertTrue(failuresCounted(SecretReloads.CALLER_TOKENS) >= 3);
      assertFalse(log.lines().toString().contains(token), "no token in any line");
    }
  }

  // ---- TLS material ----

  private static X509Certificate served(SecretWiring.TlsMaterial material) {
    return material.keys()
        .getCertificateChain(material.keys().chooseServerAlias("RSA", null, null))[0];
  }

  private static BigInteger firstCa(SecretWiring.TlsMaterial material) {
    return material.trust().getAcceptedIssuers()[0].getSerialNumber();
  }

  private Issued ca;
  private Path cert;
  private Path key;

  /**
   * A CA, and a server certificate and key it issued, copied to tls.crt and tls.key; returns the
   * server's.
   */
  private Issued installFirstIdentity() throws Exception {
    ca = TestCertificates.ca(dir, "ca");
    Issued first = TestCertificates.serverWithKey(dir, "first", ca, "EC", KeyFormat.PKCS8);
    cert = dir.resolve("tls.crt");
    key = dir.resolve("tls.key");
    Files.copy(first.certFile(), cert);
    Files.copy(first.keyFile(), key);
    return first;
  }

  @Test
  void tls_renewedIdentityAndClientCa_areInForceAfterTheNextReload() throws Exception {
    Issued first = installFirstIdentity();
    Path clientCa = dir.resolve("client-ca.crt");
    Files.copy(ca.certFile(), clientCa);
    SecretWiring.TlsMaterial material =
        SecretWiring.loadTls(
            new TlsConfiguration(
                cert.toString(),
                key.toString(),
                clientCa.toString(),
                TlsConfiguration.ClientAuth.OPTIONAL,
                FAST),
            reloads);
    assertEquals(first.certificate().getSerialNumber(), served(material).getSerialNumber());
    assertEquals(ca.certificate().getSerialNumber(), firstCa(material));

    Issued renewed =
        TestCertificates.serverWithKey(dir, "renewed", ca, "RSA", KeyFormat.TRADITIONAL);
    Issued otherCa = TestCertificates.ca(dir, "other-ca");
    replace(key, renewed.keyFile());
    replace(cert, renewed.certFile());
    replace(clientCa, otherCa.certFile());

    await(
        "the renewed certificate is served",
        () -> served(material).getSerialNumber().equals(renewed.certificate().getSerialNumber()));
    await(
        "the new client CA is trusted",
        () -> firstCa(material).equals(otherCa.certificate().getSerialNumber()));
  }

  @Test
  void tls_brokenCertificate_keepsTheIdentity_logsOnce_andCounts() throws Exception {
    Issued first = installFirstIdentity();
    SecretWiring.TlsMaterial material =
        SecretWiring.loadTls(
            new TlsConfiguration(
                cert.toString(), key.toString(), null, TlsConfiguration.ClientAuth.OPTIONAL, FAST),
            reloads);
    try (LogCapture log = LogCapture.of(LOGGER, Level.INFO)) {
      Issued other = TestCertificates.serverWithKey(dir, "other", ca, "EC", KeyFormat.PKCS8);
      replace(cert, other.certFile()); // the key no longer matches

      await(
          "three failed TLS reloads",
          () ->
              reloads.status(SecretReloads.TLS_IDENTITY).failures() >= 3
                  // the counter is told after the status is set: wait for both
                  && failuresCounted(SecretReloads.TLS_IDENTITY) >= 3);
      assertEquals(first.certificate().getSerialNumber(), served(material).getSerialNumber());
      SecretReloads.Status failed = reloads.status(SecretReloads.TLS_IDENTITY);
      assertTrue(failed.error().contains("does not belong"), failed.error());
      assertEquals(1, errors(log).size(), log.lines().toString());
      assertTrue(failuresCounted(SecretReloads.TLS_IDENTITY) >= 3);
      assertNull(reloads.status(SecretReloads.TLS_CLIENT_CA), "no client CA configured");
    }
  }

  // ---- the interval rule ----

  @Test
  void zeroInterval_readsOnceAtStartup_neverAgain() throws Exception {
    AtomicInteger neverCalls = new AtomicInteger();
    AtomicInteger fastCalls = new AtomicInteger();
    reloads.register(
        SecretReloads.CALLER_TOKENS,
        "test",
        Duration.ZERO,
        "codec.auth.reload-interval",
        neverCalls::incrementAndGet);
    reloads.register(
        SecretReloads.TLS_IDENTITY,
        "test",
        FAST,
        "codec.tls.reload-interval",
        fastCalls::incrementAndGet);

    // the same single thread has run the other secret's reload several times meanwhile
    await("the scheduled secret was re-read three times", () -> fastCalls.get() >= 3);
    assertEquals(0, neverCalls.get());
    assertFalse(reloads.scheduled(SecretReloads.CALLER_TOKENS));
    assertTrue(reloads.scheduled(SecretReloads.TLS_IDENTITY));
    assertEquals(SecretReloads.Result.NEVER, reloads.status(SecretReloads.CALLER_TOKENS).result());
  }

  @Test
  void zeroInterval_kekOnDisk_changesAreNotPickedUp_untilAskedExplicitly() throws Exception {
    CurrentKekRing ring = kekRing(Duration.ZERO);
    TestServer.writeKek(dir.resolve("kek"), 2);
    assertFalse(reloads.scheduled(SecretReloads.KEK));
    assertEquals(Set.of(1), ring.get().versions());
    assertEquals(SecretReloads.Result.NEVER, reloads.reloadNow(SecretReloads.KEK).result());
    assertEquals(
        Set.of(1, 2), ring.get().versions(), "an explicit reload (tests, tools) still works");
  }

  @Test
  void negativeInterval_failsNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                reloads.register(
                    SecretReloads.KEK,
                    "test",
                    Duration.ofSeconds(-1),
                    "codec.kek.reload-interval",
                    () -> {}));
    assertTrue(e.getMessage().contains("codec.kek.reload-interval"), e.getMessage());
  }

  @Test
  void unexpectedRuntimeException_isReportedByClassOnly_andTheScheduleGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    reloads.register(
        SecretReloads.TLS_CLIENT_CA,
        "test",
        FAST,
        "codec.tls.reload-interval",
        () -> {
          calls.incrementAndGet();
          throw new IllegalStateException("secret-looking detail");
        });
    await("the failing reload ran three times", () -> calls.get() >= 3);
    SecretReloads.Status status = reloads.status(SecretReloads.TLS_CLIENT_CA);
    assertEquals("unexpected IllegalStateException", status.error());
    assertTrue(status.failures() >= 3);
  }

  @Test
  void linkageErrorOrStackOverflow_isReportedByClassOnly_andTheScheduleGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    reloads.register(
        SecretReloads.TLS_CLIENT_CA,
        "test",
        FAST,
        "codec.tls.reload-interval",
        () -> {
          if (calls.incrementAndGet() % 2 == 1) {
            throw new NoClassDefFoundError("secret-looking detail");
          }
          throw new StackOverflowError();
        });
    await("the failing reload ran four times", () -> calls.get() >= 4);
    assertTrue(reloads.scheduled(SecretReloads.TLS_CLIENT_CA));
    SecretReloads.Status status = reloads.status(SecretReloads.TLS_CLIENT_CA);
    assertEquals(SecretReloads.Result.FAILED, status.result());
    assertTrue(status.error().startsWith("unexpected "), status.error());
    assertFalse(status.error().contains("secret-looking"), status.error());
    assertTrue(status.failures() >= 3);
  }
}
