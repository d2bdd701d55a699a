package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.DekToRewrap;
import dev.codec.client.RewrapResult;
import dev.codec.client.RotatedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration from the legacy Node codec, with the public seed vectors (test resource {@code
 * vectors/seed-legacy-public.json}: its KEK, wrapped DEKs, ciphertexts and plaintexts).
 */
class LegacyMigrationTest {
  private static final Map<String, Object> LEGACY_ON =
      Map.of("codec.legacy.accept", true, "codec.kek.reload-interval", "0s");

  /** One vector project: its id, legacy wrapped DEK, and variables. */
  private record VectorProject(
      String projectId,
      String encryptedDek,
      Map<String, Variable> variables,
      Map<String, String> plaintexts) {}

  private static String vectorKek;
  private static List<VectorProject> projects;

  @TempDir Path kekDir;

  @BeforeAll
  static void readVectors() throws IOException {
    JsonNode root;
    try (InputStream in =
        LegacyMigrationTest.class.getResourceAsStream("/vectors/seed-legacy-public.json")) {
      root = new ObjectMapper().readTree(in);
    }
    vectorKek = root.get("kek").asText();
    projects = new ArrayList<>();
    for (JsonNode project : root.get("projects")) {
      Map<String, Variable> variables = new HashMap<>();
      Map<String, String> plaintexts = new HashMap<>();
      project
          .get("variables")
          .fields()
          .forEachRemaining(
              entry -> {
                JsonNode v = entry.getValue();
                variables.put(
                    entry.getKey(),
                    "secret".equals(v.get("type").asText())
                        ? Variable.secret(v.get("value").asText())
                        : Variable.plain(v.get("value").asText()));
                plaintexts.put(entry.getKey(), v.get("plaintext").asText());
              });
      projects.add(
          new VectorProject(
              project.get("projectId").asText(),
              project.get("encryptedDEK").asText(),
              variables,
              plaintexts));
    }
    assertFalse(projects.isEmpty());
    assertTrue(
        projects.stream()
                .mapToLong(
                    p ->
                        p.variables().values().stream()
                            .filter(v -> v.kind() == Variable.Kind.SECRET)
                            .count())
                .sum()
            >= 5,
        "vectors must hold secrets");
  }

  @Test
  void everyVector_decryptsToItsPlaintext_withLegacyAccepted() throws Exception {
    writeVectorKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir, LEGACY_ON)) {
      CodecClient codec = server.client();
      assertTrue(codec.status().legacyAccepted());
      for (VectorProject project : projects) {
        assertEquals(
            project.plaintexts(),
            codec.decryptAll(
                project.projectId(), "dep-1", project.encryptedDek(), project.variables()));
        for (Map.Entry<String, Variable> entry : project.variables().entrySet()) {
          if (entry.getValue().kind() == Variable.Kind.SECRET) {
            assertEquals(
                project.plaintexts().get(entry.getKey()),
                codec.decryptValue(
                    project.projectId(), project.encryptedDek(), entry.getValue().value()),
                entry.getKey());
          }
        }
      }
    }
  }

  @Test
  void legacyWrappedDek_unwrapsWithAnyLoadedKek(@TempDir Path otherDir) throws Exception {
    TestServer.writeKek(kekDir, 1);
    writeVectorKek(kekDir, 2);
    TestServer.writeKek(kekDir, 3);
    try (TestServer server = TestServer.start(kekDir, LEGACY_ON)) {
      VectorProject project = projects.get(0);
      assertEquals(
          project.plaintexts(),
          server
              .client()
              .decryptAll(project.projectId(), "", project.encryptedDek(), project.variables()));
    }
    TestServer.writeKek(otherDir, 1);
    try (TestServer server = TestServer.start(otherDir, LEGACY_ON)) {
      VectorProject project = projects.get(0);
      CodecException e =
          assertThrows(
              CodecException.class,
              () ->
                  server
                      .client()
                      .decryptAll(
                          project.projectId(), "", project.encryptedDek(), project.variables()));
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("encrypted_dek"), e.getMessage());
    }
  }

  @Test
  void tamperedLegacyValue_isInvalidArgumentNamingTheVariable() throws Exception {
    writeVectorKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir, LEGACY_ON)) {
      VectorProject project = projects.get(0);
      Map<String, Variable> tampered = new HashMap<>(project.variables());
      String name = secretNames(project).get(0);
      tampered.put(name, Variable.secret(flipFirstChar(project.variables().get(name).value())));

      CodecException e =
          assertThrows(
              CodecException.class,
              () ->
                  server
                      .client()
                      .decryptAll(project.projectId(), "", project.encryptedDek(), tampered));

      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("variables[" + name + "]"), e.getMessage());
    }
  }

  @Test
  void rewrapAndRotate_migrateEverything_resultsDecryptWithLegacyTurnedOff() throws Exception {
    writeVectorKek(kekDir, 1);
    TestServer.writeKek(kekDir, 2);
    Map<String, String> rewrappedDeks = new HashMap<>();
    Map<String, RotatedDek> rotated = new HashMap<>();
    try (TestServer server = TestServer.start(kekDir, LEGACY_ON)) {
      CodecClient codec = server.client();
      List<DekToRewrap> items = new ArrayList<>();
      projects.forEach(p -> items.add(new DekToRewrap(p.projectId(), p.encryptedDek())));

      List<RewrapResult> results = codec.rewrapDeks(items);

      for (int i = 0; i < projects.size(); i++) {
        RewrapResult result = results.get(i);
        assertTrue(result.ok(), String.valueOf(result.errorMessage()));
        assertEquals(2, result.kekVersion());
        assertTrue(result.encryptedDek().startsWith("dek1:k2:"), result.encryptedDek());
        rewrappedDeks.put(projects.get(i).projectId(), result.encryptedDek());
      }
      for (VectorProject project : projects) {
        Map<String, String> secrets = new HashMap<>();
        project
            .variables()
            .forEach(
                (name, v) -> {
                  if (v.kind() == Variable.Kind.SECRET) {
                    secrets.put(name, v.value());
                  }
                });
        // the legacy values still open under the re-wrapped (same) DEK
        RotatedDek result =
            codec.rotateDek(project.projectId(), rewrappedDeks.get(project.projectId()), secrets);
        result.encrypted().values().forEach(ct -> assertTrue(ct.startsWith("enc2:"), ct));
        rotated.put(project.projectId(), result);
      }
    }

    try (TestServer server = TestServer.start(kekDir, Map.of("codec.kek.reload-interval", "0s"))) {
      CodecClient codec = server.client();
      assertFalse(codec.status().legacyAccepted());
      for (VectorProject project : projects) {
        RotatedDek result = rotated.get(project.projectId());
        Map<String, Variable> migrated = new HashMap<>(project.variables());
        result.encrypted().forEach((name, ct) -> migrated.put(name, Variable.secret(ct)));

        assertEquals(
            project.plaintexts(),
            codec.decryptAll(project.projectId(), "", result.encryptedDek(), migrated));
        // the re-wrapped DEK works without legacy input too (values encrypted under it anew)
        String rewrapped = rewrappedDeks.get(project.projectId());
        String ct = codec.encrypt(project.projectId(), rewrapped, Map.of("K", "v")).get("K");
        assertEquals("v", codec.decryptValue(project.projectId(), rewrapped, "K", ct));
        // and the original legacy input is now refused as such
        CodecException e =
            assertThrows(
                CodecException.class,
                () ->
                    codec.decryptAll(
                        project.projectId(), "", project.encryptedDek(), project.variables()));
        assertEquals(StatusCode.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("legacy input is disabled"), e.getMessage());
      }
    }
  }

  private static List<String> secretNames(VectorProject project) {
    List<String> names = new ArrayList<>();
    project
        .variables()
        .forEach(
            (name, v) -> {
              if (v.kind() == Variable.Kind.SECRET) {
                names.add(name);
              }
            });
    names.sort(null);
    return names;
  }

  /** Changes the first base64 character (the IV), keeping the text valid base64. */
  private static String flipFirstChar(String text) {
    return (text.charAt(0) == 'A' ? 'B' : 'A') + text.substring(1);
  }

  private static void writeVectorKek(Path dir, int version) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(Integer.toString(version)), vectorKek + "\n");
  }
}
