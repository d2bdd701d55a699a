package dev.codec.server.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.config.KekConfiguration;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.KekReloader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the factory wires reloading for each KEK source. */
class KekReloadWiringTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  private static KekConfiguration config(Path dir, Duration interval) {
    return new KekConfiguration(dir.toString(), null, interval);
  }

  @Test
  void codecKekVariable_hasNothingToReload_andNoScheduler(@TempDir Path dir) throws Exception {
    CodecFactory factory = new CodecFactory(Map.of(CodecFactory.KEK_ENV, KEY));
    KekConfiguration config = config(dir, Duration.ofSeconds(10));
    CurrentKekRing ring = factory.currentKekRing(config);

    try (SecretReloads reloads = new SecretReloads(Clock.systemUTC(), secret -> {})) {
      KekReloader reloader =
          factory.kekReloader(ring, config, new DekCache(Duration.ofMinutes(1), 10), reloads);

      assertFalse(reloader.enabled());
      assertEquals(KekReloader.Result.DISABLED, reloader.reloadNow().result());
      assertFalse(reloads.scheduled(SecretReloads.KEK));
      assertNull(reloads.status(SecretReloads.KEK));
    }
  }

  @Test
  void kekDirectory_isReloaded_andScheduledUnlessIntervalIsZero(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("1"), KEY);
    CodecFactory factory = new CodecFactory(Map.of());
    KekConfiguration config = config(dir, Duration.ofSeconds(10));
    CurrentKekRing ring = factory.currentKekRing(config);

    try (SecretReloads reloads = new SecretReloads(Clock.systemUTC(), secret -> {})) {
      KekReloader reloader =
          factory.kekReloader(ring, config, new DekCache(Duration.ofMinutes(1), 10), reloads);
      assertTrue(reloader.enabled());
      assertTrue(reloads.scheduled(SecretReloads.KEK));
      assertEquals(SecretReloads.Result.OK, reloads.reloadNow(SecretReloads.KEK).result());
      assertEquals(KekReloader.Result.OK, reloader.status().lastReload().result());
      reloads.close();
      assertFalse(reloads.scheduled(SecretReloads.KEK));
    }
    try (SecretReloads reloads = new SecretReloads(Clock.systemUTC(), secret -> {})) {
      factory.kekReloader(
          ring, config(dir, Duration.ZERO), new DekCache(Duration.ofMinutes(1), 10), reloads);
      assertFalse(reloads.scheduled(SecretReloads.KEK));
      assertEquals(SecretReloads.Result.NEVER, reloads.status(SecretReloads.KEK).result());
    }
  }
}
