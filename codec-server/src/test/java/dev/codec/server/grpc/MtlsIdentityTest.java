package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.server.LogCapture;
import dev.codec.server.TestCertificates;
import dev.codec.server.TestCertificates.Issued;
import dev.codec.server.TestServer;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS caller identity, strictly: SANs when present (CN only without SANs), exact names, SPIFFE
 * IDs, and a certificate naming two callers refused. Every caller here may only encrypt, so a
 * refused DecryptDek names the caller the server saw.
 */
class MtlsIdentityTest {
  private static final String SPIFFE_ID = "spiffe://cluster.local/ns/ci/sa/runner";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static Issued ca;
  private static TestServer server;
  private static final List<ManagedChannel> CHANNELS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    TestServer.writeKek(dir.resolve("kek"), 1);
    ca = TestCertificates.ca(dir, "ca");
    Issued serverCert = TestCertificates.leaf(dir, "server", ca, "codec", "localhost");
    server =
        TestServer.start(
            dir.resolve("kek"),
            Map.of(
                "codec.tls.cert", serverCert.certFile().toString(),
                "codec.tls.key", serverCert.keyFile().toString(),
                "codec.tls.client-ca", ca.certFile().toString(),
                "codec.auth.callers.runner.permissions", List.of("encrypt"),
                "codec.auth.callers.runner.certificate-names", List.of("runner"),
                "codec.auth.callers.deployer.permissions", List.of("encrypt"),
                "codec.auth.callers.deployer.certificate-names", List.of("deployer"),
                "codec.auth.callers.ci-runner.permissions", List.of("encrypt"),
                "codec.auth.callers.ci-runner.certificate-names", List.of(SPIFFE_ID),
                // a caller without certificate-names: reachable by token only, whatever certificate
                // names it
                "codec.auth.callers.token-only.permissions", List.of("encrypt")));
  }

  @AfterAll
  static void stop() throws Exception {
    for (ManagedChannel channel : CHANNELS) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.close();
  }

  @Test
  void sanDnsEvil_withCnRunner_isRefused_theCnIsIgnoredWhenSansExist() throws Exception {
    Issued cert =
        TestCertificates.leafWithNames(dir, "evil", ca, "runner", dns("evil.example.com"));

    CodecException e = assertThrows(CodecException.class, () -> client(cert).generateDek("p"));

    assertEquals(StatusCode.UNAUTHENTICATED, e.code());
    assertTrue(e.getMessage().contains("names no configured caller"), e.getMessage());
    assertEquals("UNKNOWN_CERTIFICATE", e.errorReason());
  }

  @Test
  void sanOnly_namesTheCaller() throws Exception {
    Issued cert =
        TestCertificates.leafWithNames(dir, "san-runner", ca, "someone-else", dns("runner"));

    assertEquals("runner", callerSeenBy(client(cert)));
  }

  @Test
  void cnOnly_withoutSans_namesTheCaller() throws Exception {
    Issued cert = TestCertificates.leafWithNames(dir, "cn-runner", ca, "runner");

    assertEquals("runner", callerSeenBy(client(cert)));
  }

  @Test
  void callerWithoutCertificateNames_isNotReachableByCertificate_evenOneNamingIt()
      throws Exception {
    // with a shared issuer, any workload holding a certificate for DNS 'token-only' (or CN
    // 'token-only')
    // became that caller when a caller's name was its certificate identity by default
    for (Issued cert :
        List.of(
            TestCertificates.leafWithNames(dir, "token-only-san", ca, "x", dns("token-only")),
            TestCertificates.leafWithNames(dir, "token-only-cn", ca, "token-only"))) {
      CodecException e = assertThrows(CodecException.class, () -> client(cert).generateDek("p"));

      assertEquals(StatusCode.UNAUTHENTICATED, e.code());
      assertTrue(e.getMessage().contains("names no configured caller"), e.getMessage());
    }
  }

  @Test
  void spiffeUriSan_namesTheCallerItIsConfiguredFor() throws Exception {
    Issued cert = TestCertificates.leafWithNames(dir, "spiffe", ca, "runner", uri(SPIFFE_ID));

    assertEquals("ci-runner", callerSeenBy(client(cert)));
  }

  @Test
  void namesDifferingOnlyInCaseOrByASuffix_nameNobody() throws Exception {
    for (GeneralName name :
        List.of(
            dns("RUNNER"),
            dns("runner.evil.example"),
            dns("xrunner"),
            uri(SPIFFE_ID + "/extra"),
            uri("SPIFFE://cluster.local/ns/ci/sa/runner"),
            uri("spiffe://cluster.local/ns/ci/sa/../sa/runner"))) {
      Issued cert = TestCertificates.leafWithNames(dir, "tricky", ca, "x", name);

      CodecException e =
          assertThrows(CodecException.class, () -> client(cert).generateDek("p"), name.toString());
      assertEquals(StatusCode.UNAUTHENTICATED, e.code(), name.toString());
    }
  }

  @Test
  void certificateNamingTwoCallers_isRefused() throws Exception {
    Issued cert =
        TestCertificates.leafWithNames(dir, "two", ca, "runner", dns("runner"), dns("deployer"));

    CodecException e = assertThrows(CodecException.class, () -> client(cert).generateDek("p"));

    assertEquals(StatusCode.UNAUTHENTICATED, e.code());
    assertTrue(e.getMessage().contains("more than one caller"), e.getMessage());
    assertEquals("AMBIGUOUS_CERTIFICATE", e.errorReason());
  }

  @Test
  void oneCertificateNameConfiguredForTwoCallers_failsStartup() throws Exception {
    Issued serverCert = TestCertificates.leaf(dir, "server2", ca, "codec", "localhost");
    Throwable e =
        assertThrows(
            Throwable.class,
            () ->
                TestServer.start(
                        dir.resolve("kek"),
                        Map.of(
                            "codec.tls.cert", serverCert.certFile().toString(),
                            "codec.tls.key", serverCert.keyFile().toString(),
                            "codec.tls.client-ca", ca.certFile().toString(),
                            "codec.auth.callers.a.certificate-names", List.of("shared.example"),
                            "codec.auth.callers.b.certificate-names", List.of("shared.example")))
                    .close());
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append(" | ");
    }
    assertTrue(
        messages
            .toString()
            .contains("certificate name 'shared.example' is configured for two callers"),
        messages.toString());
  }

  @Test
  void auditLine_recordsMtlsAndTheCertificateSerial() throws Exception {
    Issued cert = TestCertificates.leafWithNames(dir, "audited", ca, "runner");
    try (LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.INFO)) {
      client(cert).generateDek("p-audit");
      server.context().getBean(AuditInterceptor.class).flush();

      JsonNode line =
          audit.messagesOf(AuditInterceptor.LOGGER).stream()
              .map(MtlsIdentityTest::parse)
              .filter(l -> "p-audit".equals(l.path("project_id").asText()))
              .findFirst()
              .orElseThrow();
      assertEquals("call", line.get("type").asText());
      assertEquals("mtls", line.get("auth").asText());
      assertEquals(
          cert.certificate().getSerialNumber().toString(16), line.get("cert_serial").asText());
      assertEquals("runner", line.get("caller").asText());
      assertFalse(line.has("token_id"), line.toString());
    }
  }

  /**
   * The caller name the server authenticated, from a DecryptDek refusal (nobody here has
   * export-dek).
   */
  private static String callerSeenBy(CodecClient client) {
    String dek = client.generateDek("p").encryptedDek();
    CodecException e = assertThrows(CodecException.class, () -> client.decryptDek("p", dek));
    assertEquals(StatusCode.PERMISSION_DENIED, e.code());
    String message = e.getMessage();
    int start = message.indexOf("caller '") + "caller '".length();
    return message.substring(start, message.indexOf('\'', start));
  }

  private static CodecClient client(Issued clientCert) throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                server.port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(ca.certFile().toFile())
                    .keyManager(clientCert.certFile().toFile(), clientCert.keyFile().toFile())
                    .build())
            .build();
    CHANNELS.add(channel);
    return CodecClient.builder().channel(channel).build();
  }

  private static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("audit line is not JSON: " + line, e);
    }
  }
}
