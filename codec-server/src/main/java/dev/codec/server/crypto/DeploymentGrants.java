package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Mac;

/**
 * Deployment grants: self-describing, integrity-protected text that lets a runner decrypt the
 * values of one project under one wrapped DEK, for one deployment, for a limited time; a
 * revision-bound grant (the normal kind) opens only the one sealed revision it names (see
 * docs/grants.md, "What a grant opens").
 *
 * <pre>
 *   grant  = "grant3:k" + N + ":" + base64url_nopad( payload || tag[32] )
 *   N      = the KEK version (decimal, no leading zero, 1..9 digits) whose grant key made the tag
 *   payload = grant_id[16]                 random, for the audit log (shown as 32 hex characters)
 *          || not_before  i64be           Unix seconds (the issue time)
 *          || expires     i64be           Unix seconds (not_before + ttl)
 *          || dek_digest[32]              SHA-256( UTF-8(wrapped DEK text) )
 *          || u8 scope                    1 = revision-bound, 0 = every value under the DEK (no seal)
 *          || seal_binding[28]            the seal's nonce || tag ({@link RevisionSeal#binding}); only when scope = 1
 *          || u8 len(P) || P              P = UTF-8(project_id), 1..255 bytes
 *          || u8 len(D) || D              D = UTF-8(deployment_id), 1..255 bytes
 *   tag    = HMAC-SHA256( grant key N, UTF-8("grant3:k" + N + ":") || payload )
 *   grant key N = HKDF-SHA256( KEK version N, salt empty, info "codec/v1 grant-mac" )  (see {@link KekRing})
 * </pre>
 *
 * Parsing is strict: one prefix, canonical unpadded base64url only (re-encoding must give the same
 * text), every length exact, nothing after the deployment id. The tag is checked in constant time
 * before any field is believed; only then are project, DEK and time compared. A grant is at most
 * {@value #MAX_LENGTH} characters, so ids are limited to {@value #MAX_ID_BYTES_TOTAL} UTF-8 bytes
 * together ({@link #maxLength}). Thread-safe.
 *
 * <p>Why the seal's nonce and tag, not a hash of the seal text (grant2 held SHA-256 of the ~2 KB
 * text, hashed again on every DecryptAll): the call's seal must verify against its variables too,
 * so the binding is exactly as strong as the seal itself (argued in {@link RevisionSeal}). grant1
 * and grant2 grants are refused as GRANT_INVALID with a reason ("no longer accepted"): neither was
 * released; ask IssueGrant for a new grant.
 *
 * <p>Over 300 lines: one wire format, issued and strictly parsed in one place, with its reasons
 * beside it.
 */
public final class DeploymentGrants {
  /** The longest grant text accepted (a revision-bound grant with two 128-character ids is 529). */
  public static final int MAX_LENGTH = 600;

  static final String PREFIX = "grant3:k";

  /** The earlier layouts' prefixes: recognised only to refuse them with a precise reason. */
  private static final String[] OUTDATED_PREFIXES = {"grant1:", "grant2:"};

  static final int ID_BYTES = 16;
  static final int DIGEST_BYTES = 32;
  private static final int FIXED_BYTES = ID_BYTES + 8 + 8 + DIGEST_BYTES;
  private static final int MAX_ID_BYTES = 255;

  /**
   * The most UTF-8 bytes project and deployment id may have together so that a grant fits {@link
   * #MAX_LENGTH}.
   */
  public static final int MAX_ID_BYTES_TOTAL = 300;

  private static final byte SCOPE_DEK = 0;
  private static final byte SCOPE_REVISION = 1;
  private static final int MAX_VERSION_DIGITS = 9;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(DeploymentGrants::sha256);

  private final Supplier<KekRing> ring;

  /** A grant as issued. {@code expiresAt} and {@code notBefore} are whole seconds. */
  public record IssuedGrant(
      String text, String grantId, Instant notBefore, Instant expiresAt, int kekVersion) {
    @Override
    public String toString() {
      return "IssuedGrant[id="
          + grantId
          + ", expires="
          + expiresAt
          + ", kekVersion="
          + kekVersion
          + "]";
    }
  }

  /**
   * A grant that was verified for a call: what the audit log records, and the revision it is bound
   * to.
   */
  public static final
  class VerifiedGrant { // a class, not a record: a record would compare its array by identity
    private final String grantId;
    private final String projectId;
    private final String deploymentId;
    private final Instant expiresAt;
    private final int kekVersion;

    /**
     * The nonce and tag of the seal of the revision the grant is bound to ({@link
     * RevisionSeal#binding}), or {@code null} for a grant without a seal (it opens every value
     * under its DEK).
     */
    private final byte[] sealBinding;

    public VerifiedGrant(
        String grantId,
        String projectId,
        String deploymentId,
        Instant expiresAt,
        int kekVersion,
        byte[] sealBinding) {
      this.grantId = grantId;
      this.projectId = projectId;
      this.deploymentId = deploymentId;
      this.expiresAt = expiresAt;
      this.kekVersion = kekVersion;
      this.sealBinding = sealBinding;
    }

    public String grantId() {
      return grantId;
    }

    public String projectId() {
      return projectId;
    }

    public String deploymentId() {
      return deploymentId;
    }

    public Instant expiresAt() {
      return expiresAt;
    }

    public int kekVersion() {
      return kekVersion;
    }

    public VerifiedGrant(
        String grantId, String projectId, String deploymentId, Instant expiresAt, int kekVersion) {
      this(grantId, projectId, deploymentId, expiresAt, kekVersion, null);
    }

    /** Whether the grant opens only the revision of one seal. */
    public boolean revisionBound() {
      return sealBinding != null;
    }

    /**
     * Whether {@code seal} has the nonce and tag of the seal this grant is bound to (false for a
     * grant without a seal). Sound only with the seal verified against the call's variables too
     * (DecryptAll does): see {@link RevisionSeal}.
     */
    public boolean boundTo(String seal) {
      byte[] binding = RevisionSeal.binding(seal);
      return sealBinding != null && binding != null && MessageDigest.isEqual(sealBinding, binding);
    }

    /**
     * Equal when every field is, the seal binding by content (what a record would not do for an
     * array).
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof VerifiedGrant other
          && Objects.equals(grantId, other.grantId)
          && Objects.equals(projectId, other.projectId)
          && Objects.equals(deploymentId, other.deploymentId)
          && Objects.equals(expiresAt, other.expiresAt)
          && kekVersion == other.kekVersion
          && Arrays.equals(sealBinding, other.sealBinding);
    }

    @Override
    public int hashCode() {
      return Objects.hash(grantId, projectId, deploymentId, expiresAt, kekVersion) * 31
          + Arrays.hashCode(sealBinding);
    }

    @Override
    public String toString() {
      return "VerifiedGrant[id="
          + grantId
          + ", deployment="
          + deploymentId
          + ", revisionBound="
          + revisionBound()
          + "]";
    }
  }

  public DeploymentGrants(Supplier<KekRing> ring) {
    this.ring = ring;
  }

  /**
   * The length of the grant text for ids of these UTF-8 lengths (revision-bound, the longer kind).
   */
  public static int maxLength(int projectIdBytes, int deploymentIdBytes) {
    int bytes =
        FIXED_BYTES
            + 1
            + RevisionSeal.BINDING_BYTES
            + 1
            + projectIdBytes
            + 1
            + deploymentIdBytes
            + HmacSha256.TAG_BYTES;
    return PREFIX.length() + MAX_VERSION_DIGITS + 1 + (bytes * 4 + 2) / 3;
  }

  /**
   * Issues a grant for every value under {@code wrappedDek} (no seal): see {@link #issue(String,
   * String, String, String, Instant, Duration)}.
   */
  public IssuedGrant issue(
      String projectId, String deploymentId, String wrappedDek, Instant now, Duration ttl) {
    return issue(projectId, deploymentId, wrappedDek, "", now, ttl);
  }

  /**
   * Issues a grant under the active KEK version's grant key.
   *
   * @param seal the seal of the revision the grant opens (revision-bound), or empty for a grant
   *     that opens every value under {@code wrappedDek}
   * @param now the issue time (truncated to seconds): the grant is valid from then
   * @param ttl positive; the grant expires at {@code now + ttl} (truncated to seconds)
   * @throws IllegalArgumentException if an id is empty or longer than 255 UTF-8 bytes, ttl is not
   *     positive, or {@code seal} is neither empty nor a seal3 seal
   */
  public IssuedGrant issue(
      String projectId,
      String deploymentId,
      String wrappedDek,
      String seal,
      Instant now,
      Duration ttl) {
    byte[] project = idBytes("project_id", projectId);
    byte[] deployment = idBytes("deployment_id", deploymentId);
    if (project.length + deployment.length > MAX_ID_BYTES_TOTAL) {
      throw new IllegalArgumentException(
          "project_id and deployment_id must be at most " + MAX_ID_BYTES_TOTAL + " bytes together");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    long notBefore = now.getEpochSecond();
    long expires = Math.addExact(notBefore, ttl.toSeconds());
    boolean bound = !seal.isEmpty();
    byte[] sealBinding = bound ? RevisionSeal.binding(seal) : null;
    if (bound && sealBinding == null) {
      throw new IllegalArgumentException("seal is not a seal3 seal");
    }
    byte[] id = new byte[ID_BYTES];
    Randomness.nextBytes(id);
    byte[] payload =
        new byte
            [FIXED_BYTES
                + 1
                + (bound ? RevisionSeal.BINDING_BYTES : 0)
                + 1
                + project.length
                + 1
                + deployment.length];
    System.arraycopy(id, 0, payload, 0, ID_BYTES);
    putLong(payload, ID_BYTES, notBefore);
    putLong(payload, ID_BYTES + 8, expires);
    System.arraycopy(digest(wrappedDek), 0, payload, ID_BYTES + 16, DIGEST_BYTES);
    int at = FIXED_BYTES;
    payload[at++] = bound ? SCOPE_REVISION : SCOPE_DEK;
    if (bound) {
      System.arraycopy(sealBinding, 0, payload, at, RevisionSeal.BINDING_BYTES);
      at += RevisionSeal.BINDING_BYTES;
    }
    payload[at++] = (byte) project.length;
    System.arraycopy(project, 0, payload, at, project.length);
    at += project.length;
    payload[at++] = (byte) deployment.length;
    System.arraycopy(deployment, 0, payload, at, deployment.length);

    int version;
    String prefix;
    byte[] tag;
    try (RingUse use = RingUse.of(ring)) { // the grant key stays intact while the tag is computed
      KekRing current = use.ring();
      version = current.activeVersion();
      prefix = PREFIX + version + ":";
      tag = tag(current.grantKey(version), prefix, payload, payload.length);
    } catch (UnknownKekVersionException e) {
      throw new IllegalStateException("the active KEK version has no grant key", e);
    }
    byte[] all = Arrays.copyOf(payload, payload.length + HmacSha256.TAG_BYTES);
    System.arraycopy(tag, 0, all, payload.length, tag.length);
    return new IssuedGrant(
        prefix + ENCODER.encodeToString(all),
        HexFormat.of().formatHex(id),
        Instant.ofEpochSecond(notBefore),
        Instant.ofEpochSecond(expires),
        version);
  }

  /**
   * Verifies that {@code grant} allows a call for {@code projectId} with {@code wrappedDek} at
   * {@code now}.
   *
   * @param skew allowed clock difference between the issuing and the verifying instance
   * @throws GrantRefusedException saying why not
   */
  public VerifiedGrant verify(
      String grant, String projectId, String wrappedDek, Instant now, Duration skew)
      throws GrantRefusedException {
    if (grant.length() > MAX_LENGTH) {
      throw invalid("longer than " + MAX_LENGTH + " characters");
    }
    for (String outdated : OUTDATED_PREFIXES) {
      if (grant.startsWith(outdated)) {
        throw invalid(
            outdated.substring(0, outdated.length() - 1)
                + " is no longer accepted (the format is grant3); ask IssueGrant for a new grant");
      }
    }
    if (!grant.startsWith(PREFIX)) {
      throw invalid("not a grant (expected grant3:k<KEK version>:...)");
    }
    int versionStart = PREFIX.length();
    int colon = grant.indexOf(':', versionStart);
    int digits = colon - versionStart;
    if (colon < 0
        || digits < 1
        || digits > MAX_VERSION_DIGITS
        || grant.charAt(versionStart) == '0') {
      throw invalid("malformed");
    }
    int version = 0;
    for (int i = versionStart; i < colon; i++) {
      char c = grant.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid("malformed");
      }
      version = version * 10 + (c - '0');
    }
    String body = grant.substring(colon + 1);
    byte[] all;
    try {
      all = DECODER.decode(body);
    } catch (IllegalArgumentException e) {
      throw invalid("malformed");
    }
    if (body.indexOf('=') >= 0 || !ENCODER.encodeToString(all).equals(body)) {
      throw invalid("malformed");
    }
    int payloadLength = all.length - HmacSha256.TAG_BYTES;
    if (payloadLength < FIXED_BYTES + 5) {
      throw invalid("malformed");
    }
    byte[] expected;
    try (RingUse use = RingUse.of(ring)) { // the grant key stays intact while the tag is computed
      expected =
          tag(use.ring().grantKey(version), grant.substring(0, colon + 1), all, payloadLength);
    } catch (UnknownKekVersionException e) {
      throw new GrantRefusedException(
          GrantRefusedException.Reason.GRANT_KEK_VERSION_NOT_LOADED,
          "issued under KEK version " + version + ", which is not loaded");
    }
    if (!HmacSha256.equal(expected, Arrays.copyOfRange(all, payloadLength, all.length))) {
      throw invalid("not authentic (altered, or not issued by this codec)");
    }
    // Authentic from here on: the fields are the issuer's.
    int at = FIXED_BYTES;
    byte scope = all[at++];
    byte[] sealBinding = null;
    if (scope == SCOPE_REVISION) {
      if (at + RevisionSeal.BINDING_BYTES + 4 > payloadLength) {
        throw invalid("malformed");
      }
      sealBinding = Arrays.copyOfRange(all, at, at + RevisionSeal.BINDING_BYTES);
      at += RevisionSeal.BINDING_BYTES;
    } else if (scope != SCOPE_DEK) {
      throw invalid("malformed");
    }
    int projectLength = all[at++] & 0xff;
    if (projectLength == 0 || at + projectLength + 1 > payloadLength) {
      throw invalid("malformed");
    }
    String grantProject = new String(all, at, projectLength, StandardCharsets.UTF_8);
    at += projectLength;
    int deploymentLength = all[at++] & 0xff;
    if (deploymentLength == 0 || at + deploymentLength != payloadLength) {
      throw invalid("malformed");
    }
    String grantDeployment = new String(all, at, deploymentLength, StandardCharsets.UTF_8);
    if (!grantProject.equals(projectId)) {
      throw new GrantRefusedException(
          GrantRefusedException.Reason.GRANT_OTHER_PROJECT, "issued for another project");
    }
    if (!MessageDigest.isEqual(
        digest(wrappedDek), Arrays.copyOfRange(all, ID_BYTES + 16, ID_BYTES + 16 + DIGEST_BYTES))) {
      throw new GrantRefusedException(
          GrantRefusedException.Reason.GRANT_OTHER_DEK,
          "issued for another wrapped DEK of this project (was the DEK rotated?)");
    }
    long notBefore = getLong(all, ID_BYTES);
    long expires = getLong(all, ID_BYTES + 8);
    long nowSeconds = now.getEpochSecond();
    long skewSeconds = skew.toSeconds();
    if (notBefore - skewSeconds
        > nowSeconds) { // authentic times: issued within max-ttl of a real clock
      throw new GrantRefusedException(
          GrantRefusedException.Reason.GRANT_NOT_YET_VALID,
          "not valid before " + Instant.ofEpochSecond(notBefore));
    }
    if (nowSeconds >= expires + skewSeconds) {
      throw new GrantRefusedException(
          GrantRefusedException.Reason.GRANT_EXPIRED,
          "expired at " + Instant.ofEpochSecond(expires));
    }
    return new VerifiedGrant(
        HexFormat.of().formatHex(all, 0, ID_BYTES),
        grantProject,
        grantDeployment,
        Instant.ofEpochSecond(expires),
        version,
        sealBinding);
  }

  private static byte[] tag(SymmetricKey key, String prefix, byte[] payload, int payloadLength) {
    Mac mac = HmacSha256.keptFor(key); // a KEK version's grant key: kept initialised per thread
    boolean done = false;
    try {
      mac.update(prefix.getBytes(StandardCharsets.US_ASCII));
      mac.update(payload, 0, payloadLength);
      byte[] tag = mac.doFinal();
      done = true;
      return tag;
    } finally {
      if (!done) {
        mac.reset();
      }
    }
  }

  private static byte[] digest(String text) {
    return SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] idBytes(String field, String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    if (bytes.length == 0 || bytes.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException(field + " must be 1.." + MAX_ID_BYTES + " bytes");
    }
    return bytes;
  }

  private static GrantRefusedException invalid(String why) {
    return new GrantRefusedException(GrantRefusedException.Reason.GRANT_INVALID, why);
  }

  private static void putLong(byte[] out, int offset, long value) {
    for (int i = 7; i >= 0; i--) {
      out[offset + i] = (byte) value;
      value >>>= 8;
    }
  }

  private static long getLong(byte[] in, int offset) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (in[offset + i] & 0xff);
    }
    return value;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
