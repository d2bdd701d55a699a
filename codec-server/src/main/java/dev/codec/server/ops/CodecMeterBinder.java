package dev.codec.server.ops;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;

/**
 * Gauges and counters read from the core when scraped: the DEK cache (from Caffeine's statistics)
 * and the KEK ring in force. No labels.
 *
 * <p>Prometheus names: {@code codec_dek_cache_hits_total}, {@code codec_dek_cache_misses_total},
 * {@code codec_dek_cache_evictions_total}, {@code codec_dek_cache_size}, {@code
 * codec_kek_versions_loaded}, {@code codec_kek_active_version}.
 */
@Singleton
public class CodecMeterBinder implements MeterBinder {
  private final DekCache cache;
  private final CurrentKekRing ring;

  public CodecMeterBinder(DekCache cache, CurrentKekRing ring) {
    this.cache = cache;
    this.ring = ring;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("codec.dek.cache.hits", cache, c -> c.stats().hitCount())
        .description("DEK lookups answered from the cache")
        .register(registry);
    FunctionCounter.builder("codec.dek.cache.misses", cache, c -> c.stats().missCount())
        .description("DEK lookups that had to unwrap under the KEK")
        .register(registry);
    FunctionCounter.builder("codec.dek.cache.evictions", cache, c -> stats(c).evictionCount())
        .description("DEKs dropped from the cache (expired or over the size limit)")
        .register(registry);
    Gauge.builder("codec.dek.cache.size", cache, DekCache::size)
        .description("DEKs in the cache (approximate)")
        .register(registry);
    Gauge.builder("codec.kek.versions.loaded", ring, r -> r.get().versions().size())
        .description("KEK versions loaded")
        .register(registry);
    Gauge.builder("codec.kek.active.version", ring, r -> r.get().activeVersion())
        .description("KEK version that wraps new DEKs")
        .register(registry);
  }

  private static CacheStats stats(DekCache cache) {
    cache.cleanUp(); // expiry is lazy: count what has expired by now
    return cache.stats();
  }
}
