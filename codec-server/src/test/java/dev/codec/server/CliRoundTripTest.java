package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.cli.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keygen -> server start on that KEK -> generate-dek -> encrypt -> decrypt-all, all through the
 * CLI.
 */
class CliRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void keygen_serverStart_generateDek_encrypt_decryptAll(@TempDir Path tmp) throws Exception {
    Path kekFile = tmp.resolve("kek").resolve("1");
    CliRun keygen = CliRun.of("keygen", "--out", kekFile.toString());
    assertEquals(0, keygen.exitCode(), keygen.err());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kekFile)));
    assertFalse(
        keygen.out().contains(Files.readString(kekFile).trim()),
        "keygen --out must not print the key");

    try (TestServer server = TestServer.start(kekFile.getParent())) {
      String target = "localhost:" + server.port();
      String token =
          server
              .tokensDir()
              .resolve(TestServer.CALLER)
              .toString(); // authenticates like a real caller

      CliRun generated = CliRun.against(target, token, "generate-dek", "--project", "proj-1");

      assertEquals(0, generated.exitCode(), generated.err());
      JsonNode dek = JSON.readTree(generated.out());
      assertEquals(1, dek.get("kek_version").asInt());
      String encryptedDek = dek.get("encrypted_dek").asText();

      CliRun encrypted =
          CliRun.against(
              target,
              token,
              "encrypt",
              "--project",
              "proj-1",
              "--dek",
              encryptedDek,
              "API_KEY=sk_live_123",
              "EMPTY=",
              "WITH_EQUALS=a=b");
      assertEquals(0, encrypted.exitCode(), encrypted.err());
      JsonNode stored = JSON.readTree(encrypted.out());
      assertEquals("secret", stored.get("API_KEY").get("type").asText());
      assertTrue(stored.get("API_KEY").get("value").asText().startsWith("enc2:"));
      assertFalse(encrypted.out().contains("sk_live_123"));

      // add a plain variable, as the control API stores them side by side
      ((com.fasterxml.jackson.databind.node.ObjectNode) stored)
          .putObject("LOG_LEVEL")
          .put("type", "plain")
          .put("value", "debug");
      Path variablesFile = tmp.resolve("variables.json");
      Files.writeString(variablesFile, JSON.writeValueAsString(stored));

      CliRun decrypted =
          CliRun.against(
              target,
              token,
              "decrypt-all",
              "--project",
              "proj-1",
              "--dek",
              encryptedDek,
              "--deployment",
              "dep-1",
              "--file",
              variablesFile.toString());
      assertEquals(0, decrypted.exitCode(), decrypted.err());
      assertEquals(
          Map.of("API_KEY", "sk_live_123", "EMPTY", "", "WITH_EQUALS", "a=b", "LOG_LEVEL", "debug"),
          JSON.readValue(decrypted.out(), Map.class));

      CliRun wrongProject =
          CliRun.against(
              target,
              token,
              "decrypt-all",
              "--project",
              "proj-2",
              "--dek",
              encryptedDek,
              "--file",
              variablesFile.toString());
      assertEquals(ExitCodes.DATA, wrongProject.exitCode());
      assertTrue(
          wrongProject.err().contains("INVALID_ARGUMENT: encrypted_dek"), wrongProject.err());
      assertFalse(wrongProject.err().contains("sk_live_123"));
    }
  }

  @Test
  void seal_thenGrantForThatRevision_thenDecryptAll_withGrantsAndSealsRequired(@TempDir Path tmp)
      throws Exception {
    TestServer.writeKek(tmp.resolve("kek"), 1);
    try (TestServer server =
        TestServer.start(
            tmp.resolve("kek"),
            Map.of("codec.grants.required", true, "codec.seals.required", true))) {
      String target = "localhost:" + server.port();
      String token = server.tokensDir().resolve(TestServer.CALLER).toString();
      String dek =
          CliRun.against(
                  target, token, "generate-dek", "--project", "proj-s", "--field", "encrypted_dek")
              .out()
              .trim();
      CliRun encrypted =
          CliRun.against(
              target, token, "encrypt", "--project", "proj-s", "--dek", dek, "API_KEY=sk_live_9");

      assertEquals(0, encrypted.exitCode(), encrypted.err());
      com.fasterxml.jackson.databind.node.ObjectNode stored =
          (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(encrypted.out());
      stored.putObject("LOG_LEVEL").put("type", "plain").put("value", "info");
      Path file = Files.writeString(tmp.resolve("revision.json"), JSON.writeValueAsString(stored));

      CliRun sealed =
          CliRun.against(
              target,
              token,
              "seal",
              "--project",
              "proj-s",
              "--dek",
              dek,
              "--file",
              file.toString(),
              "--field",
              "seal");
      assertEquals(0, sealed.exitCode(), sealed.err());
      String seal = sealed.out().trim();
      assertTrue(seal.startsWith("seal3:"), seal);
      String grant =
          CliRun.against(
                  target,
                  token,
                  "grant",
                  "--project",
                  "proj-s",
                  "--deployment",
                  "dep-s",
                  "--dek",
                  dek,
                  "--seal",
                  seal,
                  "--field",
                  "grant")
              .out()
              .trim();

      CliRun decrypted =
          CliRun.against(
              target,
              token,
              "decrypt-all",
              "--project",
              "proj-s",
              "--dek",
              dek,
              "--file",
              file.toString(),
              "--grant",
              grant,
              "--seal",
              seal);
      assertEquals(0, decrypted.exitCode(), decrypted.err());
      assertEquals(
          Map.of("API_KEY", "sk_live_9", "LOG_LEVEL", "info"),
          JSON.readValue(decrypted.out(), Map.class));

      // the seal covers the whole set: a PLAIN value changed after sealing is refused (values are
      // never named), and an injected variable is refused naming it
      stored.putObject("LOG_LEVEL").put("type", "plain").put("value", "debug");
      Path changed =
          Files.writeString(tmp.resolve("changed.json"), JSON.writeValueAsString(stored));
      CliRun refused =
          CliRun.against(
              target,
              token,
              "decrypt-all",
              "--project",
              "proj-s",
              "--dek",
              dek,
              "--file",
              changed.toString(),
              "--grant",
              grant,
              "--seal",
              seal);
      assertEquals(ExitCodes.DATA, refused.exitCode(), refused.err());
      assertTrue(refused.err().contains("SEAL_MISMATCH"), refused.err());
      assertFalse(
          refused.err().contains("debug") || refused.err().contains("sk_live_9"), refused.err());
      stored.putObject("LOG_LEVEL").put("type", "plain").put("value", "info");
      stored.putObject("NODE_OPTIONS").put("type", "plain").put("value", "--require /tmp/x.js");
      Path injected =
          Files.writeString(tmp.resolve("injected.json"), JSON.writeValueAsString(stored));
      CliRun injectedRun =
          CliRun.against(
              target,
              token,
              "decrypt-all",
              "--project",
              "proj-s",
              "--dek",
              dek,
              "--file",
              injected.toString(),
              "--grant",
              grant,
              "--seal",
              seal);
      assertEquals(ExitCodes.DATA, injectedRun.exitCode(), injectedRun.err());
      assertTrue(
          injectedRun.err().contains("NODE_OPTIONS") && injectedRun.err().contains("SEAL_MISMATCH"),
          injectedRun.err());
      stored.remove("NODE_OPTIONS");

      // sealing checks every secret under its name: a ciphertext moved to another name is refused
      com.fasterxml.jackson.databind.node.ObjectNode moved = stored.deepCopy();
      moved.set("OTHER_KEY", moved.remove("API_KEY"));
      Path movedFile = Files.writeString(tmp.resolve("moved.json"), JSON.writeValueAsString(moved));
      CliRun movedSeal =
          CliRun.against(
              target,
              token,
              "seal",
              "--project",
              "proj-s",
              "--dek",
              dek,
              "--file",
              movedFile.toString());
      assertEquals(ExitCodes.DATA, movedSeal.exitCode(), movedSeal.err());
      assertTrue(movedSeal.err().contains("OTHER_KEY"), movedSeal.err());
    }
  }

  @Test
  void unreachableService_failsWithOneLine() {
    CliRun run =
        CliRun.of("generate-dek", "--project", "p", "--target", "localhost:1", "--deadline", "2s");

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode());
    assertTrue(run.err().startsWith("codec-cli: generate-dek failed: UNAVAILABLE"), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void tokenOverPlaintext_toANonLoopbackAddress_isRefused_unlessAllowInsecure(@TempDir Path tmp)
      throws Exception {
    String address = null;
    for (java.net.NetworkInterface nic :
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (java.net.InetAddress candidate : java.util.Collections.list(nic.getInetAddresses())) {
        if (nic.isUp()
            && candidate instanceof java.net.Inet4Address
            && !candidate.isLoopbackAddress()) {
          address = candidate.getHostAddress();
        }
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        address != null, "this machine has no non-loopback IPv4 address");
    TestServer.writeKek(tmp.resolve("kek"), 1);
    try (TestServer server = TestServer.start(tmp.resolve("kek"))) { // listens on every address
      String target = address + ":" + server.port();
      String token = server.tokensDir().resolve(TestServer.CALLER).toString();

      CliRun refused = CliRun.against(target, token, "generate-dek", "--project", "p");
      CliRun allowed =
          CliRun.against(target, token, "generate-dek", "--project", "p", "--allow-insecure");

      assertEquals(ExitCodes.NO_PERMISSION, refused.exitCode());
      assertTrue(
          refused.err().contains("UNAUTHENTICATED: refusing to send the token without TLS"),
          refused.err());
      assertEquals(0, allowed.exitCode(), allowed.err());
      assertTrue(allowed.out().contains("dek1:"), allowed.out());
    }
  }
}
