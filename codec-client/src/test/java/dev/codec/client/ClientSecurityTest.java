package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens (fixed and from a rotating file) and TLS / mTLS, against a real gRPC server on a
 * random port that records what each call carried.
 */
class ClientSecurityTest {
  @TempDir Path tmp;

  private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
  private final List<String> clientCertificateSubjects = new CopyOnWriteArrayList<>();
  private Server server;

  /** Answers GenerateDek; enough to prove a call went through. */
  private static final class MinimalCodec extends CodecServiceGrpc.CodecServiceImplBase {
    @Override
    public void generateDek(
        GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
      response.onNext(
          GenerateDekResponse.newBuilder().setEncryptedDek("dek1:k1:x").setKekVersion(1).build());
      response.onCompleted();
    }
  }

  /**
   * Records the authorization header and the verified client certificate (if any) of every call.
   */
  private final ServerInterceptor recorder =
      new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
          String authorization = headers.get(BearerTokenCredentials.AUTHORIZATION);
          authorizationHeaders.add(authorization == null ? "<none>" : authorization);
          SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
          if (session != null) {
            try {
              Certificate[] peer = session.getPeerCertificates();
              clientCertificateSubjects.add(
                  ((X509Certificate) peer[0]).getSubjectX500Principal().getName());
            } catch (SSLPeerUnverifiedException e) {
              clientCertificateSubjects.add("<none>");
            }
          }
          return next.startCall(call, headers);
        }
      };

  private int start(ServerCredentials credentials) throws Exception {
    server =
        Grpc.newServerBuilderForPort(0, credentials)
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

  @Test
  void token_isSentAsBearerHeader_andNeverShownByToString() throws Exception {
    int port = start(InsecureServerCredentials.create());
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + port).token(" tok-123_abc\n").build()) {
      client.generateDek("p");

      assertFalse(client.toString().contains("tok-123_abc"), client.toString());
    }
    assertEquals(List.of("Bearer tok-123_abc"), authorizationHeaders);
  }

  @Test
  void plaintextToken_toANonLoopbackAddress_isRefusedBeforeItLeaves_unlessAllowInsecure()
      throws Exception {
    String address = nonLoopbackAddress();
    Assumptions.assumeTrue(address != null, "this machine has no non-loopback IPv4 address");
    int port = start(InsecureServerCredentials.create()); // listens on every address
    try (CodecClient client =
        CodecClient.builder()
            .target(address + ":" + port)
            .token("plaintext-token-1")
            .maxAttempts(1)
            .build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));

      assertEquals(StatusCode.UNAUTHENTICATED, e.code());
      assertTrue(e.getMessage().contains("refusing to send the token without TLS"), e.getMessage());
      assertTrue(e.getMessage().contains("allowInsecure"), e.getMessage());
      assertFalse(e.getMessage().contains("plaintext-token-1"), e.getMessage());
    }
    assertEquals(List.of(), authorizationHeaders, "the call never reached the server");

    try (CodecClient client =
        CodecClient.builder()
            .target(address + ":" + port)
            .token("plaintext-token-1")
            .allowInsecure(true)
            .build()) {
      client.generateDek("p");
    }
    assertEquals(List.of("Bearer plaintext-token-1"), authorizationHeaders);
  }

  @Test
  void onlyLoopbackAndNonIpTransports_countAsLocal() throws Exception {
    assertTrue(
        BearerTokenCredentials.isLocal(
            new java.net.InetSocketAddress(
                java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 1)));
    assertTrue(BearerTokenCredentials.isLocal(new java.net.InetSocketAddress("127.0.0.3", 1)));
    assertTrue(
        BearerTokenCredentials.isLocal(
            new java.net.InetSocketAddress(
                java.net.InetAddress.getByAddress(
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                1)));
    assertTrue(BearerTokenCredentials.isLocal(new io.grpc.inprocess.InProcessSocketAddress("x")));
    assertFalse(BearerTokenCredentials.isLocal(new java.net.InetSocketAddress("192.0.2.10", 1)));
    assertFalse(
        BearerTokenCredentials.isLocal(
            java.net.InetSocketAddress.createUnresolved("localhost", 1)));
    assertFalse(BearerTokenCredentials.isLocal(null));
  }

  /** An IPv4 address of this machine that is not loopback, or null. */
  private static String nonLoopbackAddress() throws Exception {
    for (java.net.NetworkInterface nic :
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (java.net.InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
        if (address instanceof java.net.Inet4Address && !address.isLoopbackAddress()) {
          return address.getHostAddress();
        }
      }
    }
    return null;
  }

  @Test
  void noToken_sendsNoAuthorizationHeader() throws Exception {
    int port = start(InsecureServerCredentials.create());
    try (CodecClient client = CodecClient.builder().target("localhost:" + port).build()) {
      client.generateDek("p");
    }
    assertEquals(List.of("<none>"), authorizationHeaders);
  }

  @Test
  void tokenFile_isReadAgainAfterItChanges() throws Exception {
    int port = start(InsecureServerCredentials.create());
    Path tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, "first-token\n");
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + port).tokenFile(tokenFile).build()) {
      client.generateDek("p");
      client.generateDek("p");
      Files.writeString(tokenFile, "second-token-which-is-longer\n");
      client.generateDek("p");

      assertFalse(client.toString().contains("token\n"), client.toString());
    }
    assertEquals(
        List.of("Bearer first-token", "Bearer first-token", "Bearer second-token-which-is-longer"),
        authorizationHeaders);
  }

  @Test
  void tokenFile_rotatedLikeAKubernetesSecret_isPickedUp() throws Exception {
    // Kubernetes updates a mounted Secret by writing a new directory and swapping the ..data
    // symlink;
    // the token file is a symlink through it. Same length tokens: only the file identity changes.
    int port = start(InsecureServerCredentials.create());
    Path mount = tmp.resolve("mount");
    Files.createDirectories(mount.resolve("..v1"));
    Files.writeString(mount.resolve("..v1").resolve("token"), "token-AAAA");
    Files.createSymbolicLink(mount.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(mount.resolve("token"), Path.of("..data/token"));
    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + port)
            .tokenFile(mount.resolve("token"))
            .build()) {
      client.generateDek("p");

      Files.createDirectories(mount.resolve("..v2"));
      Files.writeString(mount.resolve("..v2").resolve("token"), "token-BBBB");
      Path next = Files.createSymbolicLink(mount.resolve("..data_tmp"), Path.of("..v2"));
      Files.move(next, mount.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      client.generateDek("p");
    }
    assertEquals(List.of("Bearer token-AAAA", "Bearer token-BBBB"), authorizationHeaders);
  }

  @Test
  void tokenFile_missingOrEmpty_failsUnauthenticatedNamingTheFile() throws Exception {
    int port = start(InsecureServerCredentials.create());
    Path tokenFile = tmp.resolve("absent-token");
    try (CodecClient client =
        CodecClient.builder().target("localhost:" + port).tokenFile(tokenFile).build()) {
      CodecException missing = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertEquals(StatusCode.UNAUTHENTICATED, missing.code());
      assertEquals(CodecException.Category.NOT_ALLOWED, missing.category());
      assertTrue(
          missing.getMessage().contains(tokenFile + " does not exist"), missing.getMessage());

      Files.writeString(tokenFile, "  \n");
      CodecException empty = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertTrue(empty.getMessage().contains(tokenFile + " is empty"), empty.getMessage());

      Files.writeString(tokenFile, "two words");
      CodecException spaces = assertThrows(CodecException.class, () -> client.generateDek("p"));
      assertTrue(spaces.getMessage().contains("not printable ASCII"), spaces.getMessage());
      assertFalse(spaces.getMessage().contains("two words"), spaces.getMessage());
    }
    assertTrue(authorizationHeaders.isEmpty(), "no call may reach the server without its token");
    assertThrows(IllegalArgumentException.class, () -> CodecClient.builder().token(" "));
  }

  @Test
  void tls_serverVerifiedByTrustedCa_carriesTheToken() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp, "ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp, ca);
    int port =
        start(
            TlsServerCredentials.create(
                serverCert.certPem().toFile(), serverCert.keyPem().toFile()));

    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .token("tls-token")
            .build()) {
      assertEquals(new GeneratedDek("dek1:k1:x", 1), client.generateDek("p"));
    }
    assertEquals(List.of("Bearer tls-token"), authorizationHeaders);
    assertEquals(List.of("<none>"), clientCertificateSubjects);
  }

  @Test
  void tls_serverSignedByAnotherCa_failsUnavailable() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("real"), "ca");
    TestCertificates.Issued otherCa = TestCertificates.ca(tmp.resolve("other"), "other-ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp, ca);
    int port =
        start(
            TlsServerCredentials.create(
                serverCert.certPem().toFile(), serverCert.keyPem().toFile()));

    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(otherCa.certPem())
            .token("must-not-leak")
            .maxAttempts(1)
            .build()) {
      CodecException e = assertThrows(CodecException.class, () -> client.generateDek("p"));

      assertEquals(StatusCode.UNAVAILABLE, e.code());
      assertEquals(CodecException.Category.UNAVAILABLE, e.category());
      assertTrue(causedBy(e, javax.net.ssl.SSLException.class), "a TLS failure: " + e.getMessage());
      assertTrue(
          e.getMessage().contains("unable to find valid certification path"), e.getMessage());
    }
    assertTrue(authorizationHeaders.isEmpty(), "no call reaches an unverified server");
  }

  @Test
  void tlsClient_againstPlaintextServer_failsUnavailable() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp, "ca");
    int port = start(InsecureServerCredentials.create());

    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .maxAttempts(1)
            .build()) {
      assertEquals(
          StatusCode.UNAVAILABLE,
          assertThrows(CodecException.class, () -> client.generateDek("p")).code());
    }
    assertTrue(authorizationHeaders.isEmpty(), "TLS on means plaintext off");
  }

  @Test
  void mtls_clientCertificateIsPresentedAndVerified() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp, "ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp, ca);
    TestCertificates.Issued clientCert = TestCertificates.client(tmp, ca, "runner");
    int port =
        start(
            TlsServerCredentials.newBuilder()
                .keyManager(serverCert.certPem().toFile(), serverCert.keyPem().toFile())
                .trustManager(ca.certPem().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build());

    try (CodecClient client =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .clientCertificate(clientCert.certPem(), clientCert.keyPem())
            .build()) {
      client.generateDek("p");
    }
    assertEquals(List.of("CN=runner"), clientCertificateSubjects);

    try (CodecClient withoutCertificate =
        CodecClient.builder()
            .target("localhost:" + port)
            .trustCertificates(ca.certPem())
            .maxAttempts(1)
            .build()) {
      assertEquals(
          StatusCode.UNAVAILABLE,
          assertThrows(CodecException.class, () -> withoutCertificate.generateDek("p")).code());
    }
    assertEquals(
        1,
        clientCertificateSubjects.size(),
        "a client without a certificate never gets a call through");
  }

  @Test
  void unreadableCertificateFile_failsAtBuildNamingTheFile() {
    Path missing = tmp.resolve("missing-ca.pem");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CodecClient.builder().trustCertificates(missing).build());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertNull(server);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
