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
 *   seal     = "seal2:" + base64( manifest || tag[32] )          (standard base64, padded, canonical)
 *   manifest = u32be(count) || for each variable, in order: u16be(len N) || N || u8 kind
 *   tag      = HMAC-SHA256( seal key, "seal2" || u16be(len P) || P || manifest
 *                           || for each variable, in the manifest's order: B )
 *   seal key = HKDF-SHA256( DEK, salt empty, info "codec/v1 revision-seal" )
 *   P = UTF-8(project_id), N = UTF-8(name)
 *   PLAIN:  B = u32be(len V) || V,  V = UTF-8(plaintext value)
 *   SECRET: B = u8(len E)    || E,  E = UTF-8(the last 24 characters of the ciphertext text; all of it if shorter)
 *   kind: 1 = PLAIN, 2 = SECRET; order: by N as unsigned bytes, names unique
 * </pre>
 *
 * <p>Why the last 24 characters of a SECRET: every value format (enc2, enc1, legacy) is canonical padded
 * base64 of {@code nonce || ciphertext || GCM tag[16]} (after a prefix), and the last 24 characters
 * always encode the whole 16-byte tag. DecryptAll authenticates every SECRET with AES-GCM under the DEK
 * (for enc2: bound to its name and project), and the tag authenticates nonce, ciphertext and associated
 * data, so a ciphertext that matches the seal <em>and</em> decrypts is the sealed one: another valid
 * ciphertext with the same tag is a GCM forgery without the DEK, or a 128-bit tag collision among the
 * codec's own ciphertexts. A SECRET therefore costs 25 bytes of MAC input whatever its size.
 *
 * <p>Why the manifest is MACed as it stands in the seal: it holds exactly the names and kinds in canonical
 * form (the verifier checks it strictly and checks the given set against it name by name), so hashing
 * those bytes binds the names and kinds without building a second copy. The manifest repeats the names
 * and kinds (not secret: they are stored next to the seal anyway) so a refusal can name the injected,
 * dropped and downgraded variables; the tag alone decides.
 *
 * <p>Cost (BENCHMARKS.md, "Seal v2"): one HMAC over the manifest and about 25 bytes per SECRET, the seal
 * key derived once per call, names looked up in the request (no sort), the MAC input written into one
 * per-thread buffer (no per-variable allocation for ASCII values).
 *
 * <p>seal1 (the first layout: the MAC repeated every name and took a SECRET's first and last 24
 * characters and its length) is refused with {@link SealMismatchException.Problem#OUTDATED}: it was never
 * released; re-seal such a revision with SealVariables.
 */
public final class RevisionSeal {
    /** The longest seal text accepted. */
    public static final int MAX_LENGTH = 1_048_576;
    static final String PREFIX = "seal2:";
    /** The first layout's prefix: recognised only to refuse it with a precise reason. */
    static final String OUTDATED_PREFIX = "seal1:";
    private static final byte[] DOMAIN = "seal2".getBytes(StandardCharsets.US_ASCII);
    private static final byte PLAIN = 1;
    private static final byte SECRET = 2;
    /** Characters taken from the end of a SECRET value's text (they encode its whole GCM tag). */
    static final int SECRET_TAIL = 24;

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

    /** Whether {@code text} is a seal of the first layout ("seal1:"), which is refused. */
    public static boolean isOutdated(String text) {
        return text.startsWith(OUTDATED_PREFIX);
    }

    /** Why a seal1 seal is refused, and what to do (no value in it). */
    public static final String OUTDATED_SEAL_MESSAGE =
            "seal1 is no longer accepted (the format is seal2); re-seal the revision with SealVariables";

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
        MacInput in = MacInput.start();
        byte[] tag;
        try {
            for (Encoded e : sorted) {
                in.binding(e.kind, e.value);
            }
            tag = in.mac(sealKey, projectId, manifest, manifest.length);
        } finally {
            in.release();
        }
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
     * <p><b>Sound only together with decryption:</b> a SECRET enters the MAC as the last
     * {@value #SECRET_TAIL} characters of its text (its GCM tag), so a matching seal proves the set's
     * names, kinds and PLAIN values, but a SECRET's ciphertext only once the caller has
     * AES-GCM-decrypted every SECRET under the DEK for its name (as DecryptAll does). A caller that does
     * not decrypt every SECRET must not take a matching seal as proof of the ciphertexts.
     *
     * @param isSecret whether a variable is SECRET (else PLAIN)
     * @param storedValue a variable's stored value (plaintext, or ciphertext for a secret)
     * @throws SealMismatchException naming what differs
     */
    public static <V> void verify(SymmetricKey sealKey, String projectId, Map<String, V> variables,
            Predicate<V> isSecret, Function<V, String> storedValue, String seal) throws SealMismatchException {
        if (seal.length() > MAX_LENGTH) {
            throw malformed();
        }
        if (seal.startsWith(OUTDATED_PREFIX)) {
            throw new SealMismatchException(SealMismatchException.Problem.OUTDATED, List.of(), List.of(), List.of(),
                    List.of());
        }
        if (!seal.startsWith(PREFIX)) {
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
        MacInput in = MacInput.start();
        try {
            verifyEntries(sealKey, projectId, all, in, variables, isSecret, storedValue);
        } finally {
            in.release(); // every path, refusals too: no huge per-thread buffer left behind
        }
    }

    private static <V> void verifyEntries(SymmetricKey sealKey, String projectId, byte[] all, MacInput in,
            Map<String, V> variables, Predicate<V> isSecret, Function<V, String> storedValue)
            throws SealMismatchException {
        int manifestLength = all.length - HmacSha256.TAG_BYTES;
        int count = readInt(all, 0);
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
            in.binding(kind, storedValue.apply(variable));
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
        byte[] expectedTag = in.mac(sealKey, projectId, all, manifestLength);
        if (!HmacSha256.equal(expectedTag, Arrays.copyOfRange(all, manifestLength, all.length))) {
            throw new SealMismatchException(SealMismatchException.Problem.VALUES_DIFFER, List.of(), List.of(),
                    List.of(), List.of());
        }
    }

    private record Encoded(String name, byte[] nameBytes, byte kind, String value) {}

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

    /**
     * The values' part of the MAC input ("B" in the class comment), written into one per-thread buffer:
     * no allocation per call or per ASCII value, and one Mac.update for all of it (hundreds of small
     * updates cost more than the hashing). The manifest is MACed in place from the caller's array.
     */
    private static final class MacInput {
        private static final ThreadLocal<MacInput> BUFFER = ThreadLocal.withInitial(MacInput::new);
        static final int INITIAL_BYTES = 16 * 1024;
        static final int KEPT_BYTES = 1024 * 1024;
        private byte[] bytes = new byte[INITIAL_BYTES];
        private int length;

        static MacInput start() {
            MacInput in = BUFFER.get();
            in.length = 0;
            return in;
        }

        void binding(byte kind, String value) {
            if (kind == SECRET) {
                secret(value);
            } else {
                plain(value);
            }
        }

        /** u8(len E) || E, E = UTF-8 of the text's last {@value #SECRET_TAIL} characters (all if shorter). */
        private void secret(String value) {
            int from = Math.max(0, value.length() - SECRET_TAIL);
            int n = value.length() - from;
            ensure(1 + n);
            int start = length + 1;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(from + i);
                if (c >= 0x80) {
                    // no valid ciphertext text has one (it would not decrypt): the general definition
                    byte[] tail = value.substring(from).getBytes(StandardCharsets.UTF_8); // at most 72 bytes
                    ensure(1 + tail.length);
                    bytes[length++] = (byte) tail.length;
                    System.arraycopy(tail, 0, bytes, length, tail.length);
                    length += tail.length;
                    return;
                }
                bytes[start + i] = (byte) c;
            }
            bytes[length] = (byte) n;
            length = start + n;
        }

        /** u32be(len V) || V, V = UTF-8 of the value; an ASCII value is copied without an intermediate array. */
        private void plain(String value) {
            int n = value.length();
            ensure(4 + n);
            int start = length + 4;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    byte[] v = value.getBytes(StandardCharsets.UTF_8);
                    ensure(4 + v.length);
                    ValueFormat.putInt(bytes, length, v.length);
                    System.arraycopy(v, 0, bytes, length + 4, v.length);
                    length += 4 + v.length;
                    return;
                }
                bytes[start + i] = (byte) c;
            }
            ValueFormat.putInt(bytes, length, n);
            length = start + n;
        }

        private void ensure(int more) {
            if ((long) length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max(bytes.length * 2L, (long) length + more)));
            }
        }

        /** HMAC( key, "seal2" || u16be(len P) || P || manifest[0, manifestLength) || the bindings ). */
        byte[] mac(SymmetricKey key, String projectId, byte[] manifest, int manifestLength) {
            byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
            if (project.length > 0xffff) {
                throw new IllegalArgumentException("project id longer than 65535 bytes");
            }
            Mac mac = HmacSha256.start(key);
            try {
                mac.update(DOMAIN);
                mac.update((byte) (project.length >>> 8));
                mac.update((byte) project.length);
                mac.update(project);
                mac.update(manifest, 0, manifestLength);
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
