package dev.codec.deploy.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.client.CodecClient;
import dev.codec.client.GeneratedDek;
import dev.codec.client.Variable;
import dev.codec.deploy.Sbom;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec-server image as built from the Dockerfile (offline, stand-in base images): who it runs
 * as, what it contains and does not contain, its size, its SBOM, and that the server in it loads
 * every codec class from the AOT cache without a warning. Runs with {@code
 * -Dcodec.image.tests=true}.
 */
@EnabledIfSystemProperty(named = "codec.image.tests", matches = "true")
class ImageTest {
  /**
   * Size budget of the image as podman stores it (uncompressed): issue 13's 150 MB. Measured 144.1
   * MB (BENCHMARKS.md, "Quiet-machine run"): distroless base-nossl 15 MB; jlink runtime 46 MB
   * without java.desktop (libjvm 25 MB with its symbols stripped, lib/modules 19 MB, no base CDS
   * archive); jar 27.5 MB; the JDK 25 AOT cache 54 MB, JDK and codec classes in one file, in
   * proportion to the ~5,800 classes the server loads at startup.
   */
  static final long MAX_BYTES = 150_000_000L;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void image_runsAsNonRoot65532_withTheServerAsEntrypoint_andUnderTheSizeBudget() throws Exception {
    String image = Podman.image();
    JsonNode inspect =
        JSON.readTree(Podman.run(60, "image", "inspect", image).ok("inspect").output()).get(0);
    assertEquals("65532:65532", inspect.at("/Config/User").asText());
    assertEquals("/opt/java/bin/java", inspect.at("/Config/Entrypoint/0").asText());
    long size = inspect.get("Size").asLong();
    System.out.printf("image %s: %d bytes (%.1f MB)%n", image, size, size / 1e6);
    assertTrue(size < MAX_BYTES, "image is " + size + " bytes, budget " + MAX_BYTES);
  }

  /**
   * No shell, no package manager, and no OpenSSL: the base is distroless base-nossl (the JVM's TLS
   * is Java's own; nothing in the runtime links libssl), one library fewer to patch.
   */
  @Test
  void image_hasNoShell_noPackageManager_andNoOpenSsl(@TempDir Path dir) throws Exception {
    String image = Podman.image();
    List<String> files = fileList(image, dir);
    assertTrue(
        files.contains("opt/codec/codec-server.jar"),
        "file list is wrong: " + files.size() + " entries");
    assertTrue(
        files.stream().anyMatch(f -> f.matches(".*/libc\\.so\\.6")),
        "no libc in the file list: " + files.size() + " entries");
    assertEquals(
        List.of(),
        files.stream().filter(f -> f.matches(".*/lib(ssl|crypto)\\.so.*")).toList(),
        "OpenSSL in the image");
    for (String shell :
        List.of(
            "bin/sh",
            "bin/bash",
            "bin/dash",
            "bin/ash",
            "bin/busybox",
            "usr/bin/sh",
            "usr/bin/bash",
            "usr/bin/dash",
            "usr/bin/apt",
            "usr/bin/dpkg",
            "bin/su",
            "usr/bin/sudo")) {
      assertFalse(files.contains(shell), "the image contains " + shell);
    }
    Podman.Result sh =
        Podman.run(
            120,
            "run",
            "--rm",
            "--pull=never",
            "--network",
            "none",
            "--entrypoint",
            "/bin/sh",
            image,
            "-c",
            "true");
    assertNotEquals(0, sh.exitCode(), "a shell ran in the image: " + sh.output());
  }

  /**
   * No layer holds a developer's files: canaries planted in .codec-dev/ and codec-server/target/
   * before the build (Podman#image) appear nowhere in the saved image, nor does any .codec-dev
   * path; no file is a key or keystore. The search runs over the uncompressed layer archives, so
   * file names and contents are both covered; finding the jar's name proves the search sees the
   * layers. (A generic "PEM private key" content search is not possible: Netty's SslUtils embeds a
   * public self-signed test key, archived with its class in the CDS archive.)
   */
  @Test
  void noLayer_containsDevelopmentKeys_buildOutput_orKeyFiles(@TempDir Path dir) throws Exception {
    String image = Podman.image();
    Path archive = dir.resolve("image.tar");
    Podman.run(600, "save", "--format", "docker-archive", "-o", archive.toString(), image)
        .ok("podman save");
    Map<String, Boolean> found =
        search(archive, List.of("codec-server.jar", ".codec-dev", Podman.CANARY));
    assertTrue(found.get("codec-server.jar"), "the search does not see the layers");
    assertFalse(found.get(".codec-dev"), "a layer names .codec-dev");
    if (Podman.builtWithCanaries()) {
      assertFalse(
          found.get(Podman.CANARY), "a file of .codec-dev/ or codec-server/target/ is in a layer");
    }
    List<String> files = fileList(image, dir);
    List<String> suspicious =
        files.stream()
            .filter(
                f ->
                    f.contains("target/")
                        || f.contains(".codec-dev")
                        || f.endsWith(".key")
                        || f.endsWith(".pem")
                        || f.endsWith(".p12")
                        || f.endsWith(".jks")
                        || f.endsWith("/kek")
                        || f.contains("/kek/"))
            .toList();
    assertEquals(List.of(), suspicious);
  }

  /**
   * The build context the Dockerfile sees, copied whole into a throwaway image (same context
   * directory, so the same .dockerignore): with canaries in .codec-dev/ and codec-server/target/,
   * none of them, no target/ folder and no key file is in it, while the sources the build needs
   * are.
   */
  @Test
  void buildContext_holdsTheSources_butNoDevelopmentKeys_orBuildOutput(@TempDir Path dir)
      throws Exception {
    Podman.image(); // the stand-in base image exists
    Path dockerfile =
        Files.writeString(
            dir.resolve("Dockerfile.context"),
            "FROM gcr.io/distroless/base-nossl-debian12:nonroot\nCOPY . /context/\n");
    String tag = "localhost/codec-context:" + Long.toHexString(System.nanoTime());
    Podman.withCanaries(
        () ->
            Podman.run(
                    600,
                    "build",
                    "--pull=never",
                    "--network",
                    "none",
                    "-f",
                    dockerfile.toString(),
                    "-t",
                    tag,
                    Podman.ROOT.toString())
                .ok("podman build of the context"));
    List<String> files;
    try {
      files =
          fileList(tag, dir).stream()
              .filter(f -> f.startsWith("context/"))
              .map(f -> f.substring(8))
              .toList();
    } finally {
      Podman.run(120, "rmi", "-f", tag);
    }
    for (String needed :
        List.of(
            "pom.xml",
            "codec-server/pom.xml",
            "codec-server/jvm.options",
            "codec-bench/pom.xml",
            "proto/pom.xml",
            "scripts/cds-archive.sh")) {
      assertTrue(files.contains(needed), needed + " is not in the build context: " + files);
    }
    List<String> leaked =
        files.stream()
            .filter(
                f ->
                    f.contains(Podman.CANARY)
                        || f.contains(".codec-dev")
                        || f.contains("target/")
                        || f.endsWith(".key")
                        || f.endsWith(".pem")
                        || f.startsWith(".git"))
            .toList();
    assertEquals(List.of(), leaked, "in the build context");
  }

  @Test
  void image_shipsTheSbom_listingTheServersDependencies(@TempDir Path dir) throws Exception {
    String image = Podman.image();
    String container = "codec-sbom-" + System.nanoTime();
    Podman.run(120, "create", "--pull=never", "--name", container, image).ok("create");
    try {
      Podman.run(
              120, "cp", container + ":/opt/codec/sbom.json", dir.resolve("sbom.json").toString())
          .ok("cp");
    } finally {
      Podman.run(120, "rm", "-f", container);
    }
    JsonNode sbom = JSON.readTree(dir.resolve("sbom.json").toFile());
    assertEquals("CycloneDX", sbom.get("bomFormat").asText());
    assertEquals("codec-server", sbom.at("/metadata/component/name").asText());
    List<String> components = Sbom.components(sbom);
    for (String expected :
        List.of(
            "io.grpc:grpc-netty",
            "io.netty:netty-codec-http2",
            "com.google.protobuf:protobuf-java",
            "com.github.ben-manes.caffeine:caffeine",
            "io.micronaut:micronaut-core")) {
      assertTrue(
          components.stream().anyMatch(c -> c.startsWith(expected + ":")),
          expected + " not in " + components);
    }
    assertTrue(
        components.stream().noneMatch(c -> c.startsWith("org.junit")),
        "test dependencies in the SBOM");
  }

  /**
   * The image's own ENTRYPOINT (jvm.options and the AOT cache), read-only root filesystem, UID
   * 65532, with class loading logged: through startup and a round trip every codec class comes from
   * the cache and the JVM prints no [aot] or [cds] warning.
   */
  @Test
  void server_loadsEveryCodecClassFromTheAotCache_withoutAWarning() throws Exception {
    String image = Podman.image();
    JsonNode inspect =
        JSON.readTree(Podman.run(60, "image", "inspect", image).ok("inspect").output()).get(0);
    List<String> entrypoint = new ArrayList<>();
    inspect.at("/Config/Entrypoint").forEach(a -> entrypoint.add(a.asText()));
    entrypoint.add(entrypoint.indexOf("-jar"), "-Xlog:class+load=info:stdout");
    int grpcPort = KubeletPod.freePort();
    int managementPort = KubeletPod.freePort();
    byte[] kek = new byte[32];
    new SecureRandom().nextBytes(kek);
    String name = "codec-cds-" + System.nanoTime();
    List<String> run =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--pull=never",
                "--name",
                name,
                "--network",
                "host",
                "--read-only",
                "--read-only-tmpfs=false",
                "--tmpfs",
                "/tmp:rw,size=64m,mode=1777",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "-e",
                "CODEC_KEK=" + Base64.getEncoder().encodeToString(kek),
                "-e",
                "CODEC_AUTH_ENABLED=false",
                "-e",
                "CODEC_LOG_FORMAT=text",
                "-e",
                "GRPC_SERVER_PORT=" + grpcPort,
                "-e",
                "CODEC_MANAGEMENT_PORT=" + managementPort,
                "--entrypoint",
                entrypoint.get(0),
                image));
    run.addAll(entrypoint.subList(1, entrypoint.size()));
    Podman.run(120, run.toArray(String[]::new)).ok("podman run");
    String logs;
    try {
      KubeletPod.awaitLog(name, "codec serving gRPC", 120);
      try (CodecClient codec = CodecClient.builder().target("127.0.0.1:" + grpcPort).build()) {
        GeneratedDek dek = codec.generateDek("cds-project");
        Map<String, String> stored =
            codec.encrypt("cds-project", dek.encryptedDek(), Map.of("K", "v"));
        assertEquals(
            Map.of("K", "v"),
            codec.decryptAll(
                "cds-project",
                "d1",
                dek.encryptedDek(),
                Map.of("K", Variable.secret(stored.get("K")))));
      }
      Podman.run(60, "kill", "--signal", "TERM", name).ok("kill");
      assertEquals("0", Podman.run(120, "wait", name).ok("wait").output().trim());
      logs = Podman.run(60, "logs", name).ok("logs").output();
    } finally {
      Podman.run(60, "rm", "-f", name);
    }
    List<String> warnings =
        logs.lines().filter(l -> l.contains("[cds") || l.contains("[aot")).toList();
    assertEquals(List.of(), warnings, "AOT cache or CDS warnings");
    Pattern load = Pattern.compile("\\[class,load\\s*\\] (dev\\.codec\\.\\S+) source: (.+)$");
    Map<String, String> sources = new TreeMap<>();
    for (String line : logs.lines().toList()) {
      Matcher m = load.matcher(line);
      if (m.find() && !m.group(1).contains("$$Lambda") && !m.group(1).contains("/0x")) {
        sources.put(m.group(1), m.group(2));
      }
    }
    assertTrue(sources.containsKey("dev.codec.server.Application"), logs);
    assertTrue(sources.size() > 50, "only " + sources.size() + " codec classes logged");
    Map<String, String> notShared = new TreeMap<>(sources);
    notShared.values().removeIf(source -> source.equals("shared objects file"));
    assertEquals(
        Map.of(),
        notShared,
        "codec classes not loaded from the AOT cache (of " + sources.size() + ")");
  }

  /**
   * The image's files (paths without the leading slash), from podman export of a created container.
   */
  private static List<String> fileList(String image, Path dir) throws IOException {
    String container = "codec-files-" + System.nanoTime();
    // create never runs the command: it only needs one, and an image without ENTRYPOINT has none.
    Podman.run(120, "create", "--pull=never", "--name", container, image, "/none").ok("create");
    Path tar = dir.resolve(container + ".tar");
    try {
      Podman.run(600, "export", "-o", tar.toString(), container).ok("export");
    } finally {
      Podman.run(120, "rm", "-f", container);
    }
    String listing = Podman.exec(List.of("tar", "-tf", tar.toString()), 300).ok("tar -tf").output();
    Files.delete(tar);
    return listing
        .lines()
        .map(l -> l.startsWith("./") ? l.substring(2) : l)
        .map(l -> l.startsWith("/") ? l.substring(1) : l)
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /**
   * Which of {@code needles} occur anywhere in the file's bytes (one streaming pass per needle
   * set).
   */
  static Map<String, Boolean> search(Path file, List<String> needles) throws IOException {
    Map<String, Boolean> found = new TreeMap<>();
    int longest = needles.stream().mapToInt(String::length).max().orElse(1);
    needles.forEach(n -> found.put(n, false));
    byte[] buffer = new byte[1 << 20];
    String carry = "";
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      for (int read; (read = in.read(buffer)) > 0; ) {
        String chunk = carry + new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
        for (String needle : needles) {
          if (!found.get(needle) && chunk.contains(needle)) {
            found.put(needle, true);
          }
        }
        carry = chunk.substring(Math.max(0, chunk.length() - longest));
      }
    }
    return found;
  }
}
