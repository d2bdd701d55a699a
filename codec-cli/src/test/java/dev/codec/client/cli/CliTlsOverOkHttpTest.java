package dev.codec.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.TestCertificates;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * codec-cli's TLS and mTLS through grpc-okhttp, the transport its jar ships: this module's class
 * path has no Netty (codec-client's grpc-netty-shaded is excluded), so the CLI's channel and the
 * test's server are both OkHttp's, which {@link #theTransportIsOkHttp} checks.
 */
class CliTlsOverOkHttpTest {
  @TempDir Path tmp;

  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();
  private Server server;

  private static final class MinimalCodec extends CodecServiceGrpc.CodecServiceImplBase {
    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      response.onNext(
          GenerateDekResponse.newBuilder()
              .setEncryptedDek("dek1:k1:" + request.getProjectId())
              .setKekVersion(1)
              .build());
      response.onCompleted();
    }
  }

  private final ServerInterceptor recorder =
      new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
          SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
          try {
            Certificate[] peer = session.getPeerCertificates();
            clientSubjects.add(((X509Certificate) peer[0]).getSubjectX500Principal().getName());
          } catch (SSLPeerUnverifiedException e) {
            clientSubjects.add("<none>");
          }
          return next.startCall(call, headers);
        }
      };

  private int start(
      TestCertificates.Issued serverCert, Path clientCa, TlsServerCredentials.ClientAuth auth)
      throws Exception {
    TlsServerCredentials.Builder tls =
        TlsServerCredentials.newBuilder()
            .keyManager(serverCert.certPem().toFile(), serverCert.keyPem().toFile())
            .clientAuth(auth);
    if (clientCa != null) {
      tls.trustManager(clientCa.toFile());
    }
    server =
        Grpc.newServerBuilderForPort(0, tls.build())
            .addService(ServerInterceptors.intercept(new MinimalCodec(), recorder))
            .build()
            .start();
    return server.getPort();
  }

  /**
   * {@code codec-cli generate-dek --project PROJECT --target localhost:PORT ARGS...}, in-process.
   */
  private static CliRun generateDek(String project, int port, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("generate-dek", "--project", project, "--target", "localhost:" + port));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theTransportIsOkHttp() throws Exception {
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder"));
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("io.grpc.netty.NettyChannelBuilder"));
    // what codec-client's CodecChannels gets from Grpc.newChannelBuilder
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilder("localhost:1", InsecureChannelCredentials.create());
    assertInstanceOf(OkHttpChannelBuilder.class, builder);
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    start(
        TestCertificates.server(tmp.resolve("server"), ca),
        null,
        TlsServerCredentials.ClientAuth.NONE);
    assertInstanceOf(
        OkHttpServerBuilder.class,
        Grpc.newServerBuilderForPort(0, InsecureServerCredentialsHolder.CREDENTIALS));
  }

  /** The insecure server credentials, for the server builder the registry hands out. */
  private static final class InsecureServerCredentialsHolder {
    static final io.grpc.ServerCredentials CREDENTIALS = io.grpc.InsecureServerCredentials.create();
  }

  @Test
  void tls_verifiesTheServerWithTheCaFile() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    int port =
        start(
            TestCertificates.server(tmp.resolve("server"), ca),
            null,
            TlsServerCredentials.ClientAuth.NONE);

    CliRun run = generateDek("p1", port, "--ca-file", ca.certPem().toString());

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("dek1:k1:p1"), run.out());
    assertEquals(List.of("<none>"), clientSubjects);
  }

  @Test
  void mtls_presentsTheClientCertificate() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    TestCertificates.Issued client = TestCertificates.client(tmp.resolve("client"), ca, "runner");
    int port =
        start(
            TestCertificates.server(tmp.resolve("server"), ca),
            ca.certPem(),
            TlsServerCredentials.ClientAuth.REQUIRE);

    CliRun run =
        generateDek(
            "p2",
            port,
            "--ca-file",
            ca.certPem().toString(),
            "--cert",
            client.certPem().toString(),
            "--key",
            client.keyPem().toString());

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("dek1:k1:p2"), run.out());
    assertEquals(List.of("CN=runner"), clientSubjects);
  }

  @Test
  void mtls_withoutAClientCertificate_isRefusedByTheServer() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    int port =
        start(
            TestCertificates.server(tmp.resolve("server"), ca),
            ca.certPem(),
            TlsServerCredentials.ClientAuth.REQUIRE);

    CliRun run = generateDek("p3", port, "--deadline", "5s", "--ca-file", ca.certPem().toString());

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode(), run.out() + run.err());
    assertTrue(clientSubjects.isEmpty(), clientSubjects.toString());
  }

  @Test
  void aServerCertificateOfAnotherCa_isRefused() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    TestCertificates.Issued stranger = TestCertificates.ca(tmp.resolve("stranger"), "stranger");
    int port =
        start(
            TestCertificates.server(tmp.resolve("server"), stranger),
            null,
            TlsServerCredentials.ClientAuth.NONE);

    CliRun run = generateDek("p4", port, "--deadline", "5s", "--ca-file", ca.certPem().toString());

    assertEquals(ExitCodes.TEMP_FAIL, run.exitCode(), run.out() + run.err());
    assertTrue(clientSubjects.isEmpty(), clientSubjects.toString());
  }
}
