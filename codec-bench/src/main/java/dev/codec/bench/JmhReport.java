package dev.codec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Summarises JMH JSON result files ({@code -rf json}) of several runs as a Markdown table: the
 * median score of each benchmark and size over the runs, and the codec's ratio to the raw JCE
 * baseline of the same run set.
 *
 * <pre>
 * java -cp codec-bench/target/benchmarks.jar dev.codec.bench.JmhReport run1.json run2.json run3.json
 * </pre>
 */
public final class JmhReport {
  private JmhReport() {}

  public static void main(String[] args) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, List<Double>> scores = new TreeMap<>();
    for (String file : args) {
      for (JsonNode result : json.readTree(new File(file))) {
        String name = result.get("benchmark").asText().replaceFirst(".*\\.bench\\.", "");
        JsonNode size = result.path("params").path("size");
        String key = size.isMissingNode() ? name : name + " " + size.asText();
        scores
            .computeIfAbsent(key, k -> new ArrayList<>())
            .add(result.get("primaryMetric").get("score").asDouble());
      }
    }
    System.out.println("| benchmark | size (B) | median ns/op | runs | vs raw JCE |");
    System.out.println("|---|---|---|---|---|");
    scores.forEach(
        (key, values) -> {
          String[] parts = key.split(" ", -1);
          String size = parts.length > 1 ? parts[1] : "";
          String baseline = baselineOf(parts[0]);
          String ratio = "";
          if (baseline != null && scores.containsKey(baseline + " " + size)) {
            ratio =
                String.format(
                    Locale.ROOT,
                    "%.2fx",
                    median(values) / median(scores.get(baseline + " " + size)));
          }
          System.out.printf(
              Locale.ROOT,
              "| %s | %s | %.1f | %d | %s |%n",
              parts[0],
              size,
              median(values),
              values.size(),
              ratio);
        });
  }

  private static String baselineOf(String benchmark) {
    if (benchmark.endsWith("codecEncrypt")) {
      return benchmark.replace("codecEncrypt", "rawJceEncrypt");
    }
    if (benchmark.endsWith("codecDecrypt")) {
      return benchmark.replace("codecDecrypt", "rawJceDecrypt");
    }
    if (benchmark.equals("DecryptAllBenchmark.decryptAllPerValue")) {
      return "ValueCryptoBenchmark.rawJceDecrypt";
    }
    return null;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
