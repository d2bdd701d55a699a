package dev.codec.deploy.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A Kubernetes probe executed as the kubelet executes it: gRPC = a plaintext {@code
 * grpc.health.v1.Health/Check} with the probe's service name, SERVING or a failure; httpGet = HTTP
 * or HTTPS by the probe's scheme (HTTPS without verifying the certificate, no redirects followed,
 * 200-399 passes, the probe's headers and the kubelet's User-Agent sent); tcpSocket = a connection
 * opened. Each within the probe's {@code timeoutSeconds} (default 1). Exec probes are not
 * executable here and fail the test.
 */
final class KubeletProbe {
  private KubeletProbe() {}

  /**
   * Runs {@code probe} once against 127.0.0.1 as the kubelet runs it, named ports resolved through
   * {@code container}'s ports: "" on success, else why it failed.
   */
  static String run(Probe probe, Container container) {
    int timeout = probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds();
    try {
      if (probe.getGrpc() != null) {
        // The kubelet's gRPC probe: plaintext, grpc.health.v1.Health/Check with the probe's service
        // name.
        ManagedChannel channel =
            ManagedChannelBuilder.forAddress("127.0.0.1", probe.getGrpc().getPort())
                .usePlaintext()
                .build();
        try {
          ServingStatus status =
              HealthGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(timeout, TimeUnit.SECONDS)
                  .check(
                      HealthCheckRequest.newBuilder()
                          .setService(Optional.ofNullable(probe.getGrpc().getService()).orElse(""))
                          .build())
                  .getStatus();
          return status == ServingStatus.SERVING ? "" : "gRPC health " + status;
        } finally {
          channel.shutdownNow();
        }
      }
      if (probe.getHttpGet() != null) {
        var get = probe.getHttpGet();
        String scheme = Optional.ofNullable(get.getScheme()).orElse("HTTP");
        String host = Optional.ofNullable(get.getHost()).orElse("127.0.0.1");
        URI uri =
            URI.create(
                scheme.toLowerCase(Locale.ROOT)
                    + "://"
                    + host
                    + ":"
                    + port(get.getPort(), container)
                    + Optional.ofNullable(get.getPath()).orElse("/"));
        // HTTPS probes do not verify the certificate (as the kubelet). Redirects: the kubelet
        // follows
        // those to the same host, at most 10, and takes one to another host as the answer.
        HttpClient.Builder client =
            HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(timeout))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (scheme.equals("HTTPS")) {
          SSLContext trustAll = SSLContext.getInstance("TLS");
          trustAll.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
          SSLParameters parameters = new SSLParameters();
          parameters.setEndpointIdentificationAlgorithm(null);
          client.sslContext(trustAll).sslParameters(parameters);
        }
        HttpClient http = client.build();
        for (int redirects = 0; ; redirects++) {
          HttpRequest.Builder request =
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(timeout))
                  .header("User-Agent", "kube-probe/1.31");
          get.getHttpHeaders().forEach(h -> request.header(h.getName(), h.getValue()));
          HttpResponse<String> response =
              http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          int status = response.statusCode();
          Optional<String> location = response.headers().firstValue("Location");
          if (status >= 300 && status < 400 && location.isPresent()) {
            URI next = uri.resolve(location.get());
            if (next.getHost() != null && next.getHost().equals(uri.getHost())) {
              if (redirects == 10) {
                return "stopped after 10 redirects";
              }
              uri = next;
              continue;
            }
          }
          return status >= 200 && status < 400 ? "" : "HTTP " + status + " " + response.body();
        }
      }
      if (probe.getTcpSocket() != null) {
        try (Socket socket = new Socket()) {
          socket.connect(
              new InetSocketAddress(
                  probe.getTcpSocket().getHost() == null
                      ? InetAddress.getLoopbackAddress()
                      : InetAddress.getByName(probe.getTcpSocket().getHost()),
                  port(probe.getTcpSocket().getPort(), container)),
              timeout * 1000);
          return "";
        }
      }
      throw new AssertionError("probe kind not executable here (exec?): " + probe);
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** {@code port} as a number: itself, or the container port of that name. */
  static int port(IntOrString port, Container container) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
        .getContainerPort();
  }

  /**
   * Accepts any server certificate for any host name: the kubelet's HTTPS probes verify neither. An
   * {@link X509ExtendedTrustManager}, because the JDK wraps a plain {@link
   * javax.net.ssl.X509TrustManager} in one that still checks the host name (KubeletProbeTest).
   */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
