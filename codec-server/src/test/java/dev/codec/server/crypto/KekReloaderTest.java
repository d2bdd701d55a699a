package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KEK hot reload against a directory laid out exactly like a mounted Kubernetes Secret: the visible
 * files are symlinks through {@code ..data}, which Kubernetes swaps atomically to a new timestamped
 * directory on every update.
 */
class KekReloaderTest {
  private static final String PROJECT = "proj-1";

  @TempDir Path mount;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final AtomicInteger keysChanged = new AtomicInteger();
  private CurrentKekRing ring;
  private KekReloader reloader;
  private EnvelopeCrypto crypto;
  private Map<Integer, byte[]> keys;

  @BeforeEach
  void mountSecretWithVersionOne() throws Exception {
    keys = new java.util.HashMap<>();
    keys.put(1, randomKey());
    Path first = writeSecretDir("..2026_11_23_10_00_00.000000001", Map.of(1, keys.get(1)));
    Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(mount.resolve("1"), Path.of("..data", "1"));
    ring = new CurrentKekRing(KekRingLoader.fromDirectory(mount, null));
    reloader =
        KekReloader.of(
            ring,
            () -> KekRingLoader.fromDirectory(mount, null),
            mount.toString(),
            clock,
            keysChanged::incrementAndGet);
    crypto = new EnvelopeCrypto(ring);
  }

  @Test
  void reload_wipesTheKeysOfTheRingItReplaces() throws Exception {
    SymmetricKey before = ring.get().get(1);
    keys.put(2, randomKey());
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1), 2, keys.get(2)));
    Files.createSymbolicLink(mount.resolve("2"), Path.of("..data", "2"));

    assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());

    assertTrue(
        before.isDestroyed(), "the old ring's copy of KEK 1 is wiped (the new ring has its own)");
    assertFalse(ring.get().get(1).isDestroyed());
    SymmetricKey dek =
        crypto.unwrap(PROJECT, crypto.generateWrappedDek(PROJECT).encoded()); // the new ring works
    assertFalse(dek.isDestroyed());
  }

  @Test
  void reload_withNothingChanged_keepsTheRingInForce_andWipesNoKeyInUse() throws Exception {
    KekRing before = ring.get();
    SymmetricKey kek = before.get(1);
    SymmetricKey grantKey = before.grantKey(1);

    for (int i = 0; i < 3; i++) {
      assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());
    }
    // the same file content written again by a Secret update: still nothing changed
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1)));
    assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());

    assertTrue(before == ring.get(), "an unchanged reload keeps the ring in force");
    assertFalse(kek.isDestroyed());
    assertFalse(grantKey.isDestroyed());
    assertEquals(0, keysChanged.get());
  }

  @Test
  void kubernetesSecretSwap_newHighestVersionWrapsNewDeks_oldVersionStillUnwraps()
      throws Exception {
    EnvelopeCrypto.WrappedDek underOne = crypto.generateWrappedDek(PROJECT);
    assertEquals(1, underOne.kekVersion());

    keys.put(2, randomKey());
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1), 2, keys.get(2)));
    Files.createSymbolicLink(mount.resolve("2"), Path.of("..data", "2"));
    clock.advance(Duration.ofSeconds(10));

    KekReloader.ReloadStatus result = reloader.reloadNow();

    assertEquals(KekReloader.Result.OK, result.result());
    assertEquals(clock.instant(), result.at());
    assertEquals(2, ring.get().activeVersion());
    assertEquals(List.of(1, 2), List.copyOf(ring.get().versions()));
    EnvelopeCrypto.WrappedDek underTwo = crypto.generateWrappedDek(PROJECT);
    assertEquals(2, underTwo.kekVersion());
    assertTrue(underTwo.encoded().startsWith("dek1:k2:"));
    crypto.unwrap(PROJECT, underOne.encoded()).destroy();
    crypto.unwrap(PROJECT, underTwo.encoded()).destroy();
    assertEquals(0, keysChanged.get(), "adding a version must not drop cached DEKs");

    KekReloader.Status status = reloader.status();
    assertEquals(2, status.activeVersion());
    assertEquals(
        Instant.parse("2026-11-23T10:00:00Z"),
        status.versions().get(0).loadedAt(),
        "an unchanged version keeps its load time");
    assertEquals(clock.instant(), status.versions().get(1).loadedAt());
  }

  @Test
  void retiringAVersion_itsDeksAreFailedPrecondition_andCachedDeksAreDropped() throws Exception {
    keys.put(2, randomKey());
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1), 2, keys.get(2)));
    Files.createSymbolicLink(mount.resolve("2"), Path.of("..data", "2"));
    reloader.reloadNow();
    String underOne = new EnvelopeCrypto(() -> ringOf(1)).generateWrappedDek(PROJECT).encoded();

    swapSecret("..2026_11_23_10_10_00.000000003", Map.of(2, keys.get(2)));
    Files.delete(mount.resolve("1"));
    assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());

    assertEquals(List.of(2), List.copyOf(ring.get().versions()));
    UnknownKekVersionException e =
        assertThrows(UnknownKekVersionException.class, () -> crypto.unwrap(PROJECT, underOne));
    assertEquals(1, e.version());
    assertEquals(1, keysChanged.get());
  }

  @Test
  void reload_badKeyFile_keepsCurrentRing_andRecordsTheError() throws Exception {
    String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
    Files.writeString(mount.resolve("3"), shortKey);
    clock.advance(Duration.ofSeconds(10));

    KekReloader.ReloadStatus result = reloader.reloadNow();

    assertEquals(KekReloader.Result.FAILED, result.result());
    assertTrue(
        result.error().contains(mount.resolve("3") + " holds 16 bytes, expected 32"),
        result.error());
    assertFalse(result.error().contains(shortKey));
    assertEquals(List.of(1), List.copyOf(ring.get().versions()));
    assertEquals(1, crypto.generateWrappedDek(PROJECT).kekVersion());
    KekReloader.Status status = reloader.status();
    assertEquals(result, status.lastReload());
    assertEquals(1, status.activeVersion());
    assertEquals(1, status.versions().size());

    Files.delete(mount.resolve("3"));
    KekReloader.ReloadStatus recovered = reloader.reloadNow();
    assertEquals(KekReloader.Result.OK, recovered.result());
    assertNull(recovered.error());
  }

  @Test
  void reload_noUsableKek_keepsCurrentRing() throws Exception {
    Files.delete(mount.resolve("1"));

    KekReloader.ReloadStatus result = reloader.reloadNow();

    assertEquals(KekReloader.Result.FAILED, result.result());
    assertTrue(result.error().contains("holds no KEK version files"), result.error());
    assertEquals(1, crypto.generateWrappedDek(PROJECT).kekVersion());
    assertEquals(0, keysChanged.get());
  }

  @Test
  void reload_configuredActiveVersionMissing_keepsCurrentRing() throws Exception {
    keys.put(2, randomKey());
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1), 2, keys.get(2)));
    Files.createSymbolicLink(mount.resolve("2"), Path.of("..data", "2"));
    CurrentKekRing pinned = new CurrentKekRing(KekRingLoader.fromDirectory(mount, 1));
    KekReloader pinnedReloader =
        KekReloader.of(
            pinned, () -> KekRingLoader.fromDirectory(mount, 1), mount.toString(), clock, () -> {});
    swapSecret("..2026_11_23_10_10_00.000000003", Map.of(2, keys.get(2)));
    Files.delete(mount.resolve("1"));

    KekReloader.ReloadStatus result = pinnedReloader.reloadNow();

    assertEquals(KekReloader.Result.FAILED, result.result());
    assertTrue(result.error().contains("codec.kek.active is 1"), result.error());
    assertEquals(1, pinned.get().activeVersion());
    assertEquals(List.of(1, 2), List.copyOf(pinned.get().versions()));
  }

  @Test
  void reload_changedKeyForSameVersion_newFingerprintAndCachedDeksDropped() throws Exception {
    String before = reloader.status().versions().get(0).fingerprint();
    keys.put(1, randomKey());
    swapSecret("..2026_11_23_10_05_00.000000002", Map.of(1, keys.get(1)));
    clock.advance(Duration.ofMinutes(1));

    reloader.reloadNow();

    KekReloader.LoadedKek after = reloader.status().versions().get(0);
    assertNotEquals(before, after.fingerprint());
    assertEquals(clock.instant(), after.loadedAt());
    assertEquals(1, keysChanged.get());
  }

  @Test
  void fingerprint_isAnHkdfDerivedValueWithItsOwnLabel_notAMacUnderTheKek_andRevealsNothingElse()
      throws Exception {
    String expected = dev.codec.server.LegacyTestCrypto.fingerprint(keys.get(1));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(keys.get(1), "HmacSHA256"));
    String oldMacUnderTheKek =
        HexFormat.of()
            .formatHex(
                mac.doFinal("codec.v1 kek fingerprint".getBytes(StandardCharsets.UTF_8)), 0, 8);

    String fingerprint = reloader.status().versions().get(0).fingerprint();

    assertEquals(expected, fingerprint);
    assertNotEquals(oldMacUnderTheKek, fingerprint, "the KEK keys nothing but DEK wrapping");
    assertEquals(16, fingerprint.length());
    assertNotEquals(fingerprint, KekFingerprint.of(SymmetricKey.copyOf(randomKey())));
    assertFalse(HexFormat.of().formatHex(keys.get(1)).contains(fingerprint));
  }

  @Test
  void disabledReloader_reportsDisabled_andKeepsTheRing() {
    KekReloader disabled = KekReloader.disabled(ring, clock);

    assertFalse(disabled.enabled());
    assertEquals(KekReloader.Result.DISABLED, disabled.reloadNow().result());
    assertEquals(KekReloader.Result.DISABLED, disabled.status().lastReload().result());
    assertEquals(1, disabled.status().versions().size());
  }

  @Test
  void beforeAnyReload_statusIsNotYet() {
    assertEquals(KekReloader.Result.NOT_YET, reloader.status().lastReload().result());
    assertNull(reloader.status().lastReload().at());
  }

  // ---- helpers ----

  private KekRing ringOf(int version) {
    try {
      return KekRing.of(Map.of(version, SymmetricKey.copyOf(keys.get(version))), null);
    } catch (KekLoadException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path writeSecretDir(String name, Map<Integer, byte[]> versions) throws IOException {
    Path dir = Files.createDirectory(mount.resolve(name));
    for (Map.Entry<Integer, byte[]> entry : versions.entrySet()) {
      Files.writeString(
          dir.resolve(entry.getKey().toString()),
          Base64.getEncoder().encodeToString(entry.getValue()) + "\n");
    }
    return dir;
  }

  /**
   * What the kubelet does: new timestamped dir, temporary link to it, atomic rename over ..data.
   */
  private void swapSecret(String name, Map<Integer, byte[]> versions) throws IOException {
    Path next = writeSecretDir(name, versions);
    Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), next.getFileName());
    Files.move(
        tmp,
        mount.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    assertEquals(next.getFileName(), Files.readSymbolicLink(mount.resolve("..data")));
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
