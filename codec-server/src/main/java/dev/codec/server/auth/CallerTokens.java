package dev.codec.server.auth;

import dev.codec.server.crypto.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caller tokens from a mounted directory (a Kubernetes Secret): each file holds one token
 * (surrounding whitespace ignored). The file name says whose token it is: {@code <caller>} or
 * {@code <caller>.<label>} (for example {@code runner} and {@code runner.next}), so a caller can
 * hold two valid tokens while its token is rotated. Caller names are {@code
 * [A-Za-z0-9][A-Za-z0-9_-]*} (no dot), labels {@code [A-Za-z0-9_-]{1,32}}; both are valid Secret
 * keys. Kubernetes' {@code ..data} links and dotfiles are ignored.
 *
 * <p>Only SHA-256 digests of the tokens are kept, with each token's {@link TokenId}. A presented
 * token is digested and compared with every known digest in constant time ({@link
 * MessageDigest#isEqual}), so neither timing nor memory reveals a token.
 *
 * <p>A token that appears for two different callers is refused for both (fail closed: nobody can
 * tell which caller presents it); each caller's other tokens keep working. One WARN line names the
 * callers and the token id when this starts, and one when it is resolved.
 *
 * <p>{@link #reload()} (or {@link #load()}) re-reads the directory (token rotation without a
 * restart); if the directory cannot be read, the previous tokens stay in force.
 */
public final class CallerTokens {
  private static final Logger LOG = LoggerFactory.getLogger(CallerTokens.class);
  private static final Pattern FILE_NAME =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]{0,127})(?:\\.([A-Za-z0-9_-]{1,32}))?");

  /** Tokens shorter than this are refused at load time: they would be guessable. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** A known token: whose it is, its digest and its id. */
  private static final
  class Entry { // a class, not a record: a record would compare its array by identity
    private final String caller;
    private final byte[] digest;
    private final String tokenId;

    private Entry(String caller, byte[] digest, String tokenId) {
      this.caller = caller;
      this.digest = digest;
      this.tokenId = tokenId;
    }

    private String caller() {
      return caller;
    }

    private byte[] digest() {
      return digest;
    }

    private String tokenId() {
      return tokenId;
    }
  }

  /** Who a presented token belongs to, and the token's id (safe to log). */
  public record Match(String caller, String tokenId) {}

  private final Path dir;
  private volatile List<Entry> entries = List.of();
  private volatile String lastProblem;
  private volatile String lastSharedWarning;

  public CallerTokens(Path dir) {
    this.dir = dir;
  }

  /**
   * Re-reads the directory. Files with tokens shorter than {@link #MIN_TOKEN_LENGTH} or unusable
   * names are skipped, and tokens shared by two callers are refused; both are reported in the
   * returned summary.
   *
   * @return a one-line summary safe to log (caller names, token ids and counts, never tokens)
   */
  public String reload() {
    try {
      return load();
    } catch (IOException e) {
      return lastProblem;
    }
  }

  /**
   * Like {@link #reload()}, but an unreadable directory is an exception (the previous tokens stay
   * in force): for the server's reload schedule, which logs and counts failures the same way for
   * every secret.
   *
   * @throws IOException naming the directory (and recorded in {@link #lastProblem()})
   */
  public String load() throws IOException {
    Map<String, Entry> byDigest = new HashMap<>(); // hex digest -> first entry seen
    Map<String, Set<String>> callersByDigest = new HashMap<>();
    List<Entry> loaded = new ArrayList<>();
    StringBuilder skipped = new StringBuilder();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(file)) {
          continue;
        }
        Matcher matcher = FILE_NAME.matcher(name);
        if (!matcher.matches()) {
          skipped
              .append(" ")
              .append(name.length() > 40 ? name.substring(0, 40) + "..." : name)
              .append(" (bad name)");
          continue;
        }
        String caller = matcher.group(1);
        byte[] content = Files.readAllBytes(file);
        byte[] token = SecretBytes.trimWhitespace(content);
        Arrays.fill(content, (byte) 0);
        try {
          if (token.length < MIN_TOKEN_LENGTH) {
            skipped
                .append(" ")
                .append(name)
                .append(" (token shorter than ")
                .append(MIN_TOKEN_LENGTH)
                .append(")");
            continue;
          }
          Entry entry = new Entry(caller, sha256(token), TokenId.of(token));
          String key = java.util.HexFormat.of().formatHex(entry.digest());
          callersByDigest.computeIfAbsent(key, k -> new TreeSet<>()).add(caller);
          if (byDigest.putIfAbsent(key, entry) == null) {
            loaded.add(entry);
          }
        } finally {
          Arrays.fill(token, (byte) 0);
        }
      }
    } catch (IOException e) {
      lastProblem =
          "caller token directory "
              + dir
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "); keeping "
              + callers().size()
              + " known callers";
      throw new IOException(lastProblem, e);
    }
    List<String> shared = new ArrayList<>();
    loaded.removeIf(
        entry -> {
          Set<String> owners =
              callersByDigest.get(java.util.HexFormat.of().formatHex(entry.digest()));
          if (owners.size() > 1) {
            shared.add("token " + entry.tokenId() + " of " + owners);
            return true;
          }
          return false;
        });
    entries = List.copyOf(loaded);
    warnAboutSharedTokens(shared);
    StringBuilder problems =
        new StringBuilder(skipped.length() == 0 ? "" : "skipped token files:" + skipped);
    if (!shared.isEmpty()) {
      problems
          .append(problems.length() == 0 ? "" : "; ")
          .append("refused shared tokens: ")
          .append(String.join(", ", shared));
    }
    lastProblem = problems.length() == 0 ? null : problems.toString();
    return "loaded tokens "
        + describe(loaded)
        + " from "
        + dir
        + (lastProblem == null ? "" : "; " + lastProblem);
  }

  private void warnAboutSharedTokens(List<String> shared) {
    String warning = shared.isEmpty() ? null : String.join(", ", shared);
    if (java.util.Objects.equals(warning, lastSharedWarning)) {
      return;
    }
    if (warning != null) {
      LOG.warn(
          "Refusing caller tokens that two callers share (nobody could tell them apart; their other"
              + " tokens still work): {}. Give each caller its own token.",
          warning);
    } else {
      LOG.warn("No caller token is shared any more");
    }
    lastSharedWarning = warning;
  }

  /** Caller names with their token ids, e.g. {@code {runner=[3f2a..., 9c01...]}}: safe to log. */
  private static Map<String, List<String>> describe(List<Entry> loaded) {
    Map<String, List<String>> out = new TreeMap<>();
    loaded.forEach(e -> out.computeIfAbsent(e.caller(), k -> new ArrayList<>()).add(e.tokenId()));
    out.values().forEach(ids -> ids.sort(null));
    return out;
  }

  /**
   * The caller whose token this is, if any. Compares against every known token in constant time per
   * token (the loop does not stop at a match).
   */
  public Optional<Match> match(String presentedToken) {
    byte[] presented = sha256(presentedToken.getBytes(StandardCharsets.UTF_8));
    Entry match = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(presented, entry.digest())) {
        match = entry;
      }
    }
    return match == null
        ? Optional.empty()
        : Optional.of(new Match(match.caller(), match.tokenId()));
  }

  /** The caller whose token this is, if any. */
  public Optional<String> callerOf(String presentedToken) {
    return match(presentedToken).map(Match::caller);
  }

  /** Number of callers with at least one loaded token. */
  public int size() {
    return callers().size();
  }

  private Set<String> callers() {
    Set<String> callers = new TreeSet<>();
    entries.forEach(e -> callers.add(e.caller()));
    return callers;
  }

  /**
   * The last reload's problem (skipped files, shared tokens or an unreadable directory), or {@code
   * null}.
   */
  public String lastProblem() {
    return lastProblem;
  }

  @Override
  public String toString() {
    return "CallerTokens[dir=" + dir + ", callers=" + callers() + "]";
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
