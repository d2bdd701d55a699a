package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.codec.client.cli.CodecCli;
import dev.codec.client.cli.ExitCodes;
import dev.codec.server.CliRun;
import dev.codec.server.TestServer;
import dev.codec.server.wiring.SecretReloads;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * codec-cli against a real server: each output format and --field on real results, the environment
 * variables in a real process, and each exit-code category from a real refusal.
 */
class CliOutputAndExitCodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;

  private static TestServer server;
  private static String target;
  private static String token;
  private static String readerToken;

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(tmp.resolve("kek"), 1);
    server =
        TestServer.start(
            tmp.resolve("kek"),
            Map.of("codec.auth.callers.reader.permissions", List.of("decrypt")));
    target = "localhost:" + server.port();
    token = server.tokensDir().resolve(TestServer.CALLER).toString();
    TestServer.writeToken(server.tokensDir(), "reader");
    server.context().getBean(SecretReloads.class).reloadNow(SecretReloads.CALLER_TOKENS);
    readerToken = server.tokensDir().resolve("reader").toString();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--target", target, "--token-file", token));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static void assertOk(CliRun run) {
    assertEquals(0, run.exitCode(), run.err());
  }

  @Test
  void generateDek_eachFormat_printsTheSameFields() throws Exception {
    CliRun json = cli("generate-dek", "--project", "p-formats");
    assertOk(json);
    assertEquals(1, json.out().lines().count(), "json is one line: " + json.out());
    JsonNode dek = JSON.readTree(json.out());
    assertEquals("p-formats", dek.get("project_id").asText());
    assertTrue(dek.get("encrypted_dek").asText().startsWith("dek1:k1:"), json.out());
    assertEquals(1, dek.get("kek_version").asInt());
    assertEquals(List.of("project_id", "encrypted_dek", "kek_version"), fieldNames(dek));

    CliRun pretty = cli("generate-dek", "--project", "p-formats", "-o", "json-pretty");
    assertOk(pretty);
    assertTrue(pretty.out().lines().count() > 3, pretty.out());
    assertEquals(fieldNames(dek), fieldNames(JSON.readTree(pretty.out())));

    CliRun yaml = cli("generate-dek", "--project", "p-formats", "--output", "yaml");
    assertOk(yaml);
    JsonNode fromYaml = new YAMLMapper().readTree(yaml.out());
    assertEquals("p-formats", fromYaml.get("project_id").asText());
    assertTrue(fromYaml.get("encrypted_dek").asText().startsWith("dek1:k1:"), yaml.out());
    assertTrue(yaml.out().contains("kek_version: 1"), yaml.out());
    assertFalse(yaml.out().startsWith("---"), yaml.out());

    CliRun table = cli("generate-dek", "--project", "p-formats", "-o", "table");
    assertOk(table);
    List<String> rows = table.out().lines().toList();
    assertEquals(List.of("FIELD", "VALUE"), List.of(rows.get(0).split(" +")));
    assertTrue(rows.get(1).matches("project_id {3,}p-formats"), rows.get(1));
    assertTrue(rows.get(2).matches("encrypted_dek +dek1:k1:\\S+"), rows.get(2));
    assertTrue(rows.get(3).matches("kek_version +1"), rows.get(3));
    assertEquals(rows.get(1).indexOf("p-formats"), rows.get(2).indexOf("dek1:"), "values aligned");
  }

  @Test
  void field_printsTheRawValue_usableInTheNextCommand() throws Exception {
    CliRun field = cli("generate-dek", "--project", "p-field", "--field", "encrypted_dek");
    assertOk(field);
    String dek = field.out().trim();
    assertEquals(dek + "\n", field.out(), "the value alone on one line, no quotes");
    assertTrue(dek.startsWith("dek1:k1:"), dek);

    CliRun encrypted =
        cli("encrypt", "--project", "p-field", "--dek", dek, "API_KEY=sk_live_123", "-o", "yaml");
    assertOk(encrypted);
    Path variables = tmp.resolve("field-variables.json");
    Files.writeString(
        variables, JSON.writeValueAsString(new YAMLMapper().readTree(encrypted.out())));
    assertTrue(
        encrypted.out().contains("keyVersion"),
        "the stored shape keeps its names: " + encrypted.out());

    CliRun value =
        cli(
            "decrypt-all",
            "--project",
            "p-field",
            "--dek",
            dek,
            "--file",
            variables.toString(),
            "--field",
            "API_KEY");
    assertOk(value);
    assertEquals("sk_live_123\n", value.out());

    CliRun version =
        cli("generate-dek", "--project", "p-field", "--field", "kek_version", "-o", "yaml");
    assertEquals("1\n", version.out(), "--field wins over -o");

    CliRun nested = cli("status", "--field", "kek_versions.0.version");
    assertOk(nested);
    assertEquals("1\n", nested.out());
    CliRun object = cli("status", "--field", "dek_cache");
    assertTrue(JSON.readTree(object.out()).has("hit_ratio"), object.out());

    CliRun missing = cli("generate-dek", "--project", "p-field", "--field", "encryptedDek");
    assertEquals(ExitCodes.USAGE, missing.exitCode());
    assertTrue(
        missing
            .err()
            .contains(
                "--field encryptedDek: no field 'encryptedDek' (there are: project_id, "
                    + "encrypted_dek, kek_version)"),
        missing.err());
    assertEquals("", missing.out());
  }

  @Test
  void status_andGrant_inEachFormat() throws Exception {
    JsonNode status = JSON.readTree(cli("status").out());
    assertEquals(1, status.get("active_kek_version").asInt());
    assertTrue(status.get("kek_versions").get(0).get("load_time").asText().endsWith("Z"));
    assertTrue(status.get("last_reload").has("time"));
    CliRun table = cli("status", "-o", "table");
    assertOk(table);
    assertTrue(
        table.out().lines().anyMatch(l -> l.matches("kek_versions\\.0\\.fingerprint +[0-9a-f]+")),
        table.out());
    assertTrue(table.out().lines().anyMatch(l -> l.matches("last_reload\\.error +-")), table.out());
    JsonNode fromYaml = new YAMLMapper().readTree(cli("status", "-o", "yaml").out());
    assertEquals(
        status.get("kek_versions"), fromYaml.get("kek_versions"), "YAML holds the same tree");
    assertEquals(status.get("legacy_accepted"), fromYaml.get("legacy_accepted"));

    String dek =
        cli("generate-dek", "--project", "p-grant", "--field", "encrypted_dek").out().trim();
    CliRun grant =
        cli(
            "grant",
            "--project",
            "p-grant",
            "--deployment",
            "dep-1",
            "--dek",
            dek,
            "--ttl",
            "5m",
            "--field",
            "grant");
    assertOk(grant);
    assertTrue(
        grant.out().startsWith("grant3:k1:") && grant.out().lines().count() == 1, grant.out());
  }

  @Test
  void exitCodes_byCategory_fromRealRefusals() throws Exception {
    String dek =
        cli("generate-dek", "--project", "p-exit", "--field", "encrypted_dek").out().trim();

    CliRun badData = cli("encrypt", "--project", "other-project", "--dek", dek, "A=b");
    assertEquals(ExitCodes.DATA, badData.exitCode(), badData.err());
    assertTrue(
        badData.err().startsWith("codec-cli: encrypt failed: INVALID_ARGUMENT"), badData.err());

    CliRun notAllowed =
        CliRun.of(
            "generate-dek", "--project", "p-exit", "--target", target, "--token-file", readerToken);
    assertEquals(ExitCodes.NO_PERMISSION, notAllowed.exitCode(), notAllowed.err());
    assertTrue(
        notAllowed.err().startsWith("codec-cli: generate-dek failed: PERMISSION_DENIED"),
        notAllowed.err());

    Path unknownToken =
        Files.writeString(tmp.resolve("unknown.token"), "an-unknown-token-of-enough-length\n");
    CliRun unauthenticated =
        CliRun.of("status", "--target", target, "--token-file", unknownToken.toString());
    assertEquals(ExitCodes.NO_PERMISSION, unauthenticated.exitCode(), unauthenticated.err());

    String unloaded = dek.replace("dek1:k1:", "dek1:k7:");
    CliRun keyNotLoaded = cli("encrypt", "--project", "p-exit", "--dek", unloaded, "A=b");
    assertEquals(ExitCodes.UNAVAILABLE, keyNotLoaded.exitCode(), keyNotLoaded.err());
    assertTrue(keyNotLoaded.err().contains("FAILED_PRECONDITION"), keyNotLoaded.err());

    CliRun unreachable;
    // a port held for the call (never picked, released and reused): it closes every connection, as
    // no server
    try (ServerSocket noServer =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread closer =
          new Thread(
              () -> {
                while (true) {
                  try (java.net.Socket connection = noServer.accept()) {
                    // closed at once
                  } catch (java.io.IOException e) {
                    return; // the port was released
                  }
                }
              },
              "no-server");
      closer.setDaemon(true);
      closer.start();
      unreachable =
          CliRun.of(
              "status", "--target", "127.0.0.1:" + noServer.getLocalPort(), "--token-file", token);
    }
    assertEquals(ExitCodes.TEMP_FAIL, unreachable.exitCode(), unreachable.err());

    CliRun usage = cli("encrypt", "--project", "p-exit", "--dek", dek, "not-a-pair");
    assertEquals(ExitCodes.USAGE, usage.exitCode(), usage.err());

    for (CliRun failed : List.of(badData, notAllowed, unauthenticated, keyNotLoaded, unreachable)) {
      assertEquals(1, failed.err().lines().count(), failed.err());
      assertEquals("", failed.out());
    }
  }

  @Test
  void environmentVariables_setEveryOption_andTheCommandLineWins() throws Exception {
    Map<String, String> env =
        Map.of(
            "CODEC_TARGET",
            target,
            "CODEC_TOKEN_FILE",
            token,
            "CODEC_PROJECT",
            "p-env",
            "CODEC_OUTPUT",
            "yaml",
            "CODEC_DEADLINE",
            "20s");

    Process yaml = cliProcess(env, "generate-dek");
    String out = output(yaml);
    assertEquals(0, yaml.exitValue(), out);
    JsonNode dek = new YAMLMapper().readTree(out);
    assertEquals("p-env", dek.get("project_id").asText());

    Map<String, String> withField = new java.util.HashMap<>(env);
    withField.put("CODEC_FIELD", "project_id");
    Process field = cliProcess(withField, "generate-dek", "--project", "from-the-command-line");
    assertEquals("from-the-command-line\n", output(field));

    Map<String, String> badDeadline = new java.util.HashMap<>(env);
    badDeadline.put("CODEC_DEADLINE", "soon");
    Process usage = cliProcess(badDeadline, "status");
    output(usage);
    assertEquals(
        ExitCodes.USAGE, usage.exitValue(), "a malformed environment variable is a usage error");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * codec-cli in a new JVM (environment variables cannot be set in this one), without inherited
   * CODEC_*.
   */
  private static Process cliProcess(Map<String, String> environment, String... args)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CodecCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith("CODEC_"));
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static String output(Process process) throws Exception {
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return process.getInputStream().readAllBytes();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "codec-cli did not finish");
    return new String(out.get(), StandardCharsets.UTF_8);
  }
}
