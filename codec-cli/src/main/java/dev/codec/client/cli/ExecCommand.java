package dev.codec.client.cli;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Decrypts a deployment's variables once and runs a command with them added to its environment: a
 * container entrypoint wrapper for runners.
 */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a command with a deployment's variables.",
      "Decrypts the variables (one DecryptAll call, with the metadata's grant and seal) and "
          + "runs CMD with them added to its environment, without codec-cli's own CODEC_* settings "
          + "(token file, target, TLS files). Values are never printed or written to disk. CMD is "
          + "found through PATH. On JDK 22+ codec-cli replaces itself with CMD (execve: same PID, "
          + "CMD gets every signal and its exit code is the process's own, no JVM stays resident); "
          + "otherwise (or with --mode child) CMD runs as a child with inherited stdin/stdout/stderr, "
          + "SIGTERM/SIGINT/SIGHUP are forwarded to it as SIGTERM, and codec-cli exits with its exit "
          + "code. The call is always made unless --allow-unsealed-plain is given. If the codec cannot be "
          + "reached or refuses the call, CMD is not started: one line starting 'codec-cli:' on "
          + "stderr, and an exit code of codec-cli's own (64-78)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "N:the exit code of CMD (128+S if it died of signal S)",
      "64-78:CMD was not started; codec-cli's own failure (see codec-cli --help)",
      "127:CMD could not be started (not found in PATH, not executable)"
    })
final class ExecCommand implements Callable<Integer> {
  static final int EXIT_CANNOT_START = 127;

  @Mixin DeploymentOptions deployment;

  @Parameters(
      arity = "1..*",
      paramLabel = "CMD",
      description = "The command and its arguments (after --).")
  List<String> command;

  /** How CMD runs. */
  enum Mode {
    auto,
    replace,
    child
  }

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "${env:CODEC_EXEC_MODE:-auto}",
      description =
          "auto: replace codec-cli with CMD when the JVM can (JDK 22+), else child; replace: "
              + "only that (exit 78 if this JVM cannot); child: always run CMD as a child process "
              + "(env CODEC_EXEC_MODE). Default: ${DEFAULT-VALUE}.")
  Mode mode;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Environment variables of codec-cli's own settings (token file, target, TLS files, ...). */
  static final String OWN_SETTINGS_PREFIX = "CODEC_";

  @Override
  public Integer call() throws Exception {
    if (mode == Mode.replace) {
      Optional<String> unavailable = ProcessReplacement.unavailableReason();
      if (unavailable.isPresent()) { // before any call: the caller asked for a guarantee
        throw CliFailure.config(
            "--mode replace: this JVM cannot replace itself: " + unavailable.get(), null);
      }
    }
    Map<String, String> variables = deployment.decrypt();
    // ProcessBuilder's environment map refuses names and values execve cannot carry (NUL, '=' in
    // names) with an exception whose message holds the value: refuse them first, naming only names
    checkCarriable(variables);
    ProcessBuilder child = new ProcessBuilder(command);
    scrub(child.environment());
    child.environment().putAll(variables);
    if (mode != Mode.child) {
      Optional<Path> executable = ProcessReplacement.resolve(command.get(0), System.getenv("PATH"));
      if (executable.isEmpty()) {
        return cannotStart(
            "cannot start " + command.get(0) + " (not found in PATH or not executable)");
      }
      String failure = ProcessReplacement.replace(executable.get(), command, child.environment());
      // still here: this JVM could not replace itself
      if (mode == Mode.replace) {
        return cannotStart("cannot replace codec-cli with " + command.get(0) + ": " + failure);
      }
    }
    checkEncodable(variables, childEncodings());
    try {
      return ChildProcess.run(child);
    } catch (ChildProcess.StartFailedException e) {
      return cannotStart(e.getMessage());
    }
  }

  private int cannotStart(String message) {
    spec.commandLine().getErr().println("codec-cli: exec failed: " + message);
    spec.commandLine().getErr().flush();
    return EXIT_CANNOT_START;
  }

  /**
   * Refuses variables a process environment cannot carry: a name that is empty or contains {@code
   * =} or NUL, a value that contains NUL. The failure names the variables, never a value.
   */
  static void checkCarriable(Map<String, String> variables) {
    List<String> bad =
        variables.entrySet().stream()
            .filter(
                variable ->
                    variable.getKey().isEmpty()
                        || variable.getKey().indexOf('=') >= 0
                        || variable.getKey().indexOf('\0') >= 0
                        || variable.getValue().indexOf('\0') >= 0)
            .map(variable -> printable(variable.getKey()))
            .sorted()
            .toList();
    if (!bad.isEmpty()) {
      throw CliFailure.data(
          "variables a process environment cannot carry (a NUL character, or '=' in the name, or an"
              + " empty name): "
              + String.join(", ", bad));
    }
  }

  /**
   * The charsets Java's process launcher encodes a child's environment with: {@code
   * sun.jnu.encoding} (from the locale: ASCII when LANG is unset or C), and on JDK 17 also the
   * default charset ({@code String.getBytes()}).
   */
  static List<Charset> childEncodings() {
    Charset jnu;
    try {
      jnu = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (IllegalArgumentException e) { // unknown or unsupported: the launcher would fail too
      jnu = StandardCharsets.US_ASCII;
    }
    return Runtime.version().feature() < 18 ? List.of(jnu, Charset.defaultCharset()) : List.of(jnu);
  }

  /**
   * Refuses (child mode) variables the process launcher would encode with a {@code ?} in place of
   * characters its charset lacks, changing the value silently. Names only in the message.
   */
  static void checkEncodable(Map<String, String> variables, List<Charset> charsets) {
    List<String> bad =
        variables.entrySet().stream()
            .filter(
                variable ->
                    charsets.stream()
                        .anyMatch(
                            charset ->
                                !charset.newEncoder().canEncode(variable.getKey())
                                    || !charset.newEncoder().canEncode(variable.getValue())))
            .map(variable -> printable(variable.getKey()))
            .sorted()
            .toList();
    if (!bad.isEmpty()) {
      throw CliFailure.config(
          "variables this JVM's process encoding ("
              + charsets.get(0).name()
              + ") cannot carry to a child process: "
              + String.join(", ", bad)
              + "; run codec-cli with LANG=C.UTF-8 (or --mode replace on JDK 22+, which passes"
              + " UTF-8)",
          null);
    }
  }

  /** A variable name for a message: control characters escaped. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder(name.length());
    name.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /**
   * Removes codec-cli's own settings from the command's inherited environment: every {@code
   * CODEC_*} variable (the token file, target, CA, certificate and key files). The command gets the
   * deployment's variables (added after this, so a deployment variable named {@code CODEC_...} is
   * kept) and nothing that lets it call the codec as this runner.
   */
  static void scrub(Map<String, String> environment) {
    environment
        .keySet()
        .removeIf(name -> name.toUpperCase(Locale.ROOT).startsWith(OWN_SETTINGS_PREFIX));
  }
}
