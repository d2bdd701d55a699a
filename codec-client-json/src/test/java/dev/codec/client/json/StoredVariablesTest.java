package dev.codec.client.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.Variable;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredVariablesTest {
  @Test
  void parse_readsPlainAndSecretVariables() {
    Map<String, Variable> parsed =
        StoredVariables.parse(
            """
                {"DB": {"type": "secret", "encrypted": true, "value": "enc1:abc", "keyVersion": 1},
                 "LOG": {"type": "plain", "value": "debug"}}
                """);

    assertEquals(Map.of("DB", Variable.secret("enc1:abc"), "LOG", Variable.plain("debug")), parsed);
  }

  @Test
  void parse_errorsNameTheVariableButNotTheValue() {
    IllegalArgumentException badType =
        assertThrows(
            IllegalArgumentException.class,
            () -> StoredVariables.parse("{\"DB\": {\"type\": \"weird\", \"value\": \"hunter2\"}}"));
    assertTrue(badType.getMessage().startsWith("DB:"), badType.getMessage());
    assertFalse(badType.getMessage().contains("hunter2"));

    IllegalArgumentException noValue =
        assertThrows(
            IllegalArgumentException.class,
            () -> StoredVariables.parse("{\"DB\": {\"type\": \"secret\"}}"));
    assertTrue(noValue.getMessage().contains("\"value\""), noValue.getMessage());

    assertThrows(IllegalArgumentException.class, () -> StoredVariables.parse("[1, 2]"));
    IllegalArgumentException notJson =
        assertThrows(IllegalArgumentException.class, () -> StoredVariables.parse("{\"DB\": "));
    assertTrue(notJson.getMessage().contains("not valid JSON"), notJson.getMessage());
  }

  @Test
  void secrets_writesTheStoredShape() {
    String json = StoredVariables.secrets(Map.of("B", "enc1:b", "A", "enc1:a")).toString();

    assertEquals(
        "{\"A\":{\"type\":\"secret\",\"encrypted\":true,\"value\":\"enc1:a\"},"
            + "\"B\":{\"type\":\"secret\",\"encrypted\":true,\"value\":\"enc1:b\"}}",
        json);
    assertEquals(
        Map.of("A", Variable.secret("enc1:a"), "B", Variable.secret("enc1:b")),
        StoredVariables.parse(json));
  }

  @Test
  void keyVersionOf_readsTheKekVersionOfTheWrappedDek() {
    assertEquals(1, StoredVariables.keyVersionOf("dek1:k1:AAAA"));
    assertEquals(27, StoredVariables.keyVersionOf("dek1:k27:AAAA"));
  }

  @Test
  void keyVersionOf_rejectsLegacyAndMalformedDeks_withoutShowingThem() {
    for (String bad :
        new String[] {
          "rEjzRQza9HjSvo/lfTz3ILKMNhWs7bE=",
          "dek1:k:AAAA",
          "dek1:k0:AAAA",
          "dek1:k01:AAAA",
          "dek1:kx:AAAA",
          "dek1:k1",
          "dek2:k1:AAAA",
          "",
          "dek1:k99999999999:AAAA"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> StoredVariables.keyVersionOf(bad));
      assertTrue(e.getMessage().startsWith("encryptedDek:"), e.getMessage());
      assertFalse(!bad.isEmpty() && e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> StoredVariables.keyVersionOf(null));
  }
}
