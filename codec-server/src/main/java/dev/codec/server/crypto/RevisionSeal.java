package dev.codec.server.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.crypto.Cipher;

/**
 * Seals of whole environment revisions: a MAC, under a key derived from the project's DEK for this
 * purpose only, over every variable's name, kind and stored value, so that a database writer
 * without the DEK cannot inject, drop, rename, change, swap or downgrade (SECRET to PLAIN) a
 * variable unnoticed.
 *
 * <pre>
 *   seal     = "seal3:" + base64( nonce[12] || tag[16] || manifest )   (standard base64, padded, canonical)
 *   manifest = u32be(count) || for each variable, in order: u16be(len N) || N || u8 kind
 *   tag      = GMAC( seal key, nonce, "seal3" || u16be(len P) || P || manifest
 *                    || for each variable, in the same order: B )
 *   GMAC     = AES-256-GCM with an empty plaintext, the MAC input as associated data, 128-bit tag
 *              (NIST SP 800-38D)
 *   nonce    = 96 random bits, new for every seal
 *   seal key = HKDF-SHA256( DEK, salt empty, info "codec/v1 revision-seal3" )
 *   P = UTF-8(project_id), N = UTF-8(name)
 *   PLAIN:  B = u32be(len V) || V,  V = UTF-8(plaintext value)
 *   SECRET: B = u8(len E)    || E,  E = the last 24 characters of the ciphertext text (all of it if shorter),
 *                                     each as its low 8 bits (the text itself for a valid ciphertext: ASCII)
 *   kind: 1 = PLAIN, 2 = SECRET
 *   order: by h(name) as a signed 32-bit integer, then by the names' UTF-16 code units; names unique;
 *          h = Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, mod 2^32
 * </pre>
 *
 * <p>Why GMAC (seal3) instead of HMAC-SHA256 (seal2): the JDK computes GHASH and AES with CPU
 * intrinsics (PCLMULQDQ, AES-NI), about twice as fast as SHA-256 over the same ~5 KB MAC input
 * (BENCHMARKS.md, "Seal v3"). GMAC is a standard MAC as long as a (key, nonce) pair never tags two
 * inputs: every seal draws a fresh random 96-bit nonce, so seals are no longer deterministic (the
 * same revision sealed twice gives two valid seals), and one DEK may make at most 2^32 seals (SP
 * 800-38D, 8.3: random nonces); a project makes one per stored revision, and rotating its DEK
 * starts a new key. A forgery without the seal key succeeds with probability about L / 2^128 for an
 * input of L 16-byte blocks (a few hundred here). The nonce is not secret; changing it in a seal
 * changes the tag's check like any other change.
 *
 * <p>Why the last 24 characters of a SECRET: every value format (enc2, enc1, legacy) is canonical
 * padded base64 of {@code nonce || ciphertext || GCM tag[16]} (after a prefix), and its last 24
 * characters always encode the whole 16-byte tag. DecryptAll authenticates every SECRET with
 * AES-GCM under the DEK (enc2: bound to its name and project), and the tag authenticates nonce,
 * ciphertext and associated data, so a ciphertext that matches the seal <em>and</em> decrypts is
 * the sealed one: another valid ciphertext with the same tag is a GCM forgery without the DEK, or a
 * 128-bit tag collision among the codec's own ciphertexts. A text with a character outside ASCII is
 * no base64 and never decrypts, so taking low 8 bits loses nothing. A SECRET costs 25 bytes of MAC
 * input whatever its size. Names stay in the MAC input for every kind (through the manifest): an
 * enc2 SECRET's tag already covers its name, but enc1 and legacy values bind none, and the manifest
 * is what binds the set (a dropped variable).
 *
 * <p>What a grant binds ({@link #binding}): a revision-bound grant holds the seal's {@code nonce ||
 * tag} (28 bytes), not a hash of the seal text. Exactly as strong as a hash of the whole text: the
 * call's seal must also verify against the call's variables, so a revision other than the sealed
 * one opening the grant needs a seal with the same nonce and tag that verifies for other MAC input,
 * which is a GMAC forgery under the seal key whatever its manifest (the manifest is MAC input);
 * with a hash of the whole text the same forgery was needed, restricted to the same manifest.
 *
 * <p>Over 300 lines: one wire format, written, verified and parsed in one place, with its reasons
 * beside it.
 *
 * <p>Why this order: the request's name strings cache their hash codes, so putting a set in order
 * is a sort of 64-bit (hash, index) numbers, not of strings, and a cheap one for a set given in
 * this order (the Java client sends a sealed DecryptAll so, and the endpoint keeps the request's
 * order); verifying builds the manifest the given set would have, puts the given seal's nonce and
 * tag before it and compares that text with the seal's (all of it public), then checks the tag over
 * the given set; it neither decodes the whole seal, creates a string per name nor looks names up.
 * Only a refusal decodes the seal's manifest, which repeats the names and kinds (not secret: they
 * are stored next to the seal anyway), to name the injected, dropped and downgraded variables. The
 * tag decides.
 *
 * <p>seal1 (names in byte order, a SECRET's first and last 24 characters and its length) and seal2
 * (this layout with HMAC-SHA256 and no nonce) are refused with {@link
 * SealMismatchException.Problem#OUTDATED}: neither was released; re-seal such a revision with
 * SealVariables. Costs: BENCHMARKS.md, "Seal v2" and "Seal v3".
 */
public final class RevisionSeal {
  /** The longest seal text accepted. */
  public static final int MAX_LENGTH = 1_048_576;

  /**
   * How many more variables than the request holds a refusal parses from the given seal to name
   * them (names past the first 16 are not reported anyway).
   */
  static final int MAX_NAMES_BEYOND_REQUEST = 64;

  static final String PREFIX = "seal3:";

  /** The earlier layouts' prefixes: recognised only to refuse them with a precise reason. */
  static final List<String> OUTDATED_PREFIXES = List.of("seal1:", "seal2:");

  private static final byte[] DOMAIN = "seal3".getBytes(StandardCharsets.US_ASCII);

  /** Bytes of {@code nonce || tag} at the start of a seal's blob: what a grant binds. */
  public static final int BINDING_BYTES = AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES;

  /** Base64 characters that hold the binding (and the manifest's first two bytes): 30 bytes. */
  private static final int BINDING_CHARS = 40;

  private static final byte PLAIN = 1;
  private static final byte SECRET = 2;

  /** Characters taken from the end of a SECRET value's text (they encode its whole GCM tag). */
  static final int SECRET_TAIL = 24;

  /**
   * One variable as stored: name, kind and stored value (plaintext, or ciphertext for a secret).
   */
  public record Entry(String name, boolean secret, String value) {
    @Override
    public String toString() {
      return "RevisionSeal.Entry[" + name + (secret ? ", secret]" : ", plain]");
    }
  }

  private RevisionSeal() {}

  /** The size of this thread's MAC input buffer (tests: it must not stay huge after a call). */
  static int macBufferCapacity() {
    return Canonical.capacity();
  }

  /** Whether {@code text} has the seal prefix (no other check: {@link #verify} decides). */
  public static boolean looksLikeSeal(String text) {
    return text.startsWith(PREFIX);
  }

  /** Whether {@code text} is a seal of an earlier layout ("seal1:", "seal2:"), which is refused. */
  public static boolean isOutdated(String text) {
    return outdatedFormat(text) != null;
  }

  /** "seal1" or "seal2" for a seal of that earlier layout, else null. */
  public static String outdatedFormat(String text) {
    for (String prefix : OUTDATED_PREFIXES) {
      if (text.startsWith(prefix)) {
        return prefix.substring(0, prefix.length() - 1);
      }
    }
    return null;
  }

  /** Why a seal of an earlier layout is refused, and what to do (no value in it). */
  public static String outdatedMessage(String format) {
    return format
        + " is no longer accepted (the format is seal3); re-seal the revision with SealVariables";
  }

  /**
   * What a revision-bound grant binds of {@code seal}: its {@code nonce || tag} ({@value
   * #BINDING_BYTES} bytes, decoded from the first characters only), or null when {@code seal} is no
   * seal3 seal that long. Not a check of the seal ({@link #verify} is): see the class comment for
   * why binding these bytes is as strong as binding the whole text.
   */
  public static byte[] binding(String seal) {
    if (!seal.startsWith(PREFIX) || seal.length() < PREFIX.length() + BINDING_CHARS + 4) {
      return null;
    }
    byte[] head = new byte[BINDING_CHARS];
    for (int i = 0; i < BINDING_CHARS; i++) {
      char c = seal.charAt(PREFIX.length() + i);
      if (c >= 0x80 || c == '=') {
        return null;
      }
      head[i] = (byte) c;
    }
    try {
      return Arrays.copyOf(Base64.getDecoder().decode(head), BINDING_BYTES);
    } catch (IllegalArgumentException e) {
      return null; // not base64
    }
  }

  /** The seal key of a DEK. The caller owns (and should destroy) it. */
  public static SymmetricKey sealKey(SymmetricKey dek) {
    return Hkdf.deriveKey(dek, Hkdf.REVISION_SEAL_INFO);
  }

  /**
   * The length of the seal text of {@code entries}: the service refuses to make a seal longer than
   * {@link #MAX_LENGTH}, which no verifier would accept.
   */
  public static int sealLength(List<Entry> entries) {
    long manifest = 4;
    for (Entry entry : entries) {
      manifest += 2 + utf8Length(entry.name()) + 1;
    }
    long base64 = (manifest + BINDING_BYTES + 2) / 3 * 4;
    return (int) Math.min(Integer.MAX_VALUE, PREFIX.length() + base64);
  }

  private static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  /**
   * The seal of {@code entries} (any order; names must be unique).
   *
   * @throws IllegalArgumentException if two entries have the same name, a name is longer than 65535
   *     UTF-8 bytes, or the seal would be longer than {@link #MAX_LENGTH} (check {@link
   *     #sealLength} first)
   */
  public static String seal(SymmetricKey sealKey, String projectId, List<Entry> entries) {
    if (sealLength(entries) > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "the seal would be longer than " + MAX_LENGTH + " characters");
    }
    int n = entries.size();
    String[] names = new String[n];
    boolean[] secret = new boolean[n];
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = entries.get(i).name();
      secret[i] = entries.get(i).secret();
      values[i] = entries.get(i).value();
    }
    Canonical c = Canonical.start();
    try {
      c.write(names, secret, values);
      c.newNonce();
      c.gmac(sealKey, projectId, false);
      return PREFIX + new String(c.encoded(), StandardCharsets.ISO_8859_1);
    } finally {
      c.release();
    }
  }

  /**
   * Checks {@code seal} against {@code entries}.
   *
   * @throws SealMismatchException naming what differs
   */
  public static void verify(
      SymmetricKey sealKey, String projectId, List<Entry> entries, String seal)
      throws SealMismatchException {
    Map<String, Entry> byName = new HashMap<>();
    entries.forEach(e -> byName.put(e.name(), e));
    verify(sealKey, projectId, byName, Entry::secret, Entry::value, seal);
  }

  /**
   * Checks {@code seal} against a variable set given as a map (the request's, not copied): builds
   * the manifest the set would have, compares the text {@code nonce || tag || manifest} (nonce and
   * tag from the given seal) with the seal's, then checks the tag over the set (AES-GCM, in
   * constant time). Only a refusal decodes the whole given seal, to name what differs.
   *
   * <p><b>Sound only together with decryption:</b> a SECRET enters the MAC as the last {@value
   * #SECRET_TAIL} characters of its text (its GCM tag), so a matching seal proves the set's names,
   * kinds and PLAIN values, but a SECRET's ciphertext only once the caller has AES-GCM-decrypted
   * every SECRET under the DEK for its name (as DecryptAll does). A caller that does not decrypt
   * every SECRET must not take a matching seal as proof of the ciphertexts.
   *
   * @param isSecret whether a variable is SECRET (else PLAIN)
   * @param storedValue a variable's stored value (plaintext, or ciphertext for a secret)
   * @throws SealMismatchException naming what differs
   */
  public static <V> void verify(
      SymmetricKey sealKey,
      String projectId,
      Map<String, V> variables,
      Predicate<V> isSecret,
      Function<V, String> storedValue,
      String seal)
      throws SealMismatchException {
    if (seal.length() > MAX_LENGTH) {
      throw malformed();
    }
    if (!seal.startsWith(PREFIX)) {
      if (isOutdated(seal)) {
        throw new SealMismatchException(
            SealMismatchException.Problem.OUTDATED, List.of(), List.of(), List.of(), List.of());
      }
      throw malformed();
    }
    int n = variables.size();
    String[] names = new String[n];
    boolean[] secret = new boolean[n];
    String[] values = new String[n];
    int i = 0;
    for (Map.Entry<String, V> entry : variables.entrySet()) {
      names[i] = entry.getKey();
      secret[i] = isSecret.test(entry.getValue());
      values[i] = storedValue.apply(entry.getValue());
      i++;
    }
    byte[] binding = binding(seal);
    if (binding == null) {
      throw malformed();
    }
    Canonical c = Canonical.start();
    try {
      byte[] expected;
      try {
        c.write(names, secret, values);
        c.useBinding(binding);
        expected = c.encoded();
      } catch (IllegalArgumentException e) {
        expected = null; // a set no seal can be made of (a name over 65535 bytes): a difference
      }
      if (expected == null || !sameText(expected, seal)) {
        throw differences(seal, names, secret, expected == null ? null : c.manifest());
      }
      if (!c.gmac(sealKey, projectId, true)) {
        throw new SealMismatchException(
            SealMismatchException.Problem.VALUES_DIFFER,
            List.of(),
            List.of(),
            List.of(),
            List.of());
      }
    } finally {
      c.release(); // every path, refusals too: no huge per-thread buffer left behind
    }
  }

  /**
   * Whether {@code seal} (prefix checked) is exactly {@code PREFIX + expected}. A plain comparison:
   * every part is public (the nonce and tag are the given seal's own; the tag is checked after).
   */
  private static boolean sameText(byte[] expected, String seal) {
    if (seal.length() != PREFIX.length() + expected.length) {
      return false;
    }
    // a character outside Latin-1 becomes '?', which no seal contains
    byte[] given = seal.getBytes(StandardCharsets.ISO_8859_1);
    return Arrays.equals(expected, 0, expected.length, given, PREFIX.length(), given.length);
  }

  /**
   * The refusal of a seal that does not match: names what differs, or says that a value differs.
   */
  private static SealMismatchException differences(
      String seal, String[] names, boolean[] secret, byte[] expectedManifest) {
    byte[] all;
    try {
      all = StrictBase64.decode(seal, PREFIX.length());
    } catch (InvalidCiphertextException e) {
      return malformed();
    }
    if (all.length < BINDING_BYTES + 4) {
      return malformed();
    }
    int count = readInt(all, BINDING_BYTES);
    if (count < 0 || count > (all.length - BINDING_BYTES) / 3) {
      return malformed();
    }
    if (count > names.length + MAX_NAMES_BEYOND_REQUEST) {
      // Parsing costs objects per name (~100 bytes for a 1-byte name): a 1 MiB seal of tiny names
      // would cost ~20x its size on this refusal path. Beyond the request's own count plus this
      // margin, the refusal is told by counts, without the names.
      return SealMismatchException.counts(count, names.length);
    }
    List<Encoded> sealed;
    try {
      sealed = parseManifest(all, BINDING_BYTES);
    } catch (SealMismatchException e) {
      return e;
    }
    List<Encoded> given = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      given.add(
          new Encoded(
              names[i], names[i].getBytes(StandardCharsets.UTF_8), secret[i] ? SECRET : PLAIN));
    }
    given.sort(ORDER);
    SealMismatchException named = differences(sealed, given);
    if (named != null) {
      return named;
    }
    if (expectedManifest == null
        || !Arrays.equals(
            all, BINDING_BYTES, all.length, expectedManifest, 0, expectedManifest.length)) {
      return malformed(); // the same names and kinds, not in canonical form
    }
    return new SealMismatchException(
        SealMismatchException.Problem.VALUES_DIFFER, List.of(), List.of(), List.of(), List.of());
  }

  /**
   * A variable's name (also as UTF-8) and kind, as a seal's manifest holds it. A class, not a
   * record: it has an array component, and instances are only ordered by {@link #ORDER}, never
   * compared with equals.
   */
  private static final class Encoded {
    final String name;
    final byte[] nameBytes;
    final byte kind;

    Encoded(String name, byte[] nameBytes, byte kind) {
      this.name = name;
      this.nameBytes = nameBytes;
      this.kind = kind;
    }
  }

  /**
   * Byte order of names: only to name differences in a refusal (the seal's own order is {@link
   * Canonical}'s).
   */
  private static final Comparator<Encoded> ORDER =
      (a, b) -> Arrays.compareUnsigned(a.nameBytes, b.nameBytes);

  /**
   * Writes a set's canonical form into per-thread buffers: the blob {@code nonce || tag ||
   * manifest} and the values' part of the MAC input ("B" in the class comment). No allocation per
   * variable for ASCII names and values; one updateAAD for each part.
   *
   * <p>Order: by the name's {@link String#hashCode} (signed), then by {@link String#compareTo}. The
   * hashes are cached in the request's strings, so putting a set in order is a sort of {@code
   * long}s (hash, index), not of strings, and verifying needs no lookup of names.
   */
  private static final class Canonical {
    private static final ThreadLocal<Canonical> BUFFERS = ThreadLocal.withInitial(Canonical::new);
    static final int INITIAL_BYTES = 16 * 1024;
    static final int KEPT_BYTES = 1024 * 1024;
    private byte[] blob = new byte[INITIAL_BYTES];
    private int blobLength;
    private byte[] bytes = new byte[INITIAL_BYTES];
    private int length;

    static Canonical start() {
      Canonical c = BUFFERS.get();
      c.blobLength = BINDING_BYTES;
      c.length = 0;
      return c;
    }

    /** Fills the blob's manifest and the values' part of the MAC input. */
    void write(String[] names, boolean[] secret, String[] values) {
      int n = names.length;
      long[] order = new long[n];
      for (int i = 0; i < n; i++) {
        order[i] = ((long) names[i].hashCode() << 32) | i;
      }
      Arrays.sort(order); // cheap for a set given in this order, as the Java client sends one
      int run = 0;
      for (int i = 1; i <= n; i++) {
        if (i == n || (int) (order[i] >>> 32) != (int) (order[run] >>> 32)) {
          if (i - run > 1) {
            byName(order, run, i, names);
          }
          run = i;
        }
      }
      ensureBlob(4);
      ValueFormat.putInt(blob, blobLength, n);
      blobLength += 4;
      for (long o : order) {
        int i = (int) o;
        name(names[i]);
        if (secret[i]) {
          blob[blobLength++] = SECRET;
          secret(values[i]);
        } else {
          blob[blobLength++] = PLAIN;
          plain(values[i]);
        }
      }
    }

    /**
     * Puts {@code order[from..to)}, entries of one hash, in the names' {@link String#compareTo}
     * order. Such runs are rare by chance but easy to make (names built of "Aa" and "BB" share a
     * hash), so the run is sorted in O(k log k) comparisons, never quadratically.
     *
     * @throws IllegalArgumentException if two names are equal
     */
    private static void byName(long[] order, int from, int to, String[] names) {
      Long[] run = new Long[to - from];
      for (int i = from; i < to; i++) {
        run[i - from] = order[i];
      }
      Arrays.sort(run, Comparator.comparing((Long o) -> names[(int) o.longValue()]));
      for (int i = 0; i < run.length; i++) {
        if (i > 0 && names[(int) run[i].longValue()].equals(names[(int) run[i - 1].longValue()])) {
          throw new IllegalArgumentException(
              "two variables are named " + names[(int) run[i].longValue()]);
        }
        order[from + i] = run[i];
      }
    }

    /** A fresh random nonce at the blob's start (to make a seal). */
    void newNonce() {
      byte[] nonce = new byte[AesGcm.NONCE_BYTES];
      Randomness.nextBytes(nonce);
      System.arraycopy(nonce, 0, blob, 0, nonce.length);
    }

    /** A given seal's nonce and tag at the blob's start (to check it). */
    void useBinding(byte[] binding) {
      System.arraycopy(binding, 0, blob, 0, BINDING_BYTES);
    }

    /**
     * The GMAC of the MAC input under the blob's nonce: written into the blob's tag ({@code verify}
     * false; returns true), or compared with it in constant time ({@code verify} true).
     */
    boolean gmac(SymmetricKey key, String projectId, boolean verify) {
      byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
      if (project.length > 0xffff) {
        throw new IllegalArgumentException("project id longer than 65535 bytes");
      }
      Cipher cipher = AesGcm.startGmac(key, blob, 0, verify);
      cipher.updateAAD(DOMAIN);
      cipher.updateAAD(new byte[] {(byte) (project.length >>> 8), (byte) project.length});
      cipher.updateAAD(project);
      cipher.updateAAD(blob, BINDING_BYTES, blobLength - BINDING_BYTES);
      cipher.updateAAD(bytes, 0, length);
      if (verify) {
        return AesGcm.gmacMatches(cipher, blob, AesGcm.NONCE_BYTES);
      }
      byte[] tag = AesGcm.gmacTag(cipher);
      System.arraycopy(tag, 0, blob, AesGcm.NONCE_BYTES, AesGcm.TAG_BYTES);
      return true;
    }

    /** The seal text after the prefix, as ASCII bytes: base64 of nonce || tag || manifest. */
    byte[] encoded() {
      return Base64.getEncoder().encode(ByteBuffer.wrap(blob, 0, blobLength)).array();
    }

    /** A copy of the manifest just written. */
    byte[] manifest() {
      return Arrays.copyOfRange(blob, BINDING_BYTES, blobLength);
    }

    /** u16be(len N) || N, with room for the kind after it. */
    private void name(String name) {
      int n = name.length();
      ensureBlob(2 + n + 1);
      int start = blobLength + 2;
      for (int i = 0; i < n; i++) {
        char c = name.charAt(i);
        if (c >= 0x80) {
          byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
          if (utf8.length > 0xffff) {
            throw new IllegalArgumentException("a variable name is longer than 65535 bytes");
          }
          ensureBlob(2 + utf8.length + 1);
          blob[blobLength] = (byte) (utf8.length >>> 8);
          blob[blobLength + 1] = (byte) utf8.length;
          System.arraycopy(utf8, 0, blob, blobLength + 2, utf8.length);
          blobLength += 2 + utf8.length;
          return;
        }
        blob[start + i] = (byte) c;
      }
      if (n > 0xffff) {
        throw new IllegalArgumentException("a variable name is longer than 65535 bytes");
      }
      blob[blobLength] = (byte) (n >>> 8);
      blob[blobLength + 1] = (byte) n;
      blobLength = start + n;
    }

    /**
     * u8(len E) || E, E = the low 8 bits of each of the text's last {@value #SECRET_TAIL}
     * characters (all of them if shorter): for a valid ciphertext text, which is ASCII, the
     * characters themselves. A bulk copy: a loop over characters cost four times as much
     * (BENCHMARKS.md, "Seal v2").
     */
    @SuppressWarnings(
        "deprecation") // getBytes(int, int, byte[], int): exactly the low 8 bits, no allocation
    private void secret(String value) {
      int from = Math.max(0, value.length() - SECRET_TAIL);
      int n = value.length() - from;
      ensure(1 + n);
      bytes[length] = (byte) n;
      value.getBytes(from, value.length(), bytes, length + 1);
      length += 1 + n;
    }

    /** u32be(len V) || V, V = UTF-8 of the value. */
    private void plain(String value) {
      byte[] v =
          value.getBytes(StandardCharsets.UTF_8); // intrinsic for ASCII: faster than a char loop
      ensure(4 + v.length);
      ValueFormat.putInt(bytes, length, v.length);
      System.arraycopy(v, 0, bytes, length + 4, v.length);
      length += 4 + v.length;
    }

    private void ensure(int more) {
      bytes = grown(bytes, length, more);
    }

    private void ensureBlob(int more) {
      blob = grown(blob, blobLength, more);
    }

    private static byte[] grown(byte[] array, int used, int more) {
      if ((long) used + more <= array.length) {
        return array;
      }
      return Arrays.copyOf(
          array,
          (int) Math.min(Integer.MAX_VALUE - 8, Math.max(array.length * 2L, (long) used + more)));
    }

    /**
     * Ends a use: a buffer grown past {@value #KEPT_BYTES} bytes is dropped (not kept per thread).
     */
    void release() {
      length = 0;
      blobLength = 0;
      if (bytes.length > KEPT_BYTES) {
        bytes = new byte[INITIAL_BYTES];
      }
      if (blob.length > KEPT_BYTES) {
        blob = new byte[INITIAL_BYTES];
      }
    }

    /** This thread's larger buffer size, for tests. */
    static int capacity() {
      Canonical c = BUFFERS.get();
      return Math.max(c.bytes.length, c.blob.length);
    }
  }

  private static int readInt(byte[] in, int offset) {
    return ((in[offset] & 0xff) << 24)
        | ((in[offset + 1] & 0xff) << 16)
        | ((in[offset + 2] & 0xff) << 8)
        | (in[offset + 3] & 0xff);
  }

  /**
   * Names and kinds of the manifest at {@code offset} to the end of {@code all}, strictly parsed
   * (exact length, known kinds, unique names), sorted by {@link #ORDER}.
   */
  private static List<Encoded> parseManifest(byte[] all, int offset) throws SealMismatchException {
    int count = readInt(all, offset);
    if (count < 0 || count > (all.length - offset) / 3) {
      throw malformed();
    }
    List<Encoded> out = new ArrayList<>(count);
    int at = offset + 4;
    for (int i = 0; i < count; i++) {
      if (at + 2 > all.length) {
        throw malformed();
      }
      int nameLength = ((all[at] & 0xff) << 8) | (all[at + 1] & 0xff);
      at += 2;
      if (nameLength == 0 || at + nameLength + 1 > all.length) {
        throw malformed();
      }
      byte[] name = Arrays.copyOfRange(all, at, at + nameLength);
      at += nameLength;
      byte kind = all[at++];
      if (kind != PLAIN && kind != SECRET) {
        throw malformed();
      }
      out.add(new Encoded(new String(name, StandardCharsets.UTF_8), name, kind));
    }
    if (at != all.length) {
      throw malformed();
    }
    out.sort(ORDER);
    for (int i = 1; i < out.size(); i++) {
      if (ORDER.compare(out.get(i - 1), out.get(i)) == 0) {
        throw malformed();
      }
    }
    return out;
  }

  /** What differs between two name-sorted lists of names and kinds; null when nothing does. */
  private static SealMismatchException differences(List<Encoded> sealed, List<Encoded> given) {
    List<String> injected = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    List<String> downgraded = new ArrayList<>();
    List<String> upgraded = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < sealed.size() || j < given.size()) {
      int order =
          i == sealed.size()
              ? 1
              : j == given.size() ? -1 : ORDER.compare(sealed.get(i), given.get(j));
      if (order < 0) {
        dropped.add(sealed.get(i++).name);
      } else if (order > 0) {
        injected.add(given.get(j++).name);
      } else {
        Encoded s = sealed.get(i++);
        Encoded g = given.get(j++);
        if (s.kind == SECRET && g.kind == PLAIN) {
          downgraded.add(g.name);
        } else if (s.kind == PLAIN && g.kind == SECRET) {
          upgraded.add(g.name);
        }
      }
    }
    if (injected.isEmpty() && dropped.isEmpty() && downgraded.isEmpty() && upgraded.isEmpty()) {
      return null;
    }
    Collections.sort(injected);
    Collections.sort(dropped);
    return new SealMismatchException(
        SealMismatchException.Problem.VARIABLES_DIFFER, injected, dropped, downgraded, upgraded);
  }

  private static SealMismatchException malformed() {
    return new SealMismatchException(
        SealMismatchException.Problem.MALFORMED, List.of(), List.of(), List.of(), List.of());
  }
}
