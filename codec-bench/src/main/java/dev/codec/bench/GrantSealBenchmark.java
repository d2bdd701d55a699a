package dev.codec.bench;

import dev.codec.server.core.AccessPolicy;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DekCache;
import dev.codec.server.core.EncryptedRevision;
import dev.codec.server.core.GrantService;
import dev.codec.server.core.InputFormats;
import dev.codec.server.core.Limits;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.StoredVariable;
import dev.codec.server.core.ValueFormatCounter;
import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SymmetricKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What deployment grants and revision seals add to a DecryptAll of {@value #SECRETS} SECRET values
 * (plus {@value #PLAINS} PLAIN ones), per call, with a warm DEK cache: {@code decryptAll} without
 * grant and seal, {@code decryptAllWithGrantAndSeal} with both (the production path), and each
 * check alone ({@code grantVerify}: parse, HMAC, compare; {@code sealOnly}: DecryptAll of the
 * {@value #PLAINS} PLAIN values alone with their seal: DEK cache hit, seal key derivation and the
 * MAC). The issue's budget: (withGrantAndSeal - decryptAll) / decryptAll at most 5 %.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class GrantSealBenchmark {
  static final int SECRETS = 100;
  static final int PLAINS = 20;

  @Param({"64", "1024"})
  public int size;

  private CodecService service;
  private CodecService open;
  private GrantService grantService;
  private DeploymentGrants grants;
  private String wrapped;
  private Map<String, StoredVariable> variables;
  private Map<String, StoredVariable> plainOnly;
  private Map<String, StoredVariable> unordered;
  private String grant;
  private String seal;
  private String plainSeal;
  private Instant now;

  @Setup(Level.Trial)
  public void setUp() throws RejectedRequestException {
    EnvelopeCrypto crypto = Fixtures.crypto();
    AccessPolicy access =
        new AccessPolicy(
            true, Duration.ofHours(24), Duration.ofSeconds(30), true, true, Clock.systemUTC());
    DekCache cache = new DekCache(Duration.ofHours(1), 10_000);
    InputFormats formats = InputFormats.strict(crypto, true);
    service =
        new CodecService(crypto, cache, Limits.DEFAULTS, formats, access, ValueFormatCounter.NONE);
    open =
        new CodecService(
            crypto, cache, Limits.DEFAULTS, formats, AccessPolicy.OPEN, ValueFormatCounter.NONE);
    grantService = new GrantService(crypto, cache, Limits.DEFAULTS, formats, access);
    grants = crypto.grants();
    wrapped = service.generateDek(Fixtures.PROJECT).encoded();
    Map<String, String> secrets = new HashMap<>();
    Map<String, String> plain = new HashMap<>();
    for (int i = 0; i < SECRETS; i++) {
      secrets.put("SECRET_" + i, Fixtures.plaintextString(size));
    }
    for (int i = 0; i < PLAINS; i++) {
      plain.put("PLAIN_" + i, Fixtures.plaintextString(Math.min(size, 64)));
    }
    EncryptedRevision revision = service.encrypt(Fixtures.PROJECT, wrapped, secrets, plain);
    seal = revision.seal();
    Map<String, StoredVariable> all = new HashMap<>();
    revision
        .encrypted()
        .forEach(
            (name, value) -> all.put(name, new StoredVariable(StoredVariable.Kind.SECRET, value)));
    plainOnly = new HashMap<>();
    plain.forEach(
        (name, value) -> {
          all.put(name, new StoredVariable(StoredVariable.Kind.PLAIN, value));
          plainOnly.put(name, new StoredVariable(StoredVariable.Kind.PLAIN, value));
        });
    // the server's view of a request (CodecEndpoint): a LinkedHashMap in the request's order; the
    // Java client sends a sealed set in the seal's order (by String.hashCode, then the name)
    variables = new LinkedHashMap<>();
    all.keySet().stream()
        .sorted(Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder()))
        .forEach(name -> variables.put(name, all.get(name)));
    unordered = new LinkedHashMap<>(all); // a client that sends another order (HashMap's)
    plainSeal = service.encrypt(Fixtures.PROJECT, wrapped, Map.of(), plain).seal();
    grant =
        grantService
            .issueGrant(Fixtures.PROJECT, "deploy-1", wrapped, seal, Duration.ofHours(1))
            .text(); // revision-bound
    now = Instant.now();
    try {
      verifiedGrant = grants.verify(grant, Fixtures.PROJECT, wrapped, now, Duration.ofSeconds(30));
    } catch (dev.codec.server.crypto.GrantRefusedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same DecryptAll (same crypto, same DEK cache) under a policy that requires neither. */
  @Benchmark
  public Map<String, String> decryptAll() throws RejectedRequestException {
    return open.decryptAll(Fixtures.PROJECT, "", wrapped, variables);
  }

  @Benchmark
  public Map<String, String> decryptAllWithGrantAndSeal() throws RejectedRequestException {
    return service.decryptAll(Fixtures.PROJECT, "", wrapped, variables, grant, seal).result();
  }

  /** As {@link #decryptAllWithGrantAndSeal}, the variables not in the seal's order. */
  @Benchmark
  public Map<String, String> decryptAllWithGrantAndSealUnordered() throws RejectedRequestException {
    return service.decryptAll(Fixtures.PROJECT, "", wrapped, unordered, grant, seal).result();
  }

  /**
   * The floor of any per-call check of the set: one pass over the request's variables that reads
   * each name's and value's length and last character and the kind, and compares nothing.
   */
  @Benchmark
  public long walkOnly() {
    long sum = 0;
    for (Map.Entry<String, StoredVariable> e : variables.entrySet()) {
      String name = e.getKey();
      String value = e.getValue().value();
      sum +=
          name.length()
              + name.charAt(name.length() - 1)
              + value.length()
              + value.charAt(value.length() - 1)
              + e.getValue().kind().ordinal();
    }
    return sum;
  }

  private String memoSeal;
  private String memoGrant;
  private String[] memoNames;
  private boolean[] memoSecret;
  private String[] memoValues;

  /**
   * What a cache of verified seals and grants (not built) would do on a hit instead of the MACs:
   * compare the call's grant and seal texts and every variable (name, kind, stored value) with
   * copies of an earlier call's that verified. Measures the hit path's floor, nothing more.
   */
  @Benchmark
  public boolean memoHitCompare() {
    if (!grant.equals(memoGrant) || !seal.equals(memoSeal)) {
      return false;
    }
    if (variables.size() != memoNames.length) {
      return false;
    }
    int i = 0;
    for (Map.Entry<String, StoredVariable> e : variables.entrySet()) {
      StoredVariable v = e.getValue();
      if (!e.getKey().equals(memoNames[i])
          || (v.kind() == StoredVariable.Kind.SECRET) != memoSecret[i]
          || !v.value().equals(memoValues[i])) {
        return false;
      }
      i++;
    }
    return true;
  }

  @Setup(Level.Trial)
  public void setUpMemo() {
    // copies: equal text in other String objects, as a later request would carry
    memoSeal = new String(seal.toCharArray());
    memoGrant = new String(grant.toCharArray());
    int n = variables.size();
    memoNames = new String[n];
    memoSecret = new boolean[n];
    memoValues = new String[n];
    int i = 0;
    for (Map.Entry<String, StoredVariable> e : variables.entrySet()) {
      memoNames[i] = new String(e.getKey().toCharArray());
      memoSecret[i] = e.getValue().kind() == StoredVariable.Kind.SECRET;
      memoValues[i] = new String(e.getValue().value().toCharArray());
      i++;
    }
  }

  /**
   * A thread's own GMAC Cipher, key and nonce counter, and the MAC input's size ({@link
   * #gmacOnly}).
   */
  @State(Scope.Thread)
  public static class Gmac {
    javax.crypto.Cipher cipher;
    javax.crypto.SecretKey key;
    byte[] macInput;
    final byte[] nonce = new byte[12];

    /** As many bytes as the seal3 MAC input of {@code b}'s variables (RevisionSeal's layout). */
    @Setup(Level.Trial)
    public void setUp(GrantSealBenchmark b) throws Exception {
      int bytes = 5 + 2 + Fixtures.PROJECT.length() + 4; // domain, project, count
      for (Map.Entry<String, StoredVariable> e : b.variables.entrySet()) {
        bytes += 2 + e.getKey().length() + 1; // manifest: name and kind
        bytes +=
            e.getValue().kind() == StoredVariable.Kind.SECRET
                ? 1 + 24 // a SECRET's tail
                : 4 + e.getValue().value().length(); // a PLAIN value (ASCII here)
      }
      macInput = new byte[bytes];
      key = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
      cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    }
  }

  /**
   * The floor of the seal's MAC: AES-GMAC (one kept Cipher and key, a new nonce per call) over as
   * many bytes as this set's seal3 MAC input has, without gathering them.
   */
  @Benchmark
  public byte[] gmacOnly(Gmac g) throws Exception {
    for (int i = 0; i < g.nonce.length && ++g.nonce[i] == 0; i++) {
      // a counter nonce: the JCE refuses a repeated (key, nonce) for encryption
    }
    g.cipher.init(
        javax.crypto.Cipher.ENCRYPT_MODE,
        g.key,
        new javax.crypto.spec.GCMParameterSpec(128, g.nonce));
    g.cipher.updateAAD(g.macInput);
    return g.cipher.doFinal();
  }

  @Benchmark
  public Object grantVerify() throws Exception {
    return grants.verify(grant, Fixtures.PROJECT, wrapped, now, Duration.ofSeconds(30));
  }

  /**
   * The grant's revision binding as DecryptAll checks it: the seal's nonce and tag (decoded from
   * its first 40 characters) against the grant's (grant2 hashed the whole seal text instead).
   */
  @Benchmark
  public boolean grantBoundTo() {
    return verifiedGrant.boundTo(seal);
  }

  private DeploymentGrants.VerifiedGrant verifiedGrant;

  /**
   * For comparison: HMAC-SHA256 over every stored value in full (what a seal over whole ciphertexts
   * would hash); the seal hashes the tail of a SECRET (its GCM tag) instead (RevisionSeal).
   */
  @Benchmark
  public byte[] hmacOverWholeValues() throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
    for (StoredVariable variable : variables.values()) {
      mac.update(variable.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return mac.doFinal();
  }

  /**
   * RevisionSeal.verify of the whole set (120 entries) as the service calls it, with its key
   * already derived.
   */
  @Benchmark
  public Object sealVerify() throws Exception {
    RevisionSeal.verify(
        sealKey,
        Fixtures.PROJECT,
        variables,
        v -> v.kind() == StoredVariable.Kind.SECRET,
        StoredVariable::value,
        seal);
    return sealKey;
  }

  /**
   * HKDF of the seal key from the DEK: once per DEK cache miss since seal3 (DekCache keeps it with
   * the DEK); it was once per call before.
   */
  @Benchmark
  public Object sealKeyDerivation() {
    SymmetricKey key = RevisionSeal.sealKey(rawDek);
    key.destroy();
    return key;
  }

  private SymmetricKey sealKey;
  private SymmetricKey rawDek;

  @Setup(Level.Trial)
  public void setUpSealKey() throws RejectedRequestException {
    rawDek = SymmetricKey.copyOf(open.decryptDek(Fixtures.PROJECT, wrapped));
    sealKey = RevisionSeal.sealKey(rawDek);
  }

  @Benchmark
  public Map<String, String> sealOnly() throws RejectedRequestException {
    return open.decryptAll(Fixtures.PROJECT, "", wrapped, plainOnly, "", plainSeal).result();
  }
}
