package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.KekReloader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code codec_kek_info{version,fingerprint}}, {@code codec_serving} and the latency buckets,
 * scraped from /metrics of a real server while its KEK directory changes.
 */
class StateMetersTest {
  private static final Pattern KEK_INFO =
      Pattern.compile(
          "(?m)^codec_kek_info\\{fingerprint=\"([0-9a-f]+)\",version=\"(\\d+)\"} (\\S+)$");

  @TempDir Path kekDir;

  @Test
  void kekInfo_followsTheLoadedVersions_withFingerprintsOfTheKeys_andServingIsOneThenZero()
      throws Exception {
    String kek1 = TestServer.writeKek(kekDir, 1);
    String kek2 = TestServer.writeKek(kekDir, 2);
    try (TestServer server = TestServer.start(kekDir)) {
      int port = server.startManagement();
      String scrape = scrape(port);
      assertEquals(Map.of("1", fingerprint(kek1), "2", fingerprint(kek2)), kekInfo(scrape), scrape);
      assertEquals(1.0, ManagementTest.value(scrape, "codec_serving"), scrape);
      assertFalse(scrape.contains(kek1) || scrape.contains(kek2), "a KEK in /metrics");

      // Rotation: version 3 appears, version 1 is retired, version 2's key is replaced.
      String kek3 = TestServer.writeKek(kekDir, 3);
      Files.delete(kekDir.resolve("1"));
      String kek2b = TestServer.writeKek(kekDir, 2);
      KekReloader reloader = server.context().getBean(KekReloader.class);
      assertEquals(KekReloader.Result.OK, reloader.reloadNow().result());
      scrape = scrape(port);
      assertEquals(
          Map.of("2", fingerprint(kek2b), "3", fingerprint(kek3)), kekInfo(scrape), scrape);

      server.context().getBean(ServingHealth.class).shuttingDown();
      assertEquals(0.0, ManagementTest.value(scrape(port), "codec_serving"));
    }
  }

  @Test
  void latencyHistogram_hasSubMillisecondBuckets_andFewSeries() throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir)) {
      int port = server.startManagement();
      GeneratedDek dek = server.client().generateDek("histogram-project");
      Map<String, String> stored =
          server.client().encrypt("histogram-project", dek.encryptedDek(), Map.of("A", "b"));
      for (int i = 0; i < 20; i++) {
        server
            .client()
            .decryptAll(
                "histogram-project",
                "d",
                dek.encryptedDek(),
                Map.of("A", Variable.secret(stored.get("A"))));
      }
      String scrape = scrape(port);
      Matcher bucket =
          Pattern.compile(
                  "(?m)^grpc_server_processing_duration_seconds_bucket\\{[^}]*method=\"DecryptAll\""
                      + "[^}]*le=\"([^\"]+)\"} (\\S+)$")
              .matcher(scrape);
      Map<Double, Double> buckets = new TreeMap<>();
      while (bucket.find()) {
        double le =
            bucket.group(1).equals("+Inf")
                ? Double.POSITIVE_INFINITY
                : Double.parseDouble(bucket.group(1));
        buckets.merge(le, Double.parseDouble(bucket.group(2)), Double::sum);
      }
      assertEquals(GrpcLatencyHistogram.BUCKETS.length + 1, buckets.size(), buckets.toString());
      for (double le : new double[] {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 10}) {
        assertTrue(buckets.containsKey(le), "no bucket le=" + le + " in " + buckets);
      }
      assertEquals(20.0, buckets.get(Double.POSITIVE_INFINITY), buckets.toString());
    }
  }

  /**
   * The fingerprint as documented in KekFingerprint, computed here independently from the key file.
   */
  private static String fingerprint(String kekBase64) throws Exception {
    return dev.codec.server.LegacyTestCrypto.fingerprint(kekBase64);
  }

  private static Map<String, String> kekInfo(String scrape) {
    Map<String, String> rows = new TreeMap<>();
    Matcher m = KEK_INFO.matcher(scrape);
    while (m.find()) {
      assertEquals(1.0, Double.parseDouble(m.group(3)), m.group());
      assertEquals(null, rows.put(m.group(2), m.group(1)), "two rows for version " + m.group(2));
    }
    return rows;
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }
}
