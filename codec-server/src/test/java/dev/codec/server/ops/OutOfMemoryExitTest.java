package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * An OutOfMemoryError that Java code throws and a library catches and logs (Netty's "Cannot reserve
 * ... direct buffer memory", which -XX:+ExitOnOutOfMemoryError never sees) ends the process with
 * status 3 and one JSON line, with the shipped log configuration (LogConfiguration), in a JVM of
 * its own.
 */
class OutOfMemoryExitTest {
  /**
   * Logs, the way grpc-java/Netty do (java.util.logging), a caught direct-memory OOM; then idles.
   */
  public static void main(String[] args) throws InterruptedException {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    java.util.logging.Logger.getLogger("io.netty.channel.DefaultChannelPipeline")
        .log(
            Level.WARNING,
            "An exceptionCaught() event was fired",
            new RuntimeException(
                "read failed",
                new OutOfMemoryError("Cannot reserve 4194304 bytes of direct buffer memory")));
    Thread.sleep(30_000); // never reached if the error ends the process
  }

  @Test
  void loggedDirectMemoryOom_endsTheProcess_withStatus3_andOneJsonLine() throws Exception {
    Run run = run(OutOfMemoryExitTest.class.getName(), List.of());

    assertEquals(OutOfMemoryExit.EXIT_OUT_OF_MEMORY, run.status, run.output);
    List<String> lines = run.output.lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), run.output);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertEquals("ERROR", line.get("log.level").asText());
    assertTrue(
        line.get("message").asText().contains("codec is out of memory, exiting with status 3"),
        lines.get(0));
  }

  @Test
  void directMemoryExhaustedInTheConnectionsAllocator_endsTheProcess() throws Exception {
    Run run =
        run("dev.codec.server.grpc.OomExitAllocatorMain", List.of("-XX:MaxDirectMemorySize=8m"));

    assertEquals(OutOfMemoryExit.EXIT_OUT_OF_MEMORY, run.status, run.output);
    assertTrue(run.output.contains("codec is out of memory"), run.output);
  }

  private record Run(int status, String output) {}

  private static Run run(String mainClass, List<String> jvmFlags) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CODEC_LOG_FORMAT", "json");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
    return new Run(process.exitValue(), output);
  }
}
