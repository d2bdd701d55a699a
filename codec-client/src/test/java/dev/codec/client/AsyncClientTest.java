package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptDekResponse;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.DecryptValueResponse;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.EncryptResponse;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.proto.v1.IssueGrantRequest;
import dev.codec.proto.v1.IssueGrantResponse;
import dev.codec.proto.v1.KekVersion;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapDekResponse;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.SealVariablesRequest;
import dev.codec.proto.v1.SealVariablesResponse;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.StatusResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CompletableFuture variants, per-call deadlines and interceptors, against an in-process
 * service that answers every RPC with values derived from its request (so that a mix-up of fields
 * shows).
 */
class AsyncClientTest {
  private static final Metadata.Key<String> TRACE =
      Metadata.Key.of("x-trace", Metadata.ASCII_STRING_MARSHALLER);

  private final CountDownLatch encryptStarted = new CountDownLatch(1);
  private final CountDownLatch encryptCancelled = new CountDownLatch(1);
  private final AtomicReference<Context> lastContext = new AtomicReference<>();
  private final List<String> traceHeaders = new CopyOnWriteArrayList<>();
  private Server server;
  private ManagedChannel channel;

  /**
   * Answers every RPC from its request; Encrypt of project "hang" never answers and records its
   * cancellation.
   */
  private final class EchoCodec extends CodecServiceGrpc.CodecServiceImplBase {
    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      lastContext.set(Context.current());
      if (request.getProjectId().isEmpty()) {
        response.onError(
            Status.INVALID_ARGUMENT.withDescription("project_id: required").asRuntimeException());
        return;
      }
      answer(
          response,
          GenerateDekResponse.newBuilder()
              .setEncryptedDek("dek1:k3:" + request.getProjectId())
              .setKekVersion(3)
              .build());
    }

    @Override
    public void encrypt(EncryptRequest request, StreamObserver<EncryptResponse> response) {
      if (request.getProjectId().equals("hang")) {
        ((ServerCallStreamObserver<EncryptResponse>) response)
            .setOnCancelHandler(encryptCancelled::countDown);
        encryptStarted.countDown();
        return;
      }
      EncryptResponse.Builder out =
          EncryptResponse.newBuilder()
              .setSeal(
                  request.getPlainValuesCount() > 0
                      ? "seal1:" + request.getPlainValuesMap().keySet()
                      : "");
      request
          .getValuesMap()
          .forEach((k, v) -> out.putEncrypted(k, "enc2:" + request.getEncryptedDek() + ":" + v));
      answer(response, out.build());
    }

    @Override
    public void sealVariables(
        SealVariablesRequest request, StreamObserver<SealVariablesResponse> response) {
      answer(
          response,
          SealVariablesResponse.newBuilder()
              .setSeal("seal1:" + request.getVariablesCount())
              .build());
    }

    @Override
    public void issueGrant(IssueGrantRequest request, StreamObserver<IssueGrantResponse> response) {
      answer(
          response,
          IssueGrantResponse.newBuilder()
              .setGrant("grant2:k1:" + request.getDeploymentId() + request.getSeal())
              .setGrantId("g-" + request.getProjectId())
              .setExpireTime(
                  Timestamp.newBuilder().setSeconds(1_000 + request.getTtl().getSeconds()))
              .setKekVersion(1)
              .build());
    }

    @Override
    public void decryptDek(DecryptDekRequest request, StreamObserver<DecryptDekResponse> response) {
      answer(
          response,
          DecryptDekResponse.newBuilder()
              .setDek(ByteString.copyFromUtf8(request.getEncryptedDek() + request.getGrant()))
              .build());
    }

    @Override
    public void decryptValue(
        DecryptValueRequest request, StreamObserver<DecryptValueResponse> response) {
      String key = request.hasDek() ? request.getDek().toStringUtf8() : request.getEncryptedDek();
      answer(
          response,
          DecryptValueResponse.newBuilder()
              .setValue(
                  key
                      + "|"
                      + request.getName()
                      + "|"
                      + request.getEncrypted()
                      + "|"
                      + request.getGrant())
              .build());
    }

    @Override
    public void decryptAll(DecryptAllRequest request, StreamObserver<DecryptAllResponse> response) {
      DecryptAllResponse.Builder out = DecryptAllResponse.newBuilder();
      request
          .getVariablesMap()
          .forEach(
              (name, v) ->
                  out.putValues(
                      name,
                      v.getKind()
                          + ":"
                          + v.getValue()
                          + ":"
                          + request.getGrant()
                          + ":"
                          + request.getSeal()));
      answer(response, out.build());
    }

    @Override
    public void rewrapDek(RewrapDekRequest request, StreamObserver<RewrapDekResponse> response) {
      RewrapDekResponse.Builder out = RewrapDekResponse.newBuilder();
      for (int i = 0; i < request.getItemsCount(); i++) {
        var item = request.getItems(i);
        out.addResults(
            item.getEncryptedDek().startsWith("dek1:")
                ? dev.codec.proto.v1.RewrapResult.newBuilder()
                    .setIndex(i)
                    .setEncryptedDek("dek1:k9:" + item.getProjectId())
                    .setKekVersion(9)
                    .build()
                : dev.codec.proto.v1.RewrapResult.newBuilder()
                    .setIndex(i)
                    .setError(
                        com.google.rpc.Status.newBuilder()
                            .setCode(Status.Code.INVALID_ARGUMENT.value())
                            .setMessage("encrypted_dek: invalid"))
                    .build());
      }
      answer(response, out.build());
    }

    @Override
    public void rotateDek(RotateDekRequest request, StreamObserver<RotateDekResponse> response) {
      answer(
          response,
          RotateDekResponse.newBuilder()
              .setEncryptedDek("dek1:k4:new")
              .setKekVersion(4)
              .putAllEncrypted(request.getEncryptedMap())
              .build());
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
      answer(
          response,
          StatusResponse.newBuilder()
              .setActiveKekVersion(2)
              .addKekVersions(
                  KekVersion.newBuilder()
                      .setVersion(2)
                      .setFingerprint("ab12")
                      .setLoadTime(Timestamp.newBuilder().setSeconds(42)))
              .setLegacyAccepted(true)
              .build());
    }

    private <T> void answer(StreamObserver<T> response, T message) {
      response.onNext(message);
      response.onCompleted();
    }
  }

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                ServerInterceptors.intercept(
                    new EchoCodec(),
                    new io.grpc.ServerInterceptor() {
                      @Override
                      public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(
                          io.grpc.ServerCall<Q, A> call,
                          Metadata headers,
                          io.grpc.ServerCallHandler<Q, A> next) {
                        String trace = headers.get(TRACE);
                        if (trace != null) {
                          traceHeaders.add(trace);
                        }
                        return next.startCall(call, headers);
                      }
                    }))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void everyAsyncCall_returnsWhatItsBlockingTwinReturns() {
    try (CodecClient codec = CodecClient.builder().channel(channel).build()) {
      Map<String, Variable> variables =
          Map.of("A", Variable.plain("1"), "B", Variable.secret("enc2:x"));
      Duration hour = Duration.ofHours(1);
      byte[] dek = "plain-dek".getBytes(java.nio.charset.StandardCharsets.UTF_8);

      assertEquals(codec.generateDek("p"), codec.generateDekAsync("p").join());
      assertEquals(new GeneratedDek("dek1:k3:p", 3), codec.generateDekAsync("p").join());
      assertEquals(
          codec.encrypt("p", "d", Map.of("K", "v")),
          codec.encryptAsync("p", "d", Map.of("K", "v")).join());
      assertEquals(Map.of("K", "enc2:d:v"), codec.encryptAsync("p", "d", Map.of("K", "v")).join());
      CodecClient.EncryptedValues sealed =
          codec.encryptAsync("p", "d", Map.of("K", "v"), Map.of("P", "x")).join();
      assertEquals(codec.encrypt("p", "d", Map.of("K", "v"), Map.of("P", "x")), sealed);
      assertEquals("seal1:[P]", sealed.seal());
      assertEquals(
          codec.sealVariables("p", "d", variables),
          codec.sealVariablesAsync("p", "d", variables).join());
      assertEquals("seal1:2", codec.sealVariablesAsync("p", "d", variables).join());
      IssuedGrant grant = codec.issueGrantAsync("p", "dep", "d", "seal1:s", hour).join();
      assertEquals(codec.issueGrant("p", "dep", "d", "seal1:s", hour), grant);
      assertEquals(Instant.ofEpochSecond(1_000 + 3_600), grant.expireTime());
      assertArrayEquals(
          codec.decryptDek("p", "d", "g"), codec.decryptDekAsync("p", "d", "g").join());
      assertEquals(
          "dg",
          new String(
              codec.decryptDekAsync("p", "d", "g").join(),
              java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(
          codec.decryptValue("p", "d", "N", "enc2:c", "g"),
          codec.decryptValueAsync("p", "d", "N", "enc2:c", "g").join());
      assertEquals("d|N|enc2:c|g", codec.decryptValueAsync("p", "d", "N", "enc2:c", "g").join());
      assertEquals(
          codec.decryptValueWithDek("p", dek, "N", "enc2:c"),
          codec.decryptValueWithDekAsync("p", dek, "N", "enc2:c").join());
      assertEquals(
          "plain-dek|N|enc2:c|", codec.decryptValueWithDekAsync("p", dek, "N", "enc2:c").join());
      assertEquals(
          codec.decryptAll("p", "dep", "d", variables, "g", "s"),
          codec.decryptAllAsync("p", "dep", "d", variables, "g", "s").join());
      assertEquals(
          Map.of("A", "KIND_PLAIN:1:g:s", "B", "KIND_SECRET:enc2:x:g:s"),
          codec.decryptAllAsync("p", "dep", "d", variables, "g", "s").join());
      List<DekToRewrap> items =
          List.of(new DekToRewrap("p1", "dek1:k1:a"), new DekToRewrap("p2", "bad"));
      List<RewrapResult> rewrapped = codec.rewrapDeksAsync(items).join();
      assertEquals(codec.rewrapDeks(items), rewrapped);
      assertEquals(StatusCode.OK, rewrapped.get(0).errorCode());
      assertEquals("dek1:k9:p1", rewrapped.get(0).encryptedDek());
      assertEquals(StatusCode.INVALID_ARGUMENT, rewrapped.get(1).errorCode());
      assertEquals(
          codec.rotateDek("p", "d", Map.of("K", "enc2:c")),
          codec.rotateDekAsync("p", "d", Map.of("K", "enc2:c")).join());
      CodecStatus status = codec.statusAsync().join();
      assertEquals(codec.status(), status);
      assertEquals(
          List.of(new CodecStatus.KekVersion(2, "ab12", Instant.ofEpochSecond(42))),
          status.kekVersions());
    }
  }

  @Test
  void asyncFailure_completesExceptionallyWithTheTypedException() {
    try (CodecClient codec = CodecClient.builder().channel(channel).build()) {
      CompletableFuture<GeneratedDek> future = codec.generateDekAsync("");
      CompletionException thrown = assertThrows(CompletionException.class, future::join);
      CodecException e = assertInstanceOf(CodecException.class, thrown.getCause());
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
      assertTrue(e.getMessage().contains("project_id"), e.getMessage());
    }
  }

  @Test
  void cancellingTheFuture_cancelsTheCallOnTheServer() throws Exception {
    try (CodecClient codec =
        CodecClient.builder().channel(channel).deadline(Duration.ofMinutes(1)).build()) {
      CompletableFuture<Map<String, String>> future =
          codec.encryptAsync("hang", "d", Map.of("K", "v"));
      assertTrue(encryptStarted.await(10, TimeUnit.SECONDS), "the call never reached the server");
      assertTrue(future.cancel(true));
      assertTrue(encryptCancelled.await(10, TimeUnit.SECONDS), "the server saw no cancellation");
      assertTrue(future.isCancelled());
    }
  }

  @Test
  void perCallDeadline_endsAnAsyncCallThatNeverAnswers() {
    try (CodecClient codec =
        CodecClient.builder().channel(channel).deadline(Duration.ofMinutes(1)).build()) {
      CompletableFuture<Map<String, String>> future =
          codec.withDeadline(Duration.ofMillis(200)).encryptAsync("hang", "d", Map.of("K", "v"));
      CodecException e =
          assertInstanceOf(
              CodecException.class,
              assertThrows(CompletionException.class, future::join).getCause());
      assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code());
      assertTrue(e.isRetryable());
    }
  }

  @Test
  void withDeadline_setsTheDeadlineOfBlockingAndAsyncCalls_andLeavesTheClientsOwn() {
    try (CodecClient codec =
        CodecClient.builder().channel(channel).deadline(Duration.ofSeconds(30)).build()) {
      CodecClient quick = codec.withDeadline(Duration.ofSeconds(2));
      assertEquals(Duration.ofSeconds(2), quick.deadline());

      quick.generateDek("p");
      long blockingRemaining = lastContext.get().getDeadline().timeRemaining(TimeUnit.MILLISECONDS);
      assertTrue(
          blockingRemaining > 0 && blockingRemaining <= 2_000, "remaining " + blockingRemaining);

      quick.generateDekAsync("p").join();
      long asyncRemaining = lastContext.get().getDeadline().timeRemaining(TimeUnit.MILLISECONDS);
      assertTrue(asyncRemaining > 0 && asyncRemaining <= 2_000, "remaining " + asyncRemaining);

      quick.close(); // a view: closing it leaves the client working
      codec.generateDek("p");
      long defaultRemaining = lastContext.get().getDeadline().timeRemaining(TimeUnit.MILLISECONDS);
      assertTrue(
          defaultRemaining > 20_000 && defaultRemaining <= 30_000, "remaining " + defaultRemaining);
      assertEquals(Duration.ofSeconds(30), codec.deadline());
      assertThrows(IllegalArgumentException.class, () -> codec.withDeadline(Duration.ZERO));
      assertThrows(
          IllegalArgumentException.class, () -> codec.withDeadline(Duration.ofSeconds(-1)));
    }
  }

  /**
   * Appends its name to the x-trace header, so the header shows the order the interceptors ran in.
   */
  private static ClientInterceptor tracer(String name, List<String> seen) {
    return new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(
          MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<A> listener, Metadata headers) {
            seen.add(name + ":" + method.getBareMethodName());
            String before = headers.get(TRACE);
            headers.discardAll(TRACE);
            headers.put(TRACE, before == null ? name : before + "," + name);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  @Test
  void interceptors_runInTheOrderGiven_onBlockingAndAsyncCalls() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (CodecClient codec =
        CodecClient.builder()
            .channel(channel)
            .interceptors(tracer("first", seen), tracer("second", seen))
            .interceptors(tracer("third", seen))
            .build()) {
      codec.generateDek("p");
      codec.statusAsync().join();
    }
    assertEquals(
        List.of(
            "first:GenerateDek",
            "second:GenerateDek",
            "third:GenerateDek",
            "first:Status",
            "second:Status",
            "third:Status"),
        seen);
    assertEquals(List.of("first,second,third", "first,second,third"), traceHeaders);
  }
}
