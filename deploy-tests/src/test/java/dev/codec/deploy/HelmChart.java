package dev.codec.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The chart helm/codec driven through helm-java (Helm's own Go code, shipped in a jar: no helm
 * binary, no network): template and lint with values given as YAML, and the rendered documents
 * parsed as typed fabric8 Kubernetes objects.
 */
public final class HelmChart {
  public static final Path ROOT =
      Path.of(System.getProperty("codec.root", "..")).toAbsolutePath().normalize();
  static final Path CHART = ROOT.resolve("helm/codec");
  static final String RELEASE = "codec";
  static final String NAMESPACE = "codec";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private HelmChart() {}

  /**
   * {@code helm template codec helm/codec -n codec} with the given values files (YAML text), in
   * order.
   */
  static String template(String... valuesYaml) {
    var command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (String values : valuesYaml) {
      command.withValuesFile(writeTemp(values));
    }
    return command.call();
  }

  /** The NOTES.txt helm install would print (a client-only dry run: no cluster). */
  static String notes(String... valuesYaml) {
    var command =
        new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly();
    for (String values : valuesYaml) {
      command.withValuesFile(writeTemp(values));
    }
    String output = command.call().getOutput();
    int notes = output.indexOf("NOTES:");
    return notes < 0 ? "" : output.substring(notes);
  }

  /**
   * Renders and parses every document into its typed object (unknown kinds become
   * GenericKubernetesResource).
   */
  public static List<HasMetadata> render(String... valuesYaml) {
    return parse(template(valuesYaml));
  }

  static List<HasMetadata> parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : manifests.split("(?m)^---\\s*$", -1)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
        continue;
      }
      objects.add(Serialization.unmarshal(document, HasMetadata.class));
    }
    return objects;
  }

  /**
   * {@code helm lint --strict} of a copy of the chart whose values.yaml is the chart's defaults
   * deep-merged with each of {@code overridesYaml} in turn (helm-java's lint takes no values
   * files).
   */
  static LintResult lintStrict(String... overridesYaml) {
    try {
      Path copy = Files.createTempDirectory("codec-chart-").resolve("codec");
      try (Stream<Path> files = Files.walk(CHART)) {
        for (Path source : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(CHART.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target);
          }
        }
      }
      JsonNode defaults = YAML.readTree(CHART.resolve("values.yaml").toFile());
      for (String yaml : overridesYaml) {
        JsonNode overrides = YAML.readTree(yaml);
        if (overrides != null && overrides.isObject()) {
          merge((ObjectNode) defaults, overrides);
        }
      }
      YAML.writeValue(copy.resolve("values.yaml").toFile(), defaults);
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void merge(ObjectNode into, JsonNode from) {
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = into.get(field.getKey());
      if (existing != null && existing.isObject() && field.getValue().isObject()) {
        merge((ObjectNode) existing, field.getValue());
      } else {
        into.set(field.getKey(), field.getValue());
      }
    }
  }

  private static Path writeTemp(String content) {
    try {
      Path file = Files.createTempFile("codec-values-", ".yaml");
      file.toFile().deleteOnExit();
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
