package dev.codec.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import dev.codec.server.Application;
import dev.codec.server.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server process killed (SIGKILL) while 4 MB DecryptAll calls run against it and a second server:
 * the calls it was serving fail with UNAVAILABLE and are retried on the other server, which is only
 * possible because the client's retry buffer holds a request of the largest size the server
 * accepts. Not one call fails.
 *
 * <p>All calls come from one address, as through a proxy, so the per-peer request budget is raised
 * to the server-wide one (docs/limits.md says to do so behind a proxy): two callers' ~3.85 MB
 * requests then fit one server's budget, also after the other server is gone. More concurrent
 * callers would be refused with RESOURCE_EXHAUSTED by design ({@code TransportAbuseTest} covers
 * that).
 */
class ServerKillTest {
  private static final Pattern SERVING = Pattern.compile("codec serving gRPC on :(\\d+)");

  /** 60 values of 64,000 bytes: about 3.85 MB, below the server's 4 MiB request limit. */
  private static final int VARIABLES = 60;

  private static final int VALUE_BYTES = 64_000;

  /** Concurrent callers: as many ~3.85 MB requests as one server's 8 MiB request budget holds. */
  private static final int CALLERS = 2;

  @TempDir Path dir;

  @Test
  void serverKilledUnderFourMegabyteRequests_losesNoCall() throws Exception {
    Path kekDir = dir.resolve("kek");
    TestServer.writeKek(kekDir, 1);
    Path callers = Files.createDirectories(dir.resolve("callers"));
    TestServer.writeToken(callers, TestServer.CALLER);
    Path config = dir.resolve("callers.yml");
    Files.writeString(
        config,
        "codec:\n  auth:\n    callers:\n      "
            + TestServer.CALLER
            + ":\n        permissions: [decrypt]\n");
    Map<String, String> env =
        Map.of(
            "CODEC_KEK_DIR",
            kekDir.toString(),
            "CODEC_AUTH_TOKENS_DIR",
            callers.toString(),
            "MICRONAUT_CONFIG_FILES",
            config.toString(),
            "CODEC_TRANSPORT_MAX_IN_FLIGHT_BYTES_PER_PEER",
            String.valueOf(8 * 1024 * 1024));

    Process first = null;
    Process second = null;
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    AtomicBoolean stop = new AtomicBoolean();
    try {
      first = start(env);
      second = start(env);
      int firstPort = port(first);
      int secondPort = port(second);
      Map<String, Variable> variables = new HashMap<>();
      Map<String, String> expected = new HashMap<>();
      for (int i = 0; i < VARIABLES; i++) {
        String value = Character.toString('a' + i % 26).repeat(VALUE_BYTES);
        variables.put("V" + i, Variable.plain(value));
        expected.put("V" + i, value);
      }
      AtomicLong ok = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      try (CodecClient client =
          CodecClient.builder()
              .target(FixedAddressesResolver.register(firstPort, secondPort))
              .tokenFile(callers.resolve(TestServer.CALLER))
              .deadline(Duration.ofSeconds(30))
              .build()) {
        List<Future<?>> workers = new ArrayList<>();
        long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int t = 0; t < CALLERS; t++) {
          workers.add(
              pool.submit(
                  () -> {
                    for (int n = 0; n < 500 && !stop.get() && System.nanoTime() < hardStop; n++) {
                      try {
                        if (client.decryptAll("p", "d", "", variables).equals(expected)) {
                          ok.incrementAndGet();
                        } else {
                          failures.add("wrong values");
                        }
                      } catch (RuntimeException e) {
                        failures.add(e.getMessage());
                      }
                    }
                  }));
        }
        awaitMore(ok, 8);
        first.destroyForcibly(); // SIGKILL while calls run on it
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        awaitMore(ok, 16);
        stop.set(true);
        for (Future<?> worker : workers) {
          worker.get(120, TimeUnit.SECONDS);
        }
      }

      assertEquals(List.of(), List.copyOf(failures), "failed calls");
    } finally {
      stop.set(true);
      pool.shutdownNow();
      for (Process process : new Process[] {first, second}) {
        if (process != null) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private final Map<Process, LinkedBlockingQueue<String>> outputs = new HashMap<>();

  /** The real server as its own process, on a random port. */
  private Process start(Map<String, String> env) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), Application.class.getName());
    builder.environment().remove("CODEC_KEK");
    builder.environment().put("GRPC_SERVER_PORT", "0");
    builder.environment().put("CODEC_MANAGEMENT_PORT", "0");
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    Process process = builder.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
    outputs.put(process, lines);
    return process;
  }

  /** Waits (at most a minute) for the server's startup line and returns its gRPC port. */
  private int port(Process process) throws InterruptedException {
    LinkedBlockingQueue<String> lines = outputs.get(process);
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        if (!process.isAlive()) {
          break;
        }
        continue;
      }
      seen.add(line);
      Matcher serving = SERVING.matcher(line);
      if (serving.find()) {
        return Integer.parseInt(serving.group(1));
      }
    }
    throw new AssertionError("server did not start: " + String.join("\n", seen));
  }

  /** Waits (bounded: 60 s) until {@code more} further calls have succeeded. */
  private static void awaitMore(AtomicLong ok, long more) throws InterruptedException {
    long target = ok.get() + more;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ok.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(ok.get() >= target, "calls stopped succeeding: " + ok.get() + " < " + target);
  }
}
