package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retry policy and wait-for-ready of channels the client creates, against real gRPC servers.
 */
class ClientResilienceTest {
  private Server server;

  /** Fails the first {@code failures} GenerateDek calls with {@code status}, then answers. */
  private static final class FlakyCodec extends CodecServiceGrpc.CodecServiceImplBase {
    final AtomicInteger attempts = new AtomicInteger();
    private final int failures;
    private final Status status;

    FlakyCodec(int failures, Status status) {
      this.failures = failures;
      this.status = status;
    }

    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      if (attempts.incrementAndGet() <= failures) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(
          GenerateDekResponse.newBuilder().setEncryptedDek("dek1:k1:x").setKekVersion(1).build());
      response.onCompleted();
    }
  }

  private int start(CodecServiceGrpc.CodecServiceImplBase service, int port) throws Exception {
    server =
        Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
    return server.getPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void unavailable_isRetried_untilTheCallSucceeds() throws Exception {
    FlakyCodec codec = new FlakyCodec(3, Status.UNAVAILABLE.withDescription("pod shutting down"));
    int port = start(codec, 0);
    try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
      assertEquals(new GeneratedDek("dek1:k1:x", 1), client.generateDek("p"));
    }
    assertEquals(4, codec.attempts.get());
  }

  @Test
  void unavailable_givesUpAfterMaxAttempts() throws Exception {
    FlakyCodec codec = new FlakyCodec(100, Status.UNAVAILABLE.withDescription("pod shutting down"));
    int port = start(codec, 0);
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + port).maxAttempts(3).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));

      assertEquals(StatusCode.UNAVAILABLE, e.code());
      assertEquals(CodecException.Category.UNAVAILABLE, e.category());
    }
    assertEquals(3, codec.attempts.get());
  }

  @Test
  void unavailableAfterTheAnswerStarted_isIssuedOnceMore_whichGrpcCannotRetry() throws Exception {
    FlakyCodec codec =
        new FlakyCodec(1, Status.UNAVAILABLE.withDescription("connection lost mid-answer"));
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(codec, new HeadersBeforeErrors()))
            .build()
            .start();
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + server.getPort()).build()) {
      assertEquals(new GeneratedDek("dek1:k1:x", 1), client.generateDek("p"));
    }
    assertEquals(
        2,
        codec.attempts.get(),
        "gRPC committed the call at the headers; the client issued it again");
  }

  @Test
  void unavailableAfterTheAnswerStarted_isIssuedOnlyOnceMore() throws Exception {
    FlakyCodec codec =
        new FlakyCodec(100, Status.UNAVAILABLE.withDescription("connection lost mid-answer"));
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(codec, new HeadersBeforeErrors()))
            .build()
            .start();
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + server.getPort()).build()) {
      assertEquals(
          StatusCode.UNAVAILABLE,
          assertThrows(CodecException.class, () -> client.generateDek("p")).code());
    }
    assertEquals(2, codec.attempts.get());
  }

  /**
   * Sends response headers before an error status, as a server that dies while answering would
   * have.
   */
  private static final class HeadersBeforeErrors implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
              if (!status.isOk()) {
                super.sendHeaders(new Metadata());
              }
              super.close(status, trailers);
            }
          },
          headers);
    }
  }

  @Test
  void otherErrors_areNeverRetried() throws Exception {
    for (Status status :
        new Status[] {
          Status.INVALID_ARGUMENT,
          Status.PERMISSION_DENIED,
          Status.UNAUTHENTICATED,
          Status.FAILED_PRECONDITION,
          Status.RESOURCE_EXHAUSTED,
          Status.INTERNAL
        }) {
      FlakyCodec codec = new FlakyCodec(1, status.withDescription("project_id: required"));
      int port = start(codec, 0);
      try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
        assertEquals(
            StatusCode.of(status.getCode().value()),
            assertThrows(CodecException.class, () -> client.generateDek("p")).code());
      }
      assertEquals(1, codec.attempts.get(), status.getCode() + " must not be retried");
      stop();
    }
  }

  @Test
  void waitForReady_waitsForAServerThatStartsAfterTheCall() throws Exception {
    try (HeldPort notYet = new HeldPort()) {
      try (CodecClient client =
          CodecClient.builder()
              .target("127.0.0.1:" + notYet.port())
              .waitForReady(true)
              .deadline(Duration.ofSeconds(30))
              .build()) {
        CompletableFuture<GeneratedDek> call =
            CompletableFuture.supplyAsync(() -> client.generateDek("p"));
        // the channel connects only once the call is made: this accepted (and closed) connection
        // proves
        // the call is under way while no gRPC server exists
        assertTrue(notYet.awaitConnection(30_000), "the call never tried to connect");
        notYet.forwardTo(start(new FlakyCodec(0, Status.OK), 0));

        assertEquals(new GeneratedDek("dek1:k1:x", 1), call.get());
      }
    }
  }

  @Test
  void withoutWaitForReady_aCallWithNoServerFailsUnavailable() throws Exception {
    try (HeldPort noServer = new HeldPort();
        CodecClient client = CodecClient.builder().target("127.0.0.1:" + noServer.port()).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));

      assertEquals(StatusCode.UNAVAILABLE, e.code());
    }
  }

  @Test
  void unavailableForEveryone_isThrottled_soCallsStopBeingRetried() throws Exception {
    FlakyCodec codec =
        new FlakyCodec(Integer.MAX_VALUE, Status.UNAVAILABLE.withDescription("pod shutting down"));
    int port = start(codec, 0);
    try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
      for (int i = 0; i < 10; i++) {
        assertThrows(CodecException.class, () -> client.generateDek("p"));
      }
    }
    // retryThrottling (10 tokens, 0.1 per success): once half the tokens are gone every call is
    // tried once.
    // Without it: 4 attempts per call, 40.
    assertTrue(codec.attempts.get() <= 14, "attempts " + codec.attempts.get());
    assertEquals(
        Map.of("maxTokens", 10.0, "tokenRatio", 0.1),
        CodecChannels.serviceConfig(4).get("retryThrottling"));
  }

  @Test
  void unavailable_isRetriedForAsyncCallsToo() throws Exception {
    FlakyCodec codec = new FlakyCodec(2, Status.UNAVAILABLE.withDescription("pod shutting down"));
    int port = start(codec, 0);
    try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
      assertEquals(
          new GeneratedDek("dek1:k1:x", 1), client.generateDekAsync("p").get(30, TimeUnit.SECONDS));
    }
    assertEquals(3, codec.attempts.get());
  }

  @Test
  void unavailableAfterTheAnswerStarted_isIssuedOnceMore_byAsyncCallsToo() throws Exception {
    FlakyCodec codec =
        new FlakyCodec(1, Status.UNAVAILABLE.withDescription("connection lost mid-answer"));
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(codec, new HeadersBeforeErrors()))
            .build()
            .start();
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + server.getPort()).build()) {
      assertEquals(
          new GeneratedDek("dek1:k1:x", 1), client.generateDekAsync("p").get(30, TimeUnit.SECONDS));
    }
    assertEquals(2, codec.attempts.get());
  }

  @Test
  void userAgent_startsTheUserAgentHeaderOfEveryCall() throws Exception {
    List<String> agents = new CopyOnWriteArrayList<>();
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                ServerInterceptors.intercept(
                    new FlakyCodec(0, Status.OK),
                    new ServerInterceptor() {
                      @Override
                      public <Q, A> ServerCall.Listener<Q> interceptCall(
                          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                        agents.add(
                            headers.get(
                                Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)));
                        return next.startCall(call, headers);
                      }
                    }))
            .build()
            .start();
    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + server.getPort())
            .userAgent("control-api/2.3")
            .build()) {
      client.generateDek("p");
      client.generateDekAsync("p").get(30, TimeUnit.SECONDS);
    }
    assertEquals(2, agents.size());
    assertTrue(agents.stream().allMatch(a -> a.startsWith("control-api/2.3 ")), agents.toString());
  }

  @Test
  void userAgent_mustBePrintableAscii_andNeedsAChannelTheClientBuilds() {
    assertThrows(IllegalArgumentException.class, () -> CodecClient.builder().userAgent(""));
    assertThrows(
        IllegalArgumentException.class, () -> CodecClient.builder().userAgent("app\r\nx-evil: 1"));
    assertThrows(IllegalArgumentException.class, () -> CodecClient.builder().userAgent(" app"));
    assertThrows(
        IllegalArgumentException.class, () -> CodecClient.builder().userAgent("a".repeat(129)));
    io.grpc.ManagedChannel channel =
        io.grpc.inprocess.InProcessChannelBuilder.forName("unused").build();
    try {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> CodecClient.builder().channel(channel).userAgent("app/1").build());
      assertTrue(e.getMessage().contains("userAgent"), e.getMessage());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void closingAView_leavesTheClientsChannelOpen() throws Exception {
    FlakyCodec codec = new FlakyCodec(0, Status.OK);
    int port = start(codec, 0);
    try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
      try (CodecClient view = client.withDeadline(Duration.ofSeconds(3))) {
        view.generateDek("p");
      }
      client.generateDek("p");
    }
    assertEquals(2, codec.attempts.get());
  }
}
