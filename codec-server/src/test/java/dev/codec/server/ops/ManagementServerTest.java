package dev.codec.server.ops;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.TestServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management HTTP server ({@link ManagementServer}) of a real codec server on a random port,
 * spoken to over real sockets: what /health and /metrics answer, to which methods and paths, and
 * what slow, greedy and oversized clients get. The attackers connect from 127.0.0.1, the
 * well-behaved client from 127.0.0.2 (another peer address).
 */
class ManagementServerTest {
  private static final String WELL_BEHAVED = "127.0.0.2";
  private static final String ATTACKER = "127.0.0.1";

  @TempDir Path kekDir;

  @Test
  void health_isDownBeforeServing_upWhileServing_andDownOnceShutdownBegins() throws Exception {
    TestServer.writeKek(kekDir, 1);
    Map<String, Object> properties = new HashMap<>();
    properties.put("codec.kek.dir", kekDir.toString());
    properties.put("codec.auth.enabled", false);
    properties.put("grpc.server.port", 0);
    properties.put("codec.management.port", 0);
    try (ApplicationContext context =
        ApplicationContext.builder().properties(properties).environments("test").start()) {
      int port = context.getBean(ManagementServer.class).start();

      Response before = get(port, "/health");
      assertEquals(503, before.status(), before.text());
      assertEquals("{\"status\":\"DOWN\"}", before.body());
      assertEquals("application/json", before.header("content-type"));

      GrpcEmbeddedServer grpc = context.getBean(GrpcEmbeddedServer.class);
      grpc.start(); // the self-test runs, gRPC health turns SERVING
      Response serving = get(port, "/health");
      assertEquals(200, serving.status(), serving.text());
      assertEquals("{\"status\":\"UP\"}", serving.body());

      context.getBean(ServingHealth.class).shuttingDown();
      Response draining = get(port, "/health");
      assertEquals(503, draining.status(), draining.text());
      assertEquals("{\"status\":\"DOWN\"}", draining.body());
      grpc.stop();
    }
  }

  @Test
  void closingTheContext_closesThePort() throws Exception {
    int port;
    try (TestServer server = start(Map.of())) {
      port = server.startManagement();
      assertEquals(200, get(port, "/health").status());
    }
    assertThrows(IOException.class, () -> get(port, "/health"));
  }

  @Test
  void portMinusOne_startsNothing() throws Exception {
    try (TestServer server = start(Map.of("codec.management.port", -1))) {
      assertEquals(-1, server.startManagement());
      assertEquals(-1, server.context().getBean(ManagementServer.class).port());
    }
  }

  @Test
  void portInUse_failsToStart_namingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0);
        TestServer server = start(Map.of("codec.management.port", taken.getLocalPort()))) {
      ManagementServer.StartFailedException failure =
          assertThrows(ManagementServer.StartFailedException.class, server::startManagement);
      assertTrue(
          failure.getMessage().contains("management port *:" + taken.getLocalPort()),
          failure.getMessage());
      assertEquals(-1, server.context().getBean(ManagementServer.class).port());
    }
  }

  @Test
  void head_answersTheStatusAndLength_withoutABody() throws Exception {
    try (TestServer server = start(Map.of())) {
      int port = server.startManagement();

      Response health = exchange(WELL_BEHAVED, port, "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, health.status(), health.text());
      assertEquals("15", health.header("content-length")); // {"status":"UP"}
      assertEquals("", health.body());

      Response metrics = exchange(WELL_BEHAVED, port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, metrics.status(), metrics.text());
      assertEquals(ManagementHandler.TEXT_FORMAT, metrics.header("content-type"));
      assertTrue(Integer.parseInt(metrics.header("content-length")) > 1000, metrics.text());
      assertEquals("", metrics.body());
    }
  }

  @Test
  void metrics_isPrometheusText_withAKnownMetric_andAQueryIsIgnored() throws Exception {
    try (TestServer server = start(Map.of())) {
      int port = server.startManagement();

      Response metrics = get(port, "/metrics?name[]=codec_serving");

      assertEquals(200, metrics.status(), metrics.text());
      assertEquals(ManagementHandler.TEXT_FORMAT, metrics.header("content-type"));
      assertEquals(1.0, ManagementTest.value(metrics.body(), "codec_serving"), metrics.body());
      assertEquals(1.0, ManagementTest.value(metrics.body(), "codec_kek_versions_loaded"));
      assertEquals("close", metrics.header("connection"));
    }
  }

  @Test
  void otherMethods_get405_answeredBeforeTheirBodyIsSent() throws Exception {
    try (TestServer server = start(Map.of())) {
      int port = server.startManagement();
      for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"}) {
        // announces a 10 MB body and sends none of it: the answer comes anyway, so the server never
        // waited for (or read) the body
        Response response =
            exchange(
                WELL_BEHAVED,
                port,
                method + " /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
        assertEquals(405, response.status(), method + ": " + response.text());
        assertEquals("GET, HEAD", response.header("allow"), response.text());
      }
    }
  }

  @Test
  void unknownPaths_get404() throws Exception {
    try (TestServer server = start(Map.of())) {
      int port = server.startManagement();
      for (String path : new String[] {"/", "/health/liveness", "/healthz", "/metrics/x", "/env"}) {
        assertEquals(404, get(port, path).status(), path);
      }
      assertEquals(
          400, exchange(WELL_BEHAVED, port, "GARBAGE\r\n\r\n").status(), "no request target");
    }
  }

  @Test
  void oversizedHeaders_get431_andAnOversizedRequestLine414() throws Exception {
    try (TestServer server = start(Map.of("codec.management.max-header-size", 4096))) {
      int port = server.startManagement();

      Response headers =
          exchange(
              WELL_BEHAVED,
              port,
              "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(16_384) + "\r\n\r\n");
      assertEquals(431, headers.status(), headers.text());

      Response line =
          exchange(WELL_BEHAVED, port, "GET /" + "a".repeat(16_384) + " HTTP/1.1\r\n\r\n");
      assertEquals(414, line.status(), line.text());

      // just under the limit is fine
      Response fits =
          exchange(
              WELL_BEHAVED,
              port,
              "GET /health HTTP/1.1\r\nHost: x\r\nX-Ok: " + "a".repeat(3_000) + "\r\n\r\n");
      assertEquals(200, fits.status(), fits.text());
    }
  }

  @Test
  void slowloris_cannotStopHealth_isCappedPerPeer_andTimedOut() throws Exception {
    Map<String, Object> limits =
        Map.of(
            "codec.management.max-connections-per-peer", 8,
            "codec.management.max-connections", 32,
            "codec.management.request-timeout", "10s");
    try (TestServer server = start(limits)) {
      int port = server.startManagement();
      ManagementServer management = server.context().getBean(ManagementServer.class);
      List<Socket> slow = new ArrayList<>();
      AtomicInteger closed = new AtomicInteger();
      AtomicBoolean dripping = new AtomicBoolean(true);
      List<Thread> threads = new ArrayList<>();
      try {
        for (int i = 0; i < 40; i++) {
          Socket s = connect(ATTACKER, port);
          s.getOutputStream()
              .write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(US_ASCII));
          slow.add(s);
          // one reader per connection: counts it once the server has closed it
          Thread reader =
              new Thread(
                  () -> {
                    if (closedByServer(s, 60_000)) {
                      closed.incrementAndGet();
                    }
                  },
                  "slowloris-reader-" + i);
          reader.start();
          threads.add(reader);
        }
        Thread drip =
            new Thread(
                () -> {
                  while (dripping.get()) {
                    for (Socket s : slow) {
                      try {
                        s.getOutputStream().write('a'); // a header that never ends
                        s.getOutputStream().flush();
                      } catch (IOException gone) {
                        // closed by the server: expected
                      }
                    }
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                },
                "slowloris-drip");
        drip.start();
        threads.add(drip);

        // 32 of the 40 are closed at once (over the per-peer cap), long before the timeout
        await(() -> closed.get() == 32, "the 32 connections over the per-peer cap closed");
        assertEquals(8, management.openConnections());

        // the kubelet, from another address, still gets its answers while the 8 drip on
        for (int i = 0; i < 5; i++) {
          Response health = exchange(WELL_BEHAVED, port, "GET /health HTTP/1.1\r\n\r\n");
          assertEquals(200, health.status(), health.text());
        }
        assertEquals(32, closed.get(), "the 8 slow connections were still open meanwhile");
        await(() -> management.openConnections() == 8, "the 5 health connections released");

        // the slow ones, still sending, are closed when request-timeout ends
        await(() -> closed.get() == 40, "every slow connection closed by request-timeout");
        await(() -> management.openConnections() == 0, "no connection left");
      } finally {
        dripping.set(false);
        for (Socket s : slow) {
          s.close();
        }
        for (Thread t : threads) {
          t.interrupt();
          t.join();
        }
      }
    }
  }

  @Test
  void connectionsOverTheGlobalCap_areClosed_untilASlotFrees() throws Exception {
    Map<String, Object> limits =
        Map.of(
            "codec.management.max-connections", 4,
            "codec.management.max-connections-per-peer", 4);
    try (TestServer server = start(limits)) {
      int port = server.startManagement();
      ManagementServer management = server.context().getBean(ManagementServer.class);
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          idle.add(connect(ATTACKER, port));
        }
        await(() -> management.openConnections() == 4, "4 idle connections admitted");

        try (Socket refused = connect(WELL_BEHAVED, port)) {
          assertTrue(closedByServer(refused, 5000), "a fifth connection was admitted");
        }
        assertEquals(4, management.openConnections());

        idle.remove(0).close();
        await(() -> management.openConnections() == 3, "a slot freed");
        assertEquals(200, get(port, "/health").status());
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    }
  }

  @Test
  void configuration_outOfRange_isRefused() {
    for (Map.Entry<String, Object> bad :
        List.<Map.Entry<String, Object>>of(
            Map.entry("codec.management.port", -2),
            Map.entry("codec.management.port", 65536),
            Map.entry("codec.management.max-connections", 0),
            Map.entry("codec.management.max-header-size", 100),
            Map.entry("codec.management.request-timeout", "0s"))) {
      Exception failure =
          assertThrows(
              Exception.class,
              () -> {
                try (TestServer server = start(Map.of(bad.getKey(), bad.getValue()))) {
                  server.startManagement();
                }
              },
              bad::toString);
      String messages = messages(failure);
      assertTrue(messages.contains(bad.getKey().replace("codec.management.", "")), messages);
    }
  }

  private TestServer start(Map<String, Object> properties) throws IOException {
    if (!kekDir.resolve("1").toFile().exists()) {
      TestServer.writeKek(kekDir, 1);
    }
    return TestServer.start(kekDir, properties);
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  private static Socket connect(String from, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return socket;
  }

  /** True once the server has closed {@code socket} (EOF or reset) within {@code millis}. */
  private static boolean closedByServer(Socket socket, int millis) {
    try {
      socket.setSoTimeout(millis);
      InputStream in = socket.getInputStream();
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a safety net only
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static Response get(int port, String path) throws IOException {
    return exchange(WELL_BEHAVED, port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  }

  /** Sends {@code request} from {@code from}, reads until the server closes the connection. */
  private static Response exchange(String from, int port, String request) throws IOException {
    try (Socket socket = connect(from, port)) {
      socket.setSoTimeout(30_000); // a safety net only
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
      return new Response(all.toString(StandardCharsets.UTF_8));
    }
  }

  /** A raw HTTP/1.1 response. */
  private record Response(String text) {
    int status() {
      assertFalse(text.isEmpty(), "no response");
      return Integer.parseInt(text.substring(9, 12));
    }

    String header(String name) {
      for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }

    String body() {
      return text.substring(text.indexOf("\r\n\r\n") + 4);
    }
  }
}
