package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The SBOM shipped in the image (codec-server/target/codec-server-sbom.json, CycloneDX from the
 * Maven dependency tree) lists what the shaded jar holds, no more and no less: every component has
 * classes in codec-server.jar (an artifact the shade filters drop whole, or a Maven dependency that
 * is not shipped, would make the SBOM claim a library the image does not contain), and every
 * artifact whose Maven metadata (META-INF/maven/.../pom.properties) is in the jar is a component
 * with that version. A component's classes are found through its jar in the local Maven repository
 * (the build just resolved it there).
 */
class SbomTest {
  private static final Path ROOT =
      Path.of(System.getProperty("codec.root", "..")).toAbsolutePath().normalize();
  private static final Path TARGET = ROOT.resolve("codec-server/target");
  private static final Pattern POM_PROPERTIES =
      Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");

  /**
   * Libraries another dependency ships inside its own jar under its own package, metadata included:
   * the SBOM, made from the Maven dependency tree, lists the dependency that carries them.
   */
  private static final Set<String> EMBEDDED =
      Set.of("org.jctools:jctools-core"); // netty-common: io.netty.util.internal.shaded.org.jctools

  /** The reactor's own modules: their jars are in their target/ folders (never installed). */
  private static final Map<String, String> MODULES = Map.of("dev.codec:codec-proto", "proto");

  @Test
  void sbom_listsExactlyTheArtifactsInTheShadedJar() throws IOException {
    Path jar = TARGET.resolve("codec-server.jar");
    Path sbomFile = TARGET.resolve("codec-server-sbom.json");
    assertTrue(Files.isRegularFile(jar), "build codec-server");
    // CycloneDX's makeBom needs Maven online: `mvn -o` builds the jar without the SBOM.
    assumeTrue(Files.isRegularFile(sbomFile), "no SBOM: codec-server was built offline (mvn -o)");
    JsonNode sbom = new ObjectMapper().readTree(sbomFile.toFile());
    Set<String> components = new TreeSet<>(Sbom.components(sbom));
    assertTrue(components.size() > 30, "components: " + components);

    Set<String> shipped = new HashSet<>();
    Set<String> metadata = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        shipped.add(entry.getName());
        Matcher m = POM_PROPERTIES.matcher(entry.getName());
        if (m.matches()) {
          Properties properties = new Properties();
          try (InputStream in = zip.getInputStream(entry)) {
            properties.load(in);
          }
          metadata.add(m.group(1) + ":" + m.group(2) + ":" + properties.getProperty("version"));
        }
      }
    }

    metadata.remove("dev.codec:codec-server:" + sbom.at("/metadata/component/version").asText());
    metadata.removeIf(gav -> EMBEDDED.stream().anyMatch(e -> gav.startsWith(e + ":")));
    Set<String> unlisted = new TreeSet<>(metadata);
    unlisted.removeAll(components);
    assertEquals(Set.of(), unlisted, "in the jar but not in the SBOM");

    Path repository = localRepository();
    List<String> notShipped = new ArrayList<>();
    for (String component : components) {
      String[] gav = component.split(":");
      String module = MODULES.get(gav[0] + ":" + gav[1]);
      Path artifact =
          module != null
              ? ROOT.resolve(module).resolve("target").resolve(gav[1] + "-" + gav[2] + ".jar")
              : repository
                  .resolve(gav[0].replace('.', '/'))
                  .resolve(gav[1])
                  .resolve(gav[2])
                  .resolve(gav[1] + "-" + gav[2] + ".jar");
      if (!Files.isRegularFile(artifact)) {
        notShipped.add(component + " (no " + artifact + ")");
        continue;
      }
      if (!hasAClassIn(artifact, shipped)) {
        notShipped.add(component);
      }
    }
    assertEquals(List.of(), notShipped, "in the SBOM but none of its classes in the jar");
  }

  /**
   * codec-server's pom declares prometheus-metrics-exposition-textformats itself (it excludes the
   * protobuf formats artifact that brought it): its version must stay the one of the Prometheus
   * library micrometer-registry-prometheus depends on (prometheus-metrics-core).
   */
  @Test
  void prometheusTextFormats_haveTheVersionOfPrometheusCore() throws IOException {
    Properties core = new Properties();
    Properties textFormats = new Properties();
    try (ZipFile zip = new ZipFile(TARGET.resolve("codec-server.jar").toFile())) {
      core.load(zip.getInputStream(pomProperties(zip, "prometheus-metrics-core")));
      textFormats.load(
          zip.getInputStream(pomProperties(zip, "prometheus-metrics-exposition-textformats")));
    }
    assertEquals(core.getProperty("version"), textFormats.getProperty("version"));
  }

  private static ZipEntry pomProperties(ZipFile zip, String artifact) {
    ZipEntry entry = zip.getEntry("META-INF/maven/io.prometheus/" + artifact + "/pom.properties");
    assertTrue(entry != null, artifact + " is not in the jar");
    return entry;
  }

  /** Whether any class of the artifact's jar is in {@code shipped} (entry names of the jar). */
  private static boolean hasAClassIn(Path artifact, Set<String> shipped) throws IOException {
    boolean anyClass = false;
    try (ZipFile zip = new ZipFile(artifact.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
          anyClass = true;
          if (shipped.contains(name)) {
            return true;
          }
        }
      }
    }
    return !anyClass; // a jar without classes (resources only) cannot be checked this way
  }

  /** The build's local repository (deploy-tests' pom passes it), else Maven's default. */
  private static Path localRepository() {
    String configured = System.getProperty("maven.repo.local", "");
    return configured.isEmpty()
        ? Path.of(System.getProperty("user.home"), ".m2", "repository")
        : Path.of(configured);
  }
}
