package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.SharedTestServer;
import dev.codec.server.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Server reflection answers only when codec.reflection.enabled is true. */
class ReflectionTest {
  @Test
  @ExtendWith(SharedTestServer.class)
  void reflection_isOffByDefault(TestServer server) throws Exception {
    StatusRuntimeException e =
        listServices(server).handle((r, t) -> (StatusRuntimeException) t).get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  @Test
  void reflection_whenEnabled_listsTheCodecAndHealthServices(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir, Map.of("codec.reflection.enabled", "true"))) {
      List<String> services = listServices(server).get(10, TimeUnit.SECONDS);
      assertTrue(services.contains("codec.v1.CodecService"), services.toString());
      assertTrue(services.contains("grpc.health.v1.Health"), services.toString());
    }
  }

  private static CompletableFuture<List<String>> listServices(TestServer server) {
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(server.channel())
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    result.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .collect(Collectors.toList()));
                  }

                  @Override
                  public void onError(Throwable t) {
                    result.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    result.completeExceptionally(new AssertionError("no reflection response"));
                  }
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();
    return result;
  }
}
