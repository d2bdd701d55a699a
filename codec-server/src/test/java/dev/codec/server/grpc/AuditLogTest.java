package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import dev.codec.server.LogCapture;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One JSON audit line per RPC on codec.audit, refused calls included, never a secret. */
class AuditLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "audit-must-not-see-this-secret";

    @Test
    void everyCall_writesOneJsonLine_withCallerRpcProjectCountAndStatus(@TempDir Path kekDir) throws Exception {
        TestServer.writeKek(kekDir, 1);
        try (TestServer server = TestServer.start(kekDir);
                LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
            CodecClient codec = server.client();
            String dek = codec.generateDek("proj-a").encryptedDek();
            Map<String, String> cts = codec.encrypt("proj-a", dek, Map.of("A", SECRET, "B", "b"));
            codec.decryptAll("proj-a", "deploy-9", dek, Map.of("A", Variable.secret(cts.get("A")), "P", Variable.plain("p")));
            assertThrows(CodecException.class, () -> codec.decryptAll("proj-b", "", dek, Map.of()));
            assertThrows(CodecException.class, () -> CodecClient.builder()
                    .channel(server.unauthenticatedChannel()).build().generateDek("proj-c"));

            server.context().getBean(AuditInterceptor.class).flush(); // lines are written in batches
            List<JsonNode> lines = audit.messagesOf(AuditInterceptor.LOGGER).stream().map(AuditLogTest::parse).toList();

            assertEquals(5, lines.size(), lines.toString());
            assertLine(lines.get(0), TestServer.CALLER, "GenerateDek", "proj-a", 1, "OK");
            assertLine(lines.get(1), TestServer.CALLER, "Encrypt", "proj-a", 2, "OK");
            assertLine(lines.get(2), TestServer.CALLER, "DecryptAll", "proj-a", 2, "OK");
            // without a grant the caller's deployment id is only a claim, and logged as one
            assertEquals("deploy-9", lines.get(2).get("claimed_deployment_id").asText());
            assertNull(lines.get(2).get("deployment_id"));
            assertLine(lines.get(3), TestServer.CALLER, "DecryptAll", "proj-b", 0, "INVALID_ARGUMENT");
            // refused on its headers: the request body is never read, so no project and no count
            assertLine(lines.get(4), "-", "GenerateDek", "", 0, "UNAUTHENTICATED");
            for (JsonNode line : lines) {
                assertTrue(line.get("latency_ms").isNumber());
                assertTrue(line.get("time").asText().endsWith("Z"));
                String text = line.toString();
                assertFalse(text.contains(SECRET) || text.contains(dek) || text.contains(cts.get("A"))
                        || text.contains(server.token()), text);
            }
        }
    }

    private static void assertLine(JsonNode line, String caller, String rpc, String project, int values, String status) {
        assertEquals(caller, line.get("caller").asText(), line.toString());
        assertEquals(rpc, line.get("rpc").asText(), line.toString());
        assertEquals(project, line.get("project_id").asText(), line.toString());
        assertEquals(values, line.get("values").asInt(), line.toString());
        assertEquals(status, line.get("status").asText(), line.toString());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("audit line is not JSON: " + line, e);
        }
    }
}
