package dev.codec.deploy.pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * podman from the tests: commands with their output, and the codec-server image built once per test
 * JVM from the repository's Dockerfile with scripts/image-build.sh (offline: stand-in base images
 * from scripts/image-standins.sh). These tests run only with {@code -Dcodec.image.tests=true}
 * (.ci/run sets it); then a missing podman is a failure, not a skip.
 */
public final class Podman {
  public static final Path ROOT =
      Path.of(System.getProperty("codec.root", "..")).toAbsolutePath().normalize();

  /**
   * Present in the build context as a developer's files would be, and looked for in every layer.
   */
  public static final String CANARY = "codec-canary-" + UUID.randomUUID();

  private static String image;

  private Podman() {}

  /** Output of a finished command (stdout and stderr together). */
  public record Result(int exitCode, String output) {
    public Result ok(String what) {
      if (exitCode != 0) {
        throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + output);
      }
      return this;
    }
  }

  /** Runs {@code podman ARGS} and waits up to {@code timeoutSeconds}. */
  public static Result run(long timeoutSeconds, String... args) {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    return exec(command, timeoutSeconds);
  }

  public static Result exec(List<String> command, long timeoutSeconds) {
    try {
      Path output = Files.createTempFile("codec-podman-", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .directory(ROOT.toFile())
                .start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(
              String.join(" ", command)
                  + " did not finish within "
                  + timeoutSeconds
                  + " s:\n"
                  + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * The image under test, built on first use. {@code -Dcodec.image=NAME} uses an image built
   * elsewhere instead (no canary check then). Before building, canary files go where a developer's
   * secrets and build output live (.codec-dev/ and codec-server/target/); the image test looks for
   * them in every layer.
   */
  public static synchronized String image() {
    if (image != null) {
      return image;
    }
    Result version = exec(List.of("podman", "--version"), 60);
    if (version.exitCode() != 0) {
      throw new AssertionError(
          "podman is needed for the image tests (-Dcodec.image.tests=true): " + version.output());
    }
    String given = System.getProperty("codec.image", "");
    if (!given.isEmpty()) {
      image = given;
      return image;
    }
    withCanaries(
        () -> {
          exec(List.of("bash", ROOT.resolve("scripts/image-standins.sh").toString()), 900)
              .ok("scripts/image-standins.sh");
          String tag = System.getProperty("codec.image.tag", "localhost/codec-server:deploy-tests");
          exec(List.of("bash", ROOT.resolve("scripts/image-build.sh").toString(), tag), 1200)
              .ok("scripts/image-build.sh");
          image = tag;
        });
    return image;
  }

  /**
   * Runs {@code action} with canary files in .codec-dev/ and codec-server/target/ (removed
   * afterwards).
   */
  public static synchronized void withCanaries(Runnable action) {
    List<Path> canaries =
        List.of(
            ROOT.resolve(".codec-dev/" + CANARY),
            ROOT.resolve("codec-server/target/" + CANARY + ".key"));
    boolean devDirExisted = Files.isDirectory(ROOT.resolve(".codec-dev"));
    try {
      for (Path canary : canaries) {
        Files.createDirectories(canary.getParent());
        Files.writeString(canary, CANARY + "\n");
      }
      action.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (Path canary : canaries) {
        try {
          Files.deleteIfExists(canary);
          if (!devDirExisted) {
            Files.deleteIfExists(ROOT.resolve(".codec-dev"));
          }
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  /** Whether the image was built here with the canaries in the context. */
  public static boolean builtWithCanaries() {
    return System.getProperty("codec.image", "").isEmpty();
  }
}
