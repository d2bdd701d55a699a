package dev.codec.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.grpc.stub.StreamObserver;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every new connection of a TLS client makes a full handshake (no TLS session resumption, {@link
 * NoResumptionTrustManager}), through whichever gRPC transport is on the class path (the client and
 * the server both use it: grpc-netty-shaded here). The server closes connections after its max
 * connection age and counts the client certificates it verifies, one per full handshake; a resumed
 * session would skip that verification.
 */
class NoResumptionTest {
  private static final int CONNECTIONS = 3;
  private static final long WAIT_SECONDS = 30;

  @TempDir Path tmp;

  private final Set<String> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger clientCertificatesVerified = new AtomicInteger();
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

  /** The server's trust manager for client certificates, counting what it verifies. */
  private final class CountingTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    CountingTrust(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      clientCertificatesVerified.incrementAndGet();
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      clientCertificatesVerified.incrementAndGet();
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      clientCertificatesVerified.incrementAndGet();
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("server side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

  private final ServerInterceptor recorder =
      new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
          connections.add(
              String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
          return next.startCall(call, headers);
        }
      };

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyNewConnection_verifiesTheClientCertificateAgain() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca(tmp.resolve("ca"), "ca");
    TestCertificates.Issued serverCert = TestCertificates.server(tmp.resolve("server"), ca);
    TestCertificates.Issued client = TestCertificates.client(tmp.resolve("client"), ca, "runner");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    server =
        Grpc.newServerBuilderForPort(
                0,
                TlsServerCredentials.newBuilder()
                    .keyManager(serverCert.certPem().toFile(), serverCert.keyPem().toFile())
                    .trustManager(
                        new CountingTrust((X509ExtendedTrustManager) factory.getTrustManagers()[0]))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build())
            .maxConnectionAge(300, TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(5, TimeUnit.SECONDS)
            .addService(ServerInterceptors.intercept(new MinimalCodec(), recorder))
            .build()
            .start();

    try (CodecClient codec =
        CodecClient.builder()
            .target("localhost:" + server.getPort())
            .trustCertificates(ca.certPem())
            .clientCertificate(client.certPem(), client.keyPem())
            .build()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (connections.size() < CONNECTIONS && System.nanoTime() < deadline) {
        try {
          codec.generateDek("p");
        } catch (CodecException e) {
          // a call on a connection the server is closing; the next one opens a new connection
        }
      }
    }
    assertTrue(
        connections.size() >= CONNECTIONS,
        "the server closed too few connections: " + connections.size());
    assertEquals(
        connections.size(),
        clientCertificatesVerified.get(),
        "full handshakes (client certificates verified) vs connections " + connections);
  }
}
