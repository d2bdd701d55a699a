package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.server.TestServer;
import dev.codec.server.wiring.SecretReloads;
import io.grpc.ClientInterceptors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented rotation runbook, run while a caller keeps calling: add {@code runner.next},
 * switch the caller to the new token, remove the old file. Not one call fails.
 */
class TokenRotationTest {
  @Test
  void rotation_addNewSwitchClientRemoveOld_underLoad_failsNoCall(@TempDir Path dir)
      throws Exception {
    TestServer.writeKek(dir.resolve("kek"), 1);
    try (TestServer server =
        TestServer.start(
            dir.resolve("kek"),
            Map.of("codec.auth.callers.runner.permissions", List.of("encrypt")))) {
      String oldToken = TestServer.writeToken(server.tokensDir(), "runner");
      reload(server);
      Path clientToken = dir.resolve("client-token");
      replace(clientToken, oldToken);
      CodecClient runner =
          CodecClient.builder()
              .channel(server.unauthenticatedChannel())
              .tokenFile(clientToken)
              .build();

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong ok = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> loops = new ArrayList<>();
      long hardStop = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int i = 0; i < 4; i++) {
        loops.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 100_000 && !stop.get() && System.nanoTime() < hardStop; n++) {
                    try {
                      runner.generateDek("p");
                      ok.incrementAndGet();
                    } catch (CodecException e) {
                      failures.add(e.getMessage());
                    }
                  }
                }));
      }
      try {
        awaitMore(ok, 50);
        // 1. the new token joins the Secret as runner.next; the server reloads: both are valid
        Path next = server.tokensDir().resolve("runner.next");
        String newToken = TestServer.writeToken(server.tokensDir(), "runner.next");
        reload(server);
        awaitMore(ok, 50);
        // 2. the caller's copy switches to the new token (an atomic file swap, like a Secret
        // update)
        replace(clientToken, newToken);
        awaitMore(ok, 50);
        // 3. the old token leaves the Secret; the server reloads
        Files.delete(server.tokensDir().resolve("runner"));
        reload(server);
        awaitMore(ok, 50);
        stop.set(true);
        for (Future<?> loop : loops) {
          loop.get(30, TimeUnit.SECONDS);
        }

        assertEquals(List.of(), List.copyOf(failures), "failed calls during the rotation");
        assertTrue(ok.get() >= 200, ok.get() + " calls");
        CodecClient withOld =
            CodecClient.builder()
                .channel(
                    ClientInterceptors.intercept(
                        server.unauthenticatedChannel(), TestServer.bearer(oldToken)))
                .build();
        assertEquals(
            StatusCode.UNAUTHENTICATED,
            assertThrows(CodecException.class, () -> withOld.generateDek("p")).code());
        assertTrue(Files.exists(next));
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }
  }

  private static void reload(TestServer server) {
    server.context().getBean(SecretReloads.class).reloadNow(SecretReloads.CALLER_TOKENS);
  }

  /** Replaces the file in one step (a new inode), as the kubelet's symlink swap does. */
  private static void replace(Path file, String token) throws Exception {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, token + "\n");
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Waits (bounded: 20 s) until {@code more} further calls have succeeded. */
  private static void awaitMore(AtomicLong ok, long more) throws InterruptedException {
    long target = ok.get() + more;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (ok.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(ok.get() >= target, "calls stopped succeeding: " + ok.get() + " < " + target);
  }
}
