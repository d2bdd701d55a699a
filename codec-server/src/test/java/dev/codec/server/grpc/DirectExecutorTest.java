package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where calls run: on the gRPC transport threads by default, on Micronaut's I/O pool when turned
 * off.
 */
class DirectExecutorTest {
  /** Records the thread each call starts on (only in these tests). */
  @Singleton
  @Requires(property = "codec.test.record-call-threads", value = "true")
  static class CallThreadRecorder implements ServerInterceptor {
    static final Queue<String> THREADS = new ConcurrentLinkedQueue<>();

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      THREADS.add(Thread.currentThread().getName());
      return next.startCall(call, headers);
    }
  }

  @TempDir Path kekDir;

  @Test
  void calls_byDefault_runOnTransportThreadsNotTheIoPool() throws Exception {
    String thread = roundTripThread(Map.of());
    assertFalse(thread.startsWith("io-executor"), thread);
  }

  @Test
  void calls_withDirectExecutorOff_runOnTheIoPool() throws Exception {
    String thread = roundTripThread(Map.of("codec.grpc.direct-executor", "false"));
    assertTrue(thread.startsWith("io-executor"), thread);
  }

  private String roundTripThread(Map<String, Object> properties) throws Exception {
    TestServer.writeKek(kekDir, 1);
    CallThreadRecorder.THREADS.clear();
    Map<String, Object> all = new HashMap<>(properties);
    all.put("codec.test.record-call-threads", "true");
    try (TestServer server = TestServer.start(kekDir, all)) {
      CodecClient codec = server.client();
      String dek = codec.generateDek("proj-1").encryptedDek();
      String stored = codec.encrypt("proj-1", dek, Map.of("K", "v\u00e9")).get("K");
      assertEquals(
          Map.of("K", "v\u00e9"),
          codec.decryptAll("proj-1", "d", dek, Map.of("K", Variable.secret(stored))));
    }
    assertEquals(3, CallThreadRecorder.THREADS.size());
    return CallThreadRecorder.THREADS.peek();
  }
}
