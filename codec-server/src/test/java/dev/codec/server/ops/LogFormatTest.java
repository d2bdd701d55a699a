package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The shipped logback.xml: text by default, one JSON object per line with CODEC_LOG_FORMAT=json, audit always JSON. */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Logs one multi-line app line and one audit line, in its own JVM with the shipped configuration. */
    public static void main(String[] args) {
        LoggerFactory.getLogger("dev.codec.server.Probe").info("first \"line\"\nsecond line");
        LoggerFactory.getLogger("codec.audit").info("{\"caller\":\"control-api\",\"rpc\":\"Encrypt\"}");
    }

    @Test
    void jsonFormat_writesOneJsonObjectPerLine_forAppAndAuditLines() throws Exception {
        List<String> lines = run("json");

        assertEquals(2, lines.size(), lines.toString());
        JsonNode app = JSON.readTree(lines.get(0));
        assertEquals("INFO", app.get("level").asText());
        assertEquals("first \"line\"\nsecond line", app.get("formattedMessage").asText());
        JsonNode audit = JSON.readTree(lines.get(1)); // the audit line is written as it is: already JSON
        assertEquals("control-api", audit.get("caller").asText());
        assertEquals("Encrypt", audit.get("rpc").asText());
    }

    @Test
    void defaultFormat_isHumanReadable_butAuditStaysJson() throws Exception {
        List<String> lines = run(null);

        assertEquals(3, lines.size(), lines.toString()); // the app message spans two lines in text
        assertTrue(lines.get(0).contains("INFO  [main] dev.codec.server.Probe - first \"line\""), lines.get(0));
        assertFalse(lines.get(0).startsWith("{"), lines.get(0));
        JsonNode audit = JSON.readTree(lines.get(2));
        assertEquals("Encrypt", audit.get("rpc").asText());
    }

    private static List<String> run(String format) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=logback.xml", LogFormatTest.class.getName());
        builder.environment().remove("CODEC_LOG_FORMAT");
        if (format != null) {
            builder.environment().put("CODEC_LOG_FORMAT", format);
        }
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return output.lines().filter(l -> !l.isBlank()).toList();
    }
}
