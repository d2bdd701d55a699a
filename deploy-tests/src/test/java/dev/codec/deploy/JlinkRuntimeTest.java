package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's runtime, built here as the image's build stage does: scripts/jlink-runtime.sh
 * makes the jlink image from the built codec-server.jar, scripts/cds-archive.sh makes the start-up
 * archive with a training run on it, and the runtime moves (the image copies it to another path).
 * On JDK 25 and later that is the image's AOT cache; on an older JDK (no AOT cache) a dynamic CDS
 * archive, used with -XX:SharedArchiveFile in place of the ENTRYPOINT's -XX:AOTCache. The server
 * then runs on it as a real process with the Dockerfile's ENTRYPOINT (read from it: jvm.options and
 * the archive), loads its classes from the archive, reports SERVING, does a full round trip, and
 * exits 0 on SIGTERM. Proves the module list is complete and the archive is used.
 */
class JlinkRuntimeTest {
  private static final Path ROOT =
      Path.of(System.getProperty("codec.root", "..")).toAbsolutePath().normalize();

  /** JDK 25 and later: the image's AOT cache (JEP 514); before: a dynamic CDS archive. */
  private static final boolean AOT = Runtime.version().feature() >= 25;

  private static final Pattern SERVING =
      Pattern.compile("codec serving gRPC on :(\\d+), management on :(\\d+)");

  @Test
  void serverOnTheJlinkRuntime_servesARoundTrip_andExitsZeroOnSigterm(@TempDir Path tmp)
      throws Exception {
    Path jar = ROOT.resolve("codec-server/target/codec-server.jar");
    assertTrue(Files.isRegularFile(jar), "build codec-server first: " + jar);
    Path built = tmp.resolve("build-runtime");
    String jlinkOutput = runScript("scripts/jlink-runtime.sh", jar.toString(), built.toString());
    assertTrue(Files.isExecutable(built.resolve("bin/java")), jlinkOutput);
    // The modules the server never uses are left out (image size): the round trip below runs
    // without them.
    String release = Files.readString(built.resolve("release"));
    assertTrue(release.contains("java.base"), release);
    assertFalse(release.contains("java.desktop"), release);
    Path archive = tmp.resolve(AOT ? "codec.aot" : "codec.jsa");
    // The training run's KEK, known here so that the archive can be searched for it.
    byte[] trainingKek = new byte[32];
    new SecureRandom().nextBytes(trainingKek);
    String trainingKekText = Base64.getEncoder().encodeToString(trainingKek);
    Path trainingKekFile = tmp.resolve("training-kek");
    Files.writeString(trainingKekFile, trainingKekText + "\n");
    String cdsOutput =
        runScript(
            Map.of("CDS_TRAINING_KEK", trainingKekFile.toString()),
            "scripts/cds-archive.sh",
            built.resolve("bin/java").toString(),
            jar.toString(),
            archive.toString());
    assertTrue(Files.size(archive) > 0, cdsOutput);
    byte[] archived = Files.readAllBytes(archive);
    assertFalse(contains(archived, trainingKek), "the archive holds the training KEK's bytes");
    assertFalse(
        contains(archived, trainingKekText.getBytes(StandardCharsets.US_ASCII)),
        "the archive holds the training KEK file's text");
    assertTrue(
        contains(archived, "dev/codec/server".getBytes(StandardCharsets.US_ASCII)),
        "the search finds what the archive does hold (the codec's class names)");
    Path runtime = Files.move(built, tmp.resolve("runtime"));

    Path kekDir = Files.createDirectories(tmp.resolve("kek"));
    byte[] kek = new byte[32];
    new SecureRandom().nextBytes(kek);
    Files.writeString(kekDir.resolve("1"), Base64.getEncoder().encodeToString(kek));

    // Authentication as in production: a tokens directory and caller permissions from a YAML file.
    Path callers = Files.createDirectories(tmp.resolve("callers"));
    Path tokenFile = callers.resolve("deployer");
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    Files.writeString(
        tokenFile, Base64.getUrlEncoder().withoutPadding().encodeToString(token) + "\n");
    Path config = tmp.resolve("codec.yaml");
    Files.writeString(
        config,
        "codec:\n  auth:\n    callers:\n      deployer:\n        permissions: [encrypt, decrypt]\n");

    // The Dockerfile's ENTRYPOINT on the files built here, plus a log of where each class came
    // from.
    List<String> command =
        imageCommand(
            Map.of(
                "/opt/java",
                runtime.toString(),
                "/opt/codec/jvm.options",
                ROOT.resolve("codec-server/jvm.options").toString(),
                "/opt/codec/codec.aot",
                archive.toString(),
                "/opt/codec/codec-server.jar",
                jar.toString()));
    Path classLoadLog = tmp.resolve("class-load.log");
    command.add(command.indexOf("-jar"), "-Xlog:class+load=info:file=" + classLoadLog);
    ProcessBuilder server = new ProcessBuilder(command).redirectErrorStream(true);
    server.environment().remove("CODEC_KEK");
    server.environment().put("CODEC_KEK_DIR", kekDir.toString());
    server.environment().put("GRPC_SERVER_PORT", "0");
    server.environment().put("CODEC_MANAGEMENT_PORT", "0");
    server.environment().put("CODEC_AUTH_TOKENS_DIR", callers.toString());
    server.environment().put("MICRONAUT_CONFIG_FILES", config.toString());
    Process process = server.start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<Matcher> serving = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  Matcher m = SERVING.matcher(line);
                  if (m.find()) {
                    serving.complete(m);
                  }
                }
              } catch (IOException ignored) {
                // process ended
              }
              serving.completeExceptionally(new AssertionError("server ended before serving"));
            });
    reader.setDaemon(true);
    reader.start();
    try {
      int port = Integer.parseInt(serving.get(2, TimeUnit.MINUTES).group(1));
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
      try (CodecClient codec =
          CodecClient.builder().target("localhost:" + port).tokenFile(tokenFile).build()) {
        assertEquals(
            ServingStatus.SERVING,
            HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus());
        GeneratedDek dek = codec.generateDek("jlink-project");
        Map<String, String> stored =
            codec.encrypt("jlink-project", dek.encryptedDek(), Map.of("API_KEY", "s3cr3t-value"));
        Map<String, String> env =
            codec.decryptAll(
                "jlink-project",
                "deploy-1",
                dek.encryptedDek(),
                Map.of(
                    "API_KEY",
                    Variable.secret(stored.get("API_KEY")),
                    "MODE",
                    Variable.plain("prod")));
        assertEquals(Map.of("API_KEY", "s3cr3t-value", "MODE", "prod"), env);
      } finally {
        channel.shutdownNow();
      }
      process.toHandle().destroy(); // SIGTERM, leaving our end of its output open
      assertTrue(process.waitFor(1, TimeUnit.MINUTES), "no exit after SIGTERM");
      reader.join(TimeUnit.SECONDS.toMillis(10));
      synchronized (output) {
        assertEquals(0, process.exitValue(), output.toString());
        assertTrue(output.toString().contains("codec stopped"), output.toString());
        assertClassesCameFromTheArchive(classLoadLog, output.toString());
      }
    } finally {
      process.destroyForcibly();
    }
  }

  /**
   * Every codec class the server loaded, through startup and the round trip, came from the archive
   * the training run wrote (-Xlog:class+load names the AOT cache "shared objects file", a dynamic
   * CDS archive "shared objects file (top)"); none from the jar. Lambda and proxy classes, made at
   * run time, are not codec classes of the jar and are left out.
   */
  private static void assertClassesCameFromTheArchive(Path classLoadLog, String serverOutput)
      throws IOException {
    Pattern load = Pattern.compile("\\[class,load\\s*\\] (dev\\.codec\\.\\S+) source: (.+)$");
    Map<String, String> sources = new TreeMap<>();
    for (String line : Files.readAllLines(classLoadLog, StandardCharsets.UTF_8)) {
      Matcher m = load.matcher(line);
      if (m.find() && !m.group(1).contains("$$Lambda") && !m.group(1).contains("/0x")) {
        sources.put(m.group(1), m.group(2));
      }
    }
    assertTrue(
        sources.containsKey("dev.codec.server.Application"), "no class load log:\n" + serverOutput);
    Map<String, String> notShared = new TreeMap<>(sources);
    String archived = AOT ? "shared objects file" : "shared objects file (top)";
    notShared.values().removeIf(source -> source.equals(archived));
    assertEquals(
        Map.of(),
        notShared,
        "codec classes not loaded from the archive (of "
            + sources.size()
            + "); server output:\n"
            + serverOutput);
  }

  /**
   * The Dockerfile's ENTRYPOINT (exec form), each image path replaced by the local file built in
   * its place. Fails on a path of the image the test does not know, so the test cannot drift from
   * the image.
   */
  private static List<String> imageCommand(Map<String, String> localPaths) throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile")).replace("\\\n", " ");
    String entrypoint =
        dockerfile
            .lines()
            .filter(line -> line.startsWith("ENTRYPOINT "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("Dockerfile has no ENTRYPOINT"));
    List<String> command = new ArrayList<>();
    Matcher arg = Pattern.compile("\"([^\"]*)\"").matcher(entrypoint);
    while (arg.find()) {
      String value = arg.group(1);
      String unknown = value;
      for (Map.Entry<String, String> path : localPaths.entrySet()) {
        value = value.replace(path.getKey(), path.getValue());
        unknown = unknown.replace(path.getKey(), "");
      }
      assertFalse(
          unknown.contains("/opt/"),
          "image path without a local file in the test: " + arg.group(1));
      command.add(value);
    }
    assertTrue(command.contains("-jar"), entrypoint);
    // The image runs Temurin 25; a JDK before 23 (JEP 471) does not know this flag (and prints no
    // Unsafe warning).
    if (Runtime.version().feature() < 23) {
      command.remove("--sun-misc-unsafe-memory-access=allow");
    }
    // Before JDK 25 there is no AOT cache: the same training script made a dynamic CDS archive
    // instead.
    if (!AOT) {
      command.replaceAll(
          a -> a.startsWith("-XX:AOTCache=") ? "-XX:SharedArchiveFile=" + a.substring(13) : a);
    }
    return command;
  }

  /**
   * Runs a script of scripts/ with this JVM's JDK as JAVA_HOME; returns its output, asserting exit
   * 0.
   */
  private static String runScript(String script, String... args)
      throws IOException, InterruptedException {
    return runScript(Map.of(), script, args);
  }

  private static String runScript(Map<String, String> env, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve(script).toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), script + ":\n" + output);
    return output;
  }

  /** Whether {@code haystack} holds {@code needle} anywhere. */
  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
