package dev.codec.server.wiring;

import dev.codec.server.config.AccessConfiguration;
import dev.codec.server.config.DekCacheConfiguration;
import dev.codec.server.config.KekConfiguration;
import dev.codec.server.config.LegacyConfiguration;
import dev.codec.server.config.LimitsConfiguration;
import dev.codec.server.core.AccessPolicy;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DekCache;
import dev.codec.server.core.GrantService;
import dev.codec.server.core.InputFormats;
import dev.codec.server.core.KeyLifecycle;
import dev.codec.server.core.Limits;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekRingLoader;
import dev.codec.server.ops.CodecMetrics;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the framework-free core (KEK ring, envelope crypto, DEK cache, service) from the typed
 * configuration.
 */
@Factory
public class CodecFactory {
  /**
   * Environment variable with a base64 KEK (version 1) that replaces the KEK directory for local
   * runs.
   */
  public static final String KEK_ENV = "CODEC_KEK";

  private static final Logger LOG = LoggerFactory.getLogger(CodecFactory.class);

  private final Map<String, String> environment;

  public CodecFactory() {
    this(System.getenv());
  }

  CodecFactory(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * The KEK ring, loaded eagerly at startup: if it cannot be loaded the application context fails
   * and the process exits (fail closed).
   */
  @Context
  @Singleton
  public CurrentKekRing currentKekRing(KekConfiguration config) throws KekLoadException {
    return new CurrentKekRing(loadRing(config));
  }

  private boolean inlineKek() {
    String inline = environment.get(KEK_ENV);
    return inline != null && !inline.isBlank();
  }

  KekRing loadRing(KekConfiguration config) throws KekLoadException {
    if (inlineKek()) {
      KekRing ring =
          KekRingLoader.fromBase64(environment.get(KEK_ENV), "environment variable " + KEK_ENV);
      LOG.warn("Using the KEK from {} (version 1): for local development only", KEK_ENV);
      return ring;
    }
    KekRing ring = KekRingLoader.fromDirectory(Path.of(config.dir()), config.active());
    LOG.info(
        "Loaded KEK versions {} from {} (active {})",
        ring.versions(),
        config.dir(),
        ring.activeVersion());
    return ring;
  }

  @Singleton
  public EnvelopeCrypto envelopeCrypto(CurrentKekRing ring) {
    return new EnvelopeCrypto(ring);
  }

  @Singleton
  public DekCache dekCache(DekCacheConfiguration config) {
    return new DekCache(config.ttl(), config.maxSize());
  }

  @Singleton
  public CodecService codecService(
      EnvelopeCrypto crypto,
      DekCache cache,
      LimitsConfiguration limits,
      LegacyConfiguration legacy,
      AccessConfiguration.Grants grants,
      AccessConfiguration.Formats formats,
      AccessConfiguration.Seals seals,
      CodecMetrics metrics) {
    if (legacy.accept()) {
      LOG.warn(
          "Legacy input is accepted (codec.legacy.accept=true): turn it off when the migration is done");
    }
    if (!grants.required()) {
      LOG.warn(
          "Deployment grants are not required (codec.grants.required=false): a decrypt token alone "
              + "opens every project. Turn it on once runners send grants (docs/grants.md)");
    }
    return new CodecService(
        crypto,
        cache,
        limits(limits),
        inputFormats(crypto, legacy, formats),
        accessPolicy(grants, formats, seals),
        metrics::valuesDecrypted);
  }

  @Singleton
  public GrantService grantService(
      EnvelopeCrypto crypto,
      DekCache cache,
      LimitsConfiguration limits,
      LegacyConfiguration legacy,
      AccessConfiguration.Grants grants,
      AccessConfiguration.Formats formats,
      AccessConfiguration.Seals seals) {
    return new GrantService(
        crypto,
        cache,
        limits(limits),
        inputFormats(crypto, legacy, formats),
        accessPolicy(grants, formats, seals));
  }

  @Singleton
  public KeyLifecycle keyLifecycle(
      EnvelopeCrypto crypto,
      DekCache cache,
      LimitsConfiguration limits,
      LegacyConfiguration legacy,
      AccessConfiguration.Formats formats,
      KekReloader kekReloader) {
    return new KeyLifecycle(
        crypto, cache, limits(limits), inputFormats(crypto, legacy, formats), kekReloader);
  }

  private static InputFormats inputFormats(
      EnvelopeCrypto crypto, LegacyConfiguration legacy, AccessConfiguration.Formats formats) {
    return InputFormats.of(crypto, legacy.accept(), formats.acceptEnc1());
  }

  private static AccessPolicy accessPolicy(
      AccessConfiguration.Grants grants,
      AccessConfiguration.Formats formats,
      AccessConfiguration.Seals seals) {
    return new AccessPolicy(
        grants.required(),
        grants.maxTtl(),
        grants.clockSkew(),
        formats.acceptEnc1(),
        seals.required(),
        Clock.systemUTC());
  }

  static Limits limits(LimitsConfiguration config) {
    return new Limits(
        config.maxProjectIdLength(),
        config.maxEntries(),
        config.maxValueBytes(),
        config.maxNameLength());
  }

  // ---- secret reloads ----

  /**
   * Every file-backed secret's reloading ({@link SecretReloads}); closed with the context. Failed
   * reloads are counted per secret, and KEK failures also under their older name ({@code
   * codec_kek_reload_failures_total}, which the chart's alert reads). The metrics are looked up on
   * the first failure: they depend (through the meter binders) on the KEK reloader, which depends
   * on this.
   */
  @Singleton
  @Bean(preDestroy = "close")
  public SecretReloads secretReloads(BeanProvider<CodecMetrics> metrics) {
    return new SecretReloads(
        Clock.systemUTC(),
        secret -> {
          metrics.get().secretReloadFailed(secret);
          if (SecretReloads.KEK.equals(secret)) {
            metrics.get().kekReloadFailed();
          }
        });
  }

  /**
   * Re-reads the KEK directory ({@link KekReloader#reloadNow()}) under {@link SecretReloads}, every
   * {@code codec.kek.reload-interval}; created at startup. With {@code CODEC_KEK} there is nothing
   * to reload. Drops cached DEKs when a reload retires or changes a KEK version.
   */
  @Context
  @Singleton
  public KekReloader kekReloader(
      CurrentKekRing ring, KekConfiguration config, DekCache cache, SecretReloads reloads) {
    if (inlineKek()) {
      return KekReloader.disabled(ring, Clock.systemUTC());
    }
    Path dir = Path.of(config.dir());
    Integer active = config.active();
    KekReloader reloader =
        KekReloader.of(
            ring,
            () -> KekRingLoader.fromDirectory(dir, active),
            dir.toString(),
            Clock.systemUTC(),
            cache::invalidateAll);
    reloads.register(
        SecretReloads.KEK,
        dir.toString(),
        config.reloadInterval(),
        "codec.kek.reload-interval",
        () -> {
          KekReloader.ReloadStatus status = reloader.reloadNow();
          if (status.result() == KekReloader.Result.FAILED) {
            throw new KekLoadException(status.error());
          }
        });
    return reloader;
  }
}
