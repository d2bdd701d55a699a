package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
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
 *   SECRET: V = UTF-8(first 24 characters of the ciphertext text || last 24 characters) (the whole text
 *           if it has at most 48), L = the text's length in characters
 *   kind: 1 = PLAIN, 2 = SECRET; order: by N as unsigned bytes, names unique
 * </pre>
 *
 * <p>Why only the edges of a SECRET: the first 24 characters hold the format prefix and the whole
 * nonce ("enc2:" + 16 base64 characters for 12 bytes; a legacy value's 16-byte IV fits too), the last
 * 24 the whole GCM tag, and the length pins the rest. DecryptAll authenticates every SECRET with
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
    /** Characters taken from each end of a SECRET value's text. */
    static final int SECRET_EDGE = 24;

    /** One variable as stored: name, kind and stored value (plaintext, or ciphertext for a secret). */
    public record Entry(String name, boolean secret, String value) {
        @Override
        public String toString() {
            return "RevisionSeal.Entry[" + name + (secret ? ", secret]" : ", plain]");
        }
    }

    private RevisionSeal() {}

    /** The seal key of a DEK. The caller owns (and should destroy) it. */
    public static SymmetricKey sealKey(SymmetricKey dek) {
        return Hkdf.deriveKey(dek, Hkdf.REVISION_SEAL_INFO);
    }

    /** The seal of {@code entries} (any order; names must be unique). */
    public static String seal(SymmetricKey sealKey, String projectId, List<Entry> entries) {
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
        List<Encoded> sorted = encode(entries);
        byte[] expectedManifest = manifest(sorted);
        if (!Arrays.equals(expectedManifest, 0, expectedManifest.length, all, 0, manifestLength)) {
            throw differences(parseManifest(all, manifestLength), sorted);
        }
        byte[] expectedTag = tag(sealKey, projectId, sorted);
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
     * The MAC over the canonical encoding, built in one array (one Mac.update: hundreds of small updates
     * cost more than the hashing). A SECRET value enters as its length and its first and last
     * {@value #SECRET_EDGE} characters (see the class comment).
     */
    private static byte[] tag(SymmetricKey sealKey, String projectId, List<Encoded> sorted) {
        byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
        byte[][] values = new byte[sorted.size()][];
        int length = DOMAIN.length + 2 + project.length + 4;
        for (int i = 0; i < sorted.size(); i++) {
            Encoded e = sorted.get(i);
            values[i] = e.kind == SECRET ? secretPart(e.value) : e.value.getBytes(StandardCharsets.UTF_8);
            length += 4 + e.nameBytes.length + 1 + 4 + values[i].length;
        }
        byte[] in = new byte[length];
        System.arraycopy(DOMAIN, 0, in, 0, DOMAIN.length);
        int at = DOMAIN.length;
        in[at++] = (byte) (project.length >>> 8);
        in[at++] = (byte) project.length;
        System.arraycopy(project, 0, in, at, project.length);
        at += project.length;
        ValueFormat.putInt(in, at, sorted.size());
        at += 4;
        for (int i = 0; i < sorted.size(); i++) {
            Encoded e = sorted.get(i);
            ValueFormat.putInt(in, at, e.nameBytes.length);
            at += 4;
            System.arraycopy(e.nameBytes, 0, in, at, e.nameBytes.length);
            at += e.nameBytes.length;
            in[at++] = e.kind;
            ValueFormat.putInt(in, at, e.kind == SECRET ? e.value.length() : values[i].length);
            at += 4;
            System.arraycopy(values[i], 0, in, at, values[i].length);
            at += values[i].length;
        }
        Mac mac = HmacSha256.start(sealKey);
        return mac.doFinal(in);
    }

    /** UTF-8 of the first and last {@value #SECRET_EDGE} characters of a SECRET's text (all of it if shorter). */
    private static byte[] secretPart(String text) {
        if (text.length() <= 2 * SECRET_EDGE) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        return (text.substring(0, SECRET_EDGE) + text.substring(text.length() - SECRET_EDGE))
                .getBytes(StandardCharsets.UTF_8);
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
