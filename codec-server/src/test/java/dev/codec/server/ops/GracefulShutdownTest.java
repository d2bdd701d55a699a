package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.server.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real server process with a real call in flight: health turns NOT_SERVING, new calls
 * are refused, the in-flight call still completes and is audited, and the process exits 0.
 */
class GracefulShutdownTest {
  @Test
  @Timeout(180)
  void sigterm_withACallInFlight_stopsServing_refusesNewCalls_finishesTheCall_exitsZero(
      @TempDir Path kekDir) throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (ServerSocket hold = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        // Auth off: this test is about shutdown, and its calls carry no token.
        ServerProcess server =
            new ServerProcess(
                Map.of(
                    "CODEC_KEK_DIR",
                    kekDir.toString(),
                    "CODEC_AUTH_ENABLED",
                    "false",
                    "CODEC_TEST_HOLD_PORT",
                    Integer.toString(hold.getLocalPort())))) {
      hold.setSoTimeout(60_000); // fail, never hang, if the held call does not arrive
      ManagedChannel channel = channel(server.grpcPort);
      try {
        // Watch health: SERVING now, NOT_SERVING once shutdown begins.
        BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<?>[] watch = new ClientCallStreamObserver<?>[1];
        HealthGrpc.newStub(channel)
            .watch(
                HealthCheckRequest.getDefaultInstance(),
                new ClientResponseObserver<HealthCheckRequest, HealthCheckResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> call) {
                    watch[0] = call;
                  }

                  @Override
                  public void onNext(HealthCheckResponse value) {
                    statuses.add(value.getStatus());
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
        assertEquals(ServingStatus.SERVING, statuses.poll(30, TimeUnit.SECONDS));
        assertEquals(200, httpHealth(server.managementPort).statusCode());

        // A call that the test-only interceptor holds in flight until released.
        Metadata holdHeader = new Metadata();
        holdHeader.put(HoldingInterceptor.KEY, "1");
        var slow =
            CodecServiceGrpc.newFutureStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(holdHeader))
                .generateDek(GenerateDekRequest.newBuilder().setProjectId("slow-project").build());
        try (Socket held = hold.accept()) {
          InputStream in = held.getInputStream();
          assertEquals(1, in.read()); // the call is in flight

          server.terminate();
          assertEquals(ServingStatus.NOT_SERVING, statuses.poll(30, TimeUnit.SECONDS));
          watch[0].cancel("seen", null);
          server.awaitLine("codec refuses new calls");
          // the probes' /health says DOWN while the in-flight call drains
          HttpResponse<String> draining = httpHealth(server.managementPort);
          assertEquals(503, draining.statusCode(), draining.body());
          assertEquals("{\"status\":\"DOWN\"}", draining.body());

          CodecException refused;
          try (CodecClient fresh =
              CodecClient.builder().target("localhost:" + server.grpcPort).build()) {
            refused = assertThrows(CodecException.class, () -> fresh.generateDek("late-project"));
          }
          assertEquals(StatusCode.UNAVAILABLE, refused.code());

          held.getOutputStream().write(1); // let the in-flight call finish
          held.getOutputStream().flush();
          GenerateDekResponse done = slow.get(30, TimeUnit.SECONDS);
          assertTrue(done.getEncryptedDek().startsWith("dek1:k1:"), done.getEncryptedDek());
        }
        assertEquals(ShutdownSignals.EXIT_STOPPED, server.awaitExit(), server.output());
        String output = server.output();
        assertTrue(output.contains("codec drained: every in-flight call finished"), output);
        // The held call's audit line was still queued in the asynchronous audit appender when the
        // drain ended: it must reach stdout before the process exits.
        assertTrue(
            output
                .lines()
                .anyMatch(
                    line ->
                        line.startsWith("{")
                            && line.contains("\"rpc\":\"GenerateDek\"")
                            && line.contains("\"project_id\":\"slow-project\"")
                            && line.contains("\"status\":\"OK\"")),
            output);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  private static HttpResponse<String> httpHealth(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static ManagedChannel channel(int port) {
    return ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
  }
}
