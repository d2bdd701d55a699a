package dev.codec.server.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DekCacheTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final String PROJECT = "project-a";
  private static final String OTHER_PROJECT = "project-b";

  /** A Caffeine ticker that only moves when told to. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration duration) {
      nanos.addAndGet(duration.toNanos());
    }
  }

  /** Real unwrapping through EnvelopeCrypto, counting calls. */
  static final class CountingUnwrapper implements DekCache.Unwrapper {
    private final EnvelopeCrypto crypto;
    private final AtomicInteger calls = new AtomicInteger();

    CountingUnwrapper(EnvelopeCrypto crypto) {
      this.crypto = crypto;
    }

    @Override
    public SymmetricKey unwrap(String projectId, String wrappedDek)
        throws InvalidCiphertextException, UnknownKekVersionException {
      calls.incrementAndGet();
      return crypto.unwrap(projectId, wrappedDek);
    }

    int calls() {
      return calls.get();
    }
  }

  private final FakeTicker ticker = new FakeTicker();
  private EnvelopeCrypto crypto;
  private CountingUnwrapper unwrapper;
  private DekCache cache;

  @BeforeEach
  void setUp() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    crypto = new EnvelopeCrypto(() -> ring);
    unwrapper = new CountingUnwrapper(crypto);
    cache = newCache(1000);
  }

  @Test
  void get_twiceWithinTtl_unwrapsOnce() throws Exception {
    String wrapped = wrappedDek(PROJECT);

    SymmetricKey first = cache.get(PROJECT, wrapped, unwrapper);
    ticker.advance(TTL.minusSeconds(1));
    SymmetricKey second = cache.get(PROJECT, wrapped, unwrapper);

    assertEquals(1, unwrapper.calls());
    assertSameKey(first, second);
    assertNotSame(first, second, "callers get their own copies");
    assertArrayEquals(crypto.unwrap(PROJECT, wrapped).getEncoded(), second.getEncoded());
  }

  @Test
  void get_afterTtl_unwrapsAgain() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    SymmetricKey first = cache.get(PROJECT, wrapped, unwrapper);

    ticker.advance(TTL.plusNanos(1));
    SymmetricKey second = cache.get(PROJECT, wrapped, unwrapper);

    assertEquals(2, unwrapper.calls());
    assertSameKey(first, second);
  }

  @Test
  void get_hitsDoNotExtendTheTtl_expiryIsAfterWrite() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    cache.get(PROJECT, wrapped, unwrapper);

    ticker.advance(TTL.minusSeconds(10));
    cache.get(PROJECT, wrapped, unwrapper);
    ticker.advance(Duration.ofSeconds(11));
    cache.get(PROJECT, wrapped, unwrapper);

    assertEquals(2, unwrapper.calls());
  }

  @Test
  void get_sameProjectDifferentWrappedDek_isADifferentEntry() throws Exception {
    String wrappedA = wrappedDek(PROJECT);
    String wrappedB = wrappedDek(PROJECT);

    SymmetricKey dekA = cache.get(PROJECT, wrappedA, unwrapper);
    SymmetricKey dekB = cache.get(PROJECT, wrappedB, unwrapper);

    assertEquals(2, unwrapper.calls());
    assertFalse(Arrays.equals(dekA.getEncoded(), dekB.getEncoded()));
    assertSameKey(dekA, cache.get(PROJECT, wrappedA, unwrapper));
    assertSameKey(dekB, cache.get(PROJECT, wrappedB, unwrapper));
    assertEquals(2, unwrapper.calls());
  }

  @Test
  void get_differentProjectSameWrappedDek_isADifferentEntryAndStillChecked() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    cache.get(PROJECT, wrapped, unwrapper);

    // A cache keyed by the wrapped text alone would hand project-a's DEK to project-b here.
    assertThrows(
        InvalidCiphertextException.class, () -> cache.get(OTHER_PROJECT, wrapped, unwrapper));
    assertEquals(2, unwrapper.calls());
  }

  @Test
  void get_differentProjectSameWrappedDek_cachesSeparately() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    DekCache.Unwrapper fresh =
        (project, wrapped) -> {
          calls.incrementAndGet();
          return SymmetricKey.random();
        };

    SymmetricKey forA = cache.get(PROJECT, "dek1:k1:same", fresh);
    SymmetricKey forB = cache.get(OTHER_PROJECT, "dek1:k1:same", fresh);

    assertFalse(Arrays.equals(forA.getEncoded(), forB.getEncoded()));
    assertSameKey(forA, cache.get(PROJECT, "dek1:k1:same", fresh));
    assertSameKey(forB, cache.get(OTHER_PROJECT, "dek1:k1:same", fresh));
    assertEquals(2, calls.get());
  }

  @Test
  void get_invalidCiphertext_propagatesAndIsNotCached() {
    String tampered = tamper(wrappedDek(PROJECT));

    assertThrows(InvalidCiphertextException.class, () -> cache.get(PROJECT, tampered, unwrapper));
    assertThrows(InvalidCiphertextException.class, () -> cache.get(PROJECT, tampered, unwrapper));

    assertEquals(2, unwrapper.calls());
    cache.cleanUp();
    assertEquals(0, cache.size());
  }

  @Test
  void get_unknownKekVersion_propagatesWithVersionAndIsNotCached() throws Exception {
    KekRing later = KekRing.of(Map.of(9, SymmetricKey.random()), null);
    String wrapped = new EnvelopeCrypto(() -> later).generateWrappedDek(PROJECT).encoded();

    UnknownKekVersionException first =
        assertThrows(
            UnknownKekVersionException.class, () -> cache.get(PROJECT, wrapped, unwrapper));
    assertThrows(UnknownKekVersionException.class, () -> cache.get(PROJECT, wrapped, unwrapper));

    assertEquals(9, first.version());
    assertEquals(2, unwrapper.calls());
  }

  @Test
  void get_failureThenSuccessForTheSameKey_cachesTheSuccess() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    DekCache.Unwrapper failing =
        (project, text) -> {
          throw new InvalidCiphertextException();
        };
    assertThrows(InvalidCiphertextException.class, () -> cache.get(PROJECT, wrapped, failing));

    SymmetricKey dek = cache.get(PROJECT, wrapped, unwrapper);

    assertSameKey(dek, cache.get(PROJECT, wrapped, unwrapper));
    assertEquals(1, unwrapper.calls());
  }

  @Test
  void size_isBoundedByMaxSize() throws Exception {
    DekCache small = newCache(10);
    DekCache.Unwrapper fresh = (project, wrapped) -> SymmetricKey.random();

    for (int i = 0; i < 100; i++) {
      small.get(PROJECT, "dek1:k1:" + i, fresh);
    }
    small.cleanUp();

    assertTrue(small.size() <= 10, "size " + small.size());
    assertTrue(small.size() > 0);
  }

  @Test
  void invalidateAll_dropsEveryEntry() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    cache.get(PROJECT, wrapped, unwrapper);

    cache.invalidateAll();
    cache.get(PROJECT, wrapped, unwrapper);

    assertEquals(2, unwrapper.calls());
  }

  @Test
  void toString_andKeyToString_nameNoWrappedDek() throws Exception {
    String wrapped = wrappedDek(PROJECT);
    cache.get(PROJECT, wrapped, unwrapper);

    String text = cache + " " + new DekCache.Key(PROJECT, wrapped);

    assertFalse(text.contains(wrapped.substring(8, 20)), text);
    assertTrue(text.contains("size=1"), text);
  }

  private DekCache newCache(long maxSize) {
    return new DekCache(TTL, maxSize, ticker, Runnable::run);
  }

  private String wrappedDek(String projectId) {
    return crypto.generateWrappedDek(projectId).encoded();
  }

  /** The same wrapped DEK with its first base64 character changed. */
  private static String tamper(String wrapped) {
    int i = "dek1:k1:".length();
    char replacement = wrapped.charAt(i) == 'A' ? 'B' : 'A';
    return wrapped.substring(0, i) + replacement + wrapped.substring(i + 1);
  }

  @Test
  void eviction_wipesTheCachedKey_butNotCopiesInUse() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<SymmetricKey> cachedKeys = new ArrayList<>();
    DekCache.Unwrapper recording =
        (project, wrapped) -> {
          calls.incrementAndGet();
          SymmetricKey key = SymmetricKey.random();
          cachedKeys.add(key);
          return key;
        };
    SymmetricKey inUse = cache.get(PROJECT, "dek1:k1:a", recording);

    cache.invalidateAll();
    cache.cleanUp();

    assertTrue(cachedKeys.get(0).isDestroyed(), "the evicted entry's key is wiped");
    assertFalse(inUse.isDestroyed(), "a caller's copy stays usable");
    assertEquals(32, inUse.getEncoded().length);
    ticker.advance(TTL.plusSeconds(1));
    cache.get(PROJECT, "dek1:k1:a", recording);
    cache.cleanUp();
    assertEquals(2, calls.get());
  }

  @Test
  void keys_carryTheDeksSealKey_derivedOnceOnTheMiss_asCopies() throws Exception {
    String wrapped = wrappedDek(PROJECT);

    DekKeys first = cache.keys(PROJECT, wrapped, unwrapper);
    DekKeys second = cache.keys(PROJECT, wrapped, unwrapper);

    assertEquals(1, unwrapper.calls(), "one unwrap, one derivation");
    SymmetricKey dek = crypto.unwrap(PROJECT, wrapped);
    assertSameKey(RevisionSeal.sealKey(dek), first.sealKey());
    assertSameKey(dek, first.dek());
    assertSameKey(first.sealKey(), second.sealKey());
    assertNotSame(first.sealKey(), second.sealKey(), "each caller gets its own copy");
    assertFalse(
        Arrays.equals(first.dek().getEncoded(), first.sealKey().getEncoded()),
        "the seal key is not the DEK");
    assertSameKey(dek, cache.get(PROJECT, wrapped, unwrapper));
    first.destroy();
    assertTrue(first.isDestroyed());
    assertFalse(second.isDestroyed(), "destroying one caller's copy leaves the others");
    assertFalse(cache.entryForTest(PROJECT, wrapped).isDestroyed(), "and the cached entry");
  }

  @Test
  void invalidateAll_andExpiry_wipeTheDerivedSealKeyWithTheDek() throws Exception {
    String a = wrappedDek(PROJECT);
    cache.keys(PROJECT, a, unwrapper).destroy();
    DekKeys cachedA = cache.entryForTest(PROJECT, a);
    DekKeys inUse = cache.keys(PROJECT, a, unwrapper);

    cache.invalidateAll(); // what a retired KEK version does (KekReloader's listener)
    cache.cleanUp();

    assertTrue(cachedA.dek().isDestroyed(), "the DEK is wiped");
    assertTrue(cachedA.sealKey().isDestroyed(), "and so is the seal key derived from it");
    assertFalse(inUse.isDestroyed(), "a caller's copies stay usable");
    assertEquals(32, inUse.sealKey().getEncoded().length);

    cache.keys(PROJECT, a, unwrapper).destroy();
    DekKeys expiring = cache.entryForTest(PROJECT, a);
    ticker.advance(TTL.plusSeconds(1));
    cache.cleanUp();
    assertTrue(expiring.isDestroyed(), "expiry wipes both keys");

    // one removal listener for every cause (size eviction too): it destroys the DekKeys
    assertEquals("DekKeys[redacted]", expiring.toString());
  }

  private static void assertSameKey(SymmetricKey expected, SymmetricKey actual) {
    assertArrayEquals(expected.getEncoded(), actual.getEncoded());
  }
}
