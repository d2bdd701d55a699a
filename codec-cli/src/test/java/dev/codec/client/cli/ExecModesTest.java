package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code codec-cli exec}'s two ways of running CMD, with real processes and without a server:
 * metadata whose variables are all plain and unsealed needs no call. Replace mode (execve through
 * java.lang.foreign) runs on JDK 22+ and is skipped on older JDKs, where the test instead checks
 * that it is refused; child mode runs everywhere. The end-to-end runs with a real server and
 * secrets are codec-server's ExecCommandTest.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS) // fail, never hang
class ExecModesTest {
  private static final boolean CAN_REPLACE = Runtime.version().feature() >= 22;

  private static final String ALLOW_UNSEALED_PLAIN = "CODEC_ALLOW_UNSEALED_PLAIN";

  /** SIGQUIT (3) in a /proc status signal mask. */
  private static final long SIGQUIT_BIT = 1L << (3 - 1);

  @TempDir static Path tmp;

  private static Path plain;

  @BeforeAll
  static void writeMetadata() throws IOException {
    plain = tmp.resolve("plain.json");
    Files.writeString(
        plain,
        "{\"projectId\": \"p\", \"environmentVariables\": {"
            + "\"LOG_LEVEL\": {\"type\": \"plain\", \"value\": \"info\"},"
            + "\"CODEC_APP_SETTING\": {\"type\": \"plain\", \"value\": \"kept\"}}}");
  }

  private record Run(int exitCode, String out, String err, long pid) {}

  @Test
  void replaceMode_commandKeepsCodecClisPid_andItsExitCodeIsTheProcesss() throws Exception {
    assumeTrue(CAN_REPLACE, "replace mode needs JDK 22+");
    Run run = finish(execPlain("replace", "sh", "-c", "echo $$; exit 7"));

    assertEquals(7, run.exitCode, run.err);
    assertEquals(
        String.valueOf(run.pid), run.out.strip(), "CMD runs as the codec-cli process itself");
    assertEquals("", run.err);
  }

  @Test
  void childMode_commandIsAChildOfCodecCli_andItsExitCodeIsPassedOn() throws Exception {
    Run run = finish(execPlain("child", "sh", "-c", "echo $$ $PPID; exit 7"));

    assertEquals(7, run.exitCode, run.err);
    String[] pids = run.out.strip().split(" ", -1);
    assertNotEquals(String.valueOf(run.pid), pids[0]);
    assertEquals(String.valueOf(run.pid), pids[1], "the JVM is CMD's parent");
  }

  @Test
  void childMode_canBeForcedByEnvironment_andDiedOfSignal_is128PlusTheSignal() throws Exception {
    Run run =
        finish(
            cli(
                List.of(),
                Map.of("CODEC_EXEC_MODE", "child"),
                "exec",
                "--metadata",
                plain.toString(),
                "--",
                "sh",
                "-c",
                "echo $PPID; kill -KILL $$"));

    assertEquals(128 + 9, run.exitCode, run.err);
    assertEquals(String.valueOf(run.pid), run.out.strip());
  }

  @Test
  void autoMode_replacesOnJdk22AndLater_andRunsAChildBefore() throws Exception {
    Run run = finish(execPlain(null, "sh", "-c", "echo $$"));

    assertEquals(0, run.exitCode, run.err);
    assertEquals(
        CAN_REPLACE,
        String.valueOf(run.pid).equals(run.out.strip()),
        "pid " + run.pid + ", CMD " + run.out);
    assertEquals("", run.err, "no warning, no line of codec-cli's own");
  }

  @Test
  void replaceMode_onJdkBefore22_isRefusedBeforeAnything() throws Exception {
    assumeTrue(!CAN_REPLACE, "JDK 22+ can replace");
    Path marker = tmp.resolve("started-refused-replace");
    Run run = finish(execPlain("replace", "touch", marker.toString()));

    assertEquals(ExitCodes.CONFIG, run.exitCode);
    assertEquals(
        "codec-cli: exec failed: --mode replace: this JVM cannot replace itself: needs JDK 22 or later"
            + " (this is "
            + Runtime.version().feature()
            + ")\n",
        run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void nativeAccessDenied_autoFallsBackToChildMode_andReplaceIsRefused() throws Exception {
    assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access exists since JDK 24");
    List<String> deny = List.of("--illegal-native-access=deny");
    Run auto =
        finish(
            cli(
                deny,
                Map.of(),
                "exec",
                "--metadata",
                plain.toString(),
                "--",
                "sh",
                "-c",
                "echo $PPID"));
    assertEquals(0, auto.exitCode, auto.err);
    assertEquals(String.valueOf(auto.pid), auto.out.strip(), "ran as a child");

    Run replace =
        finish(
            cli(
                deny,
                Map.of(),
                "exec",
                "--mode",
                "replace",
                "--metadata",
                plain.toString(),
                "--",
                "true"));
    assertEquals(ExitCodes.CONFIG, replace.exitCode);
    assertTrue(
        replace.err.startsWith(
            "codec-cli: exec failed: --mode replace: this JVM cannot replace itself: "
                + "native access refused"),
        replace.err);
  }

  @ParameterizedTest
  @ValueSource(strings = {"replace", "child"})
  void environment_hasTheVariablesAndTheInherited_andNoneOfCodecClisSettings(String mode)
      throws Exception {
    assumeTrue(CAN_REPLACE || mode.equals("child"));
    Path tokenFile = tmp.resolve("token-" + mode);
    Files.writeString(tokenFile, "secret-token");
    Run run =
        finish(
            cli(
                List.of(),
                Map.of(
                    "CODEC_TOKEN_FILE",
                    tokenFile.toString(),
                    "CODEC_METADATA",
                    plain.toString(),
                    "CODEC_TARGET",
                    "localhost:1",
                    "CODEC_EXEC_MODE",
                    mode,
                    "INHERITED",
                    "from-parent"),
                "exec",
                "--",
                "env"));

    assertEquals(0, run.exitCode, run.err);
    List<String> lines = run.out.lines().toList();
    assertTrue(lines.contains("LOG_LEVEL=info"), run.out);
    assertTrue(lines.contains("INHERITED=from-parent"), run.out);
    assertTrue(
        lines.contains("CODEC_APP_SETTING=kept"),
        "a deployment's own CODEC_ variable is kept: " + run.out);
    assertEquals(
        List.of("CODEC_APP_SETTING=kept"),
        lines.stream().filter(l -> l.startsWith("CODEC_")).toList());
    assertFalse(run.out.contains(tokenFile.toString()), run.out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"replace", "child"})
  void command_startsWithStdioOnly_andNoBlockedSignal(String mode) throws Exception {
    assumeTrue(CAN_REPLACE || mode.equals("child"));
    // run directly (no shell in between): ls lists its own descriptors, 3 being the directory it
    // reads
    Run descriptors = finish(execPlain(mode, "ls", "/proc/self/fd"));
    assertEquals(0, descriptors.exitCode, descriptors.err);
    assertEquals(
        List.of("0", "1", "2", "3"),
        descriptors.out.lines().toList(),
        "the JVM's files do not leak");

    Run signals = finish(execPlain(mode, "grep", "^SigBlk:", "/proc/self/status"));
    assertEquals(0, signals.exitCode, signals.err);
    long blocked = Long.parseLong(signals.out.substring("SigBlk:".length()).strip(), 16);
    if (mode.equals("replace")) {
      assertEquals(0, blocked, "the JVM's blocked SIGQUIT does not survive execve: " + signals.out);
    } else {
      // JDK 17's process launcher passes on the JVM's blocked SIGQUIT (JDK 25's does not): nothing
      // else
      assertEquals(0, blocked & ~SIGQUIT_BIT, signals.out);
    }
  }

  @Test
  void replaceMode_everySignalReachesTheCommand_notOnlyTerm() throws Exception {
    assumeTrue(CAN_REPLACE, "replace mode needs JDK 22+");
    Process cli =
        execPlain(
            "replace",
            "sh",
            "-c",
            "trap 'echo got-USR1' USR1; trap 'echo got-TERM; exit 42' TERM; echo ready; "
                + "while :; do sleep 0.05; done");
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine());
      assertEquals(
          0, new ProcessBuilder("kill", "-USR1", String.valueOf(cli.pid())).start().waitFor());
      assertEquals(
          "got-USR1",
          out.readLine(),
          "child mode forwards only termination; replace mode needs nothing");

      cli.toHandle()
          .destroy(); // SIGTERM, as Kubernetes sends it to PID 1 (Process.destroy would close our
      // pipes)

      assertEquals(42, cli.waitFor());
      assertEquals("got-TERM", out.readLine());
    } finally {
      cli.destroyForcibly();
    }
  }

  @Test
  void childMode_forwardsSigtermToTheCommand_andExitsWithItsCode() throws Exception {
    Process cli =
        execPlain(
            "child",
            "sh",
            "-c",
            "trap 'echo got-TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done");
    List<ProcessHandle> children = List.of();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine());
      children = cli.descendants().toList();
      assertFalse(children.isEmpty(), "CMD is a child");

      cli.toHandle().destroy();

      assertEquals(42, cli.waitFor());
      assertEquals("got-TERM", out.readLine());
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
      cli.destroyForcibly();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"auto", "replace", "child"})
  void commandNotFound_exits127_withOneLine(String mode) throws Exception {
    assumeTrue(CAN_REPLACE || !mode.equals("replace"));
    Run run = finish(execPlain(mode, "no-such-command-codec-test"));

    assertEquals(ExecCommand.EXIT_CANNOT_START, run.exitCode);
    assertTrue(
        run.err.startsWith("codec-cli: exec failed: cannot start no-such-command-codec-test"),
        run.err);
    assertEquals(1, run.err.lines().count(), run.err);
  }

  @Test
  void replaceMode_resolvesTheCommandThroughPath_andPassesArgv0AsGiven() throws Exception {
    assumeTrue(CAN_REPLACE, "replace mode needs JDK 22+");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path script = bin.resolve("codec-test-tool");
    Files.writeString(script, "#!/bin/sh\necho \"$0|$1|$$\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run run =
        finish(
            cli(
                List.of(),
                Map.of("PATH", "/nonexistent:" + bin + ":" + System.getenv("PATH")),
                "exec",
                "--mode",
                "replace",
                "--metadata",
                plain.toString(),
                "--",
                "codec-test-tool",
                "arg one"));

    assertEquals(0, run.exitCode, run.err);
    assertEquals(
        script + "|arg one|" + run.pid, run.out.strip(), "the shell sees its resolved path as $0");
  }

  @Test
  void noSecretAndNoSeal_withAllowUnsealedPlain_makesNoCall_andLoadsNoGrpcClass() throws Exception {
    Path classes = tmp.resolve("classes-plain.log");
    Run run =
        finish(
            cli(
                List.of("-Xlog:class+load=info:file=" + classes),
                Map.of(ALLOW_UNSEALED_PLAIN, "false"), // the option alone
                "exec",
                "--mode",
                "child",
                "--metadata",
                plain.toString(),
                "--target",
                "localhost:1",
                "--token-file",
                "/nonexistent/token",
                "--allow-unsealed-plain",
                "--",
                "sh",
                "-c",
                "echo ran"));

    assertEquals(0, run.exitCode, run.err);
    assertEquals("ran\n", run.out);
    String loaded = Files.readString(classes);
    assertTrue(loaded.contains("dev.codec.client.cli.ExecCommand"), "the log is of this run");
    assertFalse(loaded.contains("io.grpc."), "no gRPC class is loaded when no call is needed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secret", "sealed", "plain-unsealed"})
  void aSecretOrASealOrNoOptIn_needsTheCall_andTheCommandDoesNotStartWithoutIt(String variant)
      throws Exception {
    Path metadata = tmp.resolve(variant + ".json");
    Files.writeString(
        metadata,
        // plain-unsealed: what a writer of the metadata store could make of a sealed revision
        // (seal deleted, every value plain); only the service knows it requires seals
        variant.equals("plain-unsealed")
            ? "{\"projectId\": \"p\", \"environmentVariables\": {"
                + "\"DATABASE_URL\": {\"type\": \"plain\", \"value\": \"postgres://attacker\"}}}"
            : variant.equals("secret")
                ? "{\"projectId\": \"p\", \"encryptedDEK\": \"dek1:k1:AAAA\", \"environmentVariables\": {"
                    + "\"API_KEY\": {\"type\": \"secret\", \"value\": \"enc2:AAAA\"}}}"
                : "{\"projectId\": \"p\", \"encryptedDEK\": \"dek1:k1:AAAA\", \"seal\": \"seal1:AAAA\", "
                    + "\"environmentVariables\": {\"LOG_LEVEL\": {\"type\": \"plain\", \"value\": \"info\"}}}");
    Path marker = tmp.resolve("started-" + variant);
    Run run =
        finish(
            cli(
                List.of(),
                // without the opt-in for plain-unsealed; the others need the call even with it
                Map.of(ALLOW_UNSEALED_PLAIN, variant.equals("plain-unsealed") ? "false" : "true"),
                "exec",
                "--metadata",
                metadata.toString(),
                "--target",
                "localhost:1",
                "--deadline",
                "10s",
                "--",
                "touch",
                marker.toString()));

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode, run.err);
    // the call was made and failed: refused connections, or (on a starved machine) the deadline
    // first
    assertTrue(
        run.err.matches("codec-cli: exec failed: (UNAVAILABLE|DEADLINE_EXCEEDED): .*\\n"), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @ParameterizedTest
  @ValueSource(strings = {"replace", "child"})
  void valueWithNul_isRefusedNamingTheVariable_neverTheValue_andCommandDoesNotStart(String mode)
      throws Exception {
    assumeTrue(CAN_REPLACE || mode.equals("child"));
    Path metadata = tmp.resolve("nul-" + mode + ".json");
    Files.writeString(
        metadata,
        "{\"projectId\": \"p\", \"environmentVariables\": {"
            + "\"LOG_LEVEL\": {\"type\": \"plain\", \"value\": \"info\"},"
            + "\"DB_PASSWORD\": {\"type\": \"plain\", \"value\": \"s3cr3t\\u0000x\"}}}");
    Path marker = tmp.resolve("started-nul-" + mode);
    Run run =
        finish(
            cli(
                List.of(),
                Map.of(),
                "exec",
                "--mode",
                mode,
                "--metadata",
                metadata.toString(),
                "--",
                "touch",
                marker.toString()));

    assertEquals(ExitCodes.DATA, run.exitCode, run.err);
    assertTrue(run.err.startsWith("codec-cli: exec failed: "), run.err);
    assertTrue(run.err.contains("DB_PASSWORD"), run.err);
    assertFalse(run.err.contains("LOG_LEVEL"), "only the bad variable is named: " + run.err);
    assertFalse(run.err.contains("s3cr3t"), "the value never appears: " + run.err);
    assertEquals(1, run.err.lines().count(), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void checkCarriable_refusesEqualsOrNulInNames_namingThemEscaped() {
    CliFailure failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            CliFailure.class,
            () ->
                ExecCommand.checkCarriable(
                    Map.of("A=B", "v1", "C\u0000D", "v2", "OK", "fine-value")));
    assertEquals(ExitCodes.DATA, failure.exitCode());
    assertTrue(failure.getMessage().endsWith(": A=B, C\\u0000D"), failure.getMessage());
    assertFalse(failure.getMessage().contains("v1"), failure.getMessage());
    ExecCommand.checkCarriable(Map.of("OK", "fine-value", "UTF", "\u00e9"));
  }

  /**
   * Child mode in an environment without LANG or LC_*: the JVM's process encoding is whatever it
   * reports there (ASCII on glibc); a value it cannot encode is refused rather than passed with a
   * '?', and a value it can encode reaches CMD as its bytes in that encoding.
   */
  @Test
  void childMode_valueTheProcessEncodingCannotCarry_isRefused_neverMangled() throws Exception {
    Path metadata = tmp.resolve("utf8.json");
    Files.writeString(
        metadata,
        "{\"projectId\": \"p\", \"environmentVariables\": {"
            + "\"GREETING\": {\"type\": \"plain\", \"value\": \"caf\u00e9\"}}}",
        StandardCharsets.UTF_8);
    Path marker = tmp.resolve("started-encoding");

    String encoding = jnuEncodingWithoutLocale();
    ProcessBuilder builder =
        new ProcessBuilder(
            cliCommand(
                List.of(),
                "exec",
                "--mode",
                "child",
                "--allow-unsealed-plain",
                "--metadata",
                metadata.toString(),
                "--",
                "sh",
                "-c",
                "touch '" + marker + "'; printf %s \"$GREETING\" | od -An -tx1"));
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv("PATH"));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Run run = finish(builder.start());

    if (java.nio.charset.Charset.forName(encoding).newEncoder().canEncode("caf\u00e9")) {
      assertEquals(0, run.exitCode, run.err);
      byte[] expected = "caf\u00e9".getBytes(java.nio.charset.Charset.forName(encoding));
      StringBuilder hex = new StringBuilder();
      for (byte b : expected) {
        hex.append(String.format(" %02x", b));
      }
      assertEquals(hex.toString(), run.out.strip().replaceAll("\\s+", " ").replaceFirst("^", " "));
    } else {
      assertEquals(ExitCodes.CONFIG, run.exitCode, run.out + run.err);
      assertTrue(run.err.startsWith("codec-cli: exec failed: "), run.err);
      assertTrue(run.err.contains("GREETING"), run.err);
      assertTrue(run.err.contains("LANG=C.UTF-8"), run.err);
      assertFalse(run.err.contains("caf"), "the value never appears: " + run.err);
      assertFalse(Files.exists(marker), "the command must not start");
    }
  }

  /** The sun.jnu.encoding a JVM reports in an environment with PATH only. */
  private static String jnuEncodingWithoutLocale() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XshowSettings:properties",
            "-version");
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv("PATH"));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Run run = finish(builder.start());
    return run.err
        .lines()
        .map(String::strip)
        .filter(line -> line.startsWith("sun.jnu.encoding = "))
        .map(line -> line.substring("sun.jnu.encoding = ".length()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sun.jnu.encoding in " + run.err));
  }

  @Test
  void resolve_findsTheFirstExecutableInPath_likeExecvp() throws Exception {
    Path first = Files.createDirectories(tmp.resolve("path-first"));
    Path second = Files.createDirectories(tmp.resolve("path-second"));
    Files.writeString(first.resolve("tool"), "not executable");
    Path executable = second.resolve("tool");
    Files.writeString(executable, "#!/bin/sh\n");
    Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(first.resolve("dir-tool"));

    assertEquals(
        executable, ProcessReplacement.resolve("tool", first + "::" + second).orElseThrow());
    assertTrue(
        ProcessReplacement.resolve("dir-tool", first.toString()).isEmpty(),
        "a directory is not a command");
    assertTrue(ProcessReplacement.resolve("tool", first.toString()).isEmpty(), "not executable");
    assertEquals(
        executable,
        ProcessReplacement.resolve(executable.toString(), "/nonexistent").orElseThrow(),
        "a name with a slash is not looked up");
    assertTrue(ProcessReplacement.resolve("sh", null).isPresent(), "unset PATH: /bin:/usr/bin");
    assertTrue(ProcessReplacement.resolve("", "/bin").isEmpty());
  }

  /**
   * {@code codec-cli exec [--mode MODE] --metadata <the all-plain metadata> -- COMMAND...}, with no
   * JVM option and no environment of its own ({@code mode} null: no {@code --mode}).
   */
  private static Process execPlain(String mode, String... command) throws IOException {
    List<String> args = new ArrayList<>(List.of("exec"));
    if (mode != null) {
      args.addAll(List.of("--mode", mode));
    }
    args.addAll(List.of("--metadata", plain.toString(), "--"));
    args.addAll(List.of(command));
    return cli(List.of(), Map.of(), args.toArray(String[]::new));
  }

  /**
   * Starts codec-cli in its own JVM with the test classpath, as a runner image's entrypoint would
   * run the jar: native access enabled as the jar's manifest does it (and protobuf's Unsafe
   * allowed, as the README's launcher does), stdin from /dev/null, no CODEC_* variable of this
   * JVM's environment but CODEC_ALLOW_UNSEALED_PLAIN=true unless {@code environment} sets it (these
   * tests run without a server; the tests of the call set it to false).
   */
  private static Process cli(
      List<String> jvmOptions, Map<String, String> environment, String... args) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(cliCommand(jvmOptions, args));
    builder.environment().keySet().removeIf(name -> name.startsWith("CODEC_"));
    builder.environment().put(ALLOW_UNSEALED_PLAIN, "true");
    builder.environment().putAll(environment);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  private static List<String> cliCommand(List<String> jvmOptions, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (CAN_REPLACE && !jvmOptions.contains("--illegal-native-access=deny")) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    if (Runtime.version().feature()
        >= 24) { // protobuf-java's Unsafe use would print four WARNING lines
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CodecCli.class.getName()));
    command.addAll(List.of(args));
    return command;
  }

  private static Run finish(Process process) throws Exception {
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out, err.get(), process.pid());
  }
}
