package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.RevisionSeal.Entry;
import dev.codec.server.crypto.SealMismatchException.Problem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Revision seals: order independence, and every kind of change named (names only). */
class RevisionSealTest {
    private static final String PROJECT = "proj-a";
    private final SymmetricKey dek = SymmetricKey.random();
    private final SymmetricKey key = RevisionSeal.sealKey(dek);
    private final List<Entry> revision = List.of(
            new Entry("STRIPE_SECRET_KEY", true, "enc2:c2VjcmV0"),
            new Entry("NEXT_PUBLIC_GREETING", false, "hello"),
            new Entry("\u00e9T\u00c9", false, "unicode name"));

    @Test
    void seal_verifies_inAnyOrder_andIsNotTheDek() throws Exception {
        String seal = RevisionSeal.seal(key, PROJECT, revision);

        assertTrue(seal.startsWith("seal1:"), seal);
        List<Entry> reversed = new ArrayList<>(revision);
        java.util.Collections.reverse(reversed);
        RevisionSeal.verify(key, PROJECT, reversed, seal);
        assertFalse(seal.contains("hello") || seal.contains("c2VjcmV0"), "no value in the seal");
    }

    @Test
    void injected_dropped_renamed_downgraded_upgraded_areNamed() {
        String seal = RevisionSeal.seal(key, PROJECT, revision);

        SealMismatchException injected = refused(seal, with(revision, new Entry("NODE_OPTIONS", false, "--require x")));
        assertEquals(List.of("NODE_OPTIONS"), injected.injected());
        SealMismatchException dropped = refused(seal, revision.subList(1, 3));
        assertEquals(List.of("STRIPE_SECRET_KEY"), dropped.dropped());
        SealMismatchException renamed = refused(seal, List.of(new Entry("SENTRY_PUBLIC_DSN", true, "enc2:c2VjcmV0"),
                revision.get(1), revision.get(2)));
        assertEquals(List.of("SENTRY_PUBLIC_DSN"), renamed.injected());
        assertEquals(List.of("STRIPE_SECRET_KEY"), renamed.dropped());
        SealMismatchException downgraded = refused(seal, List.of(new Entry("STRIPE_SECRET_KEY", false, "attacker"),
                revision.get(1), revision.get(2)));
        assertEquals(List.of("STRIPE_SECRET_KEY"), downgraded.downgraded());
        SealMismatchException upgraded = refused(seal, List.of(revision.get(0),
                new Entry("NEXT_PUBLIC_GREETING", true, "hello"), revision.get(2)));
        assertEquals(List.of("NEXT_PUBLIC_GREETING"), upgraded.upgraded());
        for (SealMismatchException e : List.of(injected, dropped, renamed, downgraded, upgraded)) {
            assertEquals(Problem.VARIABLES_DIFFER, e.problem());
        }
    }

    @Test
    void changedValue_otherDek_otherProject_areValuesDiffer() {
        String seal = RevisionSeal.seal(key, PROJECT, revision);

        assertEquals(Problem.VALUES_DIFFER, refused(seal, List.of(revision.get(0),
                new Entry("NEXT_PUBLIC_GREETING", false, "hellO"), revision.get(2))).problem());
        assertEquals(Problem.VALUES_DIFFER, assertThrows(SealMismatchException.class, () -> RevisionSeal.verify(
                RevisionSeal.sealKey(SymmetricKey.random()), PROJECT, revision, seal)).problem());
        assertEquals(Problem.VALUES_DIFFER, assertThrows(SealMismatchException.class,
                () -> RevisionSeal.verify(key, "proj-b", revision, seal)).problem());
    }

    @Test
    void emptySet_sealsAndVerifies() throws Exception {
        RevisionSeal.verify(key, PROJECT, List.of(), RevisionSeal.seal(key, PROJECT, List.of()));
    }

    @Test
    void everySingleCharacterChange_isRefused() {
        String seal = RevisionSeal.seal(key, PROJECT, revision);
        for (int i = 0; i < seal.length(); i++) {
            for (char c : "AQgw/+=:".toCharArray()) {
                if (seal.charAt(i) != c) {
                    String changed = seal.substring(0, i) + c + seal.substring(i + 1);
                    assertThrows(SealMismatchException.class, () -> RevisionSeal.verify(key, PROJECT, revision, changed),
                            changed);
                }
            }
        }
    }

    @Test
    void garbage_isMalformed() {
        for (String text : new String[] {"", "seal1:", "seal2:AAAA", "seal1:AAAA", "seal1:not base64", "enc2:AAAA"}) {
            assertEquals(Problem.MALFORMED, refused(text, revision).problem(), text);
        }
    }

    private SealMismatchException refused(String seal, List<Entry> given) {
        return assertThrows(SealMismatchException.class, () -> RevisionSeal.verify(key, PROJECT, given, seal));
    }

    private static List<Entry> with(List<Entry> base, Entry extra) {
        List<Entry> out = new ArrayList<>(base);
        out.add(extra);
        return out;
    }

    @Test
    void refusedSeal_ofHugePlainValues_leavesNoHugeBufferOnTheThread() {
        List<Entry> big = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            big.add(new Entry(String.format("A_%02d", i), false, "x".repeat(60_000))); // 2.4 MB of PLAIN values
        }
        big.add(new Entry("Z_LAST", true, "enc2:c2VjcmV0"));
        String seal = RevisionSeal.seal(key, PROJECT, big);
        assertTrue(RevisionSeal.macBufferCapacity() <= 1024 * 1024, "after sealing");

        List<Entry> downgraded = new ArrayList<>(big.subList(0, 40));
        downgraded.add(new Entry("Z_LAST", false, "attacker")); // mismatch found after every big value was added
        SealMismatchException e = assertThrows(SealMismatchException.class,
                () -> RevisionSeal.verify(key, PROJECT, downgraded, seal));
        assertEquals(List.of("Z_LAST"), e.downgraded());
        assertTrue(RevisionSeal.macBufferCapacity() <= 1024 * 1024,
                "after a refusal: " + RevisionSeal.macBufferCapacity() + " bytes kept");
    }

    @Test
    void sealLongerThanAnyVerifierAccepts_isNotMade() {
        List<Entry> many = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            many.add(new Entry(String.format("%05d_", i) + "\u00e9".repeat(120), false, "v")); // ~250 bytes per name
        }
        assertTrue(RevisionSeal.sealLength(many) > RevisionSeal.MAX_LENGTH, "" + RevisionSeal.sealLength(many));
        assertThrows(IllegalArgumentException.class, () -> RevisionSeal.seal(key, PROJECT, many));

        List<Entry> fits = many.subList(0, 100);
        assertEquals(RevisionSeal.sealLength(fits), RevisionSeal.seal(key, PROJECT, fits).length(),
                "sealLength is the exact length");
    }
}
