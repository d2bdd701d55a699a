package dev.codec.client.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates a new random 256-bit KEK, printed as base64 or written to a file readable by its owner
 * only.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generates a new KEK: 32 random bytes, base64.",
      "Without --out it is printed to stdout (pipe it straight into a Kubernetes Secret); with "
          + "--out it is written to FILE with mode 0600 and nothing secret is printed."
    })
final class KeygenCommand implements Callable<Integer> {
  static final int KEY_BYTES = 32;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_KEYGEN_OUT}",
      description =
          "Write the KEK to FILE (mode 0600). Name the file by its version (1, 2, ...) to use it"
              + " in a KEK directory (env CODEC_KEYGEN_OUT).")
  Path out;

  /**
   * The one option without an environment variable: replacing a KEK file is asked for each time.
   */
  @Option(
      names = "--force",
      description = "Replace FILE if it exists (never taken from the environment).")
  boolean force;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] line =
        (Base64.getEncoder().encodeToString(key) + "\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Arrays.fill(key, (byte) 0);
    try {
      PrintWriter stdout = spec.commandLine().getOut();
      if (out == null) {
        stdout.print(new String(line, java.nio.charset.StandardCharsets.US_ASCII));
        stdout.flush();
      } else {
        writeOwnerOnly(out, line, force);
        stdout.println("wrote a new KEK to " + out + " (mode 0600)");
        stdout.flush();
      }
    } finally {
      Arrays.fill(line, (byte) 0);
    }
    return 0;
  }

  /**
   * Writes {@code content} to a new file created with mode 0600 (never world-readable, even
   * briefly).
   */
  static void writeOwnerOnly(Path file, byte[] content, boolean replace) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    if (!replace && Files.exists(absolute, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(file + " exists (use --force to replace it)");
    }
    Path temp =
        Files.createTempFile(
            dir,
            ".keygen-",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (OutputStream stream = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        stream.write(content);
      }
      Files.move(
          temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
