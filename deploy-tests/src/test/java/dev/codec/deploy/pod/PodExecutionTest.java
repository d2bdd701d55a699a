package dev.codec.deploy.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codec.deploy.HelmChart;
import dev.codec.deploy.Values;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's pod, executed: for each supported value set the chart is rendered (helm-java), the
 * Deployment's pod runs with podman from the parsed object (KubeletPod: env, volumes laid out as
 * the kubelet does, security context, read-only root, tmpfs /tmp, dropped capabilities, grace
 * period), with the Secrets the cluster would hold (made here: the KEK, the caller tokens, the TLS
 * certificate; for cert-manager, the Secret its Certificate asks for). Then: every probe passes as
 * the kubelet runs it and the pod is Ready within the startup probe's budget; codec-cli does a
 * round trip through the Service's name with the chart's TLS and token settings; the NetworkPolicy
 * admits exactly the ports the server listens on; with JSON logs every log line is a JSON object;
 * SIGTERM ends it with exit 0 within terminationGracePeriodSeconds. Runs with {@code
 * -Dcodec.image.tests=true}.
 */
@EnabledIfSystemProperty(named = "codec.image.tests", matches = "true")
class PodExecutionTest {
  /**
   * PEM encoding of the key cert-manager writes in the cert-manager value set: cert-manager's own
   * default, PKCS#1, which the server reads (as it does SEC1 and PKCS#8; see TlsKeyFormatTest).
   */
  static final String CERT_MANAGER_KEY_ENCODING = "PKCS1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Path CLI = Podman.ROOT.resolve("codec-cli/target/codec-cli.jar");

  /** Each value set: its values files, applied in order (later files override earlier ones). */
  static Stream<Arguments> valueSets() {
    return Stream.of(
        Arguments.of("defaults (TLS from a Secret)", List.of(Values.EXISTING_SECRETS)),
        Arguments.of("TLS off (explicit)", List.of(Values.EXISTING_SECRETS, Values.TLS_OFF)),
        // the runner's client certificate (SAN DNS runner) names the caller only because
        // certificateNames says so
        Arguments.of(
            "mTLS required",
            List.of(
                Values.EXISTING_SECRETS,
                "tls: {clientAuth: REQUIRE}",
                "auth: {callers: {runner: {certificateNames: [runner]}}}")),
        Arguments.of(
            "cert-manager TLS",
            List.of(
                Values.EXISTING_SECRETS,
                Values.CERT_MANAGER,
                "tls: {certManager: {privateKey: {encoding: " + CERT_MANAGER_KEY_ENCODING + "}}}")),
        Arguments.of(
            "legacy input on, chart-made Secrets",
            List.of(Values.CHART_SECRETS, "config: {legacyAccept: true}")),
        Arguments.of(
            "JSON logs at DEBUG",
            List.of(Values.EXISTING_SECRETS, "config: {logFormat: json, logLevel: DEBUG}")),
        Arguments.of(
            "HPA on",
            List.of(Values.EXISTING_SECRETS, "autoscaling: {enabled: true, minReplicas: 2}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void renderedPod_isReadyWithinTheStartupBudget_servesARoundTrip_andStopsCleanly(
      String name, List<String> values, @TempDir Path dir) throws Exception {
    String image = Podman.image();
    int grpcPort = KubeletPod.freePort();
    int metricsPort = KubeletPod.freePort();
    String[] imageParts = image.split(":(?=[^:/]+$)", -1);
    String overrides =
        """
                image: {repository: %s, tag: %s, pullPolicy: Never}
                service: {grpcPort: %d, metricsPort: %d}
                """
            .formatted(imageParts[0], imageParts[1], grpcPort, metricsPort);
    List<String> files = new ArrayList<>(values);
    files.add(overrides);
    List<HasMetadata> objects = HelmChart.render(files.toArray(String[]::new));
    Deployment deployment = only(objects, Deployment.class);
    Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
    objects.stream()
        .filter(ConfigMap.class::isInstance)
        .map(ConfigMap.class::cast)
        .forEach(c -> configMaps.put(c.getMetadata().getName(), c));

    // What the cluster holds: Secrets the chart made, Secrets made outside it, cert-manager's
    // Secret.
    Map<String, Map<String, byte[]>> secrets = new LinkedHashMap<>();
    byte[] kek = new byte[32];
    RANDOM.nextBytes(kek);
    secrets.put(
        "codec-kek",
        Map.of("1", Base64.getEncoder().encodeToString(kek).getBytes(StandardCharsets.US_ASCII)));
    Map<String, String> tokens = Map.of("control-api", token(), "runner", token());
    Map<String, byte[]> tokenFiles = new LinkedHashMap<>();
    tokens.forEach(
        (caller, token) -> tokenFiles.put(caller, token.getBytes(StandardCharsets.US_ASCII)));
    secrets.put("codec-callers", tokenFiles);
    TestPki pki = new TestPki();
    String service = "codec.codec.svc";
    var serving =
        pki.server(
            List.of(service, "codec", "codec.codec", "codec.codec.svc.cluster.local"),
            "ECDSA",
            256);
    secrets.put(
        "codec-tls",
        Map.of(
            "tls.crt",
            bytes(serving.certificatePem()),
            "tls.key",
            bytes(serving.keyPem("PKCS8")),
            "ca.crt",
            bytes(pki.caPem())));
    for (HasMetadata object : objects) {
      if (object instanceof Secret secret) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        secrets.put(secret.getMetadata().getName(), data);
        if (secret.getMetadata().getName().equals("codec-kek")) {
          kek =
              Base64.getDecoder()
                  .decode(
                      new String(
                              data.get(data.keySet().stream().max(String::compareTo).orElseThrow()),
                              StandardCharsets.US_ASCII)
                          .trim());
        }
        if (secret.getMetadata().getName().equals("codec-callers")) {
          Map<String, String> chartTokens = new LinkedHashMap<>();
          data.forEach((k, v) -> chartTokens.put(k, new String(v, StandardCharsets.US_ASCII)));
          tokens = chartTokens;
        }
      }
      if (object.getKind().equals("Certificate")) {
        secrets.put(
            ((GenericKubernetesResource) object).<String>get("spec", "secretName"),
            certManagerSecret((GenericKubernetesResource) object, pki));
      }
    }

    Path work = Files.createDirectories(dir.resolve("cli"));
    Path hosts = Files.writeString(work.resolve("hosts"), "127.0.0.1 " + service + "\n");
    Path ca = Files.writeString(work.resolve("ca.pem"), pki.caPem());
    Map<String, Path> tokenPaths = new LinkedHashMap<>();
    for (Map.Entry<String, String> token : tokens.entrySet()) {
      tokenPaths.put(
          token.getKey(),
          Files.writeString(work.resolve(token.getKey() + ".token"), token.getValue()));
    }
    String env = env(deployment, "CODEC_TLS_CERT");
    boolean tls = env != null;
    boolean mtls = "REQUIRE".equals(env(deployment, "CODEC_TLS_CLIENT_AUTH"));
    List<String> tlsArgs = new ArrayList<>();
    if (tls) {
      tlsArgs.addAll(List.of("--ca-file", ca.toString()));
    }
    if (mtls) {
      var client = pki.client("runner");
      tlsArgs.addAll(
          List.of(
              "--cert",
              Files.writeString(work.resolve("runner.pem"), client.certificatePem()).toString(),
              "--key",
              Files.writeString(work.resolve("runner.key"), client.keyPem("PKCS8")).toString()));
    }
    String target = service + ":" + grpcPort;

    try (KubeletPod pod = KubeletPod.start(deployment, image, configMaps, secrets, dir)) {
      KubeletPod.Readiness ready = pod.awaitReady();
      System.out.printf(
          "[%s] started %d ms, ready %d ms, %d startup probe(s): %s%n",
          name,
          ready.started().toMillis(),
          ready.ready().toMillis(),
          ready.startupAttempts(),
          ready.description());
      assertTrue(
          ready.ready().compareTo(pod.startupBudget()) <= 0,
          "Ready (startup, then readiness probe passed) after "
              + ready.ready()
              + ", startup budget "
              + pod.startupBudget());
      assertTrue(
          ready.description().contains(tls ? "HTTP GET /health" : "gRPC health"),
          ready.description());

      // Round trip through the Service name with the chart's TLS and token settings, as the
      // platform does it:
      // the control API generates the DEK, encrypts, seals the revision and issues the deployment's
      // grant;
      // the runner decrypts with the grant and the seal (the chart requires both by default).
      String controlApi = tokenPaths.get("control-api").toString();
      String runner = tokenPaths.get("runner").toString();
      String project = "pod-" + Long.toHexString(RANDOM.nextLong());
      String encryptedDek =
          cli(
                  hosts,
                  null,
                  "generate-dek",
                  "--project",
                  project,
                  "--target",
                  target,
                  "--token-file",
                  controlApi,
                  "--field",
                  "encrypted_dek",
                  tlsArgs)
              .trim();
      String stored =
          cli(
              hosts,
              "SECRET_A=pod-value-1\nPLAIN_B=plain\n",
              "encrypt",
              "--project",
              project,
              "--dek",
              encryptedDek,
              "--stdin",
              "--target",
              target,
              "--token-file",
              controlApi,
              tlsArgs);
      Path storedFile = Files.writeString(work.resolve("stored.json"), stored);
      Authority authority =
          authority(hosts, project, encryptedDek, storedFile, target, controlApi, tlsArgs);
      JsonNode decrypted =
          JSON.readTree(
              cli(
                  hosts,
                  null,
                  "decrypt-all",
                  "--project",
                  project,
                  "--dek",
                  encryptedDek,
                  "--file",
                  storedFile.toString(),
                  "--target",
                  target,
                  "--token-file",
                  runner,
                  authority.args(),
                  tlsArgs));
      assertEquals("pod-value-1", decrypted.get("SECRET_A").asText(), decrypted.toString());
      // the runner's token alone opens nothing
      assertNotEquals(
          0,
          cliExit(
              hosts,
              "decrypt-all",
              "--project",
              project,
              "--dek",
              encryptedDek,
              "--file",
              storedFile.toString(),
              "--target",
              target,
              "--token-file",
              runner,
              tlsArgs));
      if (tls) {
        // A plaintext client cannot talk to the TLS port.
        assertNotEquals(
            0,
            cliExit(
                hosts,
                "generate-dek",
                "--project",
                project,
                "--target",
                target,
                "--token-file",
                controlApi));
      }
      if (mtls) {
        // No client certificate: refused at the handshake. Certificate without a token: the caller
        // it names.
        List<String> caOnly = List.of("--ca-file", ca.toString());
        assertNotEquals(
            0,
            cliExit(
                hosts,
                "decrypt-all",
                "--project",
                project,
                "--dek",
                encryptedDek,
                "--file",
                storedFile.toString(),
                "--target",
                target,
                "--token-file",
                runner,
                authority.args(),
                caOnly.get(0),
                caOnly.get(1)));
        JsonNode byCertificate =
            JSON.readTree(
                cli(
                    hosts,
                    null,
                    "decrypt-all",
                    "--project",
                    project,
                    "--dek",
                    encryptedDek,
                    "--file",
                    storedFile.toString(),
                    "--target",
                    target,
                    authority.args(),
                    tlsArgs));
        assertEquals("pod-value-1", byCertificate.get("SECRET_A").asText());
      }
      if ("true".equals(configValue(configMaps, "accept: "))) {
        // Legacy input on: a DEK and a value in the Node codec's format decrypt.
        byte[] rawDek = new byte[32];
        RANDOM.nextBytes(rawDek);
        String legacyDek = legacySeal(kek, rawDek);
        String legacyValue = legacySeal(rawDek, "legacy-value-2".getBytes(StandardCharsets.UTF_8));
        Path legacyFile =
            Files.writeString(
                work.resolve("legacy.json"),
                "{\"OLD\": {\"type\": \"secret\", \"value\": \"" + legacyValue + "\"}}");
        Authority legacyAuthority =
            authority(hosts, project, legacyDek, legacyFile, target, controlApi, tlsArgs);
        JsonNode legacy =
            JSON.readTree(
                cli(
                    hosts,
                    null,
                    "decrypt-all",
                    "--project",
                    project,
                    "--dek",
                    legacyDek,
                    "--file",
                    legacyFile.toString(),
                    "--target",
                    target,
                    "--token-file",
                    runner,
                    legacyAuthority.args(),
                    tlsArgs));
        assertEquals("legacy-value-2", legacy.get("OLD").asText());
      }

      // The NetworkPolicy admits exactly the ports the server listens on.
      NetworkPolicy policy = only(objects, NetworkPolicy.class);
      Set<Integer> admitted = new TreeSet<>();
      for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
        for (NetworkPolicyPort port : rule.getPorts()) {
          admitted.add(
              port.getPort().getIntVal() != null
                  ? port.getPort().getIntVal()
                  : pod.containerPort(port.getPort().getStrVal()));
        }
      }
      assertEquals(Set.of(grpcPort, metricsPort), admitted);
      assertEquals(admitted, pod.listeningPorts(), "listening ports vs the NetworkPolicy's");

      // SIGTERM: exit 0 within the grace period.
      KubeletPod.Stopped stopped = pod.terminate();
      String logs = pod.logs();
      assertEquals(0, stopped.exitCode(), "exit code after SIGTERM; logs:\n" + logs);
      System.out.printf("[%s] SIGTERM -> exit 0 in %d ms%n", name, stopped.took().toMillis());
      if ("json".equals(env(deployment, "CODEC_LOG_FORMAT"))) {
        for (String line : logs.lines().filter(l -> !l.isBlank()).toList()) {
          JsonNode parsed;
          try {
            parsed = JSON.readTree(line);
          } catch (IOException e) {
            throw new AssertionError("a log line is not JSON: " + line);
          }
          assertTrue(parsed.isObject(), line);
        }
      }
      assertTrue(logs.contains("codec stopped"), logs);
      for (String secret : tokens.values()) {
        assertTrue(!logs.contains(secret), "a token in the logs");
      }
      assertTrue(
          !logs.contains("pod-value-1") && !logs.contains(Base64.getEncoder().encodeToString(kek)),
          "a value or the KEK in the logs");
    }
  }

  /**
   * The Secret cert-manager would write for {@code certificate}: its DNS names, key algorithm, size
   * and encoding.
   */
  private static Map<String, byte[]> certManagerSecret(
      GenericKubernetesResource certificate, TestPki pki) {
    List<String> dnsNames = certificate.get("spec", "dnsNames");
    Map<String, Object> key = certificate.get("spec", "privateKey");
    var issued =
        pki.server(
            dnsNames, key.get("algorithm").toString(), ((Number) key.get("size")).intValue());
    return Map.of(
        "tls.crt",
        bytes(issued.certificatePem()),
        "tls.key",
        bytes(issued.keyPem(key.get("encoding").toString())),
        "ca.crt",
        bytes(pki.caPem()));
  }

  /**
   * What the control API stores with a deployment for its runner: the revision's seal and the grant
   * for it.
   */
  private record Authority(String seal, String grant) {
    List<String> args() {
      return List.of("--seal", seal, "--grant", grant);
    }
  }

  /**
   * Seals the revision in {@code file} and issues a grant for it, as the control API (codec-cli
   * seal, grant).
   */
  private static Authority authority(
      Path hosts,
      String project,
      String encryptedDek,
      Path file,
      String target,
      String controlApiToken,
      List<String> tlsArgs)
      throws Exception {
    String seal =
        cli(
                hosts,
                null,
                "seal",
                "--project",
                project,
                "--dek",
                encryptedDek,
                "--file",
                file.toString(),
                "--target",
                target,
                "--token-file",
                controlApiToken,
                "--field",
                "seal",
                tlsArgs)
            .trim();
    String grant =
        cli(
                hosts,
                null,
                "grant",
                "--project",
                project,
                "--deployment",
                "pod-deployment",
                "--dek",
                encryptedDek,
                "--seal",
                seal,
                "--ttl",
                "10m",
                "--target",
                target,
                "--token-file",
                controlApiToken,
                "--field",
                "grant",
                tlsArgs)
            .trim();
    return new Authority(seal, grant);
  }

  /**
   * codec-cli (the built jar) with the hosts file resolving the Service name; returns stdout,
   * asserting exit 0.
   */
  private static String cli(Path hosts, String stdin, Object... args) throws Exception {
    List<String> command = command(hosts, args);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + out + err);
    return out;
  }

  private static int cliExit(Path hosts, Object... args) throws Exception {
    Process process = new ProcessBuilder(command(hosts, args)).redirectErrorStream(true).start();
    process.getOutputStream().close();
    process.getInputStream().readAllBytes();
    return process.waitFor();
  }

  private static List<String> command(Path hosts, Object... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.net.hosts.file=" + hosts,
                "-jar",
                CLI.toString()));
    for (Object arg : args) {
      if (arg instanceof List<?> list) {
        list.forEach(a -> command.add(a.toString()));
      } else {
        command.add(arg.toString());
      }
    }
    return command;
  }

  /**
   * The legacy Node codec's format: base64(iv[16] || AES-256-GCM ciphertext || tag[16]), no
   * associated data.
   */
  private static String legacySeal(byte[] key, byte[] plaintext) throws Exception {
    byte[] iv = new byte[16];
    RANDOM.nextBytes(iv);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    byte[] sealed = cipher.doFinal(plaintext);
    byte[] out = new byte[iv.length + sealed.length];
    System.arraycopy(iv, 0, out, 0, iv.length);
    System.arraycopy(sealed, 0, out, iv.length, sealed.length);
    return Base64.getEncoder().encodeToString(out);
  }

  private static String configValue(Map<String, ConfigMap> configMaps, String key) {
    String yaml = configMaps.values().iterator().next().getData().get("codec.yaml");
    int legacy = yaml.indexOf("legacy:");
    int at = yaml.indexOf(key, legacy);
    return legacy < 0 || at < 0
        ? null
        : yaml.substring(at + key.length()).lines().findFirst().orElse("").trim();
  }

  private static String env(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertEquals(1, matching.size(), type.getSimpleName());
    return matching.get(0);
  }

  private static String token() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
