package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's PrometheusRule, as rendered, checked and unit-tested by promtool (Debian's prometheus
 * package): {@code promtool check rules} on the rendered groups, then {@code promtool test rules}
 * with src/test/resources/promtool/codec-alerts-test.yaml, which makes every alert fire on the
 * input it is for and stay silent on normal traffic. Without promtool the tests are skipped with a
 * loud message, unless {@code -Dcodec.promtool.required=true} (set by .ci/run, which installs it)
 * makes that a failure.
 */
class PrometheusRuleTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static String promtool;

  @BeforeAll
  static void findPromtool() {
    promtool = System.getProperty("codec.promtool", "promtool");
    boolean found;
    try {
      Process version = new ProcessBuilder(promtool, "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      found = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      found = false;
    }
    if (!found) {
      String message =
          "promtool not found: the PrometheusRule alerts are NOT tested. Install it "
              + "(apt-get install prometheus) or set -Dcodec.promtool=PATH.";
      if (Boolean.getBoolean("codec.promtool.required")) {
        throw new AssertionError(message);
      }
      System.err.println("!!!!! " + message);
      Assumptions.abort(message);
    }
  }

  @Test
  void renderedRules_passPromtoolCheck_andEveryAlertPassesItsUnitTests(@TempDir Path dir)
      throws Exception {
    GenericKubernetesResource rule =
        (GenericKubernetesResource)
            HelmChart.render(Values.EXISTING_SECRETS, "prometheusRule: {enabled: true}").stream()
                .filter(o -> o.getKind().equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    YAML.writeValue(dir.resolve("rules.yaml").toFile(), Map.of("groups", groups));
    Path tests = dir.resolve("codec-alerts-test.yaml");
    Files.copy(
        HelmChart.ROOT.resolve("deploy-tests/src/test/resources/promtool/codec-alerts-test.yaml"),
        tests);

    String check = run(dir, promtool, "check", "rules", "rules.yaml");
    assertTrue(check.contains("SUCCESS: 6 rules found"), check);
    String test = run(dir, promtool, "test", "rules", tests.getFileName().toString());
    assertTrue(test.contains("SUCCESS"), test);

    // Every alert of the chart has a unit test that expects it to fire.
    String testText = Files.readString(tests, StandardCharsets.UTF_8);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
    for (Map<String, Object> alert : rules) {
      String name = alert.get("alert").toString();
      assertTrue(
          testText.matches("(?s).*alertname: " + name + "\\s+exp_alerts:\\s+- exp_labels.*"),
          name + " has no test in which it fires");
    }
  }

  @Test
  void promtool_failsWhenAnAlertDoesNotFire(@TempDir Path dir) throws Exception {
    // The same unit tests against rules whose decrypt threshold was raised to 50 %: promtool must
    // fail, so a
    // passing run above means the expectations were really checked.
    GenericKubernetesResource rule =
        (GenericKubernetesResource)
            HelmChart.render(
                    Values.EXISTING_SECRETS,
                    "prometheusRule: {enabled: true, decryptFailureRatio: 0.5}")
                .stream()
                .filter(o -> o.getKind().equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
    YAML.writeValue(
        dir.resolve("rules.yaml").toFile(), Map.of("groups", rule.get("spec", "groups")));
    Files.copy(
        HelmChart.ROOT.resolve("deploy-tests/src/test/resources/promtool/codec-alerts-test.yaml"),
        dir.resolve("codec-alerts-test.yaml"));
    Process process =
        new ProcessBuilder(promtool, "test", "rules", "codec-alerts-test.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES));
    assertEquals(1, process.exitValue(), output);
    assertTrue(output.contains("CodecDecryptFailureRatioHigh"), output);
  }

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
    assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
    return output;
  }
}
