package dev.codec.server.config;

import dev.codec.server.crypto.KekReloader;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@link KekReloader#reloadNow()} every {@code codec.kek.reload-interval} on one daemon thread,
 * from one interval after startup until {@link #close()}. Does nothing when the reloader has nothing
 * to reload (CODEC_KEK) or the interval is zero.
 */
public final class KekReloadScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KekReloadScheduler.class);

    private final ScheduledExecutorService executor;

    /**
     * @param onFailure told about every failed reload (metrics); runs on the reload thread
     */
    public KekReloadScheduler(KekReloader reloader, Duration interval, Runnable onFailure) {
        if (!reloader.enabled() || interval.isZero() || interval.isNegative()) {
            this.executor = null;
            return;
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kek-reload");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        var unused = executor.scheduleWithFixedDelay(() -> {
            try {
                if (reloader.reloadNow().result() == KekReloader.Result.FAILED) {
                    onFailure.run();
                }
            } catch (RuntimeException e) {
                // Never let one bad run stop the schedule; the reloader itself never throws for bad keys.
                LOG.error("KEK reload run failed unexpectedly: {}", e.getClass().getSimpleName());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Whether reloads are scheduled. */
    public boolean running() {
        return executor != null && !executor.isShutdown();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
