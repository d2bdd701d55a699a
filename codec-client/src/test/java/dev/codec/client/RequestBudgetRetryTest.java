package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RESOURCE_EXHAUSTED with the reason REQUEST_BUDGET_EXHAUSTED (the server's request-bytes budget,
 * docs/limits.md) is issued again by the client, bounded by maxAttempts, the deadline and a
 * throttle; no other RESOURCE_EXHAUSTED is. Against an in-process service that refuses the way the
 * server's StreamBudget does.
 */
class RequestBudgetRetryTest {
  private Server server;
  private ManagedChannel channel;

  /**
   * Refuses the first {@code refusals} GenerateDek calls with RESOURCE_EXHAUSTED and {@code
   * reason}, then answers.
   */
  private static final class RefusingCodec extends CodecServiceGrpc.CodecServiceImplBase {
    final AtomicInteger attempts = new AtomicInteger();
    private final int refusals;
    private final String reason;

    RefusingCodec(int refusals, String reason) {
      this.refusals = refusals;
      this.reason = reason;
    }

    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      if (attempts.incrementAndGet() <= refusals) {
        com.google.rpc.Status.Builder status =
            com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
                .setMessage(
                    "refused: request bytes in flight at codec.transport.max-in-flight-bytes");
        if (reason != null) {
          status.addDetails(
              Any.pack(
                  ErrorInfo.newBuilder()
                      .setReason(reason)
                      .setDomain("codec.dev")
                      .putMetadata("limit", "codec.transport.max-in-flight-bytes")
                      .build()));
        }
        response.onError(StatusProto.toStatusRuntimeException(status.build()));
        return;
      }
      response.onNext(
          GenerateDekResponse.newBuilder().setEncryptedDek("dek1:k1:x").setKekVersion(1).build());
      response.onCompleted();
    }
  }

  private RefusingCodec start(int refusals, String reason) throws Exception {
    RefusingCodec codec = new RefusingCodec(refusals, reason);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(codec).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    return codec;
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void budgetExhausted_isIssuedAgain_untilTheCallSucceeds() throws Exception {
    RefusingCodec codec = start(2, "REQUEST_BUDGET_EXHAUSTED");
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      assertEquals(1, client.generateDek("p").kekVersion());
    }
    assertEquals(3, codec.attempts.get());
  }

  @Test
  void budgetExhausted_isIssuedAgain_byAsyncCallsToo() throws Exception {
    RefusingCodec codec = start(2, "REQUEST_BUDGET_EXHAUSTED");
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      assertEquals(1, client.generateDekAsync("p").join().kekVersion());
    }
    assertEquals(3, codec.attempts.get());
  }

  @Test
  void budgetExhausted_givesUpAfterMaxAttempts_asARetryableFailure() throws Exception {
    RefusingCodec codec = start(Integer.MAX_VALUE, "REQUEST_BUDGET_EXHAUSTED");
    try (CodecClient client = CodecClient.builder().channel(channel).maxAttempts(3).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
      assertEquals("REQUEST_BUDGET_EXHAUSTED", e.errorReason());
      assertTrue(e.isRetryable());
      assertEquals(3, codec.attempts.get());
    }
    try (CodecClient client = CodecClient.builder().channel(channel).maxAttempts(3).build()) {
      CodecException async =
          assertInstanceOf(
              CodecException.class,
              assertThrows(CompletionException.class, () -> client.generateDekAsync("p").join())
                  .getCause());
      assertEquals("REQUEST_BUDGET_EXHAUSTED", async.errorReason());
      assertEquals(6, codec.attempts.get());
    }
  }

  @Test
  void otherResourceExhausted_isNeverIssuedAgain() throws Exception {
    RefusingCodec codec = start(Integer.MAX_VALUE, "LIMIT_EXCEEDED");
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertEquals("LIMIT_EXCEEDED", e.errorReason());
      assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
      assertThrows(CompletionException.class, () -> client.generateDekAsync("p").join());
    }
    assertEquals(2, codec.attempts.get());
  }

  @Test
  void resourceExhaustedWithoutAReason_isNeverIssuedAgain() throws Exception {
    RefusingCodec codec = start(Integer.MAX_VALUE, null);
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
    }
    assertEquals(1, codec.attempts.get());
  }

  @Test
  void budgetExhausted_isNotIssuedAgainPastTheDeadline() throws Exception {
    RefusingCodec codec = start(Integer.MAX_VALUE, "REQUEST_BUDGET_EXHAUSTED");
    // backoffs are at least 50 ms then 100 ms: a third issue would start after the 150 ms deadline
    try (CodecClient client =
        CodecClient.builder().channel(channel).deadline(Duration.ofMillis(150)).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertEquals(
          "REQUEST_BUDGET_EXHAUSTED",
          e.errorReason(),
          "the refusal, not a deadline, ends the call");
    }
    assertTrue(codec.attempts.get() <= 2, "attempts " + codec.attempts.get());
  }

  @Test
  void budgetExhaustedForEveryone_isThrottled_soRefusedCallsStopBeingRetried() throws Exception {
    RefusingCodec codec = start(Integer.MAX_VALUE, "REQUEST_BUDGET_EXHAUSTED");
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      for (int i = 0; i < 10; i++) {
        assertThrows(CodecException.class, () -> client.generateDek("p"));
      }
    }
    // 10 tokens: the first call's 4 refusals leave 6, the second call's first refusal 5 (not above
    // half):
    // from then on every call is tried once. Without the throttle: 40.
    assertEquals(4 + 9, codec.attempts.get());
  }

  @Test
  void budgetBackoff_doublesFrom100msTo1s_andWaitsHalfToAllOfIt() {
    for (int i = 0; i < 100; i++) {
      long first = CodecClient.budgetBackoffMillis(1);
      assertTrue(first >= 50 && first <= 100, "first " + first);
      long second = CodecClient.budgetBackoffMillis(2);
      assertTrue(second >= 100 && second <= 200, "second " + second);
      long capped = CodecClient.budgetBackoffMillis(30);
      assertTrue(capped >= 500 && capped <= 1000, "capped " + capped);
    }
  }
}
