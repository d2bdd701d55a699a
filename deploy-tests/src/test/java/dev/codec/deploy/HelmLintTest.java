package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict}: warnings fail too, and values.schema.json is applied. */
class HelmLintTest {

  @Test
  void lintStrict_withAnExistingKekSecret_passes() {
    assertPasses(HelmChart.lintStrict(Values.EXISTING_SECRETS));
  }

  @Test
  void lintStrict_withEveryToggleOn_passes() {
    assertPasses(HelmChart.lintStrict(Values.EVERY_TOGGLE));
  }

  @Test
  void lintStrict_withNetworkPolicyAndAuthOff_passes() {
    assertPasses(
        HelmChart.lintStrict(
            Values.EXISTING_SECRETS,
            """
                networkPolicy:
                  enabled: false
                podDisruptionBudget:
                  enabled: false
                headlessService:
                  enabled: false
                auth:
                  enabled: false
                  existingSecret: ""
                """));
  }

  @Test
  void lintStrict_withTracingOn_passes() {
    assertPasses(HelmChart.lintStrict(Values.EXISTING_SECRETS, Values.TRACING));
  }

  @Test
  void lintStrict_withChartDefaults_passes() {
    // Lint mode does not stop at the chart's fail (no KEK): templating does, see HelmTemplateTest.
    assertPasses(HelmChart.lintStrict());
  }

  @Test
  void lintStrict_withAValueOutsideTheSchema_fails() {
    LintResult result =
        HelmChart.lintStrict(
            Values.EXISTING_SECRETS,
            """
                config:
                  logFormat: xml
                """);
    assertTrue(
        result.isFailed(), "schema must reject config.logFormat=xml: " + result.getMessages());
    assertTrue(
        String.join("\n", result.getMessages()).contains("logFormat"),
        result.getMessages().toString());
  }

  private static void assertPasses(LintResult result) {
    assertFalse(
        result.isFailed(), "helm lint --strict failed: " + String.join("\n", result.getMessages()));
  }
}
