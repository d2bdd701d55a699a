package dev.codec.server.wiring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads every file-backed secret while the server runs: the KEK ring ({@code kek}), the caller
 * tokens ({@code caller-tokens}) and the TLS material ({@code tls-identity}, {@code
 * tls-client-ca}). One place, so each of them follows the same rules:
 *
 * <ul>
 *   <li><b>One executor</b>: a single daemon thread, {@code codec-secret-reloads}, runs every
 *       reload; it starts with the first secret that is re-read and stops with the application
 *       context.
 *   <li><b>One interval rule</b>: each secret is re-read every its {@code reload-interval} (first
 *       one interval after startup, then one interval after the previous reload ended). {@code 0}
 *       means <em>read once at startup, never again</em>; a negative interval fails startup naming
 *       the key.
 *   <li><b>One failure policy</b>: a failed reload keeps the last good state in force (the secret's
 *       loader replaces its state only after a complete, checked load); one ERROR line per distinct
 *       error (not per attempt), one INFO line when it works again; every failed attempt is counted
 *       ({@code codec_secret_reload_failures_total{secret}}).
 *   <li><b>One status shape</b>: {@link Status}, per secret, for the Status RPC, metrics and logs.
 * </ul>
 *
 * <p>Error texts come from the loaders, which name files and problems, never key material; an
 * unexpected runtime exception is reported by its class name only.
 *
 * <p>Hand-written on a {@link ScheduledExecutorService} rather than Micronaut's {@code @Scheduled}:
 * the intervals are per secret and may be 0, and tests drive {@link #reloadNow(String)} directly.
 */
public final class SecretReloads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SecretReloads.class);
  public static final String KEK = "kek";
  public static final String CALLER_TOKENS = "caller-tokens";
  public static final String TLS_IDENTITY = "tls-identity";
  public static final String TLS_CLIENT_CA = "tls-client-ca";

  /** Every secret name, in a fixed order: metric labels take only these words. */
  public static final List<String> SECRETS =
      List.of(KEK, CALLER_TOKENS, TLS_IDENTITY, TLS_CLIENT_CA);

  /**
   * One file-backed secret: re-reads its files and puts the result in force only if it is complete.
   */
  @FunctionalInterface
  public interface Secret {
    /**
     * Re-reads the secret. On failure the state in force stays.
     *
     * @throws Exception whose message says what is wrong (a file, a problem; never key material)
     */
    void reload() throws Exception;
  }

  /** The outcome of the last reload of one secret. */
  public enum Result {
    /** {@code reload-interval} is 0: read at startup only. */
    NEVER,
    /** No reload has run since startup. */
    NOT_YET,
    /** The last reload succeeded (possibly with no change). */
    OK,
    /** The last reload failed; the last good state stays in force. */
    FAILED
  }

  /**
   * How one secret's reloading goes.
   *
   * @param secret the secret's name, one of {@link #SECRETS}
   * @param source where it is read from (a directory or file), for people
   * @param interval its reload interval; {@link Duration#ZERO} for never
   * @param result the last reload's outcome
   * @param at when the last reload ran, or {@code null} if none has
   * @param error why the last reload failed (safe to show), or {@code null} unless {@link
   *     Result#FAILED}
   * @param failures failed reloads since startup
   */
  public record Status(
      String secret,
      String source,
      Duration interval,
      Result result,
      Instant at,
      String error,
      long failures) {}

  private final Clock clock;
  private final Consumer<String> onFailure;
  private final Map<String, Registered> secrets = new LinkedHashMap<>();
  private ScheduledExecutorService executor;
  private boolean closed;

  private static final class Registered {
    final Secret secret;
    volatile Status status;

    Registered(Secret secret, Status status) {
      this.secret = secret;
      this.status = status;
    }
  }

  /**
   * @param onFailure told the secret's name on every failed reload (metrics); runs on the reload
   *     thread
   */
  public SecretReloads(Clock clock, Consumer<String> onFailure) {
    this.clock = Objects.requireNonNull(clock);
    this.onFailure = Objects.requireNonNull(onFailure);
  }

  /**
   * Adds a secret that was loaded at startup, and re-reads it every {@code interval} (never if 0).
   *
   * @param key the configuration key of the interval, for the message if it is negative
   * @throws IllegalArgumentException if the name is unknown or taken, or the interval negative
   */
  public synchronized void register(
      String name, String source, Duration interval, String key, Secret secret) {
    if (!SECRETS.contains(name) || secrets.containsKey(name)) {
      throw new IllegalArgumentException("secret " + name + " is unknown or registered twice");
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException(
          key + " must not be negative (0s: never reload), got " + interval);
    }
    Result first = interval.isZero() ? Result.NEVER : Result.NOT_YET;
    secrets.put(
        name, new Registered(secret, new Status(name, source, interval, first, null, null, 0)));
    if (interval.isZero() || closed) {
      return;
    }
    if (executor == null) {
      executor =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "codec-secret-reloads");
                thread.setDaemon(true);
                return thread;
              });
    }
    long millis = Math.max(1, interval.toMillis());
    var unused =
        executor.scheduleWithFixedDelay(
            () -> reloadNow(name), millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Re-reads one secret now, whatever its interval (tests; the schedule calls this too). Never
   * throws for a failed reload: that is in the returned status.
   */
  public Status reloadNow(String name) {
    Registered registered;
    synchronized (this) {
      registered = secrets.get(name);
    }
    if (registered == null) {
      throw new IllegalArgumentException("secret " + name + " is not registered");
    }
    synchronized (registered) {
      Status before = registered.status;
      Instant now = clock.instant();
      Result result = before.interval().isZero() ? Result.NEVER : Result.OK;
      try {
        registered.secret.reload();
      } catch (Exception | LinkageError | StackOverflowError e) {
        // An Error other than these (OutOfMemoryError above all) is left to the process's own
        // policy;
        // these two come from a bad class path or a crafted file and must not end the schedule (a
        // task
        // that throws is cancelled by the executor, silently).
        String error =
            e instanceof RuntimeException || e instanceof Error || e.getMessage() == null
                ? "unexpected " + e.getClass().getSimpleName()
                : e.getMessage();
        Status failed =
            new Status(
                name,
                before.source(),
                before.interval(),
                Result.FAILED,
                now,
                error,
                before.failures() + 1);
        registered.status = failed;
        if (!error.equals(before.error())) {
          LOG.error(
              "Reloading {} from {} failed, keeping the last good state: {}",
              name,
              before.source(),
              error);
        }
        onFailure.accept(name);
        return failed;
      }
      if (before.result() == Result.FAILED) {
        LOG.info("Reloading {} from {} works again", name, before.source());
      }
      Status ok =
          new Status(
              name, before.source(), before.interval(), result, now, null, before.failures());
      registered.status = ok;
      return ok;
    }
  }

  /**
   * The status of one registered secret, or {@code null} if it is not registered (e.g. TLS off).
   */
  public Status status(String name) {
    Registered registered;
    synchronized (this) {
      registered = secrets.get(name);
    }
    return registered == null ? null : registered.status;
  }

  /** The status of every registered secret, in the order of {@link #SECRETS}. */
  public synchronized List<Status> statuses() {
    return SECRETS.stream()
        .filter(secrets::containsKey)
        .map(name -> secrets.get(name).status)
        .toList();
  }

  /**
   * Whether {@code name} is re-read periodically (registered with an interval above 0, not closed).
   */
  public synchronized boolean scheduled(String name) {
    Registered registered = secrets.get(name);
    return registered != null
        && !registered.status.interval().isZero()
        && executor != null
        && !executor.isShutdown();
  }

  /** Stops the reload thread; a reload running now finishes. */
  @Override
  public synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "SecretReloads" + statuses();
  }
}
