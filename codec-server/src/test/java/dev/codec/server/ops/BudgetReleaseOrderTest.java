package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's reservation of request bytes is released before its answer can reach the client: a
 * caller that sees one call answered and then issues the next one on another connection of the same
 * peer never finds the budget still held by the first. (It used to be released only when the
 * answer's write had completed, a moment after the client could already read it; a retrying client
 * hid it, a single-attempt one was refused now and then on a loaded machine.)
 */
class BudgetReleaseOrderTest {
  private static final int PER_PEER = 48 * 1024;

  /** Each request needs more than half of the per-peer budget: two can never be held at once. */
  private static final String LARGE_VALUE = "x".repeat(30_000);

  @Test
  void sequentialCallsOnTwoConnections_neverFindTheBudgetHeldByTheAnsweredCall(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server =
        TestServer.start(
            kekDir, Map.of("codec.transport.max-in-flight-bytes-per-peer", PER_PEER))) {
      String target = "127.0.0.1:" + server.port();
      GeneratedDek dek = server.client().generateDek("p");
      try (CodecClient first =
              CodecClient.builder().target(target).token(server.token()).maxAttempts(1).build();
          CodecClient second =
              CodecClient.builder().target(target).token(server.token()).maxAttempts(1).build()) {
        int refused = 0;
        String lastRefusal = null;
        for (int i = 0; i < 300; i++) {
          CodecClient client = i % 2 == 0 ? first : second;
          try {
            client.encrypt("p", dek.encryptedDek(), Map.of("BIG", LARGE_VALUE));
          } catch (CodecException e) {
            refused++;
            lastRefusal = e.errorReason() + ": " + e.getMessage();
          }
        }
        assertEquals(0, refused, "calls refused, the last: " + lastRefusal);
      }
    }
  }
}
