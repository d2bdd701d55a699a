package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.server.TestCertificates;
import dev.codec.server.TestCertificates.Issued;
import dev.codec.server.TestServer;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server TLS and mTLS with throwaway certificates, against the real server. */
class TlsTest {
  @TempDir static Path dir;

  private static Issued ca;
  private static Issued serverCert;
  private static Issued controlApiCert;
  private static Issued strangerCert;
  private static Issued otherCa;

  @BeforeAll
  static void certificates() throws Exception {
    TestServer.writeKek(dir.resolve("kek"), 1);
    ca = TestCertificates.ca(dir, "ca");
    otherCa = TestCertificates.ca(dir, "other-ca");
    serverCert = TestCertificates.leaf(dir, "server", ca, "codec", "localhost");
    controlApiCert = TestCertificates.leaf(dir, "control-api", ca, "control-api", "control-api");
    strangerCert = TestCertificates.leaf(dir, "stranger", ca, "stranger", "stranger.example");
  }

  @Test
  void tls_roundTripWithToken_andPlaintextIsRefused() throws Exception {
    try (TestServer server = TestServer.start(dir.resolve("kek"), tls(Map.of()))) {
      CodecClient client =
          client(
              server,
              TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile()).build(),
              server.token());

      assertTrue(client.generateDek("p").encryptedDek().startsWith("dek1:"));
      CodecException plaintext =
          assertThrows(
              CodecException.class,
              () ->
                  client(server, InsecureChannelCredentials.create(), server.token())
                      .generateDek("p"));
      assertEquals(StatusCode.UNAVAILABLE, plaintext.code());
    }
  }

  @Test
  void serverCertificateFromAnotherCa_isRefusedByTheClient() throws Exception {
    try (TestServer server = TestServer.start(dir.resolve("kek"), tls(Map.of()))) {
      CodecException e =
          assertThrows(
              CodecException.class,
              () ->
                  client(
                          server,
                          TlsChannelCredentials.newBuilder()
                              .trustManager(otherCa.certFile().toFile())
                              .build(),
                          server.token())
                      .generateDek("p"));

      assertEquals(StatusCode.UNAVAILABLE, e.code());
    }
  }

  @Test
  void mtls_clientCertificateNamesTheCaller_withItsPermissions() throws Exception {
    try (TestServer server =
        TestServer.start(
            dir.resolve("kek"),
            tls(
                Map.of(
                    "codec.tls.client-ca", ca.certFile().toString(),
                    "codec.auth.callers.control-api.permissions", List.of("encrypt"),
                    "codec.auth.callers.control-api.certificate-names", List.of("control-api"))))) {
      CodecClient controlApi = client(server, mtls(controlApiCert), null);

      String dek = controlApi.generateDek("p").encryptedDek();
      CodecException export =
          assertThrows(CodecException.class, () -> controlApi.decryptDek("p", dek));
      assertEquals(StatusCode.PERMISSION_DENIED, export.code());
      assertTrue(export.getMessage().contains("'control-api'"), export.getMessage());

      CodecException stranger =
          assertThrows(
              CodecException.class,
              () -> client(server, mtls(strangerCert), null).generateDek("p"));
      assertEquals(StatusCode.UNAUTHENTICATED, stranger.code());

      // optional client auth: a token still works without a certificate
      assertTrue(
          client(
                  server,
                  TlsChannelCredentials.newBuilder().trustManager(ca.certFile().toFile()).build(),
                  server.token())
              .generateDek("p")
              .encryptedDek()
              .startsWith("dek1:"));
    }
  }

  @Test
  void mtlsRequired_refusesClientsWithoutCertificate() throws Exception {
    try (TestServer server =
        TestServer.start(
            dir.resolve("kek"),
            tls(
                Map.of(
                    "codec.tls.client-ca",
                    ca.certFile().toString(),
                    "codec.tls.client-auth",
                    "require")))) {
      CodecException e =
          assertThrows(
              CodecException.class,
              () ->
                  client(
                          server,
                          TlsChannelCredentials.newBuilder()
                              .trustManager(ca.certFile().toFile())
                              .build(),
                          server.token())
                      .generateDek("p"));

      assertEquals(StatusCode.UNAVAILABLE, e.code());
    }
  }

  private static Map<String, Object> tls(Map<String, Object> extra) {
    Map<String, Object> properties = new HashMap<>(extra);
    properties.put("codec.tls.cert", serverCert.certFile().toString());
    properties.put("codec.tls.key", serverCert.keyFile().toString());
    return properties;
  }

  private static ChannelCredentials mtls(Issued clientCert) throws Exception {
    return TlsChannelCredentials.newBuilder()
        .trustManager(ca.certFile().toFile())
        .keyManager(clientCert.certFile().toFile(), clientCert.keyFile().toFile())
        .build();
  }

  /** A client over a new channel with these credentials (and a bearer token if given). */
  private static CodecClient client(
      TestServer server, ChannelCredentials credentials, String token) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials).build();
    CHANNELS.add(channel);
    return CodecClient.builder()
        .channel(
            token == null
                ? channel
                : ClientInterceptors.intercept(channel, TestServer.bearer(token)))
        .build();
  }

  private static final List<ManagedChannel> CHANNELS =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  @org.junit.jupiter.api.AfterAll
  static void closeChannels() throws InterruptedException {
    for (ManagedChannel channel : CHANNELS) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
