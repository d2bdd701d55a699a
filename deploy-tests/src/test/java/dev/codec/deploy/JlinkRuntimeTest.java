package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's runtime, built here: scripts/jlink-runtime.sh makes the jlink image from the built
 * codec-server.jar, the server runs on it as a real process with the container's JVM flags, reports
 * SERVING, does a full round trip, and exits 0 on SIGTERM. Proves the module list is complete.
 */
class JlinkRuntimeTest {
    private static final Path ROOT = Path.of(System.getProperty("codec.root", "..")).toAbsolutePath().normalize();
    private static final Pattern SERVING = Pattern.compile("codec serving gRPC on :(\\d+), management on :(\\d+)");

    @Test
    void serverOnTheJlinkRuntime_servesARoundTrip_andExitsZeroOnSigterm(@TempDir Path tmp) throws Exception {
        Path jar = ROOT.resolve("codec-server/target/codec-server.jar");
        assertTrue(Files.isRegularFile(jar), "build codec-server first: " + jar);
        Path runtime = tmp.resolve("runtime");
        ProcessBuilder jlink = new ProcessBuilder("bash", ROOT.resolve("scripts/jlink-runtime.sh").toString(),
                jar.toString(), runtime.toString()).redirectErrorStream(true);
        jlink.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process build = jlink.start();
        String buildOutput = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, build.waitFor(), buildOutput);
        assertTrue(Files.isExecutable(runtime.resolve("bin/java")), buildOutput);

        Path kekDir = Files.createDirectories(tmp.resolve("kek"));
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        Files.writeString(kekDir.resolve("1"), Base64.getEncoder().encodeToString(kek));

        // Authentication as in production: a tokens directory and caller permissions from a YAML file.
        Path callers = Files.createDirectories(tmp.resolve("callers"));
        Path tokenFile = callers.resolve("deployer");
        byte[] token = new byte[24];
        new SecureRandom().nextBytes(token);
        Files.writeString(tokenFile, Base64.getUrlEncoder().withoutPadding().encodeToString(token) + "\n");
        Path config = tmp.resolve("codec.yaml");
        Files.writeString(config, "codec:\n  auth:\n    callers:\n      deployer:\n        permissions: [encrypt, decrypt]\n");

        ProcessBuilder server = new ProcessBuilder(runtime.resolve("bin/java").toString(),
                "-XX:MaxRAMPercentage=70", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError",
                "-Djava.io.tmpdir=" + tmp, "-jar", jar.toString()).redirectErrorStream(true);
        server.environment().remove("CODEC_KEK");
        server.environment().put("CODEC_KEK_DIR", kekDir.toString());
        server.environment().put("GRPC_SERVER_PORT", "0");
        server.environment().put("MICRONAUT_SERVER_PORT", "-1");
        server.environment().put("CODEC_AUTH_TOKENS_DIR", callers.toString());
        server.environment().put("MICRONAUT_CONFIG_FILES", config.toString());
        Process process = server.start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Matcher> serving = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
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
            ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
            try (CodecClient codec = CodecClient.builder().target("localhost:" + port).tokenFile(tokenFile).build()) {
                assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
                GeneratedDek dek = codec.generateDek("jlink-project");
                Map<String, String> stored = codec.encrypt("jlink-project", dek.encryptedDek(),
                        Map.of("API_KEY", "s3cr3t-value"));
                Map<String, String> env = codec.decryptAll("jlink-project", "deploy-1", dek.encryptedDek(),
                        Map.of("API_KEY", Variable.secret(stored.get("API_KEY")), "MODE", Variable.plain("prod")));
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
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
