package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import dev.codec.server.SharedTestServer;
import dev.codec.server.TestServer;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC health, Prometheus /metrics and HTTP /health of the real server, scraped after real calls.
 */
@ExtendWith(SharedTestServer.class)
class ManagementTest {
  private static final String PROJECT = "proj-label-canary-7f3a";
  private static final String SECRET_VALUE = "sk_live_canary_value_91b2";

  private static TestServer server;
  private static int managementPort;
  private static String kek1;
  private static String kek2;

  @BeforeAll
  static void start(TestServer shared) throws Exception {
    server = shared;
    kek1 = SharedTestServer.KEKS.get(0);
    kek2 = SharedTestServer.KEKS.get(1);
    managementPort = server.startManagement();
  }

  @Test
  void grpcHealth_isServing_forTheServerAndTheCodecService() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());

    assertEquals(
        ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().build()).getStatus());
    assertEquals(
        ServingStatus.SERVING,
        health
            .check(HealthCheckRequest.newBuilder().setService("codec.v1.CodecService").build())
            .getStatus());
  }

  @Test
  void httpHealth_isUp() throws Exception {
    HttpResponse<String> response = get("/health");

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("\"status\":\"UP\""), response.body());
  }

  @Test
  void metrics_countRpcsByMethodAndStatus_withHistograms_andNoSecretsInLabels() throws Exception {
    GeneratedDek dek = server.client().generateDek(PROJECT);
    Map<String, String> stored =
        server.client().encrypt(PROJECT, dek.encryptedDek(), Map.of("API_KEY", SECRET_VALUE));
    server
        .client()
        .decryptAll(
            PROJECT,
            "deploy-1",
            dek.encryptedDek(),
            Map.of("API_KEY", Variable.secret(stored.get("API_KEY"))));
    assertThrows(CodecException.class, () -> server.client().generateDek("bad project id!"));
    assertThrows(
        CodecException.class,
        () ->
            dev.codec.client.CodecClient.builder()
                .channel(server.unauthenticatedChannel())
                .build()
                .generateDek(PROJECT)); // a real refused call
    CodecMetrics metrics = server.context().getBean(CodecMetrics.class);
    metrics.kekReloadFailed();

    HttpResponse<String> response = get("/metrics");
    String body = response.body();

    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    assertTrue(
        value(
                body,
                "grpc_server_processing_duration_seconds_count",
                "method=\"GenerateDek\"",
                "status_code=\"OK\"")
            >= 1,
        body);
    assertTrue(
        value(
                body,
                "grpc_server_processing_duration_seconds_count",
                "method=\"GenerateDek\"",
                "status_code=\"INVALID_ARGUMENT\"")
            >= 1,
        body);
    assertTrue(
        value(
                body,
                "grpc_server_processing_duration_seconds_bucket",
                "method=\"DecryptAll\"",
                "status_code=\"OK\"",
                "le=\"+Inf\"")
            >= 1,
        body);
    assertTrue(value(body, "codec_dek_cache_misses_total") >= 1, body);
    assertTrue(
        value(body, "codec_dek_cache_hits_total") >= 1, body); // DecryptAll reused Encrypt's DEK
    assertTrue(value(body, "codec_dek_cache_size") >= 1, body);
    assertTrue(body.contains("codec_dek_cache_evictions_total"), body);
    assertEquals(2.0, value(body, "codec_kek_versions_loaded"), body);
    assertEquals(2.0, value(body, "codec_kek_active_version"), body);
    assertTrue(value(body, "codec_kek_reload_failures_total") >= 1, body);
    assertTrue(
        value(body, "codec_auth_failures_total", "reason=\"missing_credentials\"") >= 1, body);
    // the reason label takes RefusalReason's fixed words only: one series each, from startup, and
    // no other
    Matcher reasons =
        Pattern.compile("codec_auth_failures_total\\{[^}]*reason=\"([^\"]*)\"").matcher(body);
    java.util.Set<String> labels = new java.util.TreeSet<>();
    while (reasons.find()) {
      labels.add(reasons.group(1));
    }
    java.util.Set<String> expected = new java.util.TreeSet<>();
    for (dev.codec.server.auth.RefusalReason reason :
        dev.codec.server.auth.RefusalReason.values()) {
      expected.add(reason.label());
    }
    assertEquals(expected, labels, body);
    for (String secret :
        new String[] {
          PROJECT,
          SECRET_VALUE,
          "tok_canary",
          dek.encryptedDek(),
          stored.get("API_KEY"),
          kek1,
          kek2,
          "deploy-1"
        }) {
      assertFalse(body.contains(secret), "metrics expose " + secret);
    }
  }

  @Test
  void metrics_labelKeys_areSnakeCase_forGrpcMetersToo() throws Exception {
    server.client().generateDek(PROJECT);

    String body = get("/metrics").body();

    assertTrue(
        value(
                body,
                "grpc_server_processing_duration_seconds_count",
                "method=\"GenerateDek\"",
                "method_type=\"UNARY\"",
                "status_code=\"OK\"")
            >= 1,
        body);
    Matcher labelKey = Pattern.compile("[{,]([A-Za-z_][A-Za-z0-9_]*)=\"").matcher(body);
    int keys = 0;
    while (labelKey.find()) {
      keys++;
      assertTrue(
          labelKey.group(1).matches("[a-z_][a-z0-9_]*"),
          "label key not snake_case: " + labelKey.group(1));
    }
    assertTrue(keys > 10, body);
  }

  @Test
  void snakeCase_splitsCamelCaseWordsAndAcronyms() {
    assertEquals("method_type", SnakeCaseTagKeys.snakeCase("methodType"));
    assertEquals("status_code", SnakeCaseTagKeys.snakeCase("statusCode"));
    assertEquals("http_status", SnakeCaseTagKeys.snakeCase("HTTPStatus"));
    assertEquals("refusal_reason", SnakeCaseTagKeys.snakeCase("refusalReason"));
    assertEquals("already_snake", SnakeCaseTagKeys.snakeCase("already_snake"));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of the sample named {@code name} whose labels contain every one of {@code labels}.
   */
  static double value(String scrape, String name, String... labels) {
    Pattern sample =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
    Matcher m = sample.matcher(scrape);
    double total = Double.NaN;
    while (m.find()) {
      String set = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= set.contains(label);
      }
      if (all) {
        total = (Double.isNaN(total) ? 0 : total) + Double.parseDouble(m.group(2));
      }
    }
    if (Double.isNaN(total)) {
      throw new AssertionError(
          "no sample " + name + " with " + String.join(",", labels) + " in\n" + scrape);
    }
    return total;
  }
}
