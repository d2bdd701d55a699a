package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server's package graph, read from the main sources: every mention of {@code
 * dev.codec.server.<package>.} (imports and fully qualified names) is an edge. {@code config} is a
 * leaf, and no two packages depend on each other, directly or around a longer cycle.
 */
class PackageGraphTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/codec/server");
  private static final String ROOT = "(root)";
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.codec\\.server\\.(?:([a-z][a-z0-9_]*)\\.|([A-Z]))");

  /** Package -> the codec packages its main sources mention (never itself). */
  static Map<String, Set<String>> graph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path file : files) {
      Path relative = SOURCES.relativize(file.getParent());
      String from = relative.toString().isEmpty() ? ROOT : relative.toString().replace('/', '.');
      Set<String> edges = graph.computeIfAbsent(from, k -> new TreeSet<>());
      Matcher m = REFERENCE.matcher(Files.readString(file));
      while (m.find()) {
        String to = m.group(1) != null ? m.group(1) : ROOT;
        if (!to.equals(from)) {
          edges.add(to);
        }
      }
    }
    return graph;
  }

  /**
   * One cycle of {@code graph} as a path {@code a -> b -> a}, or an empty list if there is none.
   */
  static List<String> findCycle(Map<String, Set<String>> graph) {
    Map<String, Integer> state = new TreeMap<>(); // 1: on the current path, 2: done
    for (String start : graph.keySet()) {
      List<String> path = new ArrayList<>();
      List<String> cycle = visit(start, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private static List<String> visit(
      String node, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
    Integer seen = state.get(node);
    if (seen != null && seen == 2) {
      return List.of();
    }
    if (seen != null && seen == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      List<String> cycle = visit(next, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
    return List.of();
  }

  @Test
  void config_importsNoOtherCodecPackage() throws IOException {
    Map<String, Set<String>> graph = graph();
    assertTrue(
        graph.containsKey("config"), "config sources not found under " + SOURCES.toAbsolutePath());
    assertEquals(Set.of(), graph.get("config"), "config must be a leaf (configuration types only)");
  }

  @Test
  void serverPackages_haveNoCycle() throws IOException {
    Map<String, Set<String>> graph = graph();
    // the scan sees the edges everybody knows of (so it cannot pass by reading nothing)
    assertTrue(graph.get("wiring").contains("config"), graph.toString());
    assertTrue(graph.get("grpc").contains("core"), graph.toString());
    assertEquals(List.of(), findCycle(graph), "package cycle in " + graph);
  }

  @Test
  void findCycle_findsDirectAndLongerCycles() {
    assertEquals(
        List.of("a", "b", "a"),
        findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("a")))));
    assertEquals(
        List.of("a", "b", "c", "a"),
        findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")))));
    assertEquals(List.of(), findCycle(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of())));
  }
}
