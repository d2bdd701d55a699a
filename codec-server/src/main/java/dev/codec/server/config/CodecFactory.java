package dev.codec.server.config;

import dev.codec.server.core.AccessPolicy;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.GrantService;
import dev.codec.server.core.InputFormats;
import dev.codec.server.core.KeyLifecycle;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.KekRingLoader;
import io.micronaut.context.annotation.Bean;
import dev.codec.server.ops.CodecMetrics;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the framework-free core from the typed configuration. */
@Factory
public class CodecFactory {
    /** Environment variable with a base64 KEK (version 1) that replaces the KEK directory for local runs. */
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
        String inline = environment.get(KEK_ENV);
        if (inlineKek()) {
            KekRing ring = KekRingLoader.fromBase64(inline, "environment variable " + KEK_ENV);
            LOG.warn("Using the KEK from {} (version 1): for local development only", KEK_ENV);
            return ring;
        }
        KekRing ring = KekRingLoader.fromDirectory(Path.of(config.getDir()), config.getActive());
        LOG.info("Loaded KEK versions {} from {} (active {})", ring.versions(), config.getDir(), ring.activeVersion());
        return ring;
    }

    @Singleton
    public EnvelopeCrypto envelopeCrypto(CurrentKekRing ring) {
        return new EnvelopeCrypto(ring);
    }

    @Singleton
    public DekCache dekCache(DekCacheConfiguration config) {
        return new DekCache(config.getTtl(), config.getMaxSize());
    }

    @Singleton
    public CodecService codecService(EnvelopeCrypto crypto, DekCache cache, LimitsConfiguration limits,
            LegacyConfiguration legacy, AccessConfiguration.Grants grants,
            AccessConfiguration.Formats formats, AccessConfiguration.Seals seals, CodecMetrics metrics) {
        if (legacy.isAccept()) {
            LOG.warn("Legacy input is accepted (codec.legacy.accept=true): turn it off when the migration is done");
        }
        if (!grants.isRequired()) {
            LOG.warn("Deployment grants are not required (codec.grants.required=false): a decrypt token alone "
                    + "opens every project. Turn it on once runners send grants (docs/grants.md)");
        }
        return new CodecService(crypto, cache, limits.toLimits(), inputFormats(crypto, legacy, formats),
                accessPolicy(grants, formats, seals), metrics::valuesDecrypted);
    }

    @Singleton
    public GrantService grantService(EnvelopeCrypto crypto, DekCache cache, LimitsConfiguration limits,
            LegacyConfiguration legacy, AccessConfiguration.Grants grants, AccessConfiguration.Formats formats,
            AccessConfiguration.Seals seals) {
        return new GrantService(crypto, cache, limits.toLimits(), inputFormats(crypto, legacy, formats),
                accessPolicy(grants, formats, seals));
    }

    @Singleton
    public KeyLifecycle keyLifecycle(EnvelopeCrypto crypto, DekCache cache, LimitsConfiguration limits,
            LegacyConfiguration legacy, AccessConfiguration.Formats formats, KekReloader kekReloader) {
        return new KeyLifecycle(crypto, cache, limits.toLimits(), inputFormats(crypto, legacy, formats), kekReloader);
    }

    private static InputFormats inputFormats(EnvelopeCrypto crypto, LegacyConfiguration legacy,
            AccessConfiguration.Formats formats) {
        return InputFormats.of(crypto, legacy.isAccept(), formats.isAcceptEnc1());
    }

    private static AccessPolicy accessPolicy(AccessConfiguration.Grants grants, AccessConfiguration.Formats formats,
            AccessConfiguration.Seals seals) {
        return new AccessPolicy(grants.isRequired(), grants.getMaxTtl(), grants.getClockSkew(),
                formats.isAcceptEnc1(), seals.isRequired(), Clock.systemUTC());
    }

    // ---- KEK hot reload ----

    /**
     * Re-reads the KEK directory on demand ({@link KekReloader#reloadNow()}); with {@code CODEC_KEK}
     * there is nothing to reload. Drops cached DEKs when a reload retires or changes a KEK version.
     */
    @Singleton
    public KekReloader kekReloader(CurrentKekRing ring, KekConfiguration config, DekCache cache) {
        if (inlineKek()) {
            return KekReloader.disabled(ring, Clock.systemUTC());
        }
        Path dir = Path.of(config.getDir());
        Integer active = config.getActive();
        return KekReloader.of(ring, () -> KekRingLoader.fromDirectory(dir, active), dir.toString(),
                Clock.systemUTC(), cache::invalidateAll);
    }

    /** Calls the reloader every {@code codec.kek.reload-interval}; started with the application. */
    @Context
    @Bean(preDestroy = "close")
    public KekReloadScheduler kekReloadScheduler(KekReloader reloader, KekConfiguration config, CodecMetrics metrics) {
        return new KekReloadScheduler(reloader, config.getReloadInterval(), metrics::kekReloadFailed);
    }
}
