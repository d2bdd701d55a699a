package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real server process (shipped jvm.options, auth on, JSON logs) with three callers: {@code ops}
 * (every permission), {@code runner} ({@code decrypt}) and {@code nobody} (a valid token, no
 * permission); and a background "normal caller" that keeps making small DecryptAll calls from
 * 127.0.0.1 and counts outcomes.
 */
final class AbuseFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final ServerProcess server;
  final String opsToken;
  final String runnerToken;
  final String nobodyToken;

  AbuseFixture(Map<String, String> extraEnv) throws Exception {
    dir = Files.createTempDirectory("codec-abuse");
    Path kek = dir.resolve("kek");
    Path tokens = Files.createDirectories(dir.resolve("callers"));
    TestServer.writeKek(kek, 1);
    opsToken = TestServer.writeToken(tokens, "ops");
    runnerToken = TestServer.writeToken(tokens, "runner");
    nobodyToken = TestServer.writeToken(tokens, "nobody");
    Path callers = dir.resolve("callers.yml");
    Files.writeString(
        callers,
        """
                codec:
                  auth:
                    callers:
                      ops: { permissions: [encrypt, decrypt, export-dek, rotate] }
                      runner: { permissions: [decrypt] }
                """);
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "CODEC_KEK_DIR",
                kek.toString(),
                "CODEC_AUTH_TOKENS_DIR",
                tokens.toString(),
                "MICRONAUT_CONFIG_FILES",
                callers.toString(),
                "CODEC_LOG_FORMAT",
                "json"));
    env.putAll(extraEnv);
    server = new ServerProcess(env);
  }

  /** A channel from 127.0.0.1 sending {@code token} (none if null). */
  ManagedChannel channel() {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort).usePlaintext().build();
  }

  CodecClient client(ManagedChannel channel, String token) {
    return CodecClient.builder()
        .channel(ClientInterceptors.intercept(channel, TestServer.bearer(token)))
        .deadline(Duration.ofSeconds(20))
        .build();
  }

  /** Normal calls, one after the other, until stopped. */
  final class NormalCaller implements AutoCloseable {
    private final ManagedChannel channel = channel();
    private final CodecClient client = client(channel, opsToken);
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Thread thread;
    private final String dek;
    private final String secret;

    NormalCaller() {
      dek = client.generateDek("normal").encryptedDek();
      secret = client.encrypt("normal", dek, Map.of("API_KEY", "sk_live_123")).get("API_KEY");
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  call();
                }
              },
              "normal-caller");
      thread.start();
    }

    /** One normal call; true if it succeeded. */
    boolean call() {
      try {
        Map<String, String> env =
            client.decryptAll(
                "normal",
                "d1",
                dek,
                Map.of("API_KEY", Variable.secret(secret), "LOG", Variable.plain("info")));
        assertEquals("sk_live_123", env.get("API_KEY"));
        ok.incrementAndGet();
        return true;
      } catch (RuntimeException e) {
        failures.merge(
            e.getMessage() == null ? e.getClass().getName() : e.getMessage(), 1, Integer::sum);
        return false;
      }
    }

    /**
     * Stops and asserts at least 95 % of the calls made meanwhile succeeded, and at least {@code
     * min} did.
     */
    void stopAndAssert(int min) throws InterruptedException {
      running.set(false);
      thread.join(60_000);
      int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
      int total = ok.get() + failed;
      assertTrue(
          ok.get() >= min,
          "only " + ok.get() + " normal calls succeeded during the attack; failures " + failures);
      assertTrue(
          ok.get() >= 0.95 * total,
          ok.get() + " of " + total + " normal calls succeeded; failures " + failures);
      assertTrue(call(), "a normal call right after the attack failed: " + failures);
    }

    @Override
    public void close() {
      running.set(false);
      client.close();
      channel.shutdownNow();
    }
  }

  /** The process is up, logged no OutOfMemoryError, and every stdout line is one JSON object. */
  void assertHealthyAndJsonOnly() {
    assertTrue(server.isAlive(), "the server exited:\n" + server.output());
    for (String line : server.stderrLines()) {
      assertFalse(line.contains("OutOfMemoryError"), line);
    }
    List<String> lines = server.outputLines();
    for (String line : lines) {
      assertFalse(line.contains("OutOfMemoryError"), line);
      if (line.isEmpty()) {
        continue;
      }
      try {
        assertTrue(JSON.readTree(line).isObject(), line);
      } catch (IOException e) {
        fail("not a JSON object: " + line);
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      server.terminate();
      server.awaitExit();
    } finally {
      server.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static void sleepUntil(java.util.function.BooleanSupplier condition, long timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("condition not met within " + timeoutSeconds + "s");
      }
      Thread.sleep(50);
    }
  }
}
