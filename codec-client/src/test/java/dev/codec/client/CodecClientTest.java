package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's mapping of Java types to the wire, deadlines and errors, against an in-process
 * service.
 */
class CodecClientTest {
  private final AtomicReference<DecryptAllRequest> lastDecryptAll = new AtomicReference<>();
  private final AtomicReference<Context> lastContext = new AtomicReference<>();
  private Server server;
  private ManagedChannel channel;

  /** Answers GenerateDek with a fixed DEK, echoes DecryptAll, and never answers Encrypt. */
  private final class RecordingCodec extends CodecServiceGrpc.CodecServiceImplBase {
    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      lastContext.set(Context.current());
      if (request.getProjectId().isEmpty()) {
        response.onError(
            Status.INVALID_ARGUMENT.withDescription("project_id: required").asRuntimeException());
        return;
      }
      response.onNext(
          GenerateDekResponse.newBuilder().setEncryptedDek("dek1:k3:x").setKekVersion(3).build());
      response.onCompleted();
    }

    @Override
    public void decryptAll(DecryptAllRequest request, StreamObserver<DecryptAllResponse> response) {
      lastDecryptAll.set(request);
      DecryptAllResponse.Builder out = DecryptAllResponse.newBuilder();
      request
          .getVariablesMap()
          .forEach((name, v) -> out.putValues(name, v.getKind() + ":" + v.getValue()));
      response.onNext(out.build());
      response.onCompleted();
    }

    @Override
    public void encrypt(
        dev.codec.proto.v1.EncryptRequest request,
        StreamObserver<dev.codec.proto.v1.EncryptResponse> response) {
      // never answers: the client's deadline must end the call
    }
  }

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new RecordingCodec())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void generateDek_mapsResponse_andSetsADeadline() {
    try (CodecClient client =
        CodecClient.builder().channel(channel).deadline(Duration.ofSeconds(7)).build()) {
      assertEquals(new GeneratedDek("dek1:k3:x", 3), client.generateDek("p"));
    }
    assertNotNull(lastContext.get().getDeadline(), "every call must carry a deadline");
    long remaining = lastContext.get().getDeadline().timeRemaining(TimeUnit.SECONDS);
    assertTrue(remaining > 0 && remaining <= 7, "deadline " + remaining);
  }

  @Test
  void decryptAll_sendsKindsAndValues() {
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      Map<String, String> out =
          client.decryptAll(
              "p", null, "dek", Map.of("A", Variable.plain("1"), "B", Variable.secret("enc1:x")));

      assertEquals(Map.of("A", "KIND_PLAIN:1", "B", "KIND_SECRET:enc1:x"), out);
    }
    assertEquals("", lastDecryptAll.get().getDeploymentId());
    assertEquals("dek", lastDecryptAll.get().getEncryptedDek());
  }

  @Test
  void decryptAll_withASeal_sendsTheVariablesInTheSealsOrder_withoutOneInItsMapsOrder() {
    Map<String, Variable> variables = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      variables.put("VAR_" + i, Variable.secret("enc2:" + i));
    }
    variables.put("Aa", Variable.plain("same hash as BB"));
    variables.put("BB", Variable.plain("same hash as Aa"));
    List<String> sealOrder = new ArrayList<>(variables.keySet());
    sealOrder.sort(
        Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder()));
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      client.decryptAll("p", "", "dek", variables, "grant3:x", "seal3:x");
      assertEquals(sealOrder, new ArrayList<>(lastDecryptAll.get().getVariablesMap().keySet()));

      client.decryptAll("p", "", "dek", variables, "", "");
      assertEquals(
          new ArrayList<>(variables.keySet()),
          new ArrayList<>(lastDecryptAll.get().getVariablesMap().keySet()));
    }
  }

  @Test
  void statusError_becomesCodecExceptionWithCodeAndMessage() {
    try (CodecClient client = CodecClient.builder().channel(channel).build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek(""));

      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertEquals(CodecException.Category.INVALID_REQUEST, e.category());
      assertFalse(e.isRetryable());
      assertEquals("INVALID_ARGUMENT: project_id: required", e.getMessage());
    }
  }

  @Test
  void unansweredCall_endsAtTheDeadline_asRetryable() {
    try (CodecClient client =
        CodecClient.builder().channel(channel).deadline(Duration.ofMillis(200)).build()) {
      CodecException e =
          assertThrows(CodecException.class, () -> client.encrypt("p", "d", Map.of("A", "1")));

      assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code());
      assertTrue(e.isRetryable());
    }
  }

  @Test
  void close_leavesACallerOwnedChannelOpen() {
    CodecClient.builder().channel(channel).build().close();

    assertFalse(channel.isShutdown());
  }

  @Test
  void categories_separateCallerBugsPermissionsAndOutages() {
    assertEquals(CodecException.Category.INVALID_REQUEST, category(StatusCode.RESOURCE_EXHAUSTED));
    assertEquals(CodecException.Category.NOT_ALLOWED, category(StatusCode.UNAUTHENTICATED));
    assertEquals(CodecException.Category.NOT_ALLOWED, category(StatusCode.PERMISSION_DENIED));
    assertEquals(CodecException.Category.UNAVAILABLE, category(StatusCode.UNAVAILABLE));
    assertEquals(CodecException.Category.KEY_UNAVAILABLE, category(StatusCode.FAILED_PRECONDITION));
    assertEquals(CodecException.Category.OTHER, category(StatusCode.INTERNAL));
  }

  @Test
  void variable_toStringHidesTheValue() {
    assertFalse(Variable.plain("hunter2").toString().contains("hunter2"));
    assertThrows(
        IllegalArgumentException.class, () -> CodecClient.builder().deadline(Duration.ZERO));
  }

  private static CodecException.Category category(StatusCode code) {
    return new CodecException(code, "x", null).category();
  }
}
