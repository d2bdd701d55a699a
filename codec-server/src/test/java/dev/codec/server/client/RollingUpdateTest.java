package dev.codec.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update as Kubernetes does it to a headless Service, under load: both servers behind one
 * name are replaced, one after the other, by new servers on new addresses (127.0.0.2 to 127.0.0.5,
 * all loopback on Linux), the name's records following along (a hosts file read through {@code
 * -Djdk.net.hosts.file}). The client runs in its own JVM ({@link RolloutLoadDriver}) with the JVM
 * address cache a runner image sets ({@code -Dsun.net.inetaddr.ttl=0} here; see docs/client.md).
 * Each old server shuts down gracefully (GOAWAY) a moment after the name stops listing it. Not one
 * call may fail.
 */
class RollingUpdateTest {
  private static final Pattern PROGRESS = Pattern.compile("progress ok=(\\d+) failed=(\\d+)");
  private static final Pattern DONE = Pattern.compile("done ok=(\\d+) failed=(\\d+)");

  @TempDir Path dir;

  @Test
  void bothServersReplacedByNewAddresses_underLoad_failsNoCall() throws Exception {
    Path kekDir = dir.resolve("kek");
    TestServer.writeKek(kekDir, 1);
    Path callers = Files.createDirectories(dir.resolve("callers"));
    TestServer.writeToken(callers, TestServer.CALLER);
    Map<String, Object> shared = new HashMap<>();
    shared.put("codec.auth.tokens-dir", callers.toString());
    shared.put(CallCounter.ENABLED, "true");

    List<TestServer> servers = new ArrayList<>();
    Process driver = null;
    try {
      TestServer a = startOn("127.0.0.2", 0, kekDir, shared);
      servers.add(a);
      int port = a.port();
      TestServer b = startOn("127.0.0.3", port, kekDir, shared);
      servers.add(b);
      Path hosts = dir.resolve("hosts");
      writeHosts(hosts, "127.0.0.2", "127.0.0.3");

      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder builder =
          new ProcessBuilder(
              java,
              "-cp",
              System.getProperty("java.class.path"),
              "-Djdk.net.hosts.file=" + hosts,
              "-Dsun.net.inetaddr.ttl=0",
              RolloutLoadDriver.class.getName(),
              "dns:///codec.test:" + port,
              callers.resolve(TestServer.CALLER).toString(),
              "120");
      builder.redirectErrorStream(true);
      driver = builder.start();
      LinkedBlockingQueue<String> output = collect(driver);
      long ok = awaitCalls(output, 0, 100);

      // step 1: a new server joins, the name lists it instead of a; a shuts down (GOAWAY, drain)
      TestServer c = startOn("127.0.0.4", port, kekDir, shared);
      servers.add(c);
      writeHosts(hosts, "127.0.0.3", "127.0.0.4");
      a.close();
      ok = awaitCalls(output, ok, 100);
      // step 2: the same for b, a few seconds later (well within grpc's old 30 s lookup limit)
      TestServer d = startOn("127.0.0.5", port, kekDir, shared);
      servers.add(d);
      writeHosts(hosts, "127.0.0.4", "127.0.0.5");
      b.close();
      awaitCalls(output, ok, 300);

      driver.getOutputStream().write("stop\n".getBytes(StandardCharsets.UTF_8));
      driver.getOutputStream().flush();
      Matcher done = awaitLine(output, DONE);
      assertTrue(driver.waitFor(30, TimeUnit.SECONDS));

      assertEquals(
          0, Long.parseLong(done.group(2)), "failed calls during the rollout: " + failures(output));
      assertTrue(
          c.context().getBean(CallCounter.class).calls() > 0, "the first new server took calls");
      assertTrue(
          d.context().getBean(CallCounter.class).calls() > 0, "the second new server took calls");
    } finally {
      if (driver != null) {
        driver.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (TestServer server : servers) {
        server.close(); // closing twice is harmless
      }
    }
  }

  private static TestServer startOn(
      String host, int port, Path kekDir, Map<String, Object> shared) {
    Map<String, Object> properties = new HashMap<>(shared);
    properties.put("grpc.server.host", host);
    properties.put("grpc.server.port", port);
    return TestServer.start(kekDir, properties);
  }

  /** Writes the name's records in one step, as a DNS server would change them. */
  private static void writeHosts(Path hosts, String... addresses) throws IOException {
    StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
    for (String address : addresses) {
      text.append(address).append(" codec.test\n");
    }
    Path temp = hosts.resolveSibling("hosts.tmp");
    Files.writeString(temp, text);
    Files.move(temp, hosts, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static LinkedBlockingQueue<String> collect(Process process) {
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
            "driver-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private final List<String> seen = new ArrayList<>();

  /**
   * Waits (at most 60 s) until the driver reports {@code more} successful calls beyond {@code
   * from}.
   */
  private long awaitCalls(LinkedBlockingQueue<String> output, long from, long more)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = output.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      seen.add(line);
      Matcher progress = PROGRESS.matcher(line);
      if (progress.matches() && Long.parseLong(progress.group(1)) >= from + more) {
        return Long.parseLong(progress.group(1));
      }
    }
    throw new AssertionError("the driver made no progress; last output: " + tail());
  }

  private Matcher awaitLine(LinkedBlockingQueue<String> output, Pattern pattern)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = output.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      seen.add(line);
      Matcher matcher = pattern.matcher(line);
      if (matcher.matches()) {
        return matcher;
      }
    }
    throw new AssertionError("no line like " + pattern + "; last output: " + tail());
  }

  private List<String> failures(LinkedBlockingQueue<String> output) {
    output.drainTo(seen);
    return seen.stream().filter(l -> l.startsWith("FAIL")).toList();
  }

  private List<String> tail() {
    return seen.subList(Math.max(0, seen.size() - 20), seen.size());
  }
}
