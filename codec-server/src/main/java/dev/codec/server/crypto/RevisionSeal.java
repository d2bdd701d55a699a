package dev.codec.server.crypto;

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
import javax.crypto.Mac;

/**
 * Seals of whole environment revisions: a MAC, under a key derived from the project's DEK for this
 * purpose only, over every variable's name, kind and stored value, so that a database writer without
 * the DEK cannot inject, drop, rename, change or downgrade (SECRET to PLAIN) a variable unnoticed.
 *
 * <pre>
 *   seal     = "seal1:" + base64( manifest || tag[32] )          (standard base64, padded, canonical)
 *   manifest = u32be(count) || for each variable, in order: u16be(len N) || N || u8 kind
 *   tag      = HMAC-SHA256( seal key, "seal1" || u16be(len P) || P || u32be(count)
 *                           || for each variable, in order: u32be(len N) || N || u8 kind || u32be(L) || V )
 *   seal key = HKDF-SHA256( DEK, salt empty, info "codec/v1 revision-seal" )
 *   P = UTF-8(project_id), N = UTF-8(name)
 *   PLAIN:  V = UTF-8(plaintext value), L = len V in bytes
 *   SECRET: T = UTF-8(ciphertext text), L = len T in bytes,
 *           V = first 24 bytes of T || last 24 bytes of T (all of T if it has at most 48 bytes)
 *   kind: 1 = PLAIN, 2 = SECRET; order: by N as unsigned bytes, names unique
 * </pre>
 *
 * <p>Why only the edges of a SECRET: the first 24 bytes (characters) hold the format prefix and the whole
 * nonce ("enc2:" + 16 base64 characters for 12 bytes; a legacy value's 16-byte IV fits too), the last
 * 24 the whole GCM tag (a valid ciphertext text is ASCII; any other text fails to decrypt anyway), and the length pins the rest. DecryptAll authenticates every SECRET with
 * AES-GCM under the DEK for its name, so a ciphertext that matches the seal and still decrypts is the
 * sealed one: another valid ciphertext with the same nonce and tag would need the codec to repeat a
 * random 96-bit nonce (or a forgery without the DEK). Hashing whole ciphertexts measured about a
 * quarter of a DecryptAll of 100 values (BENCHMARKS.md); this keeps the seal within the 5 % budget.
 *
 * The manifest repeats the names and kinds (not secret: they are stored next to the seal anyway) so a
 * refusal can name the injected, dropped and downgraded variables; the tag alone decides. A seal is
 * accepted only when its manifest equals the given set's manifest byte for byte and the tag matches.
 */
public final class RevisionSeal {
    /** The longest seal text accepted. */
    public static final int MAX_LENGTH = 1_048_576;
    static final String PREFIX = "seal1:";
    private static final byte[] DOMAIN = "seal1".getBytes(StandardCharsets.US_ASCII);
    private static final byte PLAIN = 1;
    private static final byte SECRET = 2;
    /** Bytes taken from each end of a SECRET value's text (ASCII when valid: one byte per character). */
    static final int SECRET_EDGE = 24;

    /** One variable as stored: name, kind and stored value (plaintext, or ciphertext for a secret). */
    public record Entry(String name, boolean secret, String value) {
        @Override
        public String toString() {
            return "RevisionSeal.Entry[" + name + (secret ? ", secret]" : ", plain]");
        }
    }

    private RevisionSeal() {}

    /** The size of this thread's MAC input buffer (tests: it must not stay huge after a call). */
    static int macBufferCapacity() {
        return MacInput.capacity();
    }

    /** Whether {@code text} has the seal prefix (no other check: {@link #verify} decides). */
    public static boolean looksLikeSeal(String text) {
        return text.startsWith(PREFIX);
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
        long base64 = (manifest + HmacSha256.TAG_BYTES + 2) / 3 * 4;
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
     * @throws IllegalArgumentException if the seal would be longer than {@link #MAX_LENGTH} (check
     *     {@link #sealLength} first)
     */
    public static String seal(SymmetricKey sealKey, String projectId, List<Entry> entries) {
        if (sealLength(entries) > MAX_LENGTH) {
            throw new IllegalArgumentException("the seal would be longer than " + MAX_LENGTH + " characters");
        }
        List<Encoded> sorted = encode(entries);
        byte[] manifest = manifest(sorted);
        byte[] tag = tag(sealKey, projectId, sorted);
        byte[] all = Arrays.copyOf(manifest, manifest.length + tag.length);
        System.arraycopy(tag, 0, all, manifest.length, tag.length);
        return PREFIX + Base64.getEncoder().encodeToString(all);
    }

    /**
     * Checks {@code seal} against {@code entries}.
     *
     * @throws SealMismatchException naming what differs
     */
    public static void verify(SymmetricKey sealKey, String projectId, List<Entry> entries, String seal)
            throws SealMismatchException {
        Map<String, Entry> byName = new HashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        verify(sealKey, projectId, byName, Entry::secret, Entry::value, seal);
    }

    /**
     * Checks {@code seal} against a variable set given as a map (the request's, not copied). Walks the
     * seal's manifest in its canonical order and looks each name up, so nothing is sorted per call.
     *
     * <p><b>Sound only together with decryption:</b> a SECRET enters the MAC as its length and its first
     * and last {@value #SECRET_EDGE} characters, so a matching seal proves the set's names, kinds and
     * PLAIN values, but a SECRET's middle only once the caller has AES-GCM-decrypted every SECRET under
     * the DEK for its name (as DecryptAll does). A caller that does not decrypt every SECRET must not
     * take a matching seal as proof of the ciphertexts.
     *
     * @param isSecret whether a variable is SECRET (else PLAIN)
     * @param storedValue a variable's stored value (plaintext, or ciphertext for a secret)
     * @throws SealMismatchException naming what differs
     */
    public static <V> void verify(SymmetricKey sealKey, String projectId, Map<String, V> variables,
            Predicate<V> isSecret, Function<V, String> storedValue, String seal) throws SealMismatchException {
        if (seal.length() > MAX_LENGTH || !seal.startsWith(PREFIX)) {
            throw malformed();
        }
        byte[] all;
        try {
            all = StrictBase64.decode(seal, PREFIX.length());
        } catch (InvalidCiphertextException e) {
            throw malformed();
        }
        if (all.length < 4 + HmacSha256.TAG_BYTES) {
            throw malformed();
        }
        int manifestLength = all.length - HmacSha256.TAG_BYTES;
        int count = readInt(all, 0);
        MacInput in = MacInput.start(projectId, count);
        try {
            verifyEntries(sealKey, all, manifestLength, count, in, variables, isSecret, storedValue);
        } finally {
            in.release(); // every path, refusals too: no huge per-thread buffer left behind
        }
    }

    private static <V> void verifyEntries(SymmetricKey sealKey, byte[] all, int manifestLength, int count,
            MacInput in, Map<String, V> variables, Predicate<V> isSecret, Function<V, String> storedValue)
            throws SealMismatchException {
        boolean differ = count != variables.size();
        int at = 4;
        int previous = -1;
        int previousLength = 0;
        for (int i = 0; i < count && !differ; i++) {
            if (at + 2 > manifestLength) {
                throw malformed();
            }
            int nameLength = ((all[at] & 0xff) << 8) | (all[at + 1] & 0xff);
            at += 2;
            if (nameLength == 0 || at + nameLength + 1 > manifestLength) {
                throw malformed();
            }
            if (previous >= 0
                    && Arrays.compareUnsigned(all, previous, previous + previousLength, all, at, at + nameLength) >= 0) {
                throw malformed();
            }
            byte kind = all[at + nameLength];
            if (kind != PLAIN && kind != SECRET) {
                throw malformed();
            }
            V variable = variables.get(new String(all, at, nameLength, StandardCharsets.UTF_8));
            if (variable == null || (isSecret.test(variable) ? SECRET : PLAIN) != kind) {
                differ = true;
                break;
            }
            in.entry(all, at, nameLength, kind, storedValue.apply(variable));
            previous = at;
            previousLength = nameLength;
            at += nameLength + 1;
        }
        if (differ) {
            List<Entry> given = new ArrayList<>(variables.size());
            variables.forEach((name, v) -> given.add(new Entry(name, isSecret.test(v), storedValue.apply(v))));
            throw differences(parseManifest(all, manifestLength), encode(given));
        }
        if (at != manifestLength) {
            throw malformed();
        }
        byte[] expectedTag = in.mac(sealKey);
        if (!HmacSha256.equal(expectedTag, Arrays.copyOfRange(all, manifestLength, all.length))) {
            throw new SealMismatchException(SealMismatchException.Problem.VALUES_DIFFER, List.of(), List.of(),
                    List.of(), List.of());
        }
    }

    private static final class Encoded { // a class, not a record: a record would compare its array by identity
        private final String name;
        private final byte[] nameBytes;
        private final byte kind;
        private final String value;

        private Encoded(String name, byte[] nameBytes, byte kind, String value) {
            this.name = name;
            this.nameBytes = nameBytes;
            this.kind = kind;
            this.value = value;
        }
    }

    private static final Comparator<Encoded> ORDER = (a, b) -> Arrays.compareUnsigned(a.nameBytes, b.nameBytes);

    private static List<Encoded> encode(List<Entry> entries) {
        List<Encoded> out = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            out.add(new Encoded(entry.name(), entry.name().getBytes(StandardCharsets.UTF_8),
                    entry.secret() ? SECRET : PLAIN, entry.value()));
        }
        out.sort(ORDER);
        return out;
    }

    private static byte[] manifest(List<Encoded> sorted) {
        int length = 4;
        for (Encoded e : sorted) {
            length += 2 + e.nameBytes.length + 1;
        }
        byte[] out = new byte[length];
        ValueFormat.putInt(out, 0, sorted.size());
        int at = 4;
        for (Encoded e : sorted) {
            out[at++] = (byte) (e.nameBytes.length >>> 8);
            out[at++] = (byte) e.nameBytes.length;
            System.arraycopy(e.nameBytes, 0, out, at, e.nameBytes.length);
            at += e.nameBytes.length;
            out[at++] = e.kind;
        }
        return out;
    }

    private static byte[] tag(SymmetricKey sealKey, String projectId, List<Encoded> sorted) {
        MacInput in = MacInput.start(projectId, sorted.size());
        try {
            for (Encoded e : sorted) {
                in.entry(e.nameBytes, 0, e.nameBytes.length, e.kind, e.value);
            }
            return in.mac(sealKey);
        } finally {
            in.release();
        }
    }

    /**
     * The MAC input, written into one per-thread buffer (no allocation per call, and one Mac.update:
     * hundreds of small updates cost more than the hashing). A SECRET value enters as its length and its
     * first and last {@value #SECRET_EDGE} bytes (see the class comment).
     */
    private static final class MacInput {
        private static final ThreadLocal<MacInput> BUFFER = ThreadLocal.withInitial(MacInput::new);
        static final int INITIAL_BYTES = 16 * 1024;
        static final int KEPT_BYTES = 1024 * 1024;
        private byte[] bytes = new byte[INITIAL_BYTES];
        private int length;

        static MacInput start(String projectId, int count) {
            MacInput in = BUFFER.get();
            in.length = 0;
            byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
            in.ensure(DOMAIN.length + 2 + project.length + 4);
            System.arraycopy(DOMAIN, 0, in.bytes, 0, DOMAIN.length);
            in.length = DOMAIN.length;
            in.bytes[in.length++] = (byte) (project.length >>> 8);
            in.bytes[in.length++] = (byte) project.length;
            System.arraycopy(project, 0, in.bytes, in.length, project.length);
            in.length += project.length;
            in.putInt(count);
            return in;
        }

        void entry(byte[] name, int offset, int nameLength, byte kind, String value) {
            ensure(4 + nameLength + 1 + 4 + 2 * SECRET_EDGE);
            putInt(nameLength);
            System.arraycopy(name, offset, bytes, length, nameLength);
            length += nameLength;
            bytes[length++] = kind;
            if (kind == SECRET && value.length() > 2 * SECRET_EDGE && asciiEdges(value)) {
                // a valid ciphertext text is ASCII: its UTF-8 is its characters, and only the ends are
                // read (no copy of a long ciphertext)
                putInt(value.length());
                int tail = value.length() - SECRET_EDGE;
                for (int i = 0; i < SECRET_EDGE; i++) {
                    bytes[length + i] = (byte) value.charAt(i);
                    bytes[length + SECRET_EDGE + i] = (byte) value.charAt(tail + i);
                }
                length += 2 * SECRET_EDGE;
                return;
            }
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            boolean edges = kind == SECRET && v.length > 2 * SECRET_EDGE;
            ensure(4 + (edges ? 2 * SECRET_EDGE : v.length)); // the length field too
            putInt(v.length);
            if (edges) {
                System.arraycopy(v, 0, bytes, length, SECRET_EDGE);
                System.arraycopy(v, v.length - SECRET_EDGE, bytes, length + SECRET_EDGE, SECRET_EDGE);
                length += 2 * SECRET_EDGE;
            } else {
                System.arraycopy(v, 0, bytes, length, v.length);
                length += v.length;
            }
        }

        /**
         * Whether the ends are ASCII. L is then the character count, which equals the UTF-8 length only
         * if the middle is ASCII too; this does not check the middle. Sealing and verifying both take
         * this path, so a non-ASCII middle does <em>not</em> make the seal fail: such a text is refused
         * only because it is no valid ciphertext (not base64), when the caller AES-GCM-decrypts it, which
         * {@link #verify} requires of its caller.
         */
        private static boolean asciiEdges(String value) {
            int tail = value.length() - SECRET_EDGE;
            for (int i = 0; i < SECRET_EDGE; i++) {
                if (value.charAt(i) >= 0x80 || value.charAt(tail + i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }

        private void putInt(int value) {
            ensure(4);
            ValueFormat.putInt(bytes, length, value);
            length += 4;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        byte[] mac(SymmetricKey key) {
            Mac mac = HmacSha256.start(key);
            try {
                mac.update(bytes, 0, length);
                return mac.doFinal();
            } finally {
                HmacSha256.forget(mac); // the thread's Mac keeps no pads of the seal key
            }
        }

        /** Ends a use: a buffer grown past {@value #KEPT_BYTES} bytes is dropped (not kept per thread). */
        void release() {
            length = 0;
            if (bytes.length > KEPT_BYTES) {
                bytes = new byte[INITIAL_BYTES];
            }
        }

        /** This thread's buffer size, for tests. */
        static int capacity() {
            return BUFFER.get().bytes.length;
        }
    }

    private static int readInt(byte[] in, int offset) {
        return ((in[offset] & 0xff) << 24) | ((in[offset + 1] & 0xff) << 16) | ((in[offset + 2] & 0xff) << 8)
                | (in[offset + 3] & 0xff);
    }

    /** Names and kinds of a manifest, strictly parsed (sorted, unique, known kinds, exact length). */
    private static List<Encoded> parseManifest(byte[] all, int length) throws SealMismatchException {
        int count = ((all[0] & 0xff) << 24) | ((all[1] & 0xff) << 16) | ((all[2] & 0xff) << 8) | (all[3] & 0xff);
        if (count < 0 || count > length / 3) {
            throw malformed();
        }
        List<Encoded> out = new ArrayList<>(count);
        int at = 4;
        for (int i = 0; i < count; i++) {
            if (at + 2 > length) {
                throw malformed();
            }
            int nameLength = ((all[at] & 0xff) << 8) | (all[at + 1] & 0xff);
            at += 2;
            if (nameLength == 0 || at + nameLength + 1 > length) {
                throw malformed();
            }
            byte[] name = Arrays.copyOfRange(all, at, at + nameLength);
            at += nameLength;
            byte kind = all[at++];
            if (kind != PLAIN && kind != SECRET) {
                throw malformed();
            }
            Encoded entry = new Encoded(new String(name, StandardCharsets.UTF_8), name, kind, null);
            if (!out.isEmpty() && ORDER.compare(out.get(out.size() - 1), entry) >= 0) {
                throw malformed();
            }
            out.add(entry);
        }
        if (at != length) {
            throw malformed();
        }
        return out;
    }

    private static SealMismatchException differences(List<Encoded> sealed, List<Encoded> given) {
        List<String> injected = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> downgraded = new ArrayList<>();
        List<String> upgraded = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < sealed.size() || j < given.size()) {
            int order = i == sealed.size() ? 1 : j == given.size() ? -1 : ORDER.compare(sealed.get(i), given.get(j));
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
        Collections.sort(injected);
        Collections.sort(dropped);
        return new SealMismatchException(SealMismatchException.Problem.VARIABLES_DIFFER, injected, dropped,
                downgraded, upgraded);
    }

    private static SealMismatchException malformed() {
        return new SealMismatchException(SealMismatchException.Problem.MALFORMED, List.of(), List.of(), List.of(),
                List.of());
    }
}
