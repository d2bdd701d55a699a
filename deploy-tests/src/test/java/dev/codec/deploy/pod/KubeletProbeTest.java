package dev.codec.deploy.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of probe that {@link KubeletProbe} executes, against real local servers on ports the
 * kernel picks: the pod test only meets the kinds the chart renders today (gRPC, plain httpGet), so
 * the others (HTTPS, tcpSocket, named ports, failures) are proven here.
 */
class KubeletProbeTest {
  private static final String SERVICE = "codec.v1.CodecService";
  private final List<AutoCloseable> servers = new ArrayList<>();
  private final Map<String, String> seenHeaders = new ConcurrentHashMap<>();

  @AfterEach
  void stopServers() throws Exception {
    for (AutoCloseable server : servers) {
      server.close();
    }
  }

  @Test
  void tcpSocket_passesOnAnOpenPort_andFailsOnAClosedOne() throws IOException {
    ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(open);
    // bound but not listening: its port stays ours, and a connection to it is refused
    Socket bound = new Socket();
    bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    servers.add(bound);
    int closed = bound.getLocalPort();

    assertEquals("", KubeletProbe.run(tcp(new IntOrString(open.getLocalPort())), container()));
    String failure = KubeletProbe.run(tcp(new IntOrString(closed)), container());
    assertTrue(failure.startsWith("ConnectException"), failure);
  }

  @Test
  void httpGet_plain_passesOn2xxAnd3xx_followsSameHostRedirects_andSendsTheProbesHeaders()
      throws Exception {
    int port = http(null);
    Container container = container();

    assertEquals("", KubeletProbe.run(httpGet("HTTP", port, "/health"), container));
    assertEquals("kube-probe/1.31", seenHeaders.get("user-agent"));
    assertEquals("yes", seenHeaders.get("x-probe"));
    assertEquals("HTTP 503 draining", KubeletProbe.run(httpGet("HTTP", port, "/down"), container));
    // a redirect to the same host is followed (as the kubelet does), here to /down
    assertEquals("HTTP 503 draining", KubeletProbe.run(httpGet("HTTP", port, "/moved"), container));
    // one to another host is the answer, and 3xx counts as success
    assertEquals("", KubeletProbe.run(httpGet("HTTP", port, "/away"), container));
    assertEquals(
        "stopped after 10 redirects", KubeletProbe.run(httpGet("HTTP", port, "/loop"), container));
  }

  @Test
  void httpGet_https_doesNotVerifyTheCertificate_andPlainHttpAgainstTlsFails() throws Exception {
    int port = http(serverTls());
    Container container = container();

    // the certificate is from a CA nobody trusts and names another host: the kubelet still probes
    assertEquals("", KubeletProbe.run(httpGet("HTTPS", port, "/health"), container));
    String plain = KubeletProbe.run(httpGet("HTTP", port, "/health"), container);
    assertTrue(!plain.isEmpty(), "a plain HTTP probe against a TLS port must fail");
  }

  @Test
  void namedPort_resolvesThroughTheContainersPorts_andAnUnknownNameFailsTheTest() throws Exception {
    int port = http(null);
    Container container =
        new ContainerBuilder()
            .withName("codec")
            .addNewPort()
            .withName("metrics")
            .withContainerPort(port)
            .endPort()
            .build();

    assertEquals("", KubeletProbe.run(httpGet("HTTP", "metrics", "/health"), container));
    AssertionError unknown =
        assertThrows(
            AssertionError.class,
            () -> KubeletProbe.run(httpGet("HTTP", "grpc", "/health"), container));
    assertTrue(unknown.getMessage().contains("no container port named grpc"), unknown.getMessage());
  }

  @Test
  void grpc_passesOnlyWhenTheProbesServiceIsServing() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(health.getHealthService())
            .build()
            .start();
    servers.add(() -> server.shutdownNow().awaitTermination());
    Container container = container();
    Probe probe =
        new ProbeBuilder()
            .withNewGrpc()
            .withPort(server.getPort())
            .withService(SERVICE)
            .endGrpc()
            .build();

    health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    assertEquals("gRPC health NOT_SERVING", KubeletProbe.run(probe, container));
    health.setStatus(SERVICE, ServingStatus.SERVING);
    assertEquals("", KubeletProbe.run(probe, container));
    // the overall status ("") is a different service: not what this probe asks
    health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    health.setStatus("", ServingStatus.SERVING);
    assertEquals("gRPC health NOT_SERVING", KubeletProbe.run(probe, container));
  }

  @Test
  void execProbe_isNotExecutableHere_andFailsTheTest() {
    Probe exec = new ProbeBuilder().withNewExec().withCommand("true").endExec().build();

    assertThrows(AssertionError.class, () -> KubeletProbe.run(exec, container()));
  }

  private static Container container() {
    return new ContainerBuilder().withName("codec").build();
  }

  private static Probe tcp(IntOrString port) {
    return new ProbeBuilder().withNewTcpSocket().withPort(port).endTcpSocket().build();
  }

  private static Probe httpGet(String scheme, Object port, String path) {
    IntOrString target =
        port instanceof Integer number ? new IntOrString(number) : new IntOrString((String) port);
    return new ProbeBuilder()
        .withNewHttpGet()
        .withScheme(scheme)
        .withPort(target)
        .withPath(path)
        .addNewHttpHeader("X-Probe", "yes")
        .endHttpGet()
        .build();
  }

  /**
   * An HTTP (or, with {@code tls}, HTTPS) server: /health 200, /down 503, /moved 302 to /down,
   * /away 302 to another host, /loop 302 to itself.
   */
  private int http(SSLContext tls) throws IOException {
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    HttpServer server;
    if (tls == null) {
      server = HttpServer.create(any, 0);
    } else {
      HttpsServer https = HttpsServer.create(any, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.createContext("/health", exchange -> answer(exchange, 200, "ok"));
    server.createContext("/moved", exchange -> redirect(exchange, "/down"));
    server.createContext("/away", exchange -> redirect(exchange, "http://elsewhere.example/"));
    server.createContext("/loop", exchange -> redirect(exchange, "/loop"));
    server.createContext("/down", exchange -> answer(exchange, 503, "draining"));
    server.start();
    HttpServer started = server;
    servers.add(() -> started.stop(0));
    return server.getAddress().getPort();
  }

  private void redirect(HttpExchange exchange, String location) throws IOException {
    exchange.getResponseHeaders().add("Location", location);
    answer(exchange, 302, "");
  }

  private void answer(HttpExchange exchange, int status, String body) throws IOException {
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> seenHeaders.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  /** A server certificate from a throwaway CA, for a name that is not 127.0.0.1. */
  private static SSLContext serverTls() throws Exception {
    TestPki.Issued issued = new TestPki().server(List.of("codec.elsewhere.example"), "ECDSA", 256);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "throwaway".toCharArray();
    store.setKeyEntry("server", issued.key(), password, new Certificate[] {issued.certificate()});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
