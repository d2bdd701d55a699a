package dev.codec.deploy.pod;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the single container of a rendered Deployment's pod with podman as the kubelet would, from
 * the parsed object and nothing else: its image and args, env, security context (pod and container,
 * merged as Kubernetes does), volumes laid out like the kubelet's atomic writer (a timestamped
 * folder, a {@code ..data} link to it, one link per key; {@code defaultMode}/item modes,
 * group-owned by {@code fsGroup} with group read added), emptyDirs as tmpfs of their sizeLimit, the
 * memory limit, then its probes run as the kubelet runs them and SIGTERM with the pod's grace
 * period. The pod shares the host network (concurrent tests pick free ports through the values), so
 * the probes reach it on 127.0.0.1 as the kubelet reaches the pod IP.
 *
 * <p>Anything the pod asks for that this cannot honour (another volume type, valueFrom, exec
 * probes, hostPort, subPath, a privileged container, more than one container) fails the test rather
 * than being ignored.
 */
public final class KubeletPod implements AutoCloseable {
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.SSSSSSSSS");

  private final String name;
  private final Container container;
  private final long graceSeconds;
  private final long startedNanos;
  private boolean stopped;

  private KubeletPod(String name, Container container, long graceSeconds) {
    this.name = name;
    this.container = container;
    this.graceSeconds = graceSeconds;
    this.startedNanos = System.nanoTime();
  }

  /**
   * Starts the pod of {@code deployment} with {@code image} (the rendered image reference is
   * checked to be it).
   *
   * @param configMaps ConfigMaps in the "namespace", by name
   * @param secrets Secrets in the "namespace", by name: key -> bytes
   */
  public static KubeletPod start(
      Deployment deployment,
      String image,
      Map<String, ConfigMap> configMaps,
      Map<String, Map<String, byte[]>> secrets,
      Path workDir)
      throws IOException {
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    require(pod.getContainers().size() == 1, "one container, got " + pod.getContainers().size());
    require(pod.getInitContainers().isEmpty(), "init containers are not run here");
    require(
        !Boolean.TRUE.equals(pod.getHostNetwork())
            && !Boolean.TRUE.equals(pod.getHostPID())
            && !Boolean.TRUE.equals(pod.getHostIPC()),
        "host namespaces");
    require(
        Boolean.FALSE.equals(pod.getAutomountServiceAccountToken()),
        "automountServiceAccountToken must be false (no token is mounted here)");
    Container container = pod.getContainers().get(0);
    require(
        image.equals(container.getImage()),
        "the pod runs " + container.getImage() + ", expected " + image);
    String name = "codec-pod-" + Long.toHexString(System.nanoTime());
    List<String> run =
        new ArrayList<>(List.of("run", "-d", "--pull=never", "--name", name, "--network", "host"));

    // Security context: the container's fields override the pod's.
    PodSecurityContext podContext =
        Optional.ofNullable(pod.getSecurityContext()).orElseGet(PodSecurityContext::new);
    SecurityContext context =
        Optional.ofNullable(container.getSecurityContext()).orElseGet(SecurityContext::new);
    Long uid = first(context.getRunAsUser(), podContext.getRunAsUser());
    Long gid = first(context.getRunAsGroup(), podContext.getRunAsGroup());
    Boolean nonRoot = first(context.getRunAsNonRoot(), podContext.getRunAsNonRoot());
    Long fsGroup = podContext.getFsGroup();
    if (Boolean.TRUE.equals(nonRoot)) {
      require(uid == null || uid != 0, "runAsNonRoot with runAsUser 0");
      String imageUser =
          Podman.run(60, "image", "inspect", "--format", "{{.Config.User}}", image)
              .ok("inspect")
              .output()
              .trim();
      require(
          uid != null || imageUser.matches("[1-9][0-9]*(:[0-9]+)?"),
          "runAsNonRoot needs a numeric non-root image USER or runAsUser, image has '"
              + imageUser
              + "'");
    }
    if (uid != null) {
      run.addAll(List.of("--user", uid + (gid != null ? ":" + gid : "")));
    }
    if (fsGroup != null) {
      run.addAll(List.of("--group-add", fsGroup.toString()));
    }
    for (Long group : podContext.getSupplementalGroups()) {
      run.addAll(List.of("--group-add", group.toString()));
    }
    require(
        !Boolean.TRUE.equals(context.getPrivileged()), "privileged containers are not run here");
    if (Boolean.TRUE.equals(context.getReadOnlyRootFilesystem())) {
      run.addAll(
          List.of("--read-only", "--read-only-tmpfs=false")); // no tmpfs the pod did not ask for
    }
    if (Boolean.FALSE.equals(context.getAllowPrivilegeEscalation())) {
      run.addAll(List.of("--security-opt", "no-new-privileges"));
    }
    Capabilities capabilities = context.getCapabilities();
    if (capabilities != null) {
      capabilities.getDrop().forEach(c -> run.addAll(List.of("--cap-drop", c)));
      capabilities.getAdd().forEach(c -> run.addAll(List.of("--cap-add", c)));
    }
    var seccomp = first(context.getSeccompProfile(), podContext.getSeccompProfile());
    require(
        seccomp == null || seccomp.getType().equals("RuntimeDefault"),
        "seccomp profile " + seccomp);

    // Environment.
    for (EnvVar env : container.getEnv()) {
      require(env.getValueFrom() == null, "env " + env.getName() + " uses valueFrom");
      run.addAll(
          List.of("-e", env.getName() + "=" + Optional.ofNullable(env.getValue()).orElse("")));
    }
    require(container.getEnvFrom().isEmpty(), "envFrom");
    for (ContainerPort port : container.getPorts()) {
      require(port.getHostPort() == null, "hostPort");
    }

    // Volumes, by mount.
    Map<String, Volume> volumes = new LinkedHashMap<>();
    pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
    String timestamp = ".." + LocalDateTime.now(ZoneOffset.UTC).format(TIMESTAMP);
    for (VolumeMount mount : container.getVolumeMounts()) {
      require(
          mount.getSubPath() == null && mount.getSubPathExpr() == null,
          "subPath on " + mount.getName());
      Volume volume = volumes.get(mount.getName());
      require(volume != null, "no volume " + mount.getName());
      boolean readOnly = Boolean.TRUE.equals(mount.getReadOnly());
      if (volume.getEmptyDir() != null) {
        Quantity limit = volume.getEmptyDir().getSizeLimit();
        long bytes = limit == null ? 64L << 20 : Quantity.getAmountInBytes(limit).longValueExact();
        run.addAll(
            List.of(
                "--mount",
                "type=tmpfs,destination="
                    + mount.getMountPath()
                    + ",tmpfs-size="
                    + bytes
                    + ",tmpfs-mode="
                    + (fsGroup != null ? "2777" : "777")
                    + (readOnly ? ",ro=true" : "")));
      } else if (volume.getSecret() != null) {
        Map<String, byte[]> data = secrets.get(volume.getSecret().getSecretName());
        require(
            data != null || Boolean.TRUE.equals(volume.getSecret().getOptional()),
            "Secret "
                + volume.getSecret().getSecretName()
                + " does not exist: the pod would not start");
        Path dir =
            atomicWriterLayout(
                workDir.resolve("volumes/" + mount.getName()),
                timestamp,
                data == null ? Map.of() : data,
                volume.getSecret().getItems(),
                volume.getSecret().getDefaultMode(),
                fsGroup);
        run.addAll(
            List.of(
                "-v",
                dir + ":" + mount.getMountPath() + ":ro")); // the kubelet mounts Secrets read-only
      } else if (volume.getConfigMap() != null) {
        ConfigMap configMap = configMaps.get(volume.getConfigMap().getName());
        require(
            configMap != null, "ConfigMap " + volume.getConfigMap().getName() + " does not exist");
        Map<String, byte[]> data = new LinkedHashMap<>();
        configMap.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        Path dir =
            atomicWriterLayout(
                workDir.resolve("volumes/" + mount.getName()),
                timestamp,
                data,
                volume.getConfigMap().getItems(),
                volume.getConfigMap().getDefaultMode(),
                fsGroup);
        run.addAll(List.of("-v", dir + ":" + mount.getMountPath() + ":ro"));
      } else {
        throw new AssertionError(
            "volume " + mount.getName() + " has a type not executable here: " + volume);
      }
    }
    Quantity memory =
        container.getResources() == null
            ? null
            : container.getResources().getLimits().get("memory");
    if (memory != null) {
      run.addAll(List.of("--memory", Quantity.getAmountInBytes(memory).toBigInteger().toString()));
    }
    if (!container.getCommand().isEmpty()) {
      run.addAll(List.of("--entrypoint", container.getCommand().get(0)));
    }
    run.add(image);
    if (!container.getCommand().isEmpty()) {
      run.addAll(container.getCommand().subList(1, container.getCommand().size()));
    }
    run.addAll(container.getArgs());
    Podman.run(120, run.toArray(String[]::new)).ok("podman run " + String.join(" ", run));
    long grace = Optional.ofNullable(pod.getTerminationGracePeriodSeconds()).orElse(30L);
    return new KubeletPod(name, container, grace);
  }

  /**
   * The kubelet's atomic writer: DIR/..TIMESTAMP/ holds the files, DIR/..data links to it, DIR/KEY
   * links to ..data/KEY (first path segment). Files get the item mode or defaultMode (default
   * 0644); with an fsGroup they are group-owned by it with group read added, and directories get
   * group read and search.
   */
  static Path atomicWriterLayout(
      Path dir,
      String timestamp,
      Map<String, byte[]> data,
      List<KeyToPath> items,
      Integer defaultMode,
      Long fsGroup)
      throws IOException {
    Files.createDirectories(dir);
    Path payload = Files.createDirectory(dir.resolve(timestamp));
    Map<String, Integer> modes = new LinkedHashMap<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    int fileMode = defaultMode == null ? 0644 : defaultMode;
    if (items.isEmpty()) {
      data.forEach(
          (key, value) -> {
            files.put(key, value);
            modes.put(key, fileMode);
          });
    } else {
      for (KeyToPath item : items) {
        require(data.containsKey(item.getKey()), "no key " + item.getKey());
        files.put(item.getPath(), data.get(item.getKey()));
        modes.put(item.getPath(), item.getMode() == null ? fileMode : item.getMode());
      }
    }
    Set<String> top = new TreeSet<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path target = payload.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
      int mode = modes.get(file.getKey()) | (fsGroup != null ? 0440 : 0);
      Files.setPosixFilePermissions(target, permissions(mode));
      if (fsGroup != null) {
        Files.setAttribute(target, "unix:gid", fsGroup.intValue());
      }
      top.add(file.getKey().split("/", 2)[0]);
    }
    for (Path d : List.of(dir, payload)) {
      Files.setPosixFilePermissions(d, permissions(0755 | (fsGroup != null ? 0550 : 0)));
      if (fsGroup != null) {
        Files.setAttribute(d, "unix:gid", fsGroup.intValue());
      }
    }
    Files.createSymbolicLink(dir.resolve("..data"), Path.of(timestamp));
    for (String name : top) {
      Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
    }
    return dir;
  }

  /** The outcome of the kubelet's probe sequence. */
  public record Readiness(
      Duration started, Duration ready, int startupAttempts, String description) {}

  /**
   * Runs the probes on the kubelet's schedule: the startup probe after its initial delay every
   * period until it passes (failing the test after failureThreshold failures, or if the container
   * exits), then readiness until it passes (within its failureThreshold periods), then liveness
   * once. Returns when the pod is Ready.
   */
  public Readiness awaitReady() throws InterruptedException {
    Probe startup = container.getStartupProbe();
    require(startup != null, "no startup probe");
    sleepSeconds(orDefault(startup.getInitialDelaySeconds(), 0));
    int attempts = 0;
    String last = "";
    while (true) {
      attempts++;
      assertRunning();
      last = probe(startup);
      if (last.isEmpty()) {
        break;
      }
      if (attempts >= orDefault(startup.getFailureThreshold(), 3)) {
        throw new AssertionError(
            "startup probe failed "
                + attempts
                + " times (last: "
                + last
                + "); the kubelet "
                + "kills the container now. Logs:\n"
                + logs());
      }
      sleepSeconds(orDefault(startup.getPeriodSeconds(), 10));
    }
    Duration started = Duration.ofNanos(System.nanoTime() - startedNanos);
    Probe readiness = container.getReadinessProbe();
    require(readiness != null, "no readiness probe");
    int failures = 0;
    last = probe(readiness);
    while (!last.isEmpty()) {
      if (++failures >= orDefault(readiness.getFailureThreshold(), 3)) {
        throw new AssertionError(
            "readiness probe failed "
                + failures
                + " times after startup: "
                + last
                + "\nLogs:\n"
                + logs());
      }
      sleepSeconds(orDefault(readiness.getPeriodSeconds(), 10));
      last = probe(readiness);
    }
    Duration ready = Duration.ofNanos(System.nanoTime() - startedNanos);
    Probe liveness = container.getLivenessProbe();
    require(liveness != null, "no liveness probe");
    String live = probe(liveness);
    if (!live.isEmpty()) {
      throw new AssertionError("liveness probe failed on a ready pod: " + live);
    }
    return new Readiness(
        started,
        ready,
        attempts,
        describe(startup) + "; " + describe(readiness) + "; " + describe(liveness));
  }

  /** The startup probe's budget: initialDelaySeconds + failureThreshold * periodSeconds. */
  public Duration startupBudget() {
    Probe startup = container.getStartupProbe();
    return Duration.ofSeconds(
        orDefault(startup.getInitialDelaySeconds(), 0)
            + (long) orDefault(startup.getFailureThreshold(), 3)
                * orDefault(startup.getPeriodSeconds(), 10));
  }

  /** One probe run as the kubelet runs it: "" on success, else why it failed. */
  String probe(Probe probe) {
    return KubeletProbe.run(probe, container);
  }

  /** The container port with {@code name}. */
  public int containerPort(String portName) {
    return KubeletProbe.port(new IntOrString(portName), container);
  }

  /**
   * TCP ports the container's main process listens on (host network: read with ss and the process
   * id).
   */
  public Set<Integer> listeningPorts() {
    String pid =
        Podman.run(60, "inspect", "--format", "{{.State.Pid}}", name).ok("inspect").output().trim();
    String ss = Podman.exec(List.of("ss", "-ltnpH"), 60).ok("ss").output();
    Set<Integer> ports = new TreeSet<>();
    Pattern line = Pattern.compile("\\S+\\s+\\d+\\s+\\d+\\s+\\S*:(\\d+)\\s+.*pid=" + pid + ",");
    for (String l : ss.lines().toList()) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        ports.add(Integer.parseInt(m.group(1)));
      }
    }
    return ports;
  }

  /**
   * SIGTERM, as the kubelet sends it; returns the exit code and the seconds it took, failing after
   * the grace period.
   */
  public record Stopped(int exitCode, Duration took) {}

  public Stopped terminate() {
    long start = System.nanoTime();
    Podman.run(60, "kill", "--signal", "TERM", name).ok("podman kill --signal TERM");
    Podman.Result waited = Podman.exec(List.of("podman", "wait", name), graceSeconds + 5);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    stopped = true;
    if (took.toSeconds() > graceSeconds) {
      throw new AssertionError(
          "still running "
              + took
              + " after SIGTERM; the kubelet kills it after "
              + graceSeconds
              + " s. Logs:\n"
              + logs());
    }
    return new Stopped(Integer.parseInt(waited.ok("podman wait").output().trim()), took);
  }

  public String logs() {
    return Podman.run(60, "logs", name).output();
  }

  public String name() {
    return name;
  }

  private void assertRunning() {
    String state = Podman.run(60, "inspect", "--format", "{{.State.Status}}", name).output().trim();
    if (!state.equals("running")) {
      throw new AssertionError("container is " + state + ". Logs:\n" + logs());
    }
  }

  @Override
  public void close() {
    if (!stopped) {
      Podman.run(60, "kill", "--signal", "KILL", name);
    }
    Podman.run(60, "rm", "-f", name);
  }

  /** Waits until {@code container}'s log contains {@code text}. */
  static void awaitLog(String container, String text, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      Podman.Result logs = Podman.run(60, "logs", container);
      if (logs.output().contains(text)) {
        return;
      }
      String state =
          Podman.run(60, "inspect", "--format", "{{.State.Status}}", container).output().trim();
      if (!state.equals("running")) {
        throw new AssertionError(container + " is " + state + ":\n" + logs.output());
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        container
            + " did not log '"
            + text
            + "' within "
            + seconds
            + " s:\n"
            + Podman.run(60, "logs", container).output());
  }

  /**
   * A free TCP port on this machine (for --network host pods; other tests run servers here too).
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String describe(Probe probe) {
    if (probe.getGrpc() != null) {
      return "gRPC health on "
          + probe.getGrpc().getPort()
          + " service '"
          + Optional.ofNullable(probe.getGrpc().getService()).orElse("")
          + "'";
    }
    if (probe.getHttpGet() != null) {
      return probe.getHttpGet().getScheme()
          + " GET "
          + probe.getHttpGet().getPath()
          + " on port "
          + (probe.getHttpGet().getPort().getStrVal() != null
              ? probe.getHttpGet().getPort().getStrVal()
              : probe.getHttpGet().getPort().getIntVal());
    }
    return "tcpSocket";
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }

  private static void sleepSeconds(int seconds) throws InterruptedException {
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T value : values) {
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError("pod not executable as rendered: " + what);
    }
  }
}
