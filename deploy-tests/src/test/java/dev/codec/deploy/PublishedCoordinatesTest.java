package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a platform imports: codec-bom lists exactly the published artifacts at the build's version
 * (it has no parent, so nothing else keeps its version equal), and each published jar names its
 * module ({@code Automatic-Module-Name}) and comes with a sources jar.
 */
class PublishedCoordinatesTest {
  private static final Path ROOT = HelmChart.ROOT;

  /** The published artifacts: module folder, artifactId, Automatic-Module-Name. */
  private static final Map<String, List<String>> PUBLISHED =
      Map.of(
          "proto", List.of("codec-proto", "dev.codec.proto"),
          "codec-client", List.of("codec-client", "dev.codec.client"),
          "codec-client-json", List.of("codec-client-json", "dev.codec.client.json"),
          "codec-cli", List.of("codec-cli", "dev.codec.cli"));

  @Test
  void bom_listsEveryPublishedArtifact_atTheBuildsVersion() throws Exception {
    Document parent = parse(ROOT.resolve("pom.xml"));
    Document bom = parse(ROOT.resolve("codec-bom/pom.xml"));
    String version = child(parent.getDocumentElement(), "version");

    assertEquals(version, child(bom.getDocumentElement(), "version"), "codec-bom's version");
    List<String> listed = new ArrayList<>();
    NodeList dependencies = bom.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      assertEquals("dev.codec", child(dependency, "groupId"));
      assertEquals("${project.version}", child(dependency, "version"));
      String classifier =
          dependency.getElementsByTagName("classifier").getLength() == 0
              ? ""
              : ":" + child(dependency, "classifier");
      listed.add(child(dependency, "artifactId") + classifier);
    }
    List<String> expected =
        new ArrayList<>(PUBLISHED.values().stream().map(v -> v.get(0)).toList());
    expected.add("codec-cli:cli"); // the shaded jar runners download
    assertEquals(expected.stream().sorted().toList(), listed.stream().sorted().toList());
  }

  @Test
  void publishedJars_nameTheirModule_andLibrariesHaveSourcesJars() throws Exception {
    String version = child(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "version");
    for (var entry : PUBLISHED.entrySet()) {
      Path target = ROOT.resolve(entry.getKey()).resolve("target");
      String artifact = entry.getValue().get(0);
      Path jar = target.resolve(artifact + "-" + version + ".jar");
      assumeTrue(Files.isRegularFile(jar), "not built in this reactor: " + jar);
      List<Path> jars = new ArrayList<>(List.of(jar));
      if (artifact.equals("codec-cli")) {
        jars.add(target.resolve("codec-cli.jar")); // the shaded jar that runners run
      } else {
        Path sources = target.resolve(artifact + "-" + version + "-sources.jar");
        assertTrue(Files.isRegularFile(sources), "no sources jar: " + sources);
      }
      for (Path built : jars) {
        try (JarFile file = new JarFile(built.toFile())) {
          assertEquals(
              entry.getValue().get(1),
              file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
              built.toString());
        }
      }
    }
  }

  private static Document parse(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  /** The text of {@code parent}'s direct child element {@code name}. */
  private static String child(Element parent, String name) {
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && element.getTagName().equals(name)) {
        return element.getTextContent().trim();
      }
    }
    throw new AssertionError(parent.getTagName() + " has no <" + name + ">");
  }
}
