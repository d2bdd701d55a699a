package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.cli.ExitCodes;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRingLoader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** codec-cli rewrap and status against the real server. */
class KeyLifecycleCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path kekDir;

  private static TestServer server;
  private static String target;
  private static String kekTwo;

  @BeforeAll
  static void startServer() throws Exception {
    TestServer.writeKek(kekDir, 1);
    kekTwo = TestServer.writeKek(kekDir, 2);
    server = TestServer.start(kekDir, Map.of("codec.kek.reload-interval", "0s"));
    target = "localhost:" + server.port();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void rewrap_fromFile_inBatches_reportsFailedLinesAndExitsNonZero(@TempDir Path tmp)
      throws Exception {
    EnvelopeCrypto versionOne =
        new EnvelopeCrypto(
            () -> {
              try {
                return KekRingLoader.fromDirectory(kekDir, 1);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    CodecClient codec = server.client();
    List<String> lines = new ArrayList<>();
    List<String> cts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String project = "proj-" + i;
      String dek = versionOne.generateWrappedDek(project).encoded();
      cts.add(codec.encrypt(project, dek, Map.of("K", "secret-" + i)).get("K"));
      lines.add(project + "," + dek);
    }
    lines.add(2, "proj-x,dek1:k1:garbage"); // line 3
    lines.add(4, ""); // line 5: blank, skipped
    lines.add(5, "no comma here"); // line 6
    Path input = tmp.resolve("deks.csv");
    Files.write(input, lines);

    CliRun run =
        CliRun.of(
            "rewrap",
            "--file",
            input.toString(),
            "--batch-size",
            "2",
            "--target",
            target,
            "--token-file",
            tokenFile());

    assertEquals(ExitCodes.DATA, run.exitCode(), run.err());
    List<String> out = run.out().lines().toList();
    assertEquals(5, out.size(), run.out());
    for (int i = 0; i < 5; i++) {
      String[] parts = out.get(i).split(",", 2);
      assertEquals("proj-" + i, parts[0]);
      assertTrue(parts[1].startsWith("dek1:k2:"), parts[1]);
      assertEquals("secret-" + i, codec.decryptValue(parts[0], parts[1], "K", cts.get(i)));
    }
    assertTrue(run.err().contains("line 3: INVALID_ARGUMENT: encrypted_dek"), run.err());
    assertTrue(run.err().contains("line 6: expected project_id,encrypted_dek"), run.err());
    assertTrue(run.err().contains("rewrap: 6 sent, 2 failed"), run.err());
    assertFalse(run.err().contains("garbage"), run.err());
  }

  @Test
  void rewrap_fromStdin_allGood_exitsZero() throws Exception {
    String dek = server.client().generateDek("proj-stdin").encryptedDek();
    InputStream stdin = System.in;
    CliRun run;
    try {
      System.setIn(
          new ByteArrayInputStream(("proj-stdin," + dek + "\n").getBytes(StandardCharsets.UTF_8)));
      run = CliRun.of("rewrap", "--target", target, "--token-file", tokenFile());
    } finally {
      System.setIn(stdin);
    }

    assertEquals(0, run.exitCode(), run.err());
    String[] parts = run.out().trim().split(",", 2);
    assertEquals("proj-stdin", parts[0]);
    assertTrue(parts[1].startsWith("dek1:k2:"));
    assertEquals(32, server.client().decryptDek("proj-stdin", parts[1]).length);
  }

  @Test
  void rewrap_unreachableService_failsNamingTheLines(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("deks.csv");
    Files.writeString(input, "p,dek1:k1:AAAA\n");

    CliRun run =
        CliRun.of(
            "rewrap", "--file", input.toString(), "--target", "localhost:1", "--deadline", "2s");

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode());
    assertTrue(run.err().contains("lines 1-1: not re-wrapped"), run.err());
    assertTrue(run.err().contains("rewrap failed: UNAVAILABLE"), run.err());
  }

  @Test
  void status_printsJsonWithFingerprints() throws Exception {
    CliRun run = CliRun.of("status", "--target", target, "--token-file", tokenFile());

    assertEquals(0, run.exitCode(), run.err());
    JsonNode status = JSON.readTree(run.out());
    assertEquals(2, status.get("active_kek_version").asInt());
    assertEquals(2, status.get("kek_versions").size());
    assertEquals(2, status.get("kek_versions").get(1).get("version").asInt());
    assertEquals(
        LegacyTestCrypto.fingerprint(kekTwo),
        status.get("kek_versions").get(1).get("fingerprint").asText());
    assertTrue(status.get("kek_versions").get(1).get("load_time").asText().endsWith("Z"));
    assertEquals("NOT_YET", status.get("last_reload").get("result").asText());
    assertTrue(status.get("dek_cache").has("size"));
    assertTrue(status.get("dek_cache").has("hit_ratio"));
    assertFalse(status.get("legacy_accepted").asBoolean());
    assertFalse(run.out().contains(kekTwo));
  }

  /** The test caller's token file (it has the rotate permission). */
  private static String tokenFile() {
    return server.tokensDir().resolve(TestServer.CALLER).toString();
  }
}
