package dev.codec.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.EncryptedRevision;
import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import dev.codec.client.cli.CodecCli;
import dev.codec.client.cli.ExitCodes;
import dev.codec.client.json.StoredVariables;
import dev.codec.server.CliRun;
import dev.codec.server.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code codec-cli exec} and {@code env} against a real server: the CLI runs in its own JVM (as in
 * a container entrypoint) and starts a real child process, whose environment, signals and exit code
 * are checked.
 */
class ExecCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_KEY = "sk_live_exec_123";
  private static final String TRICKY = "it's \"quoted\" $HOME \\ back\nslash";

  @TempDir static Path tmp;

  private static TestServer server;
  private static Path metadata;

  @BeforeAll
  static void start() throws Exception {
    Path kekDir = tmp.resolve("kek");
    TestServer.writeKek(kekDir, 1);
    // as in production: grants and seals required
    server =
        TestServer.start(
            kekDir, Map.of("codec.grants.required", true, "codec.seals.required", true));
    GeneratedDek dek = server.client().generateDek("proj-exec");
    EncryptedRevision stored =
        StoredVariables.encryptRevision(
            server.client(),
            "proj-exec",
            dek.encryptedDek(),
            Map.of(
                "API_KEY", Variable.secret(API_KEY),
                "TRICKY", Variable.secret(TRICKY),
                "LOG_LEVEL", Variable.plain("info")));
    ObjectNode deployment =
        JSON.createObjectNode()
            .put("projectId", "proj-exec")
            .put("deploymentId", "dep-1")
            .put("encryptedDEK", dek.encryptedDek())
            .put(
                "grant",
                server
                    .client()
                    .issueGrant(
                        "proj-exec",
                        "dep-1",
                        dek.encryptedDek(),
                        stored.seal(),
                        Duration.ofHours(1))
                    .grant())
            .put("seal", stored.seal());
    deployment.set("environmentVariables", JSON.readTree(stored.variablesJson()));
    metadata = tmp.resolve("deployment.json");
    Files.writeString(metadata, JSON.writeValueAsString(deployment));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private record Run(int exitCode, String out, String err) {}

  @Test
  void exec_runsTheCommandWithTheDecryptedEnvironment_andExitsWithItsCode() throws Exception {
    Run run =
        finish(
            exec(
                metadata,
                "sh",
                "-c",
                "printf '%s|%s|%s|%s' \"$API_KEY\" \"$LOG_LEVEL\" \"$TRICKY\" \"$INHERITED\"; exit 7"));

    assertEquals(7, run.exitCode, run.err);
    assertEquals(API_KEY + "|info|" + TRICKY + "|from-parent", run.out);
    assertFalse(run.err.contains(API_KEY), run.err);
  }

  @Test
  void exec_childEnvironment_hasTheVariables_andNoneOfTheCodecsCredentials() throws Exception {
    // codec-cli configured the way a runner image does it: through CODEC_* variables only
    Map<String, String> settings =
        Map.of(
            "CODEC_TOKEN_FILE", tokenFile(),
            "CODEC_TARGET", target(),
            "CODEC_METADATA", metadata.toString(),
            "CODEC_DEADLINE", "10s");
    Run run = finish(cli(settings, "exec", "--", "env"));

    assertEquals(0, run.exitCode, run.err);
    Map<String, String> childEnv = new java.util.HashMap<>();
    // values may span lines (TRICKY): keep only NAME=... lines whose name looks like a variable
    run.out
        .lines()
        .filter(l -> l.matches("[A-Za-z_][A-Za-z0-9_]*=.*"))
        .forEach(
            l -> childEnv.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    assertEquals(API_KEY, childEnv.get("API_KEY"));
    assertEquals("info", childEnv.get("LOG_LEVEL"));
    assertEquals("from-parent", childEnv.get("INHERITED"));
    assertTrue(
        childEnv.keySet().stream().noneMatch(n -> n.startsWith("CODEC_")),
        childEnv.keySet().toString());
    assertFalse(run.out.contains(server.token()), "the codec token must not reach the command");
    assertFalse(run.out.contains(tokenFile()), "nor the path of the token file");
  }

  @Test
  void grantCommand_printsAGrant_thatExecUses() throws Exception {
    ObjectNode deployment = (ObjectNode) JSON.readTree(metadata.toFile());
    Run grant =
        inProcess(
            "grant",
            "--project",
            "proj-exec",
            "--deployment",
            "dep-9",
            "--ttl",
            "10m",
            "--dek",
            deployment.get("encryptedDEK").asText(),
            "--seal",
            deployment.get("seal").asText(),
            "--target",
            target(),
            "--token-file",
            tokenFile());

    assertEquals(0, grant.exitCode, grant.err);
    com.fasterxml.jackson.databind.JsonNode issued = JSON.readTree(grant.out);
    assertTrue(issued.get("grant").asText().startsWith("grant3:k1:"), grant.out);
    assertTrue(issued.get("grant_id").asText().matches("[0-9a-f]{32}"), grant.out);
    assertEquals("dep-9", issued.get("deployment_id").asText());
    java.time.Duration left =
        java.time.Duration.between(
            java.time.Instant.now(), java.time.Instant.parse(issued.get("expire_time").asText()));
    assertTrue(
        left.compareTo(java.time.Duration.ofMinutes(11)) < 0
            && left.compareTo(java.time.Duration.ofMinutes(8)) > 0,
        left.toString());

    Run byDefault =
        inProcess(
            "grant",
            "--metadata",
            metadata.toString(),
            "--deployment",
            "dep-9",
            "--target",
            target(),
            "--token-file",
            tokenFile());
    assertEquals(0, byDefault.exitCode, byDefault.err);
    java.time.Duration defaultTtl =
        java.time.Duration.between(
            java.time.Instant.now(),
            java.time.Instant.parse(JSON.readTree(byDefault.out).get("expire_time").asText()));
    assertTrue(
        defaultTtl.compareTo(java.time.Duration.ofHours(23)) > 0, "default ttl 24h: " + defaultTtl);

    deployment.put("grant", issued.get("grant").asText()).put("deploymentId", "dep-9");
    Path withNewGrant = tmp.resolve("dep-9.json");
    Files.writeString(withNewGrant, deployment.toString());
    Run run = finish(exec(withNewGrant, "sh", "-c", "printf '%s' \"$API_KEY\""));
    assertEquals(0, run.exitCode, run.err);
    assertEquals(API_KEY, run.out);
  }

  @Test
  void
      grantCommand_withoutSeal_isRefusedWhileSealsAreRequired_andAGrantForOneRevisionDoesNotOpenAnother()
          throws Exception {
    ObjectNode deployment = (ObjectNode) JSON.readTree(metadata.toFile());
    Run unsealed =
        inProcess(
            "grant",
            "--project",
            "proj-exec",
            "--deployment",
            "dep-9",
            "--dek",
            deployment.get("encryptedDEK").asText(),
            "--target",
            target(),
            "--token-file",
            tokenFile());
    assertEquals(ExitCodes.DATA, unsealed.exitCode, unsealed.out);
    assertTrue(
        unsealed.err.contains("INVALID_ARGUMENT") && unsealed.err.contains("seal: required"),
        unsealed.err);

    // another revision of the project (LOG_LEVEL changed), run with the first revision's grant
    EncryptedRevision other =
        StoredVariables.encryptRevision(
            server.client(),
            "proj-exec",
            deployment.get("encryptedDEK").asText(),
            Map.of("API_KEY", Variable.secret(API_KEY), "LOG_LEVEL", Variable.plain("debug")));
    deployment.put("seal", other.seal());
    deployment.set("environmentVariables", JSON.readTree(other.variablesJson()));
    Path otherRevision = tmp.resolve("other-revision.json");
    Files.writeString(otherRevision, deployment.toString());
    Path marker = tmp.resolve("started-other-revision");
    Run run = finish(exec(otherRevision, "sh", "-c", "touch '" + marker + "'"));
    assertEquals(ExitCodes.NO_PERMISSION, run.exitCode);
    assertTrue(
        run.err.contains("PERMISSION_DENIED") && run.err.contains("[GRANT_OTHER_REVISION]"),
        run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void exec_withoutGrant_isRefusedWithTheReason_andTheCommandNeverStarts() throws Exception {
    Path noGrant = tmp.resolve("no-grant.json");
    ObjectNode deployment = (ObjectNode) JSON.readTree(metadata.toFile());
    deployment.remove("grant");
    Files.writeString(noGrant, deployment.toString());
    Path marker = tmp.resolve("started-no-grant");

    Run run = finish(exec(noGrant, "sh", "-c", "touch '" + marker + "'"));

    assertEquals(ExitCodes.NO_PERMISSION, run.exitCode);
    assertTrue(
        run.err.contains("PERMISSION_DENIED") && run.err.contains("[GRANT_MISSING]"), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void exec_commandOptionsAfterTheCommandBelongToIt() throws Exception {
    Run run =
        finish(
            cli(
                "exec",
                "--metadata",
                metadata.toString(),
                "--target",
                target(),
                "--token-file",
                tokenFile(),
                "sh",
                "-c",
                "echo \"$1\"",
                "sh",
                "--metadata"));

    assertEquals(0, run.exitCode, run.err);
    assertEquals("--metadata\n", run.out);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // fail, never hang, if forwarding breaks
  void exec_forwardsSigtermToTheChild_andExitsWithTheChildsCode() throws Exception {
    Process cli =
        exec(
            metadata,
            "sh",
            "-c",
            "trap 'echo child-got-TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done");
    List<ProcessHandle> children = List.of();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine()); // the child runs: decryption is done
      children = cli.descendants().toList();

      cli.toHandle()
          .destroy(); // SIGTERM to the codec-cli process only, as Kubernetes does to PID 1

      int exitCode = cli.waitFor();
      String stderr = new String(cli.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(42, exitCode, stderr);
      assertEquals("child-got-TERM", out.readLine());
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
      cli.destroyForcibly();
    }
  }

  @Test
  void exec_unreachableCodec_failsWithOneLine_withoutStartingTheCommand() throws Exception {
    Path marker = tmp.resolve("started-unreachable");
    Run run =
        finish(
            cli(
                "exec",
                "--metadata",
                metadata.toString(),
                "--target",
                "localhost:1",
                "--deadline",
                "3s",
                "--",
                "sh",
                "-c",
                "touch '" + marker + "'"));

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode);
    // refused connections; on a starved machine the deadline can pass first (the same exit code)
    assertTrue(
        run.err.startsWith("codec-cli: exec failed: UNAVAILABLE")
            || run.err.startsWith("codec-cli: exec failed: DEADLINE_EXCEEDED"),
        run.err);
    assertEquals(1, run.err.lines().count(), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void exec_refusedCall_failsWithOneLine_withoutStartingTheCommand() throws Exception {
    Path wrongProject = tmp.resolve("wrong-project.json");
    ObjectNode deployment = (ObjectNode) JSON.readTree(metadata.toFile());
    deployment.put("projectId", "another-project");
    Files.writeString(wrongProject, deployment.toString());
    Path marker = tmp.resolve("started-refused");

    Run run = finish(exec(wrongProject, "sh", "-c", "touch '" + marker + "'"));

    assertEquals(ExitCodes.NO_PERMISSION, run.exitCode);
    assertTrue(
        run.err.startsWith(
            "codec-cli: exec failed: PERMISSION_DENIED: grant: issued for another project"),
        run.err);
    assertTrue(run.err.contains("[GRANT_OTHER_PROJECT]"), run.err);
    assertEquals(1, run.err.lines().count(), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  @Test
  void exec_badMetadata_andMissingCommand_areReportedInOneLine() throws Exception {
    Path broken = tmp.resolve("broken.json");
    Files.writeString(broken, "{\"projectId\": \"p\"}");
    Run badMetadata = finish(exec(broken, "true"));
    assertEquals(ExitCodes.DATA, badMetadata.exitCode);
    assertEquals(
        "codec-cli: exec failed: " + broken + ": missing field \"environmentVariables\"\n",
        badMetadata.err);

    Run noSuchCommand = finish(exec(metadata, "/nonexistent/command"));
    assertEquals(127, noSuchCommand.exitCode);
    assertTrue(
        noSuchCommand.err.startsWith("codec-cli: exec failed: cannot start /nonexistent/command"),
        noSuchCommand.err);
  }

  @Test
  void env_printsDotenvAndJson_withAWarningOnStderr() throws Exception {
    Run dotenv = env(metadata);
    assertEquals(0, dotenv.exitCode, dotenv.err);
    assertEquals(
        "API_KEY='"
            + API_KEY
            + "'\n"
            + "LOG_LEVEL='info'\n"
            + "TRICKY=\"it's \\\"quoted\\\" \\$HOME \\\\ back\\nslash\"\n",
        dotenv.out);
    assertTrue(dotenv.err.contains("warning: the output contains secrets"), dotenv.err);

    Run json = env(metadata, "--format", "json", "--deployment-id", "dep-1");
    assertEquals(0, json.exitCode, json.err);
    assertEquals(
        Map.of("API_KEY", API_KEY, "LOG_LEVEL", "info", "TRICKY", TRICKY),
        JSON.readValue(json.out, Map.class));
    assertTrue(json.err.contains("warning"), json.err);
  }

  @Test
  void env_dotenvOutput_readsBackThroughPosixSh() throws Exception {
    // single-quoted values are literal for sh; the escaped form (TRICKY) is for dotenv parsers only
    Run dotenv = env(metadata);
    Path file = tmp.resolve("out.env");
    Files.writeString(
        file,
        dotenv
            .out
            .lines()
            .filter(l -> !l.startsWith("TRICKY="))
            .reduce("", (a, l) -> a + l + "\n"));
    Process sh =
        new ProcessBuilder(
                "sh", "-c", "set -a; . '" + file + "'; printf '%s|%s' \"$API_KEY\" \"$LOG_LEVEL\"")
            .start();
    assertEquals(
        API_KEY + "|info", new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(0, sh.waitFor());
    Files.delete(file);
  }

  /**
   * A writer of the metadata store deletes the seal and turns every variable plain with its own
   * values: the client cannot tell, so it still makes the call, and the service (seals required)
   * refuses it before CMD starts.
   */
  @Test
  void exec_sealDeletedAndEveryVariablePlain_isRefusedByTheService_andTheCommandNeverStarts()
      throws Exception {
    ObjectNode deployment = (ObjectNode) JSON.readTree(metadata.toFile());
    deployment.remove("seal");
    deployment.set(
        "environmentVariables",
        JSON.readTree(
            "{\"DATABASE_URL\": {\"type\": \"plain\", \"value\": \"postgres://attacker\"}}"));
    Path tampered = tmp.resolve("tampered-unsealed.json");
    Files.writeString(tampered, deployment.toString());
    Path marker = tmp.resolve("started-tampered");
    Run run = finish(exec(tampered, "sh", "-c", "touch '" + marker + "'"));

    // the grant is still there and bound to the sealed revision
    assertEquals(ExitCodes.NO_PERMISSION, run.exitCode, run.err);
    assertTrue(
        run.err.contains("PERMISSION_DENIED") && run.err.contains("seal: required"), run.err);
    assertFalse(run.err.contains("attacker"), run.err);
    assertFalse(Files.exists(marker), "the command must not start");
  }

  private static String target() {
    return "localhost:" + server.port();
  }

  /** The test caller's token file: the CLI authenticates like a real runner. */
  private static String tokenFile() {
    return server.tokensDir().resolve(TestServer.CALLER).toString();
  }

  /**
   * Starts codec-cli in a new JVM with the test classpath. On JDK 24+ with the flag docs/client.md
   * gives: protobuf-java uses sun.misc.Unsafe, and the JVM would otherwise print four WARNING
   * lines.
   */
  /**
   * {@code codec-cli exec --metadata METADATA --target <this class's server> --token-file <the
   * runner's token> -- COMMAND...}.
   */
  /**
   * {@code codec-cli env --metadata METADATA --target <this class's server> --token-file <the
   * runner's token> [OPTIONS...]}, in this JVM.
   */
  private static Run env(Path metadata, String... options) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "env",
                "--metadata",
                metadata.toString(),
                "--target",
                target(),
                "--token-file",
                tokenFile()));
    args.addAll(List.of(options));
    return inProcess(args.toArray(String[]::new));
  }

  private static Process exec(Path metadata, String... command) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "exec",
                "--metadata",
                metadata.toString(),
                "--target",
                target(),
                "--token-file",
                tokenFile(),
                "--"));
    args.addAll(List.of(command));
    return cli(args.toArray(String[]::new));
  }

  private static Process cli(String... args) throws IOException {
    return cli(Map.of(), args);
  }

  private static Process cli(Map<String, String> environment, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    if (Runtime.version().feature()
        >= 22) { // exec replaces itself through java.lang.foreign, as the jar's manifest allows
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CodecCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("INHERITED", "from-parent");
    builder.environment().keySet().removeIf(name -> name.startsWith("CODEC_"));
    // a deadline for a starved machine (a JVM started by a test can wait seconds for a CPU); tests
    // may override
    builder.environment().put("CODEC_DEADLINE", "60s");
    builder.environment().putAll(environment);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  private static Run finish(Process process) throws Exception {
    java.util.concurrent.CompletableFuture<String> err =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), out, err.get());
  }

  private static Run inProcess(String... args) {
    CliRun run = CliRun.of(args);
    return new Run(run.exitCode(), run.out(), run.err());
  }
}
