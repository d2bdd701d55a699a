package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;

import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SealMismatchException;
import dev.codec.server.crypto.SymmetricKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Revision seals as the service uses them (crypto in {@link RevisionSeal}): sealing a variable set,
 * verifying one, and the refusals of a seal that does not match. See docs/grants.md.
 */
final class Seals {
  private Seals() {}

  /**
   * The seal of {@code revision} under the DEK's seal key ({@link DekKeys#sealKey}), or
   * INVALID_ARGUMENT when it would be too long.
   */
  static String seal(SymmetricKey sealKey, String projectId, List<RevisionSeal.Entry> revision)
      throws RejectedRequestException {
    int length = RevisionSeal.sealLength(revision);
    if (length > RevisionSeal.MAX_LENGTH) {
      throw badInput(
          "variables",
          "the seal of these "
              + revision.size()
              + " variables would be "
              + length
              + " characters, more than the "
              + RevisionSeal.MAX_LENGTH
              + " a seal may have (fewer or shorter "
              + "names)");
    }
    return RevisionSeal.seal(sealKey, projectId, revision);
  }

  /** The entries of a stored revision, as sealed. */
  static List<RevisionSeal.Entry> entries(Map<String, StoredVariable> variables) {
    List<RevisionSeal.Entry> entries = new ArrayList<>(variables.size());
    variables.forEach(
        (name, variable) ->
            entries.add(
                new RevisionSeal.Entry(
                    name, variable.kind() == StoredVariable.Kind.SECRET, variable.value())));
    return entries;
  }

  /**
   * Refuses (SEAL_INVALID, SEAL_MISMATCH naming the variables) a variable set that does not match
   * its seal, under the DEK's seal key ({@link DekKeys#sealKey}).
   */
  static void verify(
      SymmetricKey sealKey, String projectId, Map<String, StoredVariable> variables, String seal)
      throws RejectedRequestException {
    try {
      RevisionSeal.verify(
          sealKey,
          projectId,
          variables,
          v -> v.kind() == StoredVariable.Kind.SECRET,
          StoredVariable::value,
          seal);
    } catch (SealMismatchException e) {
      throw refused(e, seal);
    }
  }

  /** SEAL_MISSING: a seal is required ({@code codec.seals.required=true}). */
  static RejectedRequestException missing(String why) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.SEAL_MISSING,
            "seal: required (codec.seals.required=true)" + why)
        .withField("seal", "required (codec.seals.required=true)");
  }

  /** SEAL_INVALID: not a seal at all. */
  static RejectedRequestException notASeal(String detail) {
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.SEAL_INVALID,
            "seal: not a seal" + detail)
        .withField("seal", "not a seal");
  }

  /**
   * SEAL_INVALID: a seal of an earlier layout (seal1, seal2), no longer accepted (re-seal the
   * revision).
   */
  static RejectedRequestException outdated(String seal) {
    String format = RevisionSeal.outdatedFormat(seal);
    return new RejectedRequestException(
            RejectedRequestException.Reason.BAD_INPUT,
            ErrorReason.SEAL_INVALID,
            "seal: " + RevisionSeal.outdatedMessage(format))
        .withField("seal", "outdated format (" + format + ")");
  }

  private static RejectedRequestException refused(SealMismatchException e, String seal) {
    return switch (e.problem()) {
      case MALFORMED -> notASeal(" (malformed)");
      case OUTDATED -> outdated(seal);
      case VALUES_DIFFER ->
          new RejectedRequestException(
              RejectedRequestException.Reason.BAD_INPUT,
              ErrorReason.SEAL_MISMATCH,
              "seal: a value differs from the sealed revision "
                  + "(or the seal was made for another project or DEK)");
      case VARIABLES_DIFFER -> {
        if (e.sealedCount() >= 0) {
          yield new RejectedRequestException(
                  RejectedRequestException.Reason.BAD_INPUT,
                  ErrorReason.SEAL_MISMATCH,
                  "seal: the sealed revision has "
                      + e.sealedCount()
                      + " variables, the request "
                      + e.givenCount()
                      + " (too many missing to name them)")
              .withMetadata("field", "variables");
        }
        StringBuilder message =
            new StringBuilder("seal: the variables differ from the sealed revision:");
        appendNames(message, "not in it (injected or renamed)", e.injected());
        appendNames(message, "missing (dropped or renamed)", e.dropped());
        appendNames(message, "sealed as SECRET, given as PLAIN", e.downgraded());
        appendNames(message, "sealed as PLAIN, given as SECRET", e.upgraded());
        yield new RejectedRequestException(
                RejectedRequestException.Reason.BAD_INPUT,
                ErrorReason.SEAL_MISMATCH,
                message.toString())
            .withMetadata("field", "variables")
            .withVariables("variables", e.injected(), "not in the sealed revision")
            .withVariables("variables", e.dropped(), "missing from the sealed revision")
            .withVariables("variables", e.downgraded(), "sealed as SECRET, given as PLAIN")
            .withVariables("variables", e.upgraded(), "sealed as PLAIN, given as SECRET");
      }
    };
  }

  private static void appendNames(StringBuilder message, String what, List<String> names) {
    if (!names.isEmpty()) {
      message
          .append(message.charAt(message.length() - 1) == ':' ? " " : "; ")
          .append(what)
          .append(" [")
          .append(RequestValidator.names(names))
          .append(']');
    }
  }
}
