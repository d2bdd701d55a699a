package dev.codec.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code helm template} of helm/codec, parsed into typed fabric8 objects and checked field by
 * field.
 */
class HelmTemplateTest {
  private static final Map<String, String> POD_SELECTOR =
      Map.of("app.kubernetes.io/name", "codec", "app.kubernetes.io/instance", "codec");

  @Test
  void everyRenderedObject_isAKnownKubernetesObjectWithNoUnknownFields() {
    for (String values :
        List.of(
            Values.EXISTING_SECRETS,
            Values.EVERY_TOGGLE,
            Values.EXISTING_SECRETS + Values.CERT_MANAGER)) {
      List<HasMetadata> objects = HelmChart.render(values);
      for (HasMetadata object : objects) {
        assertEquals("codec", object.getMetadata().getNamespace(), describe(object));
        if (object instanceof GenericKubernetesResource generic) {
          assertTrue(
              List.of("ServiceMonitor", "PrometheusRule", "Certificate")
                  .contains(generic.getKind()),
              "only the operator kinds have no typed model: " + describe(object));
          continue;
        }
        assertEquals(
            List.of(), StrictModel.unknownFields(object), describe(object) + " has unknown fields");
      }
    }
  }

  @Test
  void defaults_renderTheExpectedKinds() {
    assertEquals(
        List.of(
            "ConfigMap",
            "Deployment",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
            "Service",
            "ServiceAccount"),
        HelmChart.render(Values.EXISTING_SECRETS).stream()
            .map(HasMetadata::getKind)
            .sorted()
            .toList());
  }

  @Test
  void pod_meetsPodSecurityRestricted() {
    for (String values : List.of(Values.EXISTING_SECRETS, Values.EVERY_TOGGLE)) {
      PodSpec pod = deployment(HelmChart.render(values)).getSpec().getTemplate().getSpec();
      PodSecurityContext podContext = pod.getSecurityContext();
      assertEquals(true, podContext.getRunAsNonRoot());
      assertEquals(65532L, podContext.getRunAsUser());
      assertEquals(65532L, podContext.getRunAsGroup());
      assertEquals(65532L, podContext.getFsGroup());
      assertEquals("RuntimeDefault", podContext.getSeccompProfile().getType());
      assertEquals(false, pod.getAutomountServiceAccountToken());
      assertEquals(false, pod.getEnableServiceLinks());
      assertNull(pod.getHostNetwork());
      assertNull(pod.getHostPID());
      assertNull(pod.getHostIPC());
      assertEquals(1, pod.getContainers().size());
      assertNull(pod.getInitContainers().isEmpty() ? null : pod.getInitContainers());
      SecurityContext container = pod.getContainers().get(0).getSecurityContext();
      assertEquals(true, container.getRunAsNonRoot());
      assertEquals(65532L, container.getRunAsUser());
      assertEquals(true, container.getReadOnlyRootFilesystem());
      assertEquals(false, container.getAllowPrivilegeEscalation());
      assertEquals(false, container.getPrivileged());
      assertEquals(List.of("ALL"), container.getCapabilities().getDrop());
      assertTrue(container.getCapabilities().getAdd().isEmpty());
      assertEquals("RuntimeDefault", container.getSeccompProfile().getType());
      // The only writable path is /tmp, an emptyDir.
      assertEquals("/tmp", mount(pod, "tmp").getMountPath());
      assertNotNull(volume(pod, "tmp").getEmptyDir());
      for (Volume volume : pod.getVolumes()) {
        assertNull(volume.getHostPath(), volume.getName());
      }
    }
    ServiceAccount account =
        (ServiceAccount) only(HelmChart.render(Values.EXISTING_SECRETS), "ServiceAccount");
    assertEquals(false, account.getAutomountServiceAccountToken());
  }

  @Test
  void secretsAreMountedAsWholeDirectories_readOnly_neverSubPath() {
    for (String values : List.of(Values.EXISTING_SECRETS, Values.EVERY_TOGGLE)) {
      String rendered = HelmChart.template(values);
      assertFalse(
          rendered.contains("subPath"),
          "no subPath anywhere: a subPath mount never sees Secret updates");
      PodSpec pod = deployment(HelmChart.parse(rendered)).getSpec().getTemplate().getSpec();
      for (VolumeMount mount : pod.getContainers().get(0).getVolumeMounts()) {
        assertNull(mount.getSubPath(), mount.getName());
        assertNull(mount.getSubPathExpr(), mount.getName());
        if (!mount.getName().equals("tmp")) {
          assertEquals(true, mount.getReadOnly(), mount.getName() + " must be read-only");
        }
      }
      assertEquals("/var/run/secrets/codec/kek", mount(pod, "kek").getMountPath());
      assertEquals("/var/run/secrets/codec/callers", mount(pod, "callers").getMountPath());
      assertNull(
          volume(pod, "kek").getSecret().getItems().isEmpty() ? null : "items",
          "whole Secret, no items");
      assertEquals("/var/run/secrets/codec/kek", env(pod, "CODEC_KEK_DIR"));
      assertEquals("/var/run/secrets/codec/callers", env(pod, "CODEC_AUTH_TOKENS_DIR"));
      assertEquals("/etc/codec/codec.yaml", env(pod, "MICRONAUT_CONFIG_FILES"));
      assertEquals("/etc/codec", mount(pod, "config").getMountPath());
    }
    PodSpec existing = pod(HelmChart.render(Values.EXISTING_SECRETS));
    assertEquals("codec-kek", volume(existing, "kek").getSecret().getSecretName());
    assertEquals("codec-callers", volume(existing, "callers").getSecret().getSecretName());
    List<HasMetadata> created = HelmChart.render(Values.CHART_SECRETS);
    assertEquals("codec-kek", volume(pod(created), "kek").getSecret().getSecretName());
    assertEquals("codec-callers", volume(pod(created), "callers").getSecret().getSecretName());
    assertEquals(
        List.of("codec-callers", "codec-kek"),
        created.stream()
            .filter(Secret.class::isInstance)
            .map(o -> o.getMetadata().getName())
            .sorted()
            .toList());
  }

  @Test
  void probes_withTlsOff_areNativeGrpcOnTheGrpcPort() {
    Container container =
        pod(HelmChart.render(Values.EXISTING_SECRETS, Values.TLS_OFF)).getContainers().get(0);
    for (Probe probe :
        List.of(
            container.getStartupProbe(),
            container.getLivenessProbe(),
            container.getReadinessProbe())) {
      assertNotNull(probe.getGrpc());
      assertEquals(50051, probe.getGrpc().getPort());
      assertNull(probe.getHttpGet());
      assertNull(probe.getExec());
      assertNull(probe.getTcpSocket());
    }
    assertNull(container.getStartupProbe().getGrpc().getService());
    assertEquals("codec.v1.CodecService", container.getReadinessProbe().getGrpc().getService());
    assertEquals(
        Map.of("grpc", 50051, "metrics", 8081),
        container.getPorts().stream()
            .collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort())));
    assertEquals("50051", env(pod(HelmChart.render(Values.EXISTING_SECRETS)), "GRPC_SERVER_PORT"));
    assertEquals(
        "8081", env(pod(HelmChart.render(Values.EXISTING_SECRETS)), "CODEC_MANAGEMENT_PORT"));
    assertNotNull(container.getResources().getRequests().get("cpu"));
    assertNotNull(container.getResources().getLimits().get("memory"));
  }

  /**
   * The kubelet's gRPC probe speaks plaintext only: against a TLS server it never passes. With TLS
   * on (the default) every probe is an HTTP GET of /health on the management port, which is plain
   * HTTP and UP exactly when gRPC health is SERVING. (PodExecutionTest runs these probes against
   * the real image.)
   */
  @Test
  void probes_withTlsOn_areHttpHealthOnTheManagementPort_neverGrpc() {
    for (String values :
        List.of(
            Values.EXISTING_SECRETS,
            Values.EVERY_TOGGLE,
            Values.EXISTING_SECRETS + Values.CERT_MANAGER)) {
      Container container = pod(HelmChart.render(values)).getContainers().get(0);
      for (Probe probe :
          List.of(
              container.getStartupProbe(),
              container.getLivenessProbe(),
              container.getReadinessProbe())) {
        assertNull(probe.getGrpc(), "a gRPC probe cannot pass against a TLS server");
        assertEquals("/health", probe.getHttpGet().getPath());
        assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
        assertEquals("HTTP", probe.getHttpGet().getScheme());
      }
      assertEquals(30, container.getStartupProbe().getFailureThreshold());
    }
  }

  @Test
  void deployment_rollsWithoutLosingCapacity_andOutlastsTheShutdownGrace() {
    Deployment deployment = deployment(HelmChart.render(Values.EXISTING_SECRETS));
    assertEquals(2, deployment.getSpec().getReplicas());
    assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
    assertEquals(
        0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals(1, pod.getTopologySpreadConstraints().size());
    var spread = pod.getTopologySpreadConstraints().get(0);
    assertEquals("kubernetes.io/hostname", spread.getTopologyKey());
    assertEquals("ScheduleAnyway", spread.getWhenUnsatisfiable());
    assertEquals(POD_SELECTOR, spread.getLabelSelector().getMatchLabels());
    assertEquals(30L, pod.getTerminationGracePeriodSeconds());
    assertTrue(configYaml(HelmChart.render(Values.EXISTING_SECRETS)).contains("grace: 20s"));

    List<HasMetadata> longer =
        HelmChart.render(Values.EXISTING_SECRETS, "config: {shutdownGraceSeconds: 45}");
    assertEquals(55L, pod(longer).getTerminationGracePeriodSeconds());
    assertTrue(configYaml(longer).contains("grace: 45s"));
  }

  @Test
  void configMap_carriesAuthAndCallerPermissions() {
    String config =
        configYaml(
            HelmChart.render(
                Values.EXISTING_SECRETS,
                """
                auth:
                  callers:
                    billing:
                      permissions: [decrypt, export-dek]
                """));
    Map<String, Object> parsed = Serialization.unmarshal(config, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> auth =
        (Map<String, Object>) ((Map<String, Object>) parsed.get("codec")).get("auth");
    assertEquals(true, auth.get("enabled"));
    assertEquals(
        Map.of(
            "control-api",
            Map.of("permissions", List.of("encrypt", "grant")),
            "runner",
            Map.of("permissions", List.of("decrypt")),
            "billing",
            Map.of("permissions", List.of("decrypt", "export-dek"))),
        auth.get("callers"));
  }

  @Test
  void seals_areRequiredByDefault_enc1Accepted_andBothConfigurable() {
    List<HasMetadata> defaults = HelmChart.render(Values.EXISTING_SECRETS);
    assertEquals(Map.of("required", true), codecConfig(defaults, "seals"));
    assertEquals(Map.of("accept-enc1", true), codecConfig(defaults, "formats"));

    List<HasMetadata> migrating =
        HelmChart.render(
            Values.EXISTING_SECRETS, "seals: {required: false}\nformats: {acceptEnc1: false}");
    assertEquals(Map.of("required", false), codecConfig(migrating, "seals"));
    assertEquals(Map.of("accept-enc1", false), codecConfig(migrating, "formats"));
    assertThrows(
        RuntimeException.class,
        () -> HelmChart.render(Values.EXISTING_SECRETS, "seals: {required: maybe}"));
    assertThrows(
        RuntimeException.class,
        () -> HelmChart.render(Values.EXISTING_SECRETS, "formats: {acceptEnc2: true}"));
  }

  @Test
  void configMap_carriesCertificateNames_onlyForCallersThatNameThem() {
    String config =
        configYaml(
            HelmChart.render(
                Values.EXISTING_SECRETS,
                "tls: {clientAuth: REQUIRE}",
                """
                auth:
                  callers:
                    runner:
                      certificateNames: ["spiffe://cluster.local/ns/ci/sa/runner", runner.ci.svc]
                """));
    Map<String, Object> parsed = Serialization.unmarshal(config, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> callers =
        (Map<String, Object>)
            ((Map<String, Object>) ((Map<String, Object>) parsed.get("codec")).get("auth"))
                .get("callers");
    assertEquals(
        Map.of(
            "permissions",
            List.of("decrypt"),
            "certificate-names",
            List.of("spiffe://cluster.local/ns/ci/sa/runner", "runner.ci.svc")),
        callers.get("runner"));
    // a caller without certificateNames is reachable by token only: nothing that names it by
    // certificate
    assertEquals(Map.of("permissions", List.of("encrypt", "grant")), callers.get("control-api"));
    assertThrows(
        RuntimeException.class,
        () ->
            HelmChart.render(
                Values.EXISTING_SECRETS, "auth: {callers: {runner: {certificateNames: runner}}}"));
  }

  @Test
  void grants_areRequiredByDefault_withTheMaxTtl_andConfigurable() {
    Map<String, Object> grants = codecConfig(HelmChart.render(Values.EXISTING_SECRETS), "grants");
    assertEquals(Map.of("required", true, "max-ttl", "24h"), grants);

    assertEquals(
        Map.of("required", false, "max-ttl", "2h"),
        codecConfig(
            HelmChart.render(Values.EXISTING_SECRETS, "grants: {required: false, maxTtl: 2h}"),
            "grants"));
    assertThrows(
        RuntimeException.class,
        () -> HelmChart.render(Values.EXISTING_SECRETS, "grants: {maxTtl: forever}"));
    assertThrows(
        RuntimeException.class,
        () ->
            HelmChart.render(
                Values.EXISTING_SECRETS, "auth: {callers: {x: {permissions: [grant-all]}}}"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> codecConfig(List<HasMetadata> objects, String key) {
    Map<String, Object> parsed = Serialization.unmarshal(configYaml(objects), Map.class);
    return (Map<String, Object>) ((Map<String, Object>) parsed.get("codec")).get(key);
  }

  @Test
  void authOff_needsNoTokens_andMountsNone() {
    List<HasMetadata> objects =
        HelmChart.render(
            "kek: {existingSecret: codec-kek}",
            "auth: {enabled: false}",
            "tls: {existingSecret: codec-tls}");
    PodSpec pod = pod(objects);
    assertTrue(pod.getVolumes().stream().noneMatch(v -> v.getName().equals("callers")));
    assertNull(envOrNull(pod, "CODEC_AUTH_TOKENS_DIR"));
    assertTrue(configYaml(objects).contains("enabled: false"));
  }

  @Test
  void tls_mountsTheCertificateSecretAsADirectory() {
    PodSpec pod = pod(HelmChart.render(Values.EVERY_TOGGLE));
    assertEquals(0440, volume(pod, "tls").getSecret().getDefaultMode());
    assertEquals("codec-tls", volume(pod, "tls").getSecret().getSecretName());
    assertEquals("/var/run/secrets/codec/tls", mount(pod, "tls").getMountPath());
    assertEquals("/var/run/secrets/codec/tls/tls.crt", env(pod, "CODEC_TLS_CERT"));
    assertEquals("/var/run/secrets/codec/tls/tls.key", env(pod, "CODEC_TLS_KEY"));
    assertEquals("/var/run/secrets/codec/tls/ca.crt", env(pod, "CODEC_TLS_CLIENT_CA"));
    assertEquals("REQUIRE", env(pod, "CODEC_TLS_CLIENT_AUTH"));
    assertNull(
        envOrNull(
            pod(HelmChart.render(Values.EXISTING_SECRETS, Values.TLS_OFF)), "CODEC_TLS_CERT"));
    assertNull(envOrNull(pod(HelmChart.render(Values.EXISTING_SECRETS)), "CODEC_TLS_CLIENT_AUTH"));
  }

  @Test
  void networkPolicy_admitsOnlyTheCallersAndMonitoring_andDeniesAllEgress() {
    NetworkPolicy policy =
        (NetworkPolicy) only(HelmChart.render(Values.EXISTING_SECRETS), "NetworkPolicy");
    assertEquals(POD_SELECTOR, policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
    assertTrue(policy.getSpec().getEgress().isEmpty(), "egress must have no rule at all");
    List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
    assertEquals(2, ingress.size());

    NetworkPolicyIngressRule grpc = ingress.get(0);
    assertEquals(
        List.of("grpc"), grpc.getPorts().stream().map(p -> p.getPort().getStrVal()).toList());
    assertEquals(
        List.of(Map.of("app", "control-api"), Map.of("role", "runner")),
        grpc.getFrom().stream().map(p -> p.getPodSelector().getMatchLabels()).toList());
    assertTrue(
        grpc.getFrom().stream()
            .allMatch(p -> p.getNamespaceSelector() == null && p.getIpBlock() == null),
        "without namespaceSelector only pods of the release namespace match");

    NetworkPolicyIngressRule metrics = ingress.get(1);
    assertEquals(
        List.of("metrics"), metrics.getPorts().stream().map(p -> p.getPort().getStrVal()).toList());
    NetworkPolicyPeer monitoring = metrics.getFrom().get(0);
    assertEquals(
        Map.of("app.kubernetes.io/name", "prometheus"),
        monitoring.getPodSelector().getMatchLabels());
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "monitoring"),
        monitoring.getNamespaceSelector().getMatchLabels());

    // The named ports exist on the container.
    assertEquals(
        List.of("grpc", "metrics"),
        pod(HelmChart.render(Values.EXISTING_SECRETS)).getContainers().get(0).getPorts().stream()
            .map(p -> p.getName())
            .toList());
  }

  @Test
  void networkPolicy_namespaceSelectorsPerPeer_andOff() {
    NetworkPolicy policy =
        (NetworkPolicy) only(HelmChart.render(Values.EVERY_TOGGLE), "NetworkPolicy");
    List<NetworkPolicyPeer> peers = policy.getSpec().getIngress().get(0).getFrom();
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "control"),
        peers.get(0).getNamespaceSelector().getMatchLabels());
    assertEquals(
        Map.of("codec.dev/runners", "true"), peers.get(1).getNamespaceSelector().getMatchLabels());
    assertTrue(policy.getSpec().getEgress().isEmpty());

    assertTrue(
        HelmChart.render(Values.EXISTING_SECRETS, "networkPolicy: {enabled: false}").stream()
            .noneMatch(NetworkPolicy.class::isInstance));
  }

  @Test
  void tracingOn_opensEgressToTheCollectorPortAndDnsOnly_andConfiguresTheServer() {
    List<HasMetadata> objects = HelmChart.render(Values.EXISTING_SECRETS, Values.TRACING);
    NetworkPolicy policy = (NetworkPolicy) only(objects, "NetworkPolicy");
    List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule> egress =
        policy.getSpec().getEgress();
    assertEquals(2, egress.size(), egress.toString());
    assertEquals(
        List.of(14318),
        egress.get(0).getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
    assertEquals(
        List.of("TCP"), egress.get(0).getPorts().stream().map(p -> p.getProtocol()).toList());
    NetworkPolicyPeer collector = egress.get(0).getTo().get(0);
    assertEquals(
        Map.of("app.kubernetes.io/name", "opentelemetry-collector"),
        collector.getPodSelector().getMatchLabels());
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "observability"),
        collector.getNamespaceSelector().getMatchLabels());
    assertEquals(
        List.of(53, 53),
        egress.get(1).getPorts().stream().map(p -> p.getPort().getIntVal()).toList());
    assertEquals(
        List.of("UDP", "TCP"),
        egress.get(1).getPorts().stream().map(p -> p.getProtocol()).toList());
    assertEquals(
        Map.of("k8s-app", "kube-dns"),
        egress.get(1).getTo().get(0).getPodSelector().getMatchLabels());
    assertTrue(
        egress.stream().allMatch(rule -> !rule.getTo().isEmpty()),
        "every egress rule names its peers");

    Map<String, Object> tracing = codecConfig(objects, "tracing");
    assertEquals(
        Map.of(
            "enabled",
            true,
            "endpoint",
            "http://otel-collector.observability:4318/v1/traces",
            "sample-ratio",
            0.25),
        tracing);
    assertNull(
        codecConfig(
            HelmChart.render(Values.EXISTING_SECRETS), "tracing")); // off: the server default
  }

  @Test
  void tracingOn_withAnIpEndpoint_canDropDns_andNeedsAnEndpoint() {
    NetworkPolicy policy =
        (NetworkPolicy)
            only(
                HelmChart.render(Values.EXISTING_SECRETS, Values.TRACING, "tracing: {dnsTo: []}"),
                "NetworkPolicy");
    assertEquals(1, policy.getSpec().getEgress().size());

    Exception noEndpoint =
        assertThrows(
            Exception.class,
            () -> HelmChart.template(Values.EXISTING_SECRETS, "tracing: {enabled: true}"));
    assertTrue(noEndpoint.getMessage().contains("tracing.endpoint"), noEndpoint.getMessage());
    assertThrows(
        RuntimeException.class,
        () ->
            HelmChart.render(
                Values.EXISTING_SECRETS,
                Values.TRACING,
                "tracing: {endpoint: \"otel-collector:4318\"}")); // not a URL (schema)
    assertThrows(
        RuntimeException.class,
        () ->
            HelmChart.render(
                Values.EXISTING_SECRETS,
                Values.TRACING,
                "tracing: {endpoint: \"http://user:pw@otel-collector:4318/v1/traces\"}")); // credentials (schema)
    assertThrows(
        RuntimeException.class,
        () ->
            HelmChart.render(Values.EXISTING_SECRETS, Values.TRACING, "tracing: {sampleRatio: 2}"));
  }

  @Test
  void podDisruptionBudget_andHeadlessService_selectTheCodecPods() {
    List<HasMetadata> objects = HelmChart.render(Values.EXISTING_SECRETS);
    Map<String, String> podLabels =
        deployment(objects).getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(POD_SELECTOR.entrySet()));

    PodDisruptionBudget pdb = (PodDisruptionBudget) only(objects, "PodDisruptionBudget");
    assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
    assertEquals(POD_SELECTOR, pdb.getSpec().getSelector().getMatchLabels());

    Service headless = service(objects, "codec-headless");
    assertEquals("None", headless.getSpec().getClusterIP());
    assertEquals(false, headless.getSpec().getPublishNotReadyAddresses());
    assertEquals(POD_SELECTOR, headless.getSpec().getSelector());
    assertEquals(
        List.of(50051), headless.getSpec().getPorts().stream().map(p -> p.getPort()).toList());

    Service service = service(objects, "codec");
    assertEquals("ClusterIP", service.getSpec().getType());
    assertEquals(POD_SELECTOR, service.getSpec().getSelector());
    assertEquals(
        Map.of("grpc", 50051, "metrics", 8081),
        service.getSpec().getPorts().stream()
            .collect(Collectors.toMap(p -> p.getName(), p -> p.getPort())));
  }

  @Test
  void hpaAndServiceMonitor_whenEnabled() {
    List<HasMetadata> objects = HelmChart.render(Values.EVERY_TOGGLE);
    assertNull(deployment(objects).getSpec().getReplicas(), "the HPA owns the replica count");
    HorizontalPodAutoscaler hpa =
        (HorizontalPodAutoscaler) only(objects, "HorizontalPodAutoscaler");
    assertEquals("autoscaling/v2", hpa.getApiVersion());
    assertEquals("codec", hpa.getSpec().getScaleTargetRef().getName());
    assertEquals(3, hpa.getSpec().getMinReplicas());
    assertEquals(9, hpa.getSpec().getMaxReplicas());

    GenericKubernetesResource monitor = (GenericKubernetesResource) only(objects, "ServiceMonitor");
    assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
    assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release"));
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertEquals(1, endpoints.size());
    assertEquals("metrics", endpoints.get(0).get("port"));
    assertEquals("/metrics", endpoints.get(0).get("path"));
    Map<String, Object> selector = monitor.get("spec", "selector");
    assertEquals(POD_SELECTOR, selector.get("matchLabels"));

    assertTrue(
        HelmChart.render(Values.EXISTING_SECRETS).stream()
            .noneMatch(
                o -> o instanceof HorizontalPodAutoscaler || o.getKind().equals("ServiceMonitor")));
  }

  @Test
  void checksumAnnotations_changeWhenConfigOrChartSecretsChange() {
    Map<String, String> base = podAnnotations(HelmChart.render(Values.CHART_SECRETS));
    assertTrue(base.get("checksum/config").matches("[0-9a-f]{64}"), base.toString());
    assertTrue(base.get("checksum/secrets").matches("[0-9a-f]{64}"), base.toString());

    Map<String, String> otherCallers =
        podAnnotations(
            HelmChart.render(
                Values.CHART_SECRETS,
                "auth: {callers: {runner: {permissions: [decrypt, export-dek]}}}"));
    assertNotEquals(base.get("checksum/config"), otherCallers.get("checksum/config"));
    assertEquals(base.get("checksum/secrets"), otherCallers.get("checksum/secrets"));

    Map<String, String> otherToken =
        podAnnotations(
            HelmChart.render(
                Values.CHART_SECRETS, "auth: {tokens: {runner: tok-runner-rotated-9b8a7c6d5e4f}}"));
    assertNotEquals(base.get("checksum/secrets"), otherToken.get("checksum/secrets"));
    assertEquals(base.get("checksum/config"), otherToken.get("checksum/config"));

    Map<String, String> otherKek =
        podAnnotations(
            HelmChart.render(Values.CHART_SECRETS, "kek: {keys: {\"3\": " + Values.KEK_1 + "}}"));
    assertNotEquals(base.get("checksum/secrets"), otherKek.get("checksum/secrets"));
  }

  @Test
  void secretMaterial_appearsOnlyInSecretData() {
    String[] secrets = {Values.KEK_1, Values.KEK_2, Values.CONTROL_API_TOKEN, Values.RUNNER_TOKEN};
    List<HasMetadata> objects = HelmChart.render(Values.EVERY_TOGGLE);
    for (HasMetadata object : objects) {
      if (object instanceof Secret secret) {
        String metadata = Serialization.asYaml(secret.getMetadata());
        for (String material : secrets) {
          assertFalse(
              metadata.contains(material) || metadata.contains(b64(material)), "Secret metadata");
        }
        assertNull(secret.getStringData().isEmpty() ? null : secret.getStringData());
        continue;
      }
      String text = Serialization.asYaml(object);
      for (String material : secrets) {
        assertFalse(text.contains(material), describe(object) + " contains secret material");
        assertFalse(
            text.contains(b64(material)), describe(object) + " contains base64 secret material");
      }
    }
    Secret kek =
        (Secret)
            objects.stream()
                .filter(o -> o.getMetadata().getName().equals("codec-kek"))
                .findFirst()
                .orElseThrow();
    assertEquals(Map.of("1", Values.KEK_1, "2", Values.KEK_2), decode(kek.getData()));
    Secret callers =
        (Secret)
            objects.stream()
                .filter(o -> o.getMetadata().getName().equals("codec-callers"))
                .findFirst()
                .orElseThrow();
    assertEquals(
        Map.of("control-api", Values.CONTROL_API_TOKEN, "runner", Values.RUNNER_TOKEN),
        decode(callers.getData()));
  }

  @Test
  void rendering_failsClearly_withoutAKek() {
    Exception noKek =
        assertThrows(
            Exception.class, () -> HelmChart.template("auth: {existingSecret: codec-callers}"));
    assertTrue(
        noKek.getMessage().contains("codec: no KEK configured. Set kek.existingSecret"),
        noKek.getMessage());

    Exception noTokens =
        assertThrows(Exception.class, () -> HelmChart.template("kek: {existingSecret: codec-kek}"));
    assertTrue(
        noTokens.getMessage().contains("no caller tokens are configured. Set auth.existingSecret"),
        noTokens.getMessage());

    Exception noTlsSecret =
        assertThrows(
            Exception.class,
            () ->
                HelmChart.template(
                    "kek: {existingSecret: codec-kek}", "auth: {existingSecret: codec-callers}"));
    assertTrue(
        noTlsSecret
            .getMessage()
            .contains(
                "codec: tls.enabled is true (the default) but no certificate is "
                    + "configured. Set tls.existingSecret"),
        noTlsSecret.getMessage());
    assertTrue(
        noTlsSecret.getMessage().contains("tls.certManager.issuerRef"), noTlsSecret.getMessage());
    assertTrue(
        noTlsSecret.getMessage().contains("set tls.enabled=false explicitly"),
        noTlsSecret.getMessage());

    Exception both =
        assertThrows(
            Exception.class,
            () ->
                HelmChart.template(
                    Values.EXISTING_SECRETS, "tls: {certManager: {issuerRef: {name: codec-ca}}}"));
    assertTrue(
        both.getMessage().contains("tls.existingSecret and tls.certManager.issuerRef are both set"),
        both.getMessage());

    Exception unnamed =
        assertThrows(
            Exception.class,
            () ->
                HelmChart.template(
                    Values.EXISTING_SECRETS,
                    "tls: {existingSecret: '', certManager: {issuerRef: {kind: ClusterIssuer}}}"));
    assertTrue(
        unnamed.getMessage().contains("tls.certManager.issuerRef needs a name"),
        unnamed.getMessage());
  }

  @Test
  void schema_rejectsAMalformedKek() {
    Exception error =
        assertThrows(
            Exception.class,
            () -> HelmChart.template(Values.EXISTING_SECRETS, "kek: {keys: {\"1\": not-base64}}"));
    assertTrue(error.getMessage().contains("kek.keys"), error.getMessage());
  }

  @Test
  void tls_isOnByDefault_andOffOnlyExplicitly_withAWarningInTheNotes() {
    PodSpec pod = pod(HelmChart.render(Values.EXISTING_SECRETS));
    assertEquals("/var/run/secrets/codec/tls/tls.crt", env(pod, "CODEC_TLS_CERT"));
    assertEquals("codec-tls", volume(pod, "tls").getSecret().getSecretName());
    String notes = HelmChart.notes(Values.EXISTING_SECRETS);
    assertTrue(notes.contains("codec.codec.svc:50051 (TLS)"), notes);
    assertFalse(notes.contains("WARNING: tls.enabled is false"), notes);

    PodSpec plain = pod(HelmChart.render(Values.EXISTING_SECRETS, Values.TLS_OFF));
    assertTrue(plain.getVolumes().stream().noneMatch(v -> v.getName().equals("tls")));
    String plainNotes = HelmChart.notes(Values.EXISTING_SECRETS, Values.TLS_OFF);
    assertTrue(
        plainNotes.contains("WARNING: tls.enabled is false: gRPC is plaintext, so caller tokens"),
        plainNotes);
  }

  @Test
  void certManager_rendersACertificateForTheServiceNames_andThePodsMountItsSecret() {
    List<HasMetadata> objects =
        HelmChart.render(
            Values.EXISTING_SECRETS,
            Values.CERT_MANAGER,
            "tls: {certManager: {extraDnsNames: [codec.example.com]}}");
    GenericKubernetesResource certificate =
        (GenericKubernetesResource) only(objects, "Certificate");
    assertEquals("cert-manager.io/v1", certificate.getApiVersion());
    assertEquals("codec", certificate.getMetadata().getName());
    assertEquals("codec-tls", certificate.<String>get("spec", "secretName"));
    assertEquals(
        List.of(
            "codec",
            "codec.codec",
            "codec.codec.svc",
            "codec.codec.svc.cluster.local",
            "codec-headless",
            "codec-headless.codec",
            "codec-headless.codec.svc",
            "codec-headless.codec.svc.cluster.local",
            "codec.example.com"),
        certificate.get("spec", "dnsNames"));
    assertEquals(
        Map.of("name", "codec-ca", "kind", "ClusterIssuer"), certificate.get("spec", "issuerRef"));
    assertEquals(
        Map.of("algorithm", "ECDSA", "size", 256, "encoding", "PKCS8", "rotationPolicy", "Always"),
        certificate.get("spec", "privateKey"));
    assertTrue(certificate.<List<String>>get("spec", "usages").contains("server auth"));
    assertEquals("2160h", certificate.<String>get("spec", "duration"));
    assertEquals("360h", certificate.<String>get("spec", "renewBefore"));
    GenericKubernetesResource custom =
        (GenericKubernetesResource)
            only(
                HelmChart.render(
                    Values.EXISTING_SECRETS,
                    Values.CERT_MANAGER,
                    "tls: {certManager: {duration: 720h, renewBefore: 48h, privateKey: {algorithm: RSA,"
                        + " size: 3072, encoding: PKCS1}}}"),
                "Certificate");
    assertEquals("720h", custom.<String>get("spec", "duration"));
    assertEquals("48h", custom.<String>get("spec", "renewBefore"));
    assertEquals(
        Map.of("algorithm", "RSA", "size", 3072, "encoding", "PKCS1", "rotationPolicy", "Always"),
        custom.get("spec", "privateKey"));
    PodSpec pod = pod(objects);
    assertEquals("codec-tls", volume(pod, "tls").getSecret().getSecretName());
    assertEquals("/var/run/secrets/codec/tls/tls.key", env(pod, "CODEC_TLS_KEY"));
    assertTrue(
        HelmChart.notes(Values.EXISTING_SECRETS, Values.CERT_MANAGER)
            .contains("(issued by cert-manager: Certificate codec)"));

    assertTrue(
        HelmChart.render(Values.EXISTING_SECRETS).stream()
            .noneMatch(o -> o.getKind().equals("Certificate")));
    assertTrue(
        HelmChart.render(Values.EXISTING_SECRETS, Values.CERT_MANAGER, Values.TLS_OFF).stream()
            .noneMatch(o -> o.getKind().equals("Certificate")));
  }

  @Test
  void chartCreatedSecrets_areKeptByHelmUninstall() {
    List<Secret> secrets =
        HelmChart.render(Values.CHART_SECRETS).stream()
            .filter(Secret.class::isInstance)
            .map(Secret.class::cast)
            .toList();
    assertEquals(2, secrets.size());
    for (Secret secret : secrets) {
      assertEquals(
          "keep",
          secret.getMetadata().getAnnotations().get("helm.sh/resource-policy"),
          secret.getMetadata().getName());
    }
  }

  @Test
  void kekVolume_replacesTheKekSecret_forExampleACsiSecretsStore() {
    String csi =
        """
                kek:
                  existingSecret: ""
                  volume:
                    csi:
                      driver: secrets-store.csi.k8s.io
                      readOnly: true
                      volumeAttributes:
                        secretProviderClass: codec-kek
                """;
    List<HasMetadata> objects = HelmChart.render(Values.EXISTING_SECRETS, csi);
    Volume kek = volume(pod(objects), "kek");
    assertNull(kek.getSecret());
    assertEquals("secrets-store.csi.k8s.io", kek.getCsi().getDriver());
    assertEquals(Map.of("secretProviderClass", "codec-kek"), kek.getCsi().getVolumeAttributes());
    assertEquals("/var/run/secrets/codec/kek", mount(pod(objects), "kek").getMountPath());
    // Keys in the values are not turned into a Secret nobody mounts.
    assertTrue(
        HelmChart.render(Values.CHART_SECRETS, csi).stream()
            .noneMatch(o -> o.getMetadata().getName().equals("codec-kek")));
    assertTrue(
        HelmChart.notes(Values.EXISTING_SECRETS, csi)
            .contains("KEK directory: the volume in kek.volume"));
  }

  @Test
  void extraVolumesAndMounts_areAddedAfterTheChartsOwn() {
    PodSpec pod = pod(HelmChart.render(Values.EVERY_TOGGLE));
    assertEquals("extra-ca", volume(pod, "extra-ca").getConfigMap().getName());
    assertEquals("/etc/codec-extra", mount(pod, "extra-ca").getMountPath());
    assertEquals(true, mount(pod, "extra-ca").getReadOnly());
    assertEquals(
        List.of("tmp", "config", "kek", "callers", "tls", "extra-ca"),
        pod.getVolumes().stream().map(Volume::getName).toList());
    Exception subPath =
        assertThrows(
            Exception.class,
            () ->
                HelmChart.template(
                    Values.EXISTING_SECRETS,
                    "extraVolumeMounts: [{name: x, mountPath: /x, subPath: y}]"));
    assertTrue(subPath.getMessage().contains("subPath"), subPath.getMessage());
  }

  @Test
  void securityContexts_areHardenedByDefault_andOverridable_forOpenShift() {
    PodSpec openShift =
        pod(
            HelmChart.render(
                Values.EXISTING_SECRETS,
                """
                podSecurityContext:
                  runAsUser: null
                  runAsGroup: null
                  fsGroup: null
                containerSecurityContext:
                  runAsUser: null
                  runAsGroup: null
                """));
    PodSecurityContext podContext = openShift.getSecurityContext();
    assertNull(podContext.getRunAsUser());
    assertNull(podContext.getRunAsGroup());
    assertNull(podContext.getFsGroup());
    assertEquals(true, podContext.getRunAsNonRoot());
    assertEquals("RuntimeDefault", podContext.getSeccompProfile().getType());
    SecurityContext container = openShift.getContainers().get(0).getSecurityContext();
    assertNull(container.getRunAsUser());
    assertEquals(true, container.getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), container.getCapabilities().getDrop());
    assertEquals(false, container.getAllowPrivilegeEscalation());

    SecurityContext custom =
        pod(HelmChart.render(
                Values.EXISTING_SECRETS, "containerSecurityContext: {runAsUser: 1000700000}"))
            .getContainers()
            .get(0)
            .getSecurityContext();
    assertEquals(1000700000L, custom.getRunAsUser());
    assertEquals(true, custom.getReadOnlyRootFilesystem(), "the other hardened defaults stay");
  }

  @Test
  void topologySpreadConstraints_areAList_withThePodSelectorAddedWhenMissing() {
    PodSpec pod =
        pod(
            HelmChart.render(
                Values.EXISTING_SECRETS,
                """
                topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: kubernetes.io/hostname
                    whenUnsatisfiable: DoNotSchedule
                  - maxSkew: 2
                    topologyKey: topology.kubernetes.io/zone
                    whenUnsatisfiable: ScheduleAnyway
                    labelSelector:
                      matchLabels:
                        tier: secrets
                """));
    var constraints = pod.getTopologySpreadConstraints();
    assertEquals(2, constraints.size());
    assertEquals("DoNotSchedule", constraints.get(0).getWhenUnsatisfiable());
    assertEquals(POD_SELECTOR, constraints.get(0).getLabelSelector().getMatchLabels());
    assertEquals("topology.kubernetes.io/zone", constraints.get(1).getTopologyKey());
    assertEquals(2, constraints.get(1).getMaxSkew());
    assertEquals(Map.of("tier", "secrets"), constraints.get(1).getLabelSelector().getMatchLabels());
    assertTrue(
        pod(HelmChart.render(Values.EXISTING_SECRETS, "topologySpreadConstraints: []"))
            .getTopologySpreadConstraints()
            .isEmpty());
  }

  @Test
  void prometheusRule_isOffByDefault_andCarriesEveryAlertWithItsThresholds() {
    assertTrue(
        HelmChart.render(Values.EXISTING_SECRETS).stream()
            .noneMatch(o -> o.getKind().equals("PrometheusRule")));
    GenericKubernetesResource rule =
        (GenericKubernetesResource)
            only(
                HelmChart.render(
                    Values.EVERY_TOGGLE,
                    "prometheusRule: {decryptFailureRatio: 0.25, authFailuresPerSecond: 3}"),
                "PrometheusRule");
    assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
    assertEquals("kube-prometheus-stack", rule.getMetadata().getLabels().get("release"));
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
    assertEquals(
        List.of(
            "CodecDecryptFailureRatioHigh",
            "CodecAuthFailureSpike",
            "CodecUnwrapOrDecryptFailures",
            "CodecKekReloadFailing",
            "CodecKekFingerprintMismatch",
            "CodecNotServing"),
        rules.stream().map(r -> r.get("alert")).toList());
    for (Map<String, Object> alert : rules) {
      @SuppressWarnings("unchecked")
      Map<String, Object> labels = (Map<String, Object>) alert.get("labels");
      assertEquals("platform", labels.get("team"), alert.get("alert").toString());
      assertTrue(
          alert.get("expr").toString().contains("namespace=\"codec\",job=\"codec\""),
          alert.toString());
    }
    assertTrue(rules.get(0).get("expr").toString().contains(") > 0.25"), rules.get(0).toString());
    assertTrue(rules.get(1).get("expr").toString().contains("[5m])) > 3"), rules.get(1).toString());
  }

  // ---- helpers

  private static Map<String, String> decode(Map<String, String> data) {
    return data.entrySet().stream()
        .collect(
            Collectors.toMap(
                Map.Entry::getKey,
                e -> new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8)));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> podAnnotations(List<HasMetadata> objects) {
    return deployment(objects).getSpec().getTemplate().getMetadata().getAnnotations();
  }

  private static String configYaml(List<HasMetadata> objects) {
    return ((ConfigMap) only(objects, "ConfigMap")).getData().get("codec.yaml");
  }

  private static HasMetadata only(List<HasMetadata> objects, String kind) {
    List<HasMetadata> matching = objects.stream().filter(o -> o.getKind().equals(kind)).toList();
    assertEquals(1, matching.size(), "exactly one " + kind);
    return matching.get(0);
  }

  private static Deployment deployment(List<HasMetadata> objects) {
    return (Deployment) only(objects, "Deployment");
  }

  private static PodSpec pod(List<HasMetadata> objects) {
    return deployment(objects).getSpec().getTemplate().getSpec();
  }

  private static Service service(List<HasMetadata> objects, String name) {
    return (Service)
        objects.stream()
            .filter(o -> o instanceof Service && o.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Service " + name));
  }

  private static VolumeMount mount(PodSpec pod, String name) {
    return pod.getContainers().get(0).getVolumeMounts().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volumeMount " + name));
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static String env(PodSpec pod, String name) {
    return Optional.ofNullable(envOrNull(pod, name))
        .orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static String envOrNull(PodSpec pod, String name) {
    return pod.getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getName();
  }
}
