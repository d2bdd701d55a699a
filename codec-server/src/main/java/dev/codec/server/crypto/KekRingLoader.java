package dev.codec.server.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds a {@link KekRing} from a KEK directory or from one base64 key.
 *
 * <p>The directory holds one file per KEK version, named by the version (a positive integer: {@code
 * 1}, {@code 2}, ...), each holding the standard base64 of 32 bytes (surrounding whitespace
 * ignored). Any other entry (Kubernetes' {@code ..data} links and timestamped directories,
 * dotfiles, other names) is ignored. Symbolic links are followed, so a mounted Kubernetes Secret
 * works as is.
 *
 * <p>Key bytes are decoded from the file's bytes directly and never become a {@link String}; every
 * error message names the file or setting at fault, never its content.
 */
public final class KekRingLoader {
  private static final Pattern VERSION_FILE = Pattern.compile("[1-9][0-9]{0,8}");

  private KekRingLoader() {}

  /**
   * Loads every version file of {@code dir}.
   *
   * @param active the version to wrap new DEKs with, or {@code null} for the highest
   * @throws KekLoadException naming the first problem found
   */
  public static KekRing fromDirectory(Path dir, Integer active) throws KekLoadException {
    if (!Files.isDirectory(dir)) {
      throw new KekLoadException(
          Files.exists(dir)
              ? "KEK directory " + dir + " is not a directory"
              : "KEK directory "
                  + dir
                  + " does not exist (set codec.kek.dir / CODEC_KEK_DIR, or CODEC_KEK)");
    }
    Map<Integer, SymmetricKey> keys = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!VERSION_FILE.matcher(name).matches()) {
          continue;
        }
        keys.put(Integer.parseInt(name), readKeyFile(entry));
      }
    } catch (IOException | DirectoryIteratorException e) {
      throw new KekLoadException(
          "KEK directory " + dir + " cannot be read: " + e.getClass().getSimpleName());
    }
    if (keys.isEmpty()) {
      throw new KekLoadException(
          "KEK directory "
              + dir
              + " holds no KEK version files (expected files named 1, 2, ... with a base64 32-byte key)");
    }
    if (active != null && !keys.containsKey(active)) {
      throw new KekLoadException(
          "codec.kek.active is "
              + active
              + " but "
              + dir
              + " has no file named "
              + active
              + " (found versions "
              + new TreeSet<>(keys.keySet())
              + ")");
    }
    return KekRing.of(keys, active);
  }

  /**
   * A ring of one key, version 1, from its base64 text (the {@code CODEC_KEK} environment
   * variable).
   *
   * @param source names where the text came from, for error messages
   */
  public static KekRing fromBase64(String base64, String source) throws KekLoadException {
    byte[] raw = base64.trim().getBytes(StandardCharsets.US_ASCII);
    try {
      return KekRing.of(Map.of(1, decodeKey(raw, source)), null);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static SymmetricKey readKeyFile(Path file) throws KekLoadException {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KekLoadException("KEK file " + file + " is a dangling link");
    } catch (IOException e) {
      throw new KekLoadException(
          "KEK file " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
    byte[] trimmed = SecretBytes.trimWhitespace(content);
    try {
      return decodeKey(trimmed, "KEK file " + file);
    } finally {
      Arrays.fill(content, (byte) 0);
      Arrays.fill(trimmed, (byte) 0);
    }
  }

  private static SymmetricKey decodeKey(byte[] base64, String source) throws KekLoadException {
    if (base64.length == 0) {
      throw new KekLoadException(source + " is empty (expected the base64 of 32 bytes)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new KekLoadException(source + " is not valid base64 (expected the base64 of 32 bytes)");
    }
    try {
      if (key.length != SymmetricKey.KEY_BYTES) {
        throw new KekLoadException(
            source
                + " holds "
                + key.length
                + " bytes, expected "
                + SymmetricKey.KEY_BYTES
                + " (AES-256)");
      }
      return SymmetricKey.copyOf(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }
}
