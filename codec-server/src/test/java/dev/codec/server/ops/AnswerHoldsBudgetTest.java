package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.server.TestServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call's answer is written while the call still holds its request's reservation (docs/limits.md,
 * "Responses"): a client that never reads its answers cannot have the server queue answer after
 * answer for it, each admitted as soon as the one before was computed. Releasing the reservation
 * when the call closes, before its answer is out, would let such a client fill the direct memory
 * with answers nobody reads.
 */
class AnswerHoldsBudgetTest {
  private static final int PER_PEER = BudgetTestServers.PER_PEER;

  @Test
  void answerTheClientDoesNotRead_keepsItsRequestsBytesReserved_untilItIsWrittenOut(
      @TempDir Path kekDir) throws Exception {
    try (TestServer server = BudgetTestServers.start(kekDir)) {
      GeneratedDek dek = server.client().generateDek("p");
      byte[] request =
          EncryptRequest.newBuilder()
              .setProjectId("p")
              .setEncryptedDek(dek.encryptedDek())
              .putValues("BIG", "x".repeat(40_000))
              .build()
              .toByteArray();

      // a client of this peer (127.0.0.1) announcing a receive window of 0: its answer cannot be
      // written out
      try (RawHttp2 nonReader = new RawHttp2(server.port(), InetAddress.getLoopbackAddress(), 0);
          CodecClient probe =
              CodecClient.builder()
                  .target("127.0.0.1:" + server.port())
                  .token(server.token())
                  .maxAttempts(1)
                  .build()) {
        int stream =
            nonReader.post(
                "/codec.v1.CodecService/Encrypt",
                Map.of("authorization", "Bearer " + server.token()),
                false);
        nonReader.data(stream, RawHttp2.message(0, request.length, request), true);

        // another call of this peer needing 30,000 bytes: refused while the unread answer's
        // 40,000-byte request stays reserved (and only then: the loop ends at the first refusal)
        String reason = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (reason == null && System.nanoTime() < deadline) {
          try {
            probe.encrypt("p", dek.encryptedDek(), Map.of("OTHER", "y".repeat(30_000)));
          } catch (CodecException e) {
            reason = e.errorReason();
          }
        }
        assertEquals("REQUEST_BUDGET_EXHAUSTED", reason);
        // and it is still held: the answer was not written out, the stream did not end
        assertNull(
            nonReader.await(stream, 0, TimeUnit.SECONDS), "the unread answer's stream ended");
        CodecException again =
            org.junit.jupiter.api.Assertions.assertThrows(
                CodecException.class,
                () -> probe.encrypt("p", dek.encryptedDek(), Map.of("OTHER", "y".repeat(30_000))));
        assertEquals("REQUEST_BUDGET_EXHAUSTED", again.errorReason());
      }
    }
  }
}
