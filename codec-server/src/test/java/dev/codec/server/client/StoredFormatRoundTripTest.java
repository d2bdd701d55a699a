package dev.codec.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.EncryptedRevision;
import dev.codec.client.GeneratedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.client.json.DeploymentMetadata;
import dev.codec.client.json.StoredVariables;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control-API and runner helpers against a real server: a revision becomes the stored shape
 * with one Encrypt call, and deployment metadata in that shape becomes the environment with one
 * DecryptAll.
 */
class StoredFormatRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path kekDir;

  private TestServer server;
  private CodecClient codec;

  @BeforeEach
  void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    TestServer.writeKek(kekDir, 2); // active: new DEKs are wrapped under KEK 2
    server = TestServer.start(kekDir, Map.of(CallCounter.ENABLED, "true"));
    codec =
        CodecClient.builder()
            .target("localhost:" + server.port())
            .tokenFile(server.tokensDir().resolve(TestServer.CALLER))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    codec.close();
    server.close();
  }

  @Test
  void revision_toStoredShape_toDeploymentEnvironment_withOneCallEach() throws Exception {
    GeneratedDek dek = codec.generateDek("proj-1");
    Map<String, Variable> revision =
        Map.of(
            "API_KEY", Variable.secret("sk_live_123"),
            "PEM", Variable.secret("-----BEGIN KEY-----\nline \"two\"\n"),
            "LOG_LEVEL", Variable.plain("debug"));

    EncryptedRevision encrypted =
        StoredVariables.encryptRevision(codec, "proj-1", dek.encryptedDek(), revision);
    ObjectNode stored = (ObjectNode) JSON.readTree(encrypted.variablesJson());

    assertEquals(List.of("GenerateDek", "Encrypt"), counter().methods());
    assertTrue(encrypted.seal().startsWith("seal3:"), "the revision comes sealed");
    assertEquals(List.of("API_KEY", "LOG_LEVEL", "PEM"), iterable(stored.fieldNames()));
    JsonNode apiKey = stored.get("API_KEY");
    assertEquals("secret", apiKey.get("type").asText());
    assertTrue(apiKey.get("encrypted").asBoolean());
    assertTrue(apiKey.get("value").asText().startsWith("enc2:"));
    assertEquals(
        2, apiKey.get("keyVersion").asInt(), "keyVersion is the KEK version wrapping the DEK");
    assertEquals(dek.kekVersion(), apiKey.get("keyVersion").asInt());
    assertEquals(
        JSON.readTree("{\"type\": \"plain\", \"value\": \"debug\"}"), stored.get("LOG_LEVEL"));
    assertFalse(stored.toString().contains("sk_live_123"));

    ObjectNode deployment =
        JSON.createObjectNode()
            .put("projectId", "proj-1")
            .put("deploymentId", "dep-7")
            .put("encryptedDEK", dek.encryptedDek())
            .put(
                "grant",
                codec
                    .issueGrant(
                        "proj-1",
                        "dep-7",
                        dek.encryptedDek(),
                        encrypted.seal(),
                        Duration.ofMinutes(5))
                    .grant())
            .put("seal", encrypted.seal());
    deployment.set("environmentVariables", stored);

    DeploymentMetadata metadata = DeploymentMetadata.parse(JSON.writeValueAsString(deployment));
    assertEquals(encrypted.seal(), metadata.seal());
    assertTrue(metadata.grant().startsWith("grant3:k2:"), "the metadata's grant is read");
    Map<String, String> environment = metadata.decrypt(codec);

    assertEquals(
        Map.of(
            "API_KEY",
            "sk_live_123",
            "PEM",
            "-----BEGIN KEY-----\nline \"two\"\n",
            "LOG_LEVEL",
            "debug"),
        environment);
    assertEquals(
        List.of("GenerateDek", "Encrypt", "IssueGrant", "DecryptAll"), counter().methods());
    // the grant and seal were sent: a changed plain value is refused by the seal, a broken grant by
    // the grant check
    ((ObjectNode) deployment.get("environmentVariables").get("LOG_LEVEL")).put("value", "trace");
    CodecException sealed =
        assertThrows(
            CodecException.class,
            () -> DeploymentMetadata.parse(deployment.toString()).decrypt(codec));
    assertEquals("SEAL_MISMATCH", sealed.errorReason());
    deployment.put("grant", "grant3:k2:AAAA");
    CodecException granted =
        assertThrows(
            CodecException.class,
            () -> DeploymentMetadata.parse(deployment.toString()).decrypt(codec));
    assertEquals("GRANT_INVALID", granted.errorReason());
  }

  @Test
  void revisionWithoutSecrets_makesNoCall() {
    String stored =
        StoredVariables.encryptRevision(codec, "proj-1", "", Map.of("A", Variable.plain("1")))
            .variablesJson();

    assertEquals("{\"A\":{\"type\":\"plain\",\"value\":\"1\"}}", stored);
    assertEquals(List.of(), counter().methods());
  }

  @Test
  void deploymentOfAnotherProject_failsAsInvalidRequest() throws Exception {
    GeneratedDek dek = codec.generateDek("proj-1");
    ObjectNode stored =
        (ObjectNode)
            JSON.readTree(
                StoredVariables.encryptRevision(
                        codec,
                        "proj-1",
                        dek.encryptedDek(),
                        Map.of("API_KEY", Variable.secret("sk_live_123")))
                    .variablesJson());
    ObjectNode deployment =
        JSON.createObjectNode().put("projectId", "proj-2").put("encryptedDEK", dek.encryptedDek());
    deployment.set("environmentVariables", stored);

    CodecException e =
        assertThrows(
            CodecException.class,
            () -> DeploymentMetadata.parse(deployment.toString()).decrypt(codec));

    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
    assertFalse(e.getMessage().contains("sk_live_123"));
  }

  private CallCounter counter() {
    return server.context().getBean(CallCounter.class);
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }
}
