package dev.codec.bench;

import com.google.protobuf.MessageLite;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekRingLoader;
import dev.codec.server.crypto.SymmetricKey;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Load generator for a running codec server, through the real {@link CodecClient}.
 *
 * <pre>
 * java -cp codec-bench/target/benchmarks.jar dev.codec.bench.LoadTool [options] SCENARIO... [-- server command]
 *   encrypt       unary Encrypt of one value (--value-size bytes), --concurrency callers
 *   decrypt-all   DecryptAll of --secrets SECRET variables, first one caller, then --concurrency callers
 *   burst         --burst-calls concurrent DecryptAll(--secrets) of distinct projects (each its own DEK,
 *                 so the server's DEK cache is cold), all released at once by a latch; first --burst-warmups
 *                 (1) unmeasured bursts of other projects, so the JVM is warm on the cold-cache path too
 *   startup       (needs "-- server command...") starts the server --startup-runs times, measures process
 *                 start to the port accepting, to gRPC health SERVING and to the first successful GenerateDek
 *                 on --target, and stops it again
 *   h2load-bodies writes gRPC-framed request bodies for h2load (scripts/bench.sh) to --out: encrypt.bin
 *                 (Encrypt of one --value-size value) and decrypt-all.bin (DecryptAll of --secrets SECRET
 *                 variables), with a DEK generated and values encrypted on --target; calls each once and
 *                 prints the size of its framed response, so that h2load's data bytes prove every call
 *                 succeeded (a gRPC error is an HTTP 200 without a response message)
 * </pre>
 *
 * The options (picocli; {@code --help} lists them): an unknown option, a missing or malformed value
 * or an unknown scenario stops the tool with status 2 before anything runs (a typo such as {@code
 * --duraton} must not silently run the default).
 *
 * <p>Every loop is bounded by time (or a fixed number of calls). Prints one {@code key=value} line
 * per result.
 */
@Command(
    name = "LoadTool",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Load generator for a running codec server (see BENCHMARKS.md).")
public final class LoadTool implements Callable<Integer> {
  /** The scenarios, in the order given. */
  enum Scenario {
    encrypt,
    decrypt_all,
    burst,
    startup,
    h2load_bodies;

    static Scenario parse(String name) {
      for (Scenario scenario : values()) {
        if (scenario.cliName().equals(name)) {
          return scenario;
        }
      }
      throw new IllegalArgumentException(
          "unknown scenario " + name + " (encrypt, decrypt-all, burst, startup, h2load-bodies)");
    }

    String cliName() {
      return name().replace('_', '-');
    }
  }

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      description = "server address (default ${DEFAULT-VALUE})")
  String target = "localhost:50051";

  @Option(names = "--concurrency", description = "callers (default ${DEFAULT-VALUE})")
  int concurrency = 16;

  @Option(
      names = "--secrets",
      description = "SECRET variables per DecryptAll (default ${DEFAULT-VALUE})")
  int secrets = 100;

  @Option(
      names = "--connections",
      description =
          "encrypt and decrypt-all spread their callers over N clients, each its own connection (default ${DEFAULT-VALUE})")
  int connections = 1;

  @Option(
      names = "--value-size",
      paramLabel = "BYTES",
      description = "plaintext size (default ${DEFAULT-VALUE})")
  int valueSize = 64;

  @Option(
      names = "--warmup",
      paramLabel = "SECONDS",
      description = "unmeasured phase (default ${DEFAULT-VALUE})")
  int warmup = 3;

  @Option(
      names = "--duration",
      paramLabel = "SECONDS",
      description = "measured phase (default ${DEFAULT-VALUE})")
  int duration = 5;

  @Option(names = "--burst-calls", description = "calls in a burst (default ${DEFAULT-VALUE})")
  int burstCalls = 1000;

  @Option(
      names = "--burst-warmups",
      description = "unmeasured bursts first (default ${DEFAULT-VALUE})")
  int burstWarmups = 1;

  @Option(
      names = "--burst-connections",
      description = "connections of a burst (default ${DEFAULT-VALUE})")
  int burstConnections = 1;

  @Option(
      names = "--kek-dir",
      paramLabel = "DIR",
      description = "build burst data offline with the server's KEK: truly cold")
  String kekDir;

  @Option(
      names = "--cold-wait",
      paramLabel = "SECONDS",
      description =
          "without --kek-dir: wait this long (the server's DEK cache TTL) before the burst (default ${DEFAULT-VALUE})")
  int coldWait;

  @Option(
      names = "--server-pid",
      paramLabel = "PID",
      description = "report the server's peak RSS (VmHWM) and CPU time when it runs on this host")
  String serverPid;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "h2load-bodies: where to write the request bodies")
  Path out;

  @Option(
      names = "--startup-runs",
      description = "server starts measured by startup (default ${DEFAULT-VALUE})")
  int startupRuns = 3;

  @Parameters(
      paramLabel = "SCENARIO",
      arity = "1..*",
      description =
          "encrypt, decrypt-all, burst, startup, h2load-bodies; after '--': the server command for startup")
  List<String> scenarioNames = new ArrayList<>();

  /**
   * The scenarios, checked after parsing (so that picocli first reports an unknown option such as
   * {@code --duraton} by its name rather than the value after it as an unknown scenario).
   */
  List<Scenario> scenarios = new ArrayList<>();

  /** What follows {@code --}: the server command of the startup scenario. */
  List<String> serverCommand = new ArrayList<>();

  /**
   * Parses {@code args} into a tool: before {@code --} picocli's options and scenarios, after it
   * the server command of the startup scenario. Throws picocli's ParameterException on any bad
   * option or value.
   */
  static LoadTool parse(String... args) {
    int dashes = Arrays.asList(args).indexOf("--");
    LoadTool tool = new LoadTool();
    CommandLine commandLine = new CommandLine(tool);
    commandLine.parseArgs(dashes < 0 ? args : Arrays.copyOfRange(args, 0, dashes));
    if (commandLine.isUsageHelpRequested() || commandLine.isVersionHelpRequested()) {
      tool.help = commandLine;
      return tool;
    }
    if (dashes >= 0) {
      tool.serverCommand.addAll(Arrays.asList(args).subList(dashes + 1, args.length));
    }
    tool.validate(commandLine);
    return tool;
  }

  /** Set when --help or --version was given: print it, run nothing. */
  private CommandLine help;

  private void validate(CommandLine spec) {
    for (String name : scenarioNames) {
      try {
        scenarios.add(Scenario.parse(name));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec, e.getMessage());
      }
    }
    if (scenarios.contains(Scenario.startup) && serverCommand.isEmpty()) {
      throw new CommandLine.ParameterException(spec, "startup needs the server command after --");
    }
    if (scenarios.contains(Scenario.h2load_bodies) && out == null) {
      throw new CommandLine.ParameterException(spec, "h2load-bodies needs --out DIR");
    }
    if (!serverCommand.isEmpty() && !scenarios.contains(Scenario.startup)) {
      throw new CommandLine.ParameterException(
          spec, "a server command after -- is only used by startup");
    }
    if (concurrency < 1
        || connections < 1
        || secrets < 1
        || burstCalls < 1
        || burstConnections < 1
        || startupRuns < 1
        || valueSize < 1) {
      throw new CommandLine.ParameterException(
          spec,
          "--concurrency, --connections, --secrets, --value-size,"
              + " --burst-calls, --burst-connections and --startup-runs must be at least 1");
    }
    if (warmup < 0 || duration < 1 || coldWait < 0 || burstWarmups < 0) {
      throw new CommandLine.ParameterException(
          spec,
          "--duration must be at least 1; --warmup, --cold-wait and --burst-warmups at least 0");
    }
  }

  public static void main(String[] args) throws Exception {
    LoadTool tool;
    try {
      tool = parse(args);
    } catch (CommandLine.ParameterException e) {
      System.err.println("LoadTool: " + e.getMessage());
      e.getCommandLine().usage(System.err);
      System.exit(2);
      return;
    }
    if (tool.help != null) {
      tool.help.usage(System.out);
      return;
    }
    tool.call();
  }

  @Override
  public Integer call() throws Exception {
    run();
    return 0;
  }

  private void run() throws Exception {
    for (Scenario scenario : scenarios) {
      switch (scenario) {
        case startup -> startup();
        case h2load_bodies -> h2loadBodies();
        case encrypt, decrypt_all -> {
          List<CodecClient> clients = clients(connections);
          try {
            if (scenario == Scenario.encrypt) {
              encrypt(clients);
            } else {
              decryptAll(clients);
            }
          } finally {
            clients.forEach(CodecClient::close);
          }
        }
        case burst -> {
          try (CodecClient client = client()) {
            burst(client);
          }
        }
      }
    }
  }

  /**
   * {@code count} clients, each its own connection (callers are spread over them, as separate
   * runners would be).
   */
  private List<CodecClient> clients(int count) {
    List<CodecClient> clients = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      clients.add(client());
    }
    return clients;
  }

  private CodecClient client() {
    return CodecClient.builder().target(target).deadline(Duration.ofSeconds(30)).build();
  }

  // ---- encrypt
  // ------------------------------------------------------------------------------------

  private void encrypt(List<CodecClient> clients) throws InterruptedException {
    String project = "load-encrypt";
    String dek = clients.get(0).generateDek(project).encryptedDek();
    Map<String, String> values = Map.of("VALUE", Fixtures.plaintextString(valueSize));
    IntConsumer call = caller -> clients.get(caller % clients.size()).encrypt(project, dek, values);
    timed("encrypt", concurrency, clients.size(), 1, call);
  }

  // ---- decrypt-all
  // --------------------------------------------------------------------------------

  private void decryptAll(List<CodecClient> clients) throws InterruptedException {
    String project = "load-decrypt-all";
    String dek = clients.get(0).generateDek(project).encryptedDek();
    Map<String, Variable> variables = encryptedVariables(clients.get(0), project, dek, secrets);
    IntConsumer call =
        caller -> {
          Map<String, String> values =
              clients.get(caller % clients.size()).decryptAll(project, "deploy-1", dek, variables);
          if (values.size() != secrets) {
            throw new IllegalStateException(
                "expected " + secrets + " values, got " + values.size());
          }
        };
    timed("decrypt-all", 1, 1, secrets, call);
    timed("decrypt-all", concurrency, clients.size(), secrets, call);
  }

  private Map<String, Variable> encryptedVariables(
      CodecClient client, String project, String dek, int secrets) {
    String plaintext = Fixtures.plaintextString(valueSize);
    Map<String, String> plain = new LinkedHashMap<>();
    for (int i = 0; i < secrets; i++) {
      plain.put("SECRET_" + i, plaintext);
    }
    Map<String, Variable> variables = new LinkedHashMap<>();
    client
        .encrypt(project, dek, plain)
        .forEach((name, value) -> variables.put(name, Variable.secret(value)));
    return variables;
  }

  /**
   * Runs {@code call} (given the caller's index) from {@code callers} threads: a warm-up, then a
   * measured phase; prints the result.
   */
  private void timed(
      String scenario, int callers, int connections, int valuesPerCall, IntConsumer call)
      throws InterruptedException {
    long warmupNanos = Duration.ofSeconds(warmup).toNanos();
    long measureNanos = Duration.ofSeconds(duration).toNanos();
    AtomicLong errors = new AtomicLong();
    LatencyRecorder[] recorders = new LatencyRecorder[callers];
    Thread[] threads = new Thread[callers];
    CountDownLatch start = new CountDownLatch(1);
    long[] window = new long[2];
    for (int t = 0; t < callers; t++) {
      LatencyRecorder recorder = new LatencyRecorder();
      recorders[t] = recorder;
      int caller = t;
      threads[t] =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                long measureFrom = window[0];
                long end = window[1];
                for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                  try {
                    call.accept(caller);
                    long took = System.nanoTime() - now;
                    if (now >= measureFrom) {
                      recorder.record(took);
                    }
                  } catch (RuntimeException e) {
                    if (now >= measureFrom) {
                      errors.incrementAndGet();
                    }
                  }
                }
              },
              scenario + "-" + t);
      threads[t].start();
    }
    long begin = System.nanoTime();
    window[0] = begin + warmupNanos;
    window[1] = window[0] + measureNanos;
    start.countDown();
    Thread.sleep(Math.max(0, (window[0] - System.nanoTime()) / 1_000_000));
    CpuTime cpuBefore = CpuTime.now(serverPid);
    Thread.sleep(Math.max(0, (window[1] - System.nanoTime()) / 1_000_000));
    CpuTime cpu = CpuTime.now(serverPid).minus(cpuBefore);
    for (Thread thread : threads) {
      thread.join();
    }
    LatencyRecorder all = LatencyRecorder.merge(recorders);
    double seconds = measureNanos / 1e9;
    Map<String, Object> params =
        new HashMap<>(
            Map.of(
                "callers", callers, "connections", connections, "values_per_call", valuesPerCall));
    params.putAll(cpu.perCall(all.count()));
    report(scenario, params, all, errors.get(), seconds, valuesPerCall);
  }

  // ---- burst
  // --------------------------------------------------------------------------------------

  /** One runner's start: its project, wrapped DEK and stored variables. */
  private record Runner(String project, String dek, Map<String, Variable> variables) {}

  private void burst(CodecClient setupClient) throws Exception {
    // Warm-up bursts of other projects first: the JVM is then warm on the cold-cache path too (DEK
    // unwrap,
    // cache insertion), and the measured burst's projects are still unknown to the server.
    int warmups = burstWarmups;
    for (int round = 0; round <= warmups; round++) {
      burst(setupClient, round < warmups ? "burst-warmup" : "burst", round);
    }
  }

  private void burst(CodecClient setupClient, String scenario, int round) throws Exception {
    int calls = burstCalls;
    String runId = Long.toString(System.currentTimeMillis(), 36) + "-" + round;
    List<Runner> runners = new ArrayList<>(calls);
    if (kekDir != null) {
      // Offline, with the server's own KEK and the real formats: the server never saw these DEKs.
      EnvelopeCrypto crypto = new EnvelopeCrypto(ringSupplier(kekDir));
      String plaintext = Fixtures.plaintextString(valueSize);
      byte[] plainBytes = plaintext.getBytes(StandardCharsets.UTF_8);
      for (int r = 0; r < calls; r++) {
        String project = "burst-" + runId + "-" + r;
        String wrapped = crypto.generateWrappedDek(project).encoded();
        SymmetricKey dek = crypto.unwrap(project, wrapped);
        EnvelopeCrypto.ValueCipher cipher = crypto.valueCipher(project, dek);
        Map<String, Variable> variables = new LinkedHashMap<>();
        for (int i = 0; i < secrets; i++) {
          variables.put("SECRET_" + i, Variable.secret(cipher.encrypt("SECRET_" + i, plainBytes)));
        }
        dek.destroy();
        runners.add(new Runner(project, wrapped, variables));
      }
    } else {
      for (int r = 0; r < calls; r++) {
        String project = "burst-" + runId + "-" + r;
        String dek = setupClient.generateDek(project).encryptedDek();
        runners.add(
            new Runner(project, dek, encryptedVariables(setupClient, project, dek, secrets)));
      }
      int wait = coldWait;
      if (wait == 0) {
        System.out.println(
            "# WARNING: burst data was made through the server, so its DEK cache is warm;"
                + " give --kek-dir, or --cold-wait >= the server's codec.dek-cache.ttl");
      }
      Thread.sleep(Duration.ofSeconds(wait).toMillis());
    }

    int connections = burstConnections;
    List<CodecClient> clients = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      CodecClient client = client();
      // Open the connection without touching the DEK cache: a DecryptAll of one PLAIN variable.
      client.decryptAll("burst-warmup", "", "", Map.of("PLAIN", Variable.plain("x")));
      clients.add(client);
    }
    try {
      CountDownLatch ready = new CountDownLatch(calls);
      CountDownLatch go = new CountDownLatch(1);
      long[] latency = new long[calls];
      long[] finished = new long[calls];
      AtomicLong errors = new AtomicLong();
      Thread[] threads = new Thread[calls];
      for (int r = 0; r < calls; r++) {
        int index = r;
        Runner runner = runners.get(r);
        CodecClient client = clients.get(r % connections);
        threads[r] =
            new Thread(
                null,
                () -> {
                  ready.countDown();
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  long begin = System.nanoTime();
                  try {
                    Map<String, String> values =
                        client.decryptAll(
                            runner.project(), "deploy-1", runner.dek(), runner.variables());
                    if (values.size() != secrets) {
                      errors.incrementAndGet();
                    }
                  } catch (CodecException | IllegalStateException e) {
                    errors.incrementAndGet();
                  }
                  finished[index] = System.nanoTime();
                  latency[index] = finished[index] - begin;
                },
                "burst-" + r,
                256 * 1024);
        threads[r].start();
      }
      ready.await();
      CpuTime cpuBefore = CpuTime.now(serverPid);
      long released = System.nanoTime();
      go.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      long last = Arrays.stream(finished).max().orElse(released);
      LatencyRecorder recorder = new LatencyRecorder();
      for (long l : latency) {
        recorder.record(l);
      }
      CpuTime cpu = CpuTime.now(serverPid).minus(cpuBefore);
      double seconds = (last - released) / 1e9;
      Map<String, Object> params =
          new HashMap<>(
              Map.of(
                  "calls",
                  calls,
                  "values_per_call",
                  secrets,
                  "connections",
                  connections,
                  "cold",
                  kekDir != null || coldWait > 0 ? "yes" : "no",
                  "all_done_ms",
                  String.format(Locale.ROOT, "%.1f", seconds * 1000)));
      params.putAll(cpu.perCall(calls));
      report(scenario, params, recorder, errors.get(), seconds, secrets);
    } finally {
      clients.forEach(CodecClient::close);
    }
  }

  private static Supplier<KekRing> ringSupplier(String kekDir) throws KekLoadException {
    KekRing ring = KekRingLoader.fromDirectory(Path.of(kekDir), null);
    return () -> ring;
  }

  // ---- h2load-bodies
  // ------------------------------------------------------------------------------

  private void h2loadBodies() throws IOException {
    Files.createDirectories(out);
    String project = "load-h2load";
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try (CodecClient client =
        CodecClient.builder().channel(channel).deadline(Duration.ofSeconds(30)).build()) {
      String dek = client.generateDek(project).encryptedDek();
      CodecServiceGrpc.CodecServiceBlockingStub stub =
          CodecServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      EncryptRequest encrypt =
          EncryptRequest.newBuilder()
              .setProjectId(project)
              .setEncryptedDek(dek)
              .putValues("VALUE", Fixtures.plaintextString(valueSize))
              .build();
      writeBody("encrypt", encrypt, stub.encrypt(encrypt));
      DecryptAllRequest.Builder decryptAll =
          DecryptAllRequest.newBuilder()
              .setProjectId(project)
              .setDeploymentId("deploy-1")
              .setEncryptedDek(dek);
      encryptedVariables(client, project, dek, secrets)
          .forEach(
              (name, variable) ->
                  decryptAll.putVariables(
                      name,
                      dev.codec.proto.v1.Variable.newBuilder()
                          .setKind(dev.codec.proto.v1.Variable.Kind.KIND_SECRET)
                          .setValue(variable.value())
                          .build()));
      DecryptAllResponse response = stub.decryptAll(decryptAll.build());
      if (response.getValuesCount() != secrets) {
        throw new IllegalStateException(
            "DecryptAll returned " + response.getValuesCount() + " values");
      }
      writeBody("decrypt-all", decryptAll.build(), response);
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * Writes {@code request} as a gRPC message frame (uncompressed flag, 4-byte big-endian length,
   * message).
   */
  private void writeBody(String name, MessageLite request, MessageLite response)
      throws IOException {
    byte[] message = request.toByteArray();
    ByteBuffer frame =
        ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message);
    Files.write(out.resolve(name + ".bin"), frame.array());
    System.out.printf(
        Locale.ROOT,
        "body=%s request_bytes=%d response_bytes=%d%n",
        name,
        frame.capacity(),
        5 + response.getSerializedSize());
  }

  // ---- startup
  // ------------------------------------------------------------------------------------

  private void startup() throws Exception {
    if (serverCommand.isEmpty()) {
      throw new IllegalArgumentException("startup needs the server command after --");
    }
    int colon = target.lastIndexOf(':');
    String host = target.substring(0, colon);
    int port = Integer.parseInt(target.substring(colon + 1));
    // Load the client's classes before the clock starts (the call fails: nothing listens yet).
    try (CodecClient warm =
        CodecClient.builder().target(target).deadline(Duration.ofMillis(200)).build()) {
      warm.generateDek("startup-probe");
    } catch (CodecException expected) {
      // nothing is listening yet
    }
    ManagedChannel cold = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      HealthGrpc.newBlockingStub(cold)
          .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
    } catch (StatusRuntimeException expected) {
      // nothing is listening yet
    } finally {
      cold.shutdownNow();
    }
    int runs = startupRuns;
    Path log = Files.createTempFile("codec-startup", ".log");
    for (int run = 0; run < runs; run++) {
      long begin = System.nanoTime();
      Process server =
          new ProcessBuilder(serverCommand)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        long listening = 0;
        long serving = 0;
        long served = 0;
        long deadline = begin + Duration.ofSeconds(30).toNanos();
        while (listening == 0 && System.nanoTime() < deadline && server.isAlive()) {
          if (accepts(host, port)) {
            listening = System.nanoTime();
          } else {
            Thread.sleep(2);
          }
        }
        // One channel, opened once the port accepts: no connect back-off, no per-probe channel
        // setup.
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
          HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
          while (serving == 0
              && listening != 0
              && System.nanoTime() < deadline
              && server.isAlive()) {
            try {
              HealthCheckResponse status =
                  health
                      .withDeadlineAfter(2, TimeUnit.SECONDS)
                      .check(HealthCheckRequest.getDefaultInstance());
              if (status.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                serving = System.nanoTime();
                break;
              }
            } catch (StatusRuntimeException e) {
              // not serving yet
            }
            Thread.sleep(2);
          }
          try (CodecClient probe =
              CodecClient.builder().channel(channel).deadline(Duration.ofSeconds(2)).build()) {
            while (serving != 0 && served == 0 && System.nanoTime() < deadline) {
              try {
                probe.generateDek("startup-probe");
                served = System.nanoTime();
              } catch (CodecException e) {
                Thread.sleep(2);
              }
            }
          }
        } finally {
          channel.shutdownNow();
        }
        if (served == 0) {
          System.out.println(
              "scenario=startup run=" + run + " error=server did not serve (log: " + log + ")");
        } else {
          System.out.printf(
              Locale.ROOT,
              "scenario=startup run=%d port_open_ms=%.0f health_serving_ms=%.0f"
                  + " first_generate_dek_ms=%.0f%n",
              run,
              (listening - begin) / 1e6,
              (serving - begin) / 1e6,
              (served - begin) / 1e6);
        }
      } finally {
        server.destroy();
        server.waitFor();
      }
    }
    Files.deleteIfExists(log);
  }

  private static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- output
  // -------------------------------------------------------------------------------------

  private void report(
      String scenario,
      Map<String, Object> params,
      LatencyRecorder latencies,
      long errors,
      double seconds,
      int valuesPerCall) {
    StringBuilder line = new StringBuilder("scenario=").append(scenario);
    params.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> line.append(' ').append(e.getKey()).append('=').append(e.getValue()));
    long calls = latencies.count();
    line.append(
        String.format(
            Locale.ROOT,
            " ok_calls=%d errors=%d seconds=%.2f calls_per_s=%.0f values_per_s=%.0f p50_ms=%.3f p99_ms=%.3f"
                + " p999_ms=%.3f max_ms=%.3f",
            calls,
            errors,
            seconds,
            calls / seconds,
            calls * valuesPerCall / seconds,
            latencies.percentileMillis(50),
            latencies.percentileMillis(99),
            latencies.percentileMillis(99.9),
            latencies.percentileMillis(100)));
    String pid = serverPid;
    if (pid != null) {
      line.append(ServerMemory.describe(pid));
    }
    System.out.println(line);
  }
}
