package dev.codec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/**
 * LoadTool's command line: every option reaches its field, and a mistyped command line runs
 * nothing.
 */
class LoadToolOptionsTest {

  @Test
  void defaults_areTheDocumentedOnes() {
    LoadTool tool = LoadTool.parse("encrypt");
    assertEquals("localhost:50051", tool.target);
    assertEquals(16, tool.concurrency);
    assertEquals(100, tool.secrets);
    assertEquals(1, tool.connections);
    assertEquals(64, tool.valueSize);
    assertEquals(3, tool.warmup);
    assertEquals(5, tool.duration);
    assertEquals(1000, tool.burstCalls);
    assertNull(tool.kekDir);
    assertNull(tool.serverPid);
    assertEquals(List.of(LoadTool.Scenario.encrypt), tool.scenarios);
  }

  @Test
  void options_reachTheirFields_andScenariosKeepTheirOrder() {
    LoadTool tool =
        LoadTool.parse(
            "--target",
            "127.0.0.1:4000",
            "--concurrency",
            "8",
            "--connections",
            "4",
            "--secrets",
            "10",
            "--value-size",
            "32",
            "--warmup",
            "0",
            "--duration",
            "2",
            "--burst-calls",
            "50",
            "--burst-connections",
            "2",
            "--kek-dir",
            "/tmp/kek",
            "--server-pid",
            "42",
            "decrypt-all",
            "burst",
            "encrypt");
    assertEquals("127.0.0.1:4000", tool.target);
    assertEquals(8, tool.concurrency);
    assertEquals(4, tool.connections);
    assertEquals(10, tool.secrets);
    assertEquals(32, tool.valueSize);
    assertEquals(0, tool.warmup);
    assertEquals(2, tool.duration);
    assertEquals(50, tool.burstCalls);
    assertEquals(2, tool.burstConnections);
    assertEquals("/tmp/kek", tool.kekDir);
    assertEquals("42", tool.serverPid);
    assertEquals(
        List.of(LoadTool.Scenario.decrypt_all, LoadTool.Scenario.burst, LoadTool.Scenario.encrypt),
        tool.scenarios);
  }

  @Test
  void misspelledOption_isRejected() {
    ParameterException e =
        assertThrows(ParameterException.class, () -> LoadTool.parse("--duraton", "10", "encrypt"));
    assertTrue(e.getMessage().contains("--duraton"), e.getMessage());
  }

  @Test
  void unknownScenario_isRejected() {
    ParameterException e =
        assertThrows(ParameterException.class, () -> LoadTool.parse("encrypt", "decryptall"));
    assertTrue(e.getMessage().contains("decryptall"), e.getMessage());
  }

  @Test
  void noScenario_isRejected() {
    assertThrows(ParameterException.class, () -> LoadTool.parse("--duration", "10"));
  }

  @Test
  void nonNumericValue_isRejected() {
    ParameterException e =
        assertThrows(
            ParameterException.class, () -> LoadTool.parse("--concurrency", "many", "encrypt"));
    assertTrue(e.getMessage().contains("--concurrency"), e.getMessage());
  }

  @Test
  void optionWithoutValue_isRejected() {
    assertThrows(ParameterException.class, () -> LoadTool.parse("encrypt", "--duration"));
  }

  @Test
  void zeroCallers_isRejected() {
    assertThrows(ParameterException.class, () -> LoadTool.parse("--concurrency", "0", "encrypt"));
  }

  @Test
  void startup_takesTheServerCommandAfterDashes() {
    LoadTool tool =
        LoadTool.parse(
            "--startup-runs", "2", "startup", "--", "java", "--duraton", "-jar", "x.jar");
    assertEquals(2, tool.startupRuns);
    assertEquals(List.of("java", "--duraton", "-jar", "x.jar"), tool.serverCommand);
  }

  @Test
  void startup_withoutServerCommand_isRejected() {
    assertThrows(ParameterException.class, () -> LoadTool.parse("startup"));
  }

  @Test
  void serverCommand_withoutStartup_isRejected() {
    assertThrows(
        ParameterException.class, () -> LoadTool.parse("encrypt", "--", "java", "-jar", "x.jar"));
  }

  @Test
  void h2loadBodies_withoutOut_isRejected() {
    assertThrows(ParameterException.class, () -> LoadTool.parse("h2load-bodies"));
    assertEquals(
        List.of(LoadTool.Scenario.h2load_bodies),
        LoadTool.parse("--out", "/tmp/bodies", "h2load-bodies").scenarios);
  }
}
