package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewed client TLS material (a client certificate, a CA bundle) rewritten on disk is used by the
 * client's next connection without a restart, against a real mTLS server on a random port (whose
 * own certificate the tests swap in memory). The server closes connections after {@value
 * #CONNECTION_AGE_MILLIS} ms (its max connection age), so the client keeps opening new ones; the
 * tests call until the server sees the renewed material (or fail after {@value #WAIT_SECONDS} s).
 */
class ClientTlsReloadTest {
  private static final long CONNECTION_AGE_MILLIS = 300;
  private static final long WAIT_SECONDS = 30;

  @TempDir Path tmp;

  /**
   * Per call: the client certificate's subject and the issuer of the server certificate that was
   * used.
   */
  private final List<String> clientSubjects = new CopyOnWriteArrayList<>();

  private final List<String> serverIssuers = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> connections =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AdvancedTlsX509KeyManager serverKeys = new AdvancedTlsX509KeyManager();
  private Server server;

  private static final class MinimalCodec extends CodecServiceGrpc.CodecServiceImplBase {
    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      response.onNext(
          GenerateDekResponse.newBuilder().setEncryptedDek("dek1:k1:x").setKekVersion(1).build());
      response.onCompleted();
    }
  }

  private final ServerInterceptor recorder =
      new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
          SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
          connections.add(
              String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
          try {
            Certificate[] peer = session.getPeerCertificates();
            clientSubjects.add(((X509Certificate) peer[0]).getSubjectX500Principal().getName());
          } catch (SSLPeerUnverifiedException e) {
            clientSubjects.add("<none>");
          }
          serverIssuers.add(
              ((X509Certificate) session.getLocalCertificates()[0])
                  .getIssuerX500Principal()
                  .getName());
          return next.startCall(call, headers);
        }
      };

  /** The server's certificate from now on (new connections). */
  private void serve(TestCertificates.Issued serverCert) {
    serverKeys.updateIdentityCredentials(
        new X509Certificate[] {serverCert.certificate()}, serverCert.key());
  }

  /**
   * An mTLS server (client certificates required, signed by {@code clientCa}) presenting {@code
   * serverCert}.
   */
  private int start(TestCertificates.Issued serverCert, Path clientCa) throws Exception {
    serve(serverCert);
    server =
        NettyServerBuilder.forPort(
                0,
                TlsServerCredentials.newBuilder()
                    .keyManager(serverKeys)
                    .trustManager(clientCa.toFile())
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build())
            .maxConnectionAge(CONNECTION_AGE_MILLIS, TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(5, TimeUnit.SECONDS)
            .addService(ServerInterceptors.intercept(new MinimalCodec(), recorder))
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

  /**
   * Replaces {@code target} with {@code source} the way a Secret volume update does (one atomic
   * rename), with a modification time clearly after the old file's.
   */
  private static void replace(Path source, Path target) throws Exception {
    Path staged = target.resolveSibling("." + target.getFileName() + ".new");
    Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(
        staged, FileTime.fromMillis(Files.getLastModifiedTime(target).toMillis() + 10_000));
    Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Calls until {@code done} holds after a successful call; failures on the way (handshakes) are
   * tolerated.
   */
  private void callUntil(CodecClient client, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    CodecException last = null;
    while (System.nanoTime() < deadline) {
      try {
        client.generateDek("p");
        if (done.getAsBoolean()) {
          return;
        }
      } catch (CodecException e) {
        last = e;
      }
    }
    throw new AssertionError(
        "the renewed material was not used within "
            + WAIT_SECONDS
            + " s"
            + (last == null ? "" : "; last failure: " + last.getMessage())
            + "; calls "
            + clientSubjects.size()
            + ", client certificates "
            + new java.util.TreeSet<>(clientSubjects)
            + ", server CAs "
            + new java.util.TreeSet<>(serverIssuers)
            + ", connections "
            + connections.size());
  }

  @Test
  void renewedClientCertificate_isPresentedByTheNextConnection() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp.resolve("server"), ca);
    TestCertificates.Issued client = TestCertificates.client(tmp.resolve("mounted"), ca, "runner");
    TestCertificates.Issued renewed =
        TestCertificates.client(tmp.resolve("renewed"), ca, "runner-renewed");
    int port = start(serverCert, ca.certPem());

    try (CodecClient codec =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .clientCertificate(client.certPem(), client.keyPem())
            .tlsReloadInterval(Duration.ofMillis(50))
            .build()) {
      codec.generateDek("p");
      assertEquals("CN=runner", clientSubjects.get(0));

      replace(renewed.keyPem(), client.keyPem());
      replace(renewed.certPem(), client.certPem());
      callUntil(
          codec, () -> clientSubjects.get(clientSubjects.size() - 1).equals("CN=runner-renewed"));
    }
    assertTrue(
        clientSubjects.stream()
            .allMatch(s -> s.equals("CN=runner") || s.equals("CN=runner-renewed")),
        clientSubjects.toString());
  }

  @Test
  void renewedCaBundle_verifiesTheServersNewCertificate() throws Exception {
    TestCertificates.Issued oldCa = TestCertificates.ca(tmp.resolve("old-ca"), "old-ca");
    TestCertificates.Issued newCa = TestCertificates.ca(tmp.resolve("new-ca"), "new-ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp.resolve("server"), oldCa);
    TestCertificates.Issued renewedServer =
        TestCertificates.server(tmp.resolve("renewed-server"), newCa);
    TestCertificates.Issued client =
        TestCertificates.client(tmp.resolve("client"), oldCa, "runner");
    Path trusted = tmp.resolve("trusted-ca.crt");
    Files.copy(oldCa.certPem(), trusted);
    int port = start(serverCert, oldCa.certPem());

    try (CodecClient codec =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(trusted)
            .clientCertificate(client.certPem(), client.keyPem())
            .tlsReloadInterval(Duration.ofMillis(50))
            .maxAttempts(1)
            .build()) {
      codec.generateDek("p");
      assertEquals(List.of("CN=old-ca"), serverIssuers);

      // the CA rotation as trust-manager does it: the bundle gains the new CA, then the server
      // moves to it
      Path bundle = tmp.resolve("bundle.crt");
      Files.writeString(
          bundle, Files.readString(oldCa.certPem()) + Files.readString(newCa.certPem()));
      replace(bundle, trusted);
      serve(renewedServer);
      callUntil(codec, () -> serverIssuers.get(serverIssuers.size() - 1).equals("CN=new-ca"));

      // and a CA that is not in the bundle is still refused: the reloaded trust still verifies
      replace(newCa.certPem(), trusted);
      TestCertificates.Issued strangerCa =
          TestCertificates.ca(tmp.resolve("stranger-ca"), "stranger-ca");
      TestCertificates.Issued strangerServer =
          TestCertificates.server(tmp.resolve("stranger"), strangerCa);
      serve(strangerServer);
      int callsBefore = serverIssuers.size();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      CodecException refused = null;
      while (refused == null && System.nanoTime() < deadline) {
        try {
          codec.generateDek("p");
        } catch (CodecException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "a server certificate of an untrusted CA was accepted");
      assertEquals(StatusCode.UNAVAILABLE, refused.code());
      assertTrue(
          serverIssuers.subList(callsBefore, serverIssuers.size()).stream()
              .noneMatch("CN=stranger-ca"::equals));
    }
  }

  @Test
  void serverCertificateForAnotherName_isRefused() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp.resolve("server"), ca);
    TestCertificates.Issued client = TestCertificates.client(tmp.resolve("client"), ca, "runner");
    int port = start(serverCert, ca.certPem());

    try (CodecClient codec =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .clientCertificate(client.certPem(), client.keyPem())
            .authority("codec.other.example")
            .maxAttempts(1)
            .build()) {
      CodecException e = assertThrows(CodecException.class, () -> codec.generateDek("p"));
      assertEquals(StatusCode.UNAVAILABLE, e.code());
    }
    assertTrue(
        clientSubjects.isEmpty(), "no call reaches a server whose certificate names another host");
  }
}
