package dev.codec.server.client;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client process for {@link RollingUpdateTest}: its own JVM, so that the JVM-wide name lookup
 * settings ({@code -Djdk.net.hosts.file}, the address cache) are those of a runner. Calls
 * GenerateDek from a few threads through {@code dns:///<name>:<port>} until "stop" arrives on stdin
 * or the time limit is reached. Prints {@code progress ok=N failed=M} every 100 ms, {@code FAIL
 * <message>} per failure (the first 20), and {@code done ok=N failed=M} at the end.
 *
 * <p>Arguments: target, token file, time limit in seconds.
 */
public final class RolloutLoadDriver {
  private RolloutLoadDriver() {}

  public static void main(String[] args) throws Exception {
    String target = args[0];
    Path tokenFile = Path.of(args[1]);
    long limitNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.equals("stop")) {
                    break;
                  }
                }
              } catch (Exception ignored) {
                // parent gone: stop
              }
              stop.set(true);
            });
    stdin.setDaemon(true);
    stdin.start();
    try (CodecClient client =
        CodecClient.builder()
            .target(target)
            .tokenFile(tokenFile)
            .deadline(Duration.ofSeconds(10))
            .build()) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread worker =
            new Thread(
                () -> {
                  while (!stop.get() && System.nanoTime() - start < limitNanos) {
                    try {
                      client.generateDek("rollout");
                      ok.incrementAndGet();
                    } catch (CodecException e) {
                      if (failed.incrementAndGet() <= 20) {
                        System.out.println("FAIL " + e.getMessage().replace('\n', ' '));
                      }
                    }
                  }
                });
        worker.start();
        workers.add(worker);
      }
      while (workers.stream().anyMatch(Thread::isAlive)) {
        System.out.println("progress ok=" + ok.get() + " failed=" + failed.get());
        System.out.flush();
        Thread.sleep(100);
      }
    }
    System.out.println("done ok=" + ok.get() + " failed=" + failed.get());
    System.out.flush();
  }
}
