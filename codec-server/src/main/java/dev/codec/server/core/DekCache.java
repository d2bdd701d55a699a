package dev.codec.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Unwrapped DEKs, kept for a short time (expire after write) so that a burst of calls for one
 * project costs one KEK operation. Keyed by project id AND the wrapped DEK text: never by project
 * alone, so a rotated DEK or a forged wrapped DEK can never be answered with another entry's key.
 * Failed unwraps are not cached.
 *
 * <p>The cache owns its keys and hands out copies: {@link #get} returns a key the caller owns (and
 * should destroy when done), so an entry's key can be wiped the moment it is evicted, expired or
 * invalidated, without pulling a key from under a call that is still using it.
 *
 * <p>An entry also holds the keys derived from its DEK ({@link DekKeys}: the revision seal key),
 * derived once on the miss instead of once per call (an HKDF, ~0.7 µs, was a per-call cost of every
 * sealed DecryptAll), and wiped together with the DEK: eviction, expiry and {@link #invalidateAll}
 * (a retired or changed KEK version) destroy both.
 */
public final class DekCache {
  /** The cache key. Its {@code toString()} names the project only. */
  record Key(String projectId, String wrappedDek) {
    @Override
    public String toString() {
      return "DekCache.Key[project=" + projectId + "]";
    }
  }

  /** Unwraps a DEK on a cache miss. */
  @FunctionalInterface
  public interface Unwrapper {
    SymmetricKey unwrap(String projectId, String wrappedDek)
        throws InvalidCiphertextException, UnknownKekVersionException;
  }

  private final Cache<Key, DekKeys> cache;

  public DekCache(Duration ttl, long maxSize) {
    this(ttl, maxSize, Ticker.systemTicker(), null);
  }

  /**
   * @param ticker the time source (a fake one in tests)
   * @param executor runs maintenance work, or {@code null} for Caffeine's default
   */
  public DekCache(Duration ttl, long maxSize, Ticker ticker, Executor executor) {
    Caffeine<Key, DekKeys> builder =
        Caffeine.newBuilder()
            .expireAfterWrite(ttl)
            .maximumSize(maxSize)
            .ticker(ticker)
            // an expired entry is removed (and its keys wiped) when it expires, not at the next
            // call or scrape that happens to run the cache's maintenance
            .scheduler(com.github.benmanes.caffeine.cache.Scheduler.systemScheduler())
            .removalListener(
                (Key key, DekKeys keys, RemovalCause cause) -> {
                  if (keys != null) {
                    keys.destroy(); // the DEK and every key derived from it
                  }
                })
            .recordStats();
    if (executor != null) {
      builder.executor(executor);
    }
    this.cache = builder.build();
  }

  /**
   * The DEK for this project and wrapped DEK, from the cache or unwrapped (and then cached), as a
   * copy owned by the caller.
   */
  public SymmetricKey get(String projectId, String wrappedDek, Unwrapper unwrapper)
      throws InvalidCiphertextException, UnknownKekVersionException {
    Key key = new Key(projectId, wrappedDek);
    while (true) {
      DekKeys cached = lookup(key, unwrapper);
      try {
        return cached.dek().copy();
      } catch (IllegalStateException evictedMeanwhile) {
        cache.asMap().remove(key, cached); // wiped by a concurrent eviction: unwrap again
      }
    }
  }

  /**
   * The DEK and its derived keys for this project and wrapped DEK, from the cache or unwrapped (and
   * then cached), as copies owned by the caller (destroy them when done).
   */
  DekKeys keys(String projectId, String wrappedDek, Unwrapper unwrapper)
      throws InvalidCiphertextException, UnknownKekVersionException {
    Key key = new Key(projectId, wrappedDek);
    while (true) {
      DekKeys cached = lookup(key, unwrapper);
      try {
        return cached.copy();
      } catch (IllegalStateException evictedMeanwhile) {
        cache.asMap().remove(key, cached); // wiped by a concurrent eviction: unwrap again
      }
    }
  }

  /** The cache's own entry (not a copy), or null: tests check that eviction wipes every key. */
  DekKeys entryForTest(String projectId, String wrappedDek) {
    return cache.getIfPresent(new Key(projectId, wrappedDek));
  }

  private DekKeys lookup(Key key, Unwrapper unwrapper)
      throws InvalidCiphertextException, UnknownKekVersionException {
    DekKeys keys = cache.getIfPresent(key);
    if (keys != null) {
      return keys;
    }
    try {
      return cache.get(
          key,
          k -> {
            try {
              return DekKeys.of(unwrapper.unwrap(k.projectId(), k.wrappedDek()));
            } catch (InvalidCiphertextException | UnknownKekVersionException e) {
              throw new UnwrapFailed(e);
            }
          });
    } catch (UnwrapFailed e) {
      if (e.getCause() instanceof UnknownKekVersionException unknown) {
        throw unknown;
      }
      throw (InvalidCiphertextException) e.getCause();
    }
  }

  /** Approximate number of cached DEKs. */
  public long size() {
    return cache.estimatedSize();
  }

  public CacheStats stats() {
    return cache.stats();
  }

  /** Runs pending maintenance (expiry, eviction) now. */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Drops every entry (e.g. after a KEK is retired). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  @Override
  public String toString() {
    return "DekCache[size=" + cache.estimatedSize() + "]";
  }

  /** Carries a checked unwrap failure through Caffeine's mapping function. */
  private static final class UnwrapFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnwrapFailed(Exception cause) {
      super(null, cause, false, false);
    }
  }
}
