package dev.codec.server.crypto;

import java.util.List;

/**
 * A variable set that does not match its seal. Names the variables at fault (names only: never a
 * value); all lists are sorted and empty when not applicable.
 *
 * @see RevisionSeal
 */
public final class SealMismatchException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Problem {
    /** The seal text is not a seal (bad prefix, base64 or structure). */
    MALFORMED,
    /** Names or kinds differ from the sealed set: see the lists. */
    VARIABLES_DIFFER,
    /**
     * Same names and kinds, but a value differs (or the seal was made under another DEK or
     * project).
     */
    VALUES_DIFFER,
    /**
     * A seal of an earlier layout ("seal1:", "seal2:"), no longer accepted: re-seal the revision.
     */
    OUTDATED
  }

  private final Problem problem;
  private final List<String> injected;
  private final List<String> dropped;
  private final List<String> downgraded;
  private final List<String> upgraded;

  private final int sealedCount;
  private final int givenCount;

  SealMismatchException(
      Problem problem,
      List<String> injected,
      List<String> dropped,
      List<String> downgraded,
      List<String> upgraded) {
    this(problem, injected, dropped, downgraded, upgraded, -1, -1);
  }

  private SealMismatchException(
      Problem problem,
      List<String> injected,
      List<String> dropped,
      List<String> downgraded,
      List<String> upgraded,
      int sealedCount,
      int givenCount) {
    super(problem.name(), null, false, false);
    this.problem = problem;
    this.injected = List.copyOf(injected);
    this.dropped = List.copyOf(dropped);
    this.downgraded = List.copyOf(downgraded);
    this.upgraded = List.copyOf(upgraded);
    this.sealedCount = sealedCount;
    this.givenCount = givenCount;
  }

  /**
   * {@link Problem#VARIABLES_DIFFER} told by counts only: the seal lists far more variables than
   * the request holds, too many to name (and to parse, on a refusal path an attacker can reach).
   */
  static SealMismatchException counts(int sealedCount, int givenCount) {
    return new SealMismatchException(
        Problem.VARIABLES_DIFFER,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        sealedCount,
        givenCount);
  }

  /** How many variables the seal lists, when the refusal is told by counts; else -1. */
  public int sealedCount() {
    return sealedCount;
  }

  /** How many variables the request holds, when the refusal is told by counts; else -1. */
  public int givenCount() {
    return givenCount;
  }

  public Problem problem() {
    return problem;
  }

  /** Variables given but not in the sealed set (injected, or the new name of a renamed one). */
  public List<String> injected() {
    return injected;
  }

  /** Variables of the sealed set that are missing (dropped, or the old name of a renamed one). */
  public List<String> dropped() {
    return dropped;
  }

  /** Variables sealed as SECRET but given as PLAIN. */
  public List<String> downgraded() {
    return downgraded;
  }

  /** Variables sealed as PLAIN but given as SECRET. */
  public List<String> upgraded() {
    return upgraded;
  }
}
