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
 *                           || for each variable, in order: u32be(len N) || N || u8 kind || u32be(len V) || V )
 *   seal key = HKDF-SHA256( DEK, salt empty, info "codec/v1 revision-seal" )
 *   P = UTF-8(project_id), N = UTF-8(name), V = UTF-8(stored value: plaintext for PLAIN, ciphertext for SECRET)
 *   kind: 1 = PLAIN, 2 = SECRET; order: by N as unsigned bytes, names unique
 * </pre>
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

    private static byte[] tag(SymmetricKey sealKey, String projectId, List<Encoded> sorted) {
        Mac mac = HmacSha256.start(sealKey);
        byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[4];
        mac.update(DOMAIN);
        mac.update((byte) (project.length >>> 8));
        mac.update((byte) project.length);
        mac.update(project);
        ValueFormat.putInt(header, 0, sorted.size());
        mac.update(header);
        for (Encoded e : sorted) {
            ValueFormat.putInt(header, 0, e.nameBytes.length);
            mac.update(header);
            mac.update(e.nameBytes);
            mac.update(e.kind);
            byte[] value = e.value.getBytes(StandardCharsets.UTF_8);
            ValueFormat.putInt(header, 0, value.length);
            mac.update(header);
            mac.update(value);
        }
        return mac.doFinal();
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
