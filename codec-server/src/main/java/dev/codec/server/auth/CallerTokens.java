package dev.codec.server.auth;

import java.io.IOException;
import dev.codec.server.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Caller tokens from a mounted directory: one file per caller, file name = caller name, content = its
 * token (surrounding whitespace ignored). Kubernetes' {@code ..data} links and dotfiles are ignored.
 *
 * <p>Only SHA-256 digests of the tokens are kept. A presented token is digested and compared with
 * every known digest in constant time ({@link MessageDigest#isEqual}), so neither timing nor memory
 * reveals a token. {@link #reload()} re-reads the directory (token rotation without a restart); if the
 * directory cannot be read, the previous tokens stay in force.
 */
public final class CallerTokens {
    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Tokens shorter than this are refused at load time: they would be guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private final Path dir;
    private volatile Map<String, byte[]> digests = Map.of();
    private volatile String lastProblem;

    public CallerTokens(Path dir) {
        this.dir = dir;
    }

    /**
     * Re-reads the directory. Files with tokens shorter than {@link #MIN_TOKEN_LENGTH} or unusable names
     * are skipped and reported in the returned summary.
     *
     * @return a one-line summary safe to log (caller names and counts, never tokens)
     */
    public String reload() {
        Map<String, byte[]> loaded = new HashMap<>();
        StringBuilder skipped = new StringBuilder();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(entry)) {
                    continue;
                }
                if (!CALLER_NAME.matcher(name).matches()) {
                    skipped.append(" ").append(name.length() > 40 ? name.substring(0, 40) + "..." : name)
                            .append(" (bad name)");
                    continue;
                }
                byte[] content = Files.readAllBytes(entry);
                byte[] token = SecretBytes.trimWhitespace(content);
                Arrays.fill(content, (byte) 0);
                try {
                    if (token.length < MIN_TOKEN_LENGTH) {
                        skipped.append(" ").append(name).append(" (token shorter than ").append(MIN_TOKEN_LENGTH).append(")");
                        continue;
                    }
                    loaded.put(name, sha256(token));
                } finally {
                    Arrays.fill(token, (byte) 0);
                }
            }
        } catch (IOException e) {
            lastProblem = "caller token directory " + dir + " cannot be read (" + e.getClass().getSimpleName()
                    + "); keeping " + digests.size() + " known callers";
            return lastProblem;
        }
        digests = Map.copyOf(loaded);
        lastProblem = skipped.length() == 0 ? null : "skipped token files:" + skipped;
        return "loaded tokens for " + new java.util.TreeSet<>(loaded.keySet()) + " from " + dir
                + (lastProblem == null ? "" : "; " + lastProblem);
    }

    /** The caller whose token this is, if any. Compares against every caller in constant time. */
    public Optional<String> callerOf(String presentedToken) {
        byte[] presented = sha256(presentedToken.getBytes(StandardCharsets.UTF_8));
        String match = null;
        for (Map.Entry<String, byte[]> entry : digests.entrySet()) {
            if (MessageDigest.isEqual(presented, entry.getValue())) {
                match = entry.getKey();
            }
        }
        return Optional.ofNullable(match);
    }

    /** Number of callers with a loaded token. */
    public int size() {
        return digests.size();
    }

    /** The last reload's problem (skipped files or an unreadable directory), or {@code null}. */
    public String lastProblem() {
        return lastProblem;
    }

    @Override
    public String toString() {
        return "CallerTokens[dir=" + dir + ", callers=" + new java.util.TreeSet<>(digests.keySet()) + "]";
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
