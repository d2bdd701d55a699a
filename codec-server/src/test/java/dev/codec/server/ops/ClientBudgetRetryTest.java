package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against the real server's request-bytes budget: a call refused with
 * REQUEST_BUDGET_EXHAUSTED while another request of the same peer holds the budget is issued again
 * by the client and succeeds once the budget is free, without the caller seeing the refusal.
 */
class ClientBudgetRetryTest {
  private static final int PER_PEER = BudgetTestServers.PER_PEER;

  /**
   * Records the status of every issue of a call, and runs {@code onRefusal} at the first budget
   * refusal.
   */
  private static ClientInterceptor recorder(List<StatusCode> issues, Runnable onRefusal) {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(
          MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    issues.add(StatusCode.of(status.getCode().value()));
                    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                      onRefusal.run();
                    }
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }

  /** Opens a DecryptAll that declares the whole per-peer budget and sends 16 bytes of it. */
  private static int holdTheBudget(RawHttp2 holder, String token) throws Exception {
    int stream =
        holder.post(
            "/codec.v1.CodecService/DecryptAll", Map.of("authorization", "Bearer " + token), false);
    holder.data(stream, RawHttp2.message(0, PER_PEER, new byte[16]), false);
    return stream;
  }

  @Test
  void callRefusedForTheRequestBudget_isIssuedAgain_andSucceedsOnceTheBudgetIsFree(
      @TempDir Path kekDir) throws Exception {
    try (TestServer server = BudgetTestServers.start(kekDir)) {
      String target = "127.0.0.1:" + server.port();
      GeneratedDek dek = server.client().generateDek("p");
      Map<String, String> encrypted =
          server.client().encrypt("p", dek.encryptedDek(), Map.of("API_KEY", "s3cr3t"));

      // another request of this peer (127.0.0.1) declares the whole per-peer budget and stalls
      RawHttp2 holder = new RawHttp2(server.port(), InetAddress.getLoopbackAddress());
      try {
        int stream = holdTheBudget(holder, server.token());
        // wait until the server holds it: a single-attempt call is refused for the budget
        try (CodecClient probe =
            CodecClient.builder().target(target).token(server.token()).maxAttempts(1).build()) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          String reason = null;
          int answered = 0;
          while (!"REQUEST_BUDGET_EXHAUSTED".equals(reason) && System.nanoTime() < deadline) {
            if (holder.ended(stream)) {
              // the holder itself was refused: a call of this peer that the client has already
              // seen answered still held its few bytes (released once its answer is written out)
              stream = holdTheBudget(holder, server.token());
            }
            try {
              probe.generateDek("p");
              answered++;
            } catch (CodecException e) {
              reason = e.errorReason();
            }
          }
          assertEquals(
              "REQUEST_BUDGET_EXHAUSTED",
              reason,
              "the stalled request never held the budget (its stream: "
                  + holder.await(stream, 0, TimeUnit.SECONDS)
                  + ", probes answered: "
                  + answered
                  + ")");
        }

        List<StatusCode> issues = new CopyOnWriteArrayList<>();
        try (CodecClient client =
            CodecClient.builder()
                .target(target)
                .token(server.token())
                .maxAttempts(5)
                .interceptors(recorder(issues, holder::close))
                .build()) {
          Map<String, String> values =
              client
                  .decryptAllAsync(
                      "p",
                      "",
                      dek.encryptedDek(),
                      Map.of("API_KEY", Variable.secret(encrypted.get("API_KEY"))),
                      "",
                      "")
                  .get(30, TimeUnit.SECONDS);
          assertEquals(Map.of("API_KEY", "s3cr3t"), values);
        }
        assertEquals(StatusCode.RESOURCE_EXHAUSTED, issues.get(0), issues.toString());
        assertEquals(StatusCode.OK, issues.get(issues.size() - 1), issues.toString());
        assertTrue(issues.size() >= 2 && issues.size() <= 5, issues.toString());
      } finally {
        holder.close();
      }
    }
  }
}
