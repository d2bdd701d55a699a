package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail closed: the real entry point, started as its own process without a usable KEK, exits
 * non-zero with one clear line naming the problem, and never prints key material.
 */
class StartupTest {
  private static final String LEAKY_KEY =
      "c2hvcnQta2V5LW9mLTE2Qg=="; // base64 of 16 bytes: a wrong-length key

  @Test
  void missingKekDirectory_exitsWithOneClearLine(@TempDir Path tmp) throws Exception {
    Result result = run(Map.of("CODEC_KEK_DIR", tmp.resolve("absent").toString()));

    assertEquals(Application.EXIT_NO_KEK, result.exitCode, result.output);
    assertOneErrorLine(result, "KEK directory " + tmp.resolve("absent") + " does not exist");
  }

  @Test
  void emptyKekDirectory_exitsNamingTheDirectory(@TempDir Path tmp) throws Exception {
    Result result = run(Map.of("CODEC_KEK_DIR", tmp.toString()));

    assertEquals(Application.EXIT_NO_KEK, result.exitCode, result.output);
    assertOneErrorLine(result, "holds no KEK version files");
  }

  @Test
  void wrongKeyLength_exitsNamingTheFile_withoutPrintingTheKey(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("1"), LEAKY_KEY);

    Result result = run(Map.of("CODEC_KEK_DIR", tmp.toString()));

    assertEquals(Application.EXIT_NO_KEK, result.exitCode, result.output);
    assertOneErrorLine(result, "KEK file " + tmp.resolve("1") + " holds 16 bytes, expected 32");
    assertFalse(result.output.contains(LEAKY_KEY), result.output);
  }

  @Test
  void badBase64InCodecKekVariable_exitsNamingTheVariable() throws Exception {
    Result result = run(Map.of("CODEC_KEK", "not*base64"));

    assertEquals(Application.EXIT_NO_KEK, result.exitCode, result.output);
    assertOneErrorLine(result, "environment variable CODEC_KEK is not valid base64");
    assertFalse(result.output.contains("not*base64"), result.output);
  }

  @Test
  void activeVersionMissing_exitsNamingTheVersion(@TempDir Path tmp) throws Exception {
    TestServer.writeKek(tmp, 1);

    Result result = run(Map.of("CODEC_KEK_DIR", tmp.toString(), "CODEC_KEK_ACTIVE", "3"));

    assertEquals(Application.EXIT_NO_KEK, result.exitCode, result.output);
    assertOneErrorLine(result, "codec.kek.active is 3");
  }

  @Test
  void unknownLogFormat_exitsBeforeLoggingAnything(@TempDir Path tmp) throws Exception {
    TestServer.writeKek(tmp, 1);

    Result result = run(Map.of("CODEC_KEK_DIR", tmp.toString(), "CODEC_LOG_FORMAT", "yaml"));

    assertEquals(Application.EXIT_BAD_LOG_FORMAT, result.exitCode, result.output);
    assertEquals(
        "codec cannot start: CODEC_LOG_FORMAT must be 'text' or 'json'", result.output.strip());
  }

  @Test
  void managementPortInUse_exitsWithStatus1_namingThePort(@TempDir Path tmp) throws Exception {
    TestServer.writeKek(tmp, 1);
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      Result result =
          run(
              Map.of(
                  "CODEC_KEK_DIR",
                  tmp.toString(),
                  "CODEC_MANAGEMENT_PORT",
                  Integer.toString(taken.getLocalPort())));

      assertEquals(dev.codec.server.ops.ExitCodes.STARTUP_FAILED, result.exitCode, result.output);
      List<String> errors =
          result.output.lines().filter(l -> l.contains("ERROR")).collect(Collectors.toList());
      assertEquals(1, errors.size(), result.output);
      assertTrue(
          errors.get(0).contains("codec cannot start: management port *:" + taken.getLocalPort()),
          result.output);
      assertFalse(result.output.contains("codec serving"), result.output);
    }
  }

  @Test
  void unknownLogFormat_asASystemProperty_exitsToo(@TempDir Path tmp) throws Exception {
    TestServer.writeKek(tmp, 1);
    // logback reads the system property before the environment: the check reads it the same way
    Result result = run(Map.of("CODEC_KEK_DIR", tmp.toString()), List.of("-DCODEC_LOG_FORMAT=xml"));

    assertEquals(Application.EXIT_BAD_LOG_FORMAT, result.exitCode, result.output);
    assertEquals(
        "codec cannot start: CODEC_LOG_FORMAT must be 'text' or 'json'", result.output.strip());
  }

  @Test
  void badManagementSetting_stopsTheStart_beforeGrpcServes_withoutAStackTrace(@TempDir Path tmp)
      throws Exception {
    TestServer.writeKek(tmp, 1);
    Result result =
        run(
            Map.of(
                "CODEC_KEK_DIR",
                tmp.toString(),
                "CODEC_MANAGEMENT_PORT",
                "0",
                "CODEC_MANAGEMENT_MAX_HEADER_SIZE",
                "100"));

    assertEquals(dev.codec.server.ops.ExitCodes.STARTUP_FAILED, result.exitCode, result.output);
    assertFalse(result.output.contains("codec serving"), result.output);
    assertTrue(
        result.output.contains("codec.management.max-header-size must be between"), result.output);
    assertFalse(result.output.contains("\tat "), "no stack trace: " + result.output);
    assertTrue(result.output.contains("codec cannot start"), result.output);
  }

  private static void assertOneErrorLine(Result result, String expected) {
    List<String> lines =
        result.output.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    assertEquals(1, lines.size(), result.output);
    assertTrue(lines.get(0).contains("ERROR"), result.output);
    assertTrue(lines.get(0).contains(expected), result.output);
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Map<String, String> env) throws IOException, InterruptedException {
    return run(env, List.of());
  }

  private static Result run(Map<String, String> env, List<String> jvmOptions)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), Application.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("CODEC_KEK");
    builder.environment().putAll(env);
    builder.environment().put("GRPC_SERVER_PORT", "0");
    builder.redirectErrorStream(true);
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("server did not exit without a KEK");
    }
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
