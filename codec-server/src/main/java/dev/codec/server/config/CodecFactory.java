package dev.codec.server.config;

import dev.codec.server.core.CodecService;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekRingLoader;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.nio.file.Path;
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

    KekRing loadRing(KekConfiguration config) throws KekLoadException {
        String inline = environment.get(KEK_ENV);
        if (inline != null && !inline.isBlank()) {
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
    public CodecService codecService(EnvelopeCrypto crypto, DekCache cache, LimitsConfiguration limits) {
        return new CodecService(crypto, cache, limits.toLimits());
    }
}
