package dev.codec.client.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.Variable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentMetadataTest {
  private static final String SECRET_VALUE = "enc1:c2VjcmV0LWNpcGhlcnRleHQ=";

  @Test
  void parse_readsTheFieldsRealRecordsUse() {
    DeploymentMetadata metadata =
        DeploymentMetadata.parse(
            """
                {"projectId": "0f22036d", "deploymentId": "dep-1", "encryptedDEK": "dek1:k2:AAAA",
                 "createdAt": "2024-01-01",
                 "environmentVariables": {
                   "API_KEY": {"type": "secret", "encrypted": true, "value": "%s", "keyVersion": 2},
                   "LOG_LEVEL": {"type": "plain", "value": "info"}}}
                """
                .formatted(SECRET_VALUE));

    assertEquals("0f22036d", metadata.projectId());
    assertEquals("dep-1", metadata.deploymentId());
    assertEquals("dek1:k2:AAAA", metadata.encryptedDek());
    assertEquals(
        Map.of("API_KEY", Variable.secret(SECRET_VALUE), "LOG_LEVEL", Variable.plain("info")),
        metadata.variables());
    assertEquals("dep-9", metadata.withDeploymentId("dep-9").deploymentId());
  }

  @Test
  void parse_acceptsTheProjectRecordNameVariables_andNoDekWhenNothingIsSecret() {
    DeploymentMetadata metadata =
        DeploymentMetadata.parse(
            "{\"projectId\": \"p\", \"variables\": {\"A\": {\"type\": \"plain\", \"value\": \"1\"}}}");

    assertEquals(Map.of("A", Variable.plain("1")), metadata.variables());
    assertEquals("", metadata.encryptedDek());
    assertEquals("", metadata.deploymentId());
  }

  @Test
  void parse_errorsNameWhatIsMissingOrWrong_neverAValue() {
    assertMessage("deployment metadata is not valid JSON (line 1", "{\"projectId\": ");
    assertMessage("deployment metadata must be a JSON object", "[]");
    assertMessage("missing field \"projectId\"", "{\"environmentVariables\": {}}");
    assertMessage(
        "\"projectId\" must be a string", "{\"projectId\": 7, \"environmentVariables\": {}}");
    assertMessage("\"projectId\" is empty", "{\"projectId\": \"\", \"environmentVariables\": {}}");
    assertMessage("missing field \"environmentVariables\"", "{\"projectId\": \"p\"}");
    assertMessage(
        "\"environmentVariables\" must be an object",
        "{\"projectId\": \"p\", \"environmentVariables\": [\"%s\"]}".formatted(SECRET_VALUE));
    assertMessage(
        "missing field \"encryptedDEK\"",
        ("{\"projectId\": \"p\", \"environmentVariables\": "
                + "{\"K\": {\"type\": \"secret\", \"value\": \"%s\"}}}")
            .formatted(SECRET_VALUE));
    assertMessage(
        "environmentVariables.K: \"type\" must be",
        ("{\"projectId\": \"p\", \"encryptedDEK\": \"d\", "
                + "\"environmentVariables\": {\"K\": {\"type\": \"secrett\", \"value\": \"%s\"}}}")
            .formatted(SECRET_VALUE));
    assertMessage(
        "environmentVariables.K: missing string field \"value\"",
        "{\"projectId\": \"p\", \"environmentVariables\": {\"K\": {\"type\": \"plain\"}}}");
    assertMessage(
        "give either", "{\"projectId\": \"p\", \"environmentVariables\": {}, \"variables\": {}}");
  }

  @Test
  void read_namesTheFile(@TempDir Path tmp) throws Exception {
    Path missing = tmp.resolve("absent.json");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeploymentMetadata.read(missing));
    assertEquals(missing + ": no such file", e.getMessage());

    Path file = tmp.resolve("deployment.json");
    Files.writeString(file, "{\"projectId\": \"p\"}");
    e = assertThrows(IllegalArgumentException.class, () -> DeploymentMetadata.read(file));
    assertEquals(file + ": missing field \"environmentVariables\"", e.getMessage());
  }

  @Test
  void toString_showsNoValueAndNoDek() {
    DeploymentMetadata metadata =
        new DeploymentMetadata(
            "p",
            "d",
            "dek1:k1:SECRETDEK",
            Map.of(
                "API_KEY", Variable.secret(SECRET_VALUE), "MODE", Variable.plain("plain-value")));

    String text = metadata.toString();
    assertTrue(text.contains("API_KEY") && text.contains("MODE"), text);
    assertFalse(
        text.contains("SECRETDEK") || text.contains(SECRET_VALUE) || text.contains("plain-value"),
        text);
  }

  private static void assertMessage(String expectedStart, String json) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeploymentMetadata.parse(json));
    assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET_VALUE), e.getMessage());
  }
}
