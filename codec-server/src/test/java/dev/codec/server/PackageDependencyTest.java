package dev.codec.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The package rules of DESIGN.md, read from the sources (every reference, imported or fully
 * qualified): the gRPC adapter reaches the crypto only through core, which owns the types it
 * returns; the crypto imports nothing of ours.
 */
class PackageDependencyTest {
  private static final Path MAIN = Path.of("src/main/java/dev/codec/server");
  private static final Pattern REFERENCE = Pattern.compile("dev\\.codec\\.server\\.([a-z]+)\\.");

  /**
   * What grpc/ may use besides core and auth. {@code GrpcServices} is wiring (a Micronaut factory:
   * it reads config and metrics); the connection code ends the process on an out-of-memory error
   * through {@code ops.OutOfMemoryExit}, and counts connections with {@code ops.ConnectionCounter}
   * (shared with the management port).
   */
  private static final Map<String, Set<String>> GRPC_EXCEPTIONS =
      Map.of(
          "GrpcServices.java", Set.of("config", "ops"),
          "HealthWatchLimit.java", Set.of("config"),
          "TransportCustomizer.java", Set.of("config", "ops"),
          "ConnectionAdmission.java", Set.of("ops"),
          "OomExitAllocator.java", Set.of("ops"));

  @Test
  void grpc_neverReferencesTheCryptoPackage() throws IOException {
    Map<String, Set<String>> offenders = new TreeMap<>();
    references("grpc")
        .forEach(
            (file, packages) -> {
              if (packages.contains("crypto")) {
                offenders.put(file, packages);
              }
            });
    assertEquals(Map.of(), offenders, "grpc/ must use core's types, never dev.codec.server.crypto");
  }

  @Test
  void grpc_usesOnlyCoreAndAuth_besidesTheListedWiring() throws IOException {
    Map<String, Set<String>> offenders = new TreeMap<>();
    references("grpc")
        .forEach(
            (file, packages) -> {
              Set<String> extra = new TreeSet<>(packages);
              extra.removeAll(Set.of("grpc", "core", "auth"));
              extra.removeAll(GRPC_EXCEPTIONS.getOrDefault(file, Set.of()));
              if (!extra.isEmpty()) {
                offenders.put(file, extra);
              }
            });
    assertEquals(Map.of(), offenders);
  }

  @Test
  void crypto_referencesNoOtherPackageOfOurs() throws IOException {
    Map<String, Set<String>> offenders = new TreeMap<>();
    references("crypto")
        .forEach(
            (file, packages) -> {
              Set<String> extra = new TreeSet<>(packages);
              extra.remove("crypto");
              if (!extra.isEmpty()) {
                offenders.put(file, extra);
              }
            });
    assertEquals(Map.of(), offenders);
  }

  /** The detector itself: it sees imports, static imports and fully qualified names. */
  @Test
  void references_seesImportsAndQualifiedNames() {
    assertEquals(
        Set.of("crypto", "core", "ops"),
        packagesIn(
            "import dev.codec.server.crypto.KekReloader;\n"
                + "import static dev.codec.server.core.X.y;\nvoid f(dev.codec.server.ops.Z z) {}"));
  }

  /** For each source file of {@code pkg}: the packages of ours it references. */
  private static Map<String, Set<String>> references(String pkg) throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
      List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).toList();
      assertFalse(sources.isEmpty(), "no sources under " + MAIN.resolve(pkg).toAbsolutePath());
      for (Path source : sources) {
        out.put(source.getFileName().toString(), packagesIn(Files.readString(source)));
      }
    }
    return out;
  }

  private static Set<String> packagesIn(String source) {
    Set<String> packages = new TreeSet<>();
    Matcher m = REFERENCE.matcher(source);
    while (m.find()) {
      packages.add(m.group(1));
    }
    return packages;
  }
}
