package dev.codec.server.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.crypto.RevisionSeal.Entry;
import dev.codec.server.crypto.SealMismatchException.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Revision seals: order independence, and every kind of change named (names only). */
class RevisionSealTest {
  private static final String PROJECT = "proj-a";
  private final SymmetricKey dek = SymmetricKey.random();
  private final SymmetricKey key = RevisionSeal.sealKey(dek);
  private final List<Entry> revision =
      List.of(
          new Entry("STRIPE_SECRET_KEY", true, "enc2:c2VjcmV0"),
          new Entry("NEXT_PUBLIC_GREETING", false, "hello"),
          new Entry("\u00e9T\u00c9", false, "unicode name"));

  @Test
  void seal_verifies_inAnyOrder_andIsNotTheDek() throws Exception {
    String seal = RevisionSeal.seal(key, PROJECT, revision);

    assertTrue(seal.startsWith("seal3:"), seal);
    List<Entry> reversed = new ArrayList<>(revision);
    java.util.Collections.reverse(reversed);
    RevisionSeal.verify(key, PROJECT, reversed, seal);
    assertFalse(seal.contains("hello") || seal.contains("c2VjcmV0"), "no value in the seal");
  }

  @Test
  void injected_dropped_renamed_downgraded_upgraded_areNamed() {
    String seal = RevisionSeal.seal(key, PROJECT, revision);

    SealMismatchException injected =
        refused(seal, with(revision, new Entry("NODE_OPTIONS", false, "--require x")));
    assertEquals(List.of("NODE_OPTIONS"), injected.injected());
    SealMismatchException dropped = refused(seal, revision.subList(1, 3));
    assertEquals(List.of("STRIPE_SECRET_KEY"), dropped.dropped());
    SealMismatchException renamed =
        refused(
            seal,
            List.of(
                new Entry("SENTRY_PUBLIC_DSN", true, "enc2:c2VjcmV0"),
                revision.get(1),
                revision.get(2)));
    assertEquals(List.of("SENTRY_PUBLIC_DSN"), renamed.injected());
    assertEquals(List.of("STRIPE_SECRET_KEY"), renamed.dropped());
    SealMismatchException downgraded =
        refused(
            seal,
            List.of(
                new Entry("STRIPE_SECRET_KEY", false, "attacker"),
                revision.get(1),
                revision.get(2)));
    assertEquals(List.of("STRIPE_SECRET_KEY"), downgraded.downgraded());
    SealMismatchException upgraded =
        refused(
            seal,
            List.of(
                revision.get(0),
                new Entry("NEXT_PUBLIC_GREETING", true, "hello"),
                revision.get(2)));
    assertEquals(List.of("NEXT_PUBLIC_GREETING"), upgraded.upgraded());
    for (SealMismatchException e : List.of(injected, dropped, renamed, downgraded, upgraded)) {
      assertEquals(Problem.VARIABLES_DIFFER, e.problem());
    }
  }

  /** Names of {@code blocks} two-character blocks of "Aa" and "BB": all share one hash code. */
  private static List<String> collidingNames(int blocks) {
    List<String> names = new ArrayList<>();
    for (int bits = 0; bits < 1 << blocks; bits++) {
      StringBuilder name = new StringBuilder("V");
      for (int b = 0; b < blocks; b++) {
        name.append((bits >> b & 1) == 0 ? "Aa" : "BB");
      }
      names.add(name.toString());
    }
    return names;
  }

  @Test
  void namesSharingOneHashCode_sealAndVerify_inAnyOrder_andAChangeIsNamed() throws Exception {
    List<String> names = collidingNames(11); // 2,048 names, one hash code
    assertEquals(1, names.stream().mapToInt(String::hashCode).distinct().count());
    List<Entry> entries = new ArrayList<>();
    for (String name : names) {
      entries.add(new Entry(name, false, "v-" + name));
    }
    String seal = RevisionSeal.seal(key, PROJECT, entries);

    List<Entry> shuffled = new ArrayList<>(entries);
    java.util.Collections.shuffle(shuffled, new java.util.Random(7));
    RevisionSeal.verify(key, PROJECT, shuffled, seal);
    SealMismatchException dropped = refused(seal, shuffled.subList(1, shuffled.size()));
    assertEquals(List.of(shuffled.get(0).name()), dropped.dropped());
    List<Entry> twice = with(entries, new Entry(names.get(5), false, "again"));
    assertThrows(
        IllegalArgumentException.class, () -> RevisionSeal.seal(key, PROJECT, twice), "unique");
  }

  @Test
  void sealListingFarMoreVariablesThanTheRequest_isRefusedByCounts_withoutNames() {
    List<Entry> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(new Entry("V" + i, false, "v"));
    }
    String seal = RevisionSeal.seal(key, PROJECT, many);

    SealMismatchException byCounts = refused(seal, many.subList(0, 10));
    assertEquals(Problem.VARIABLES_DIFFER, byCounts.problem());
    assertEquals(200, byCounts.sealedCount());
    assertEquals(10, byCounts.givenCount());
    assertTrue(byCounts.dropped().isEmpty(), "not parsed, not named");

    int within = 200 - RevisionSeal.MAX_NAMES_BEYOND_REQUEST;
    SealMismatchException named = refused(seal, many.subList(0, within));
    assertEquals(-1, named.sealedCount());
    assertEquals(RevisionSeal.MAX_NAMES_BEYOND_REQUEST, named.dropped().size());
  }

  @Test
  void changedValue_otherDek_otherProject_areValuesDiffer() {
    String seal = RevisionSeal.seal(key, PROJECT, revision);

    assertEquals(
        Problem.VALUES_DIFFER,
        refused(
                seal,
                List.of(
                    revision.get(0),
                    new Entry("NEXT_PUBLIC_GREETING", false, "hellO"),
                    revision.get(2)))
            .problem());
    assertEquals(
        Problem.VALUES_DIFFER,
        assertThrows(
                SealMismatchException.class,
                () ->
                    RevisionSeal.verify(
                        RevisionSeal.sealKey(SymmetricKey.random()), PROJECT, revision, seal))
            .problem());
    assertEquals(
        Problem.VALUES_DIFFER,
        assertThrows(
                SealMismatchException.class,
                () -> RevisionSeal.verify(key, "proj-b", revision, seal))
            .problem());
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
          assertThrows(
              SealMismatchException.class,
              () -> RevisionSeal.verify(key, PROJECT, revision, changed),
              changed);
        }
      }
    }
  }

  @Test
  void garbage_isMalformed() {
    for (String text :
        new String[] {
          "",
          "seal3:",
          "seal3:AAAA",
          "seal3:not base64",
          "seal3:" + "A".repeat(38) + "==" + "AAAA",
          "seal3:" + "\u00e9".repeat(44),
          "SEAL3:AAAA",
          "seal4:AAAA",
          "enc2:AAAA",
          "seal3:" + Base64.getEncoder().encodeToString(new byte[31]),
          "seal3:" + Base64.getEncoder().encodeToString(new byte[35])
        }) {
      assertEquals(Problem.MALFORMED, refused(text, revision).problem(), text);
    }
  }

  /**
   * A genuine seal of the first layout, made by the seal1 code for {@link #revision} under {@link
   * #FIXED_DEK}.
   */
  private static final String SEAL1 =
      "seal1:AAAAAwAUTkVYVF9QVUJMSUNfR1JFRVRJTkcBABFTVFJJUEVfU0VDUkVUX0tFWQIABcOpVMO"
          + "JASuCwp4Vo+5PIzum6oqOgtXsPPEpxYO/rPriX5cVySUN";

  private static final byte[] FIXED_DEK = new byte[32];

  static {
    for (int i = 0; i < FIXED_DEK.length; i++) {
      FIXED_DEK[i] = (byte) (i + 1);
    }
  }

  @Test
  void seal1_evenAGenuineOne_isOutdated_andASeal2OfTheSameRevisionVerifies() throws Exception {
    SymmetricKey fixedKey = RevisionSeal.sealKey(SymmetricKey.copyOf(FIXED_DEK));

    assertEquals(
        Problem.OUTDATED,
        assertThrows(
                SealMismatchException.class,
                () -> RevisionSeal.verify(fixedKey, PROJECT, revision, SEAL1))
            .problem());
    assertEquals(Problem.OUTDATED, refused("seal1:AAAA", revision).problem());
    assertTrue(RevisionSeal.isOutdated(SEAL1));
    assertFalse(RevisionSeal.looksLikeSeal(SEAL1));
    RevisionSeal.verify(
        fixedKey, PROJECT, revision, RevisionSeal.seal(fixedKey, PROJECT, revision));
  }

  @Test
  void seal2_isOutdated_withItsName() {
    String seal = RevisionSeal.seal(key, PROJECT, revision);
    String seal2 = "seal2:" + seal.substring("seal3:".length());

    assertEquals(Problem.OUTDATED, refused(seal2, revision).problem());
    assertEquals("seal2", RevisionSeal.outdatedFormat(seal2));
    assertEquals("seal1", RevisionSeal.outdatedFormat(SEAL1));
    assertEquals(null, RevisionSeal.outdatedFormat(seal));
    assertTrue(RevisionSeal.outdatedMessage("seal2").startsWith("seal2 is no longer accepted"));
    assertEquals(null, RevisionSeal.binding(seal2), "a grant cannot be bound to a seal2 seal");
  }

  @Test
  void sameRevisionSealedTwice_givesTwoSeals_withFreshNonces_bothVerify() throws Exception {
    String one = RevisionSeal.seal(key, PROJECT, revision);
    String two = RevisionSeal.seal(key, PROJECT, revision);

    assertFalse(one.equals(two), "a random nonce per seal");
    assertFalse(
        Arrays.equals(
            Arrays.copyOf(RevisionSeal.binding(one), 12),
            Arrays.copyOf(RevisionSeal.binding(two), 12)));
    RevisionSeal.verify(key, PROJECT, revision, one);
    RevisionSeal.verify(key, PROJECT, revision, two);
    // the nonce of one with the tag and manifest of the other is no seal
    String mixed = "seal3:" + one.substring(6, 22) + two.substring(22);
    assertEquals(Problem.VALUES_DIFFER, refused(mixed, revision).problem());
  }

  @Test
  void binding_isTheSealsNonceAndTag_andNullForGarbage() {
    String seal = RevisionSeal.seal(key, PROJECT, realistic());
    byte[] all = Base64.getDecoder().decode(seal.substring("seal3:".length()));

    assertTrue(
        Arrays.equals(Arrays.copyOf(all, RevisionSeal.BINDING_BYTES), RevisionSeal.binding(seal)));
    for (String text :
        new String[] {"", "seal3:", "seal3:AAAA", "seal3:" + "!".repeat(60), "enc2:" + seal}) {
      assertEquals(null, RevisionSeal.binding(text), text);
    }
  }

  @Test
  void everyByteOfTheSeal_changed_isRefused() {
    String seal = RevisionSeal.seal(key, PROJECT, realistic());
    byte[] all = Base64.getDecoder().decode(seal.substring("seal3:".length()));
    for (int i = 0; i < all.length; i++) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] changed = all.clone();
        changed[i] ^= (byte) mask;
        String text = "seal3:" + Base64.getEncoder().encodeToString(changed);
        assertThrows(
            SealMismatchException.class,
            () -> RevisionSeal.verify(key, PROJECT, realistic(), text),
            "byte " + i + " ^ " + mask);
      }
    }
    byte[] shorter = Arrays.copyOf(all, all.length - 1);
    byte[] longer = Arrays.copyOf(all, all.length + 1);
    for (byte[] changed : List.of(shorter, longer)) {
      String text = "seal3:" + Base64.getEncoder().encodeToString(changed);
      assertThrows(
          SealMismatchException.class, () -> RevisionSeal.verify(key, PROJECT, realistic(), text));
    }
  }

  @Test
  void everyCharacterOfEveryNameAndPlainValue_andOfEachSecretsTail_changed_isRefused() {
    List<Entry> sealed = realistic();
    String seal = RevisionSeal.seal(key, PROJECT, sealed);
    for (int v = 0; v < sealed.size(); v++) {
      Entry entry = sealed.get(v);
      for (int i = 0; i < entry.name().length(); i++) {
        Entry renamed = new Entry(changeAt(entry.name(), i), entry.secret(), entry.value());
        SealMismatchException e = refused(seal, replace(sealed, v, renamed));
        assertEquals(Problem.VARIABLES_DIFFER, e.problem());
        assertEquals(List.of(entry.name()), e.dropped());
        assertEquals(List.of(renamed.name()), e.injected());
      }
      int from = entry.secret() ? entry.value().length() - RevisionSeal.SECRET_TAIL : 0;
      for (int i = from; i < entry.value().length(); i++) {
        Entry changed = new Entry(entry.name(), entry.secret(), changeAt(entry.value(), i));
        assertEquals(
            Problem.VALUES_DIFFER,
            refused(seal, replace(sealed, v, changed)).problem(),
            entry.name() + " at " + i);
      }
      Entry otherKind = new Entry(entry.name(), !entry.secret(), entry.value());
      SealMismatchException kind = refused(seal, replace(sealed, v, otherKind));
      assertEquals(List.of(entry.name()), entry.secret() ? kind.downgraded() : kind.upgraded());
      if (!entry.secret()) {
        for (String value : new String[] {entry.value() + "x", entry.value().substring(1), ""}) {
          assertEquals(
              Problem.VALUES_DIFFER,
              refused(seal, replace(sealed, v, new Entry(entry.name(), false, value))).problem(),
              value);
        }
      }
    }
  }

  @Test
  void valuesSwappedBetweenNames_areRefused() {
    List<Entry> sealed = realistic();
    String seal = RevisionSeal.seal(key, PROJECT, sealed);
    Entry a = sealed.get(0);
    Entry b = sealed.get(1); // both SECRET
    List<Entry> swapped =
        replace(
            replace(sealed, 0, new Entry(a.name(), true, b.value())),
            1,
            new Entry(b.name(), true, a.value()));
    assertEquals(Problem.VALUES_DIFFER, refused(seal, swapped).problem());
    Entry p = sealed.get(3);
    Entry q = sealed.get(4); // both PLAIN
    List<Entry> plainSwapped =
        replace(
            replace(sealed, 3, new Entry(p.name(), false, q.value())),
            4,
            new Entry(q.name(), false, p.value()));
    assertEquals(Problem.VALUES_DIFFER, refused(seal, plainSwapped).problem());
  }

  @Test
  void nonAsciiValues_sealAndVerify_andAChangeIsRefused() throws Exception {
    List<Entry> odd =
        List.of(
            new Entry("P", false, "gr\u00fc\u00dfe \ud83d\ude00"),
            new Entry("S", true, "enc2:" + "A".repeat(30) + "\u00e9\ud83d\ude00" + "B".repeat(10)),
            new Entry("T", true, "\ude00" + "C".repeat(23)),
            new Entry("E", false, ""));
    String seal = RevisionSeal.seal(key, PROJECT, odd);
    RevisionSeal.verify(key, PROJECT, odd, seal);
    assertEquals(
        Problem.VALUES_DIFFER,
        refused(seal, replace(odd, 0, new Entry("P", false, "gr\u00fc\u00dfe \ud83d\ude01")))
            .problem());
    assertEquals(
        Problem.VALUES_DIFFER,
        refused(
                seal,
                replace(
                    odd,
                    1,
                    new Entry(
                        "S",
                        true,
                        "enc2:" + "A".repeat(30) + "\u00e8\ud83d\ude00" + "B".repeat(10))))
            .problem());
  }

  /** Three SECRETs shaped like real enc2 values (24+ characters), two PLAIN values. */
  private static List<Entry> realistic() {
    return List.of(
        new Entry(
            "DB_PASSWORD",
            true,
            "enc2:" + Base64.getEncoder().encodeToString(TestBytes.pattern(12 + 9 + 16))),
        new Entry(
            "STRIPE_SECRET_KEY",
            true,
            "enc2:" + Base64.getEncoder().encodeToString(TestBytes.pattern(12 + 100 + 16))),
        new Entry(
            "X",
            true,
            "enc1:" + Base64.getEncoder().encodeToString(TestBytes.pattern(12 + 1 + 16))),
        new Entry("NEXT_PUBLIC_GREETING", false, "hello"),
        new Entry("NODE_ENV", false, "production"));
  }

  private static String changeAt(String text, int i) {
    char c = text.charAt(i);
    return text.substring(0, i) + (c == 'A' ? 'B' : 'A') + text.substring(i + 1);
  }

  private static List<Entry> replace(List<Entry> base, int index, Entry entry) {
    List<Entry> out = new ArrayList<>(base);
    out.set(index, entry);
    return out;
  }

  /**
   * The request's variables as the endpoint passes them: a LinkedHashMap in the request's order
   * (the Java client sends a sealed set in the seal's order).
   */
  private void verifyInOrder(List<Entry> ordered, String seal) throws SealMismatchException {
    Map<String, Entry> variables = new LinkedHashMap<>();
    ordered.forEach(e -> variables.put(e.name(), e));
    RevisionSeal.verify(key, PROJECT, variables, Entry::secret, Entry::value, seal);
  }

  @Test
  void setInTheSealsOrder_reversed_orWithOneHashsNamesReversed_verifies_andAChangeIsRefused()
      throws Exception {
    List<Entry> entries = new ArrayList<>(realistic());
    for (String name : collidingNames(3)) { // 8 names, one hash code
      entries.add(new Entry(name, false, "v-" + name));
    }
    String seal = RevisionSeal.seal(key, PROJECT, entries);
    Comparator<Entry> byHash = Comparator.comparingInt(e -> e.name().hashCode());
    List<Entry> canonical = new ArrayList<>(entries);
    canonical.sort(byHash.thenComparing(Entry::name));

    verifyInOrder(canonical, seal);
    List<Entry> reversed = new ArrayList<>(canonical);
    Collections.reverse(reversed);
    verifyInOrder(reversed, seal);
    // hash codes in order: the names sharing one must still be put in order
    List<Entry> namesReversed = new ArrayList<>(entries);
    namesReversed.sort(byHash.thenComparing(Entry::name, Comparator.reverseOrder()));
    verifyInOrder(namesReversed, seal);

    List<Entry> changed = new ArrayList<>(canonical);
    Entry last = changed.get(changed.size() - 1);
    changed.set(changed.size() - 1, new Entry(last.name(), last.secret(), last.value() + "x"));
    assertThrows(SealMismatchException.class, () -> verifyInOrder(changed, seal));
  }

  private SealMismatchException refused(String seal, List<Entry> given) {
    return assertThrows(
        SealMismatchException.class, () -> RevisionSeal.verify(key, PROJECT, given, seal));
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
      big.add(
          new Entry(
              String.format("A_%02d", i), false, "x".repeat(60_000))); // 2.4 MB of PLAIN values
    }
    big.add(new Entry("Z_LAST", true, "enc2:c2VjcmV0"));
    String seal = RevisionSeal.seal(key, PROJECT, big);
    assertTrue(RevisionSeal.macBufferCapacity() <= 1024 * 1024, "after sealing");

    List<Entry> downgraded = new ArrayList<>(big.subList(0, 40));
    downgraded.add(
        new Entry("Z_LAST", false, "attacker")); // mismatch found after every big value was added
    SealMismatchException e =
        assertThrows(
            SealMismatchException.class, () -> RevisionSeal.verify(key, PROJECT, downgraded, seal));
    assertEquals(List.of("Z_LAST"), e.downgraded());
    assertTrue(
        RevisionSeal.macBufferCapacity() <= 1024 * 1024,
        "after a refusal: " + RevisionSeal.macBufferCapacity() + " bytes kept");
  }

  @Test
  void sealLongerThanAnyVerifierAccepts_isNotMade() {
    List<Entry> many = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      many.add(
          new Entry(
              String.format("%05d_", i) + "\u00e9".repeat(120), false, "v")); // ~250 bytes per name
    }
    assertTrue(
        RevisionSeal.sealLength(many) > RevisionSeal.MAX_LENGTH,
        "" + RevisionSeal.sealLength(many));
    assertThrows(IllegalArgumentException.class, () -> RevisionSeal.seal(key, PROJECT, many));

    List<Entry> fits = many.subList(0, 100);
    assertEquals(
        RevisionSeal.sealLength(fits),
        RevisionSeal.seal(key, PROJECT, fits).length(),
        "sealLength is the exact length");
  }
}
