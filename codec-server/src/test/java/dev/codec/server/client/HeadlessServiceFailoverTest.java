package dev.codec.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real codec servers sharing one KEK directory behind one target (as a headless Service
 * resolves to every pod), reached by a client built exactly as in production: round_robin spreads
 * the calls, and retries on UNAVAILABLE move calls to the surviving server when one stops
 * mid-stream.
 */
class HeadlessServiceFailoverTest {
  private static final Map<String, Object> COUNTING = Map.of(CallCounter.ENABLED, "true");

  @TempDir Path kekDir;

  @TempDir Path callers;

  private TestServer first;
  private TestServer second;
  private CodecClient client;

  @BeforeEach
  void start() throws Exception {
    TestServer.writeKek(kekDir, 1);
    // Both "pods" read one tokens directory (like one mounted Secret), so one token is valid on
    // both.
    TestServer.writeToken(callers, TestServer.CALLER);
    Map<String, Object> sameCallers = new java.util.HashMap<>(COUNTING);
    sameCallers.put("codec.auth.tokens-dir", callers.toString());
    first = TestServer.start(kekDir, sameCallers);
    second = TestServer.start(kekDir, sameCallers);
    client =
        CodecClient.builder()
            .target(FixedAddressesResolver.register(first.port(), second.port()))
            .tokenFile(callers.resolve(TestServer.CALLER))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    second.close();
    first.close(); // closing twice is harmless
  }

  @Test
  void calls_spreadOverEveryResolvedServer() throws Exception {
    // round_robin picks only connected servers: on a loaded machine the second connection can lag
    // behind the first calls, so wait (bounded) until both have answered one
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while ((counter(first).calls() == 0 || counter(second).calls() == 0)
        && System.nanoTime() < deadline) {
      client.generateDek("proj-warm");
      Thread.sleep(10);
    }
    int firstBefore = counter(first).calls();
    int secondBefore = counter(second).calls();
    GeneratedDek dek = client.generateDek("proj-rr");
    for (int i = 0; i < 40; i++) {
      Map<String, String> encrypted =
          client.encrypt("proj-rr", dek.encryptedDek(), Map.of("K", "v" + i));
      assertEquals(
          "v" + i, client.decryptValue("proj-rr", dek.encryptedDek(), "K", encrypted.get("K")));
    }

    int onFirst = counter(first).calls() - firstBefore;
    int onSecond = counter(second).calls() - secondBefore;
    assertEquals(81, onFirst + onSecond);
    assertTrue(
        onFirst >= 20 && onSecond >= 20,
        "round_robin must use both servers: " + onFirst + " / " + onSecond);
  }

  @Test
  void stoppingOneServer_midStreamOfCalls_losesNone() throws Exception {
    GeneratedDek dek = client.generateDek("proj-fo");
    String ciphertext =
        client
            .encrypt("proj-fo", dek.encryptedDek(), Map.of("API_KEY", "sk_live_1"))
            .get("API_KEY");
    Map<String, Variable> variables =
        Map.of("API_KEY", Variable.secret(ciphertext), "MODE", Variable.plain("prod"));
    Map<String, String> expected = Map.of("API_KEY", "sk_live_1", "MODE", "prod");

    int threads = 4;
    int callsPerThread = 60;
    CountDownLatch someCallsDone = new CountDownLatch(40);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger succeeded = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < callsPerThread; i++) {
                  try {
                    Map<String, String> values =
                        client.decryptAll("proj-fo", "dep-" + i, dek.encryptedDek(), variables);
                    if (values.equals(expected)) {
                      succeeded.incrementAndGet();
                    } else {
                      failures.add(new AssertionError("wrong values for call " + i));
                    }
                  } catch (RuntimeException e) {
                    failures.add(e);
                  }
                  someCallsDone.countDown();
                }
              }));
    }

    someCallsDone.await();
    int secondBeforeStop = counter(second).calls();
    first.close(); // graceful shutdown of one "pod" while calls are in flight
    for (Future<?> worker : workers) {
      worker.get();
    }
    pool.shutdown();

    assertTrue(failures.isEmpty(), "failed calls: " + failures);
    assertEquals(threads * callsPerThread, succeeded.get());
    assertTrue(counter(second).calls() > secondBeforeStop, "the surviving server took over");
  }

  private static CallCounter counter(TestServer server) {
    return server.context().getBean(CallCounter.class);
  }
}
