package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.HeldPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's shape, without a server: an environment variable for every option, summaries
 * that read whole on one line, help within 80 columns, the completion script, the version, and the
 * exit codes of failures found before or without a call (usage, configuration, input files, an
 * unreachable service).
 */
class CodecCliSpecTest {
  private static final Pattern ENV = Pattern.compile("^\\$\\{env:(CODEC_[A-Z0-9_]+)(:-[^}]*)?}$");

  /**
   * Options deliberately without one: -h and -V (asking for help by environment variable makes no
   * sense), and keygen --force (replacing a KEK file must be asked for each time, never inherited).
   */
  private static final java.util.Set<String> NO_ENVIRONMENT_VARIABLE =
      java.util.Set.of("keygen --force");

  /** Every command below the root (including help and generate-completion), by name. */
  private static Map<String, CommandLine> subcommands() {
    CommandLine root = CodecCli.newCommandLine();
    root.setInterpolateVariables(false); // to read the ${env:...} defaults as written
    return new TreeMap<>(root.getSubcommands());
  }

  /**
   * Every option's environment variable, by command and option: {@code generate-dek --project ->
   * CODEC_PROJECT}.
   */
  private static Map<String, String> environmentVariables() {
    Map<String, String> variables = new TreeMap<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> command : subcommands().entrySet()) {
      for (OptionSpec option : command.getValue().getCommandSpec().options()) {
        String where = command.getKey() + " " + option.longestName();
        if (option.usageHelp() || option.versionHelp() || NO_ENVIRONMENT_VARIABLE.contains(where)) {
          continue;
        }
        Matcher env = ENV.matcher(String.valueOf(option.defaultValue()));
        if (!env.matches()) {
          missing.add(where + " (default " + option.defaultValue() + ")");
          continue;
        }
        String description = String.join(" ", option.description());
        if (!description.contains("env " + env.group(1))) {
          missing.add(where + ": its help does not name " + env.group(1));
        }
        variables.put(where, env.group(1));
      }
    }
    assertTrue(missing.isEmpty(), "options without an environment variable: " + missing);
    return variables;
  }

  @Test
  void everyOption_ofEveryCommand_hasAnEnvironmentVariable_namedInItsHelp() {
    Map<String, String> variables = environmentVariables();

    assertEquals("CODEC_TARGET", variables.get("status --target"));
    assertEquals("CODEC_DEADLINE", variables.get("generate-dek --deadline"));
    assertEquals("CODEC_METADATA", variables.get("exec --metadata"));
    assertEquals("CODEC_OUTPUT", variables.get("grant --output"));
    assertEquals("CODEC_FIELD", variables.get("decrypt-all --field"));
    assertTrue(variables.size() > 60, "walked every command: " + variables.size());
    org.junit.jupiter.api.Assertions.assertNull(
        CodecCli.newCommandLine()
            .getSubcommands()
            .get("keygen")
            .getCommandSpec()
            .findOption("--force")
            .defaultValue(),
        "keygen --force is never inherited");
  }

  @Test
  void everyEnvironmentVariable_isDocumented_inDocsCli() throws Exception {
    String docs = Files.readString(Path.of("..", "docs", "cli.md"), StandardCharsets.UTF_8);
    List<String> undocumented =
        environmentVariables().values().stream()
            .distinct()
            .filter(name -> !docs.contains("`" + name + "`"))
            .toList();
    assertTrue(undocumented.isEmpty(), "not in docs/cli.md: " + undocumented);
  }

  @Test
  void everyCommandSummary_isOneWholeSentence_onOneLineOf80Columns() {
    String usage = CliRun.of("--help").out();
    List<String> lines = usage.lines().toList();
    for (Map.Entry<String, CommandLine> command : subcommands().entrySet()) {
      CommandLine.Model.UsageMessageSpec message =
          command.getValue().getCommandSpec().usageMessage();
      // picocli lists a command with its header's first line, or else its description's
      String summary = message.header().length > 0 ? message.header()[0] : message.description()[0];
      assertTrue(
          summary.endsWith("."), command.getKey() + ": summary is not a sentence: " + summary);
      assertTrue(Character.isUpperCase(summary.charAt(0)), command.getKey() + ": " + summary);
      String line =
          lines.stream()
              .filter(l -> l.startsWith("  " + command.getKey() + " "))
              .findFirst()
              .orElseThrow(
                  () -> new AssertionError(command.getKey() + " is not listed:\n" + usage));
      assertTrue(line.endsWith(summary), "summary cut or wrapped in the command list: " + line);
      assertTrue(line.length() <= 80, line.length() + " columns: " + line);
    }
  }

  @Test
  void everyCommandsHelp_fitsIn80Columns() {
    for (String command : subcommands().keySet()) {
      CliRun help = CliRun.of("help", command);
      assertEquals(0, help.exitCode(), help.err());
      assertTrue(help.out().contains("Usage: codec-cli " + command), help.out());
      help.out()
          .lines()
          .forEach(
              line ->
                  assertTrue(
                      line.length() <= 80, command + ": " + line.length() + " columns: " + line));
    }
  }

  @Test
  void generateCompletion_printsABashScript_namingEveryCommand_andTheOutputFormats() {
    CliRun completion = CliRun.of("generate-completion");

    assertEquals(0, completion.exitCode(), completion.err());
    assertTrue(
        completion.out().startsWith("#!/usr/bin/env bash"),
        completion.out().lines().findFirst().orElse(""));
    assertTrue(
        completion.out().contains("complete -F _complete_codec-cli"),
        "registers a completion function");
    for (String command : subcommands().keySet()) {
      assertTrue(completion.out().contains(command), "completion misses " + command);
    }
    assertTrue(completion.out().contains("--field") && completion.out().contains("--output"));
    assertTrue(completion.out().contains("json-pretty"), "completes -o's values");
  }

  @Test
  void version_isTheBuildsVersion_andNamesTheJvm() {
    CliRun version = CliRun.of("--version");

    assertEquals(0, version.exitCode(), version.err());
    List<String> lines = version.out().lines().toList();
    assertTrue(
        lines.get(0).matches("codec-cli \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"),
        lines.get(0)); // not "dev", not "${project.version}"
    assertTrue(
        lines.get(1).startsWith("JVM: ")
            && lines.get(1).contains(System.getProperty("java.runtime.version")),
        lines.get(1));
    assertEquals(
        version.out(),
        CliRun.of("status", "--version").out(),
        "every command prints the same version");
  }

  @Test
  void usageErrors_exit64() {
    CliRun missing = CliRun.of("generate-dek");
    assertEquals(ExitCodes.USAGE, missing.exitCode());
    assertTrue(missing.err().contains("Missing required option: '--project=ID'"), missing.err());

    assertEquals(
        ExitCodes.USAGE,
        CliRun.of("generate-dek", "--project", "p", "--no-such-option").exitCode());
    assertEquals(ExitCodes.USAGE, CliRun.of("no-such-command").exitCode());
    assertEquals(ExitCodes.USAGE, CliRun.of().exitCode());
    assertEquals(ExitCodes.USAGE, CliRun.of("status", "--deadline", "soon").exitCode());
    CliRun badFormat = CliRun.of("status", "-o", "xml");
    assertEquals(ExitCodes.USAGE, badFormat.exitCode());
    assertTrue(
        badFormat.err().contains("'xml' is not one of json, json-pretty, yaml, table"),
        badFormat.err());
    assertEquals(
        ExitCodes.USAGE, CliRun.of("status", "--cert", "c.pem").exitCode(), "--cert without --key");
    assertEquals(ExitCodes.USAGE, CliRun.of("rewrap", "--batch-size", "0").exitCode());
  }

  @Test
  void missingTokenFile_isAConfigurationFailure_exit78_beforeAnyCall(@TempDir Path tmp)
      throws Exception {
    CliRun run =
        CliRun.of(
            "generate-dek",
            "--project",
            "p",
            "--target",
            "127.0.0.1:" + freePort(),
            "--token-file",
            tmp.resolve("no-token").toString());

    assertEquals(ExitCodes.CONFIG, run.exitCode(), run.err());
    assertEquals(
        "codec-cli: generate-dek failed: --token-file "
            + tmp.resolve("no-token")
            + ": no such file\n",
        run.err());
    assertEquals(
        ExitCodes.CONFIG,
        CliRun.of(
                "status",
                "--target",
                "127.0.0.1:" + freePort(),
                "--ca-file",
                tmp.resolve("no-ca.pem").toString())
            .exitCode());
    Path notPem = Files.writeString(tmp.resolve("ca.pem"), "not a certificate");
    CliRun badCa =
        CliRun.of("status", "--target", "127.0.0.1:" + freePort(), "--ca-file", notPem.toString());
    assertEquals(ExitCodes.CONFIG, badCa.exitCode(), badCa.err());
  }

  @Test
  void missingOrMalformedInputFiles_exit66_and65(@TempDir Path tmp) throws Exception {
    String target = "127.0.0.1:" + freePort();
    CliRun noVariables =
        CliRun.of(
            "decrypt-all",
            "--project",
            "p",
            "--dek",
            "dek1:k1:AAAA",
            "--target",
            target,
            "--file",
            tmp.resolve("none.json").toString());
    assertEquals(ExitCodes.NO_INPUT, noVariables.exitCode(), noVariables.err());

    CliRun noMetadata =
        CliRun.of("env", "--metadata", tmp.resolve("none.json").toString(), "--target", target);
    assertEquals(ExitCodes.NO_INPUT, noMetadata.exitCode(), noMetadata.err());

    Path broken =
        Files.writeString(tmp.resolve("broken.json"), "{\"API_KEY\": {\"type\": \"secret\"");
    CliRun malformed =
        CliRun.of(
            "decrypt-all",
            "--project",
            "p",
            "--dek",
            "dek1:k1:AAAA",
            "--target",
            target,
            "--file",
            broken.toString());
    assertEquals(ExitCodes.DATA, malformed.exitCode(), malformed.err());
    assertEquals(1, malformed.err().lines().count(), malformed.err());
  }

  @Test
  void noServerOnTheTarget_isTemporary_exit75() throws Exception {
    CliRun run = CliRun.of("status", "--target", "127.0.0.1:" + freePort(), "--deadline", "5s");

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("codec-cli: status failed: UNAVAILABLE"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertEquals("", run.out());
  }

  @Test
  void keygenOverAnExistingFile_exit73(@TempDir Path tmp) throws Exception {
    Path kek = Files.writeString(tmp.resolve("1"), "old");
    assertEquals(ExitCodes.CANT_CREATE, CliRun.of("keygen", "--out", kek.toString()).exitCode());
    assertEquals("old", Files.readString(kek));
  }

  @Test
  void everyExitCode_isListedInTheRootHelp() {
    String help = CliRun.of("--help").out();
    for (int code :
        new int[] {
          ExitCodes.USAGE,
          ExitCodes.DATA,
          ExitCodes.NO_INPUT,
          ExitCodes.UNAVAILABLE,
          ExitCodes.SOFTWARE,
          ExitCodes.CANT_CREATE,
          ExitCodes.IO_ERROR,
          ExitCodes.TEMP_FAIL,
          ExitCodes.NO_PERMISSION,
          ExitCodes.CONFIG
        }) {
      assertTrue(help.contains("\n  " + code + "   "), code + " is not in the help:\n" + help);
    }
    assertFalse(help.contains("\n  1   "), "no catch-all 1 any more");
  }

  /**
   * A port no server answers on: held (bound) by this class for its whole run, closing every
   * connection.
   */
  private static HeldPort noServer;

  @AfterAll
  static void releasePort() throws Exception {
    if (noServer != null) {
      noServer.close();
    }
  }

  private static synchronized int freePort() throws Exception {
    if (noServer == null) {
      noServer = new HeldPort();
    }
    return noServer.port();
  }
}
