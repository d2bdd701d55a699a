package dev.codec.client.cli;

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
          + "code. With no secret variable and no seal, no call is made. If the codec cannot be "
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
    ProcessBuilder child = new ProcessBuilder(command);
    // ProcessBuilder's environment map refuses names and values execve cannot carry (NUL, '=' in
    // names)
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
