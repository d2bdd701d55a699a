package dev.codec.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.KekReloader;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.codec.server.ops.CodecMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the factory wires reloading for each KEK source. */
class KekReloadWiringTest {
    private static final CodecMetrics METRICS = new CodecMetrics(new SimpleMeterRegistry());

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void codecKekVariable_hasNothingToReload_andNoScheduler() throws Exception {
        CodecFactory factory = new CodecFactory(Map.of(CodecFactory.KEK_ENV, KEY));
        KekConfiguration config = new KekConfiguration();
        CurrentKekRing ring = factory.currentKekRing(config);

        KekReloader reloader = factory.kekReloader(ring, config, new DekCache(Duration.ofMinutes(1), 10));

        assertFalse(reloader.enabled());
        assertEquals(KekReloader.Result.DISABLED, reloader.reloadNow().result());
        try (KekReloadScheduler scheduler = factory.kekReloadScheduler(reloader, config, METRICS)) {
            assertFalse(scheduler.running());
        }
    }

    @Test
    void kekDirectory_isReloaded_andScheduledUnlessIntervalIsZero(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("1"), KEY);
        CodecFactory factory = new CodecFactory(Map.of());
        KekConfiguration config = new KekConfiguration();
        config.setDir(dir.toString());
        assertEquals(Duration.ofSeconds(10), config.getReloadInterval());
        CurrentKekRing ring = factory.currentKekRing(config);

        KekReloader reloader = factory.kekReloader(ring, config, new DekCache(Duration.ofMinutes(1), 10));

        assertTrue(reloader.enabled());
        assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());
        try (KekReloadScheduler scheduler = factory.kekReloadScheduler(reloader, config, METRICS)) {
            assertTrue(scheduler.running());
            scheduler.close();
            assertFalse(scheduler.running());
        }
        config.setReloadInterval(Duration.ZERO);
        try (KekReloadScheduler scheduler = factory.kekReloadScheduler(reloader, config, METRICS)) {
            assertFalse(scheduler.running());
        }
    }
}
