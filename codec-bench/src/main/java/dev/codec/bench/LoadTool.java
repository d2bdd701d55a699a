package dev.codec.bench;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekLoadException;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.KekRingLoader;
import dev.codec.server.crypto.SymmetricKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Load generator for a running codec server, through the real {@link CodecClient}.
 *
 * <pre>
 * java -cp codec-bench/target/benchmarks.jar dev.codec.bench.LoadTool [options] SCENARIO...
 *   encrypt       unary Encrypt of one value (--value-size bytes), --concurrency callers
 *   decrypt-all   DecryptAll of --secrets SECRET variables, first one caller, then --concurrency callers
 *   burst         --burst-calls concurrent DecryptAll(--secrets) of distinct projects (each its own DEK,
 *                 so the server's DEK cache is cold), all released at once by a latch; first --burst-warmups
 *                 (1) unmeasured bursts of other projects, so the JVM is warm on the cold-cache path too
 *   startup       (needs "-- server command...") starts the server --startup-runs times, measures process
 *                 start to the port accepting, to gRPC health SERVING and to the first successful GenerateDek
 *                 on --target, and stops it again
 * options: --target host:port (localhost:50051)  --concurrency C (16)  --secrets N (100)
 *   --connections N (1: encrypt and decrypt-all spread their callers over N clients, each its own connection)
 *   --value-size BYTES (64)  --warmup SECONDS (3)  --duration SECONDS (5)  --burst-calls N (1000)
 *   --burst-connections N (1)  --kek-dir DIR (build burst data offline with the server's KEK: truly cold)
 *   --cold-wait SECONDS (without --kek-dir: wait this long, e.g. the server's DEK cache TTL, before the burst)
 *   --server-pid PID (report the server's peak RSS, VmHWM, when it runs on this host)  --startup-runs N (3)
 * </pre>
 *
 * Every loop is bounded by time (or a fixed number of calls). Prints one {@code key=value} line per result.
 */
public final class LoadTool {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> scenarios = new ArrayList<>();
    private final List<String> serverCommand = new ArrayList<>();

    private LoadTool(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                serverCommand.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            } else if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                options.put(args[i].substring(2), args[++i]);
            } else {
                scenarios.add(args[i]);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        LoadTool tool = new LoadTool(args);
        if (tool.scenarios.isEmpty()) {
            System.err.println("usage: LoadTool [options] encrypt|decrypt-all|burst|startup ... (see the class Javadoc)");
            System.exit(2);
        }
        tool.run();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(option(name, Integer.toString(fallback)));
    }

    private void run() throws Exception {
        for (String scenario : scenarios) {
            switch (scenario) {
                case "startup" -> startup();
                case "encrypt", "decrypt-all" -> {
                    List<CodecClient> clients = clients(intOption("connections", 1));
                    try {
                        if (scenario.equals("encrypt")) {
                            encrypt(clients);
                        } else {
                            decryptAll(clients);
                        }
                    } finally {
                        clients.forEach(CodecClient::close);
                    }
                }
                case "burst" -> {
                    try (CodecClient client = client()) {
                        burst(client);
                    }
                }
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        }
    }

    /** {@code count} clients, each its own connection (callers are spread over them, as separate runners would be). */
    private List<CodecClient> clients(int count) {
        List<CodecClient> clients = new ArrayList<>(count);
        for (int c = 0; c < count; c++) {
            clients.add(client());
        }
        return clients;
    }

    private CodecClient client() {
        return CodecClient.builder().target(option("target", "localhost:50051")).deadline(Duration.ofSeconds(30)).build();
    }

    // ---- encrypt ------------------------------------------------------------------------------------

    private void encrypt(List<CodecClient> clients) throws InterruptedException {
        int concurrency = intOption("concurrency", 16);
        String project = "load-encrypt";
        String dek = clients.get(0).generateDek(project).encryptedDek();
        Map<String, String> values = Map.of("VALUE", Fixtures.plaintextString(intOption("value-size", 64)));
        IntConsumer call = caller -> clients.get(caller % clients.size()).encrypt(project, dek, values);
        timed("encrypt", concurrency, clients.size(), 1, call);
    }

    // ---- decrypt-all --------------------------------------------------------------------------------

    private void decryptAll(List<CodecClient> clients) throws InterruptedException {
        int secrets = intOption("secrets", 100);
        String project = "load-decrypt-all";
        String dek = clients.get(0).generateDek(project).encryptedDek();
        Map<String, Variable> variables = encryptedVariables(clients.get(0), project, dek, secrets);
        IntConsumer call = caller -> {
            Map<String, String> values = clients.get(caller % clients.size()).decryptAll(project, "deploy-1", dek, variables);
            if (values.size() != secrets) {
                throw new IllegalStateException("expected " + secrets + " values, got " + values.size());
            }
        };
        timed("decrypt-all", 1, 1, secrets, call);
        timed("decrypt-all", intOption("concurrency", 16), clients.size(), secrets, call);
    }

    private Map<String, Variable> encryptedVariables(CodecClient client, String project, String dek, int secrets) {
        String plaintext = Fixtures.plaintextString(intOption("value-size", 64));
        Map<String, String> plain = new LinkedHashMap<>();
        for (int i = 0; i < secrets; i++) {
            plain.put("SECRET_" + i, plaintext);
        }
        Map<String, Variable> variables = new LinkedHashMap<>();
        client.encrypt(project, dek, plain).forEach((name, value) -> variables.put(name, Variable.secret(value)));
        return variables;
    }

    /**
     * Runs {@code call} (given the caller's index) from {@code callers} threads: a warm-up, then a measured
     * phase; prints the result.
     */
    private void timed(String scenario, int callers, int connections, int valuesPerCall, IntConsumer call)
            throws InterruptedException {
        long warmupNanos = Duration.ofSeconds(intOption("warmup", 3)).toNanos();
        long measureNanos = Duration.ofSeconds(intOption("duration", 5)).toNanos();
        AtomicLong errors = new AtomicLong();
        LatencyRecorder[] recorders = new LatencyRecorder[callers];
        Thread[] threads = new Thread[callers];
        CountDownLatch start = new CountDownLatch(1);
        long[] window = new long[2];
        for (int t = 0; t < callers; t++) {
            LatencyRecorder recorder = new LatencyRecorder();
            recorders[t] = recorder;
            int caller = t;
            threads[t] = new Thread(() -> {
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
            }, scenario + "-" + t);
            threads[t].start();
        }
        long begin = System.nanoTime();
        window[0] = begin + warmupNanos;
        window[1] = window[0] + measureNanos;
        start.countDown();
        Thread.sleep(Math.max(0, (window[0] - System.nanoTime()) / 1_000_000));
        CpuTime cpuBefore = CpuTime.now(options.get("server-pid"));
        Thread.sleep(Math.max(0, (window[1] - System.nanoTime()) / 1_000_000));
        CpuTime cpu = CpuTime.now(options.get("server-pid")).minus(cpuBefore);
        for (Thread thread : threads) {
            thread.join();
        }
        LatencyRecorder all = LatencyRecorder.merge(recorders);
        double seconds = measureNanos / 1e9;
        Map<String, Object> params = new HashMap<>(Map.of("callers", callers, "connections", connections,
                "values_per_call", valuesPerCall));
        params.putAll(cpu.perCall(all.count()));
        report(scenario, params, all, errors.get(), seconds, valuesPerCall);
    }

    // ---- burst --------------------------------------------------------------------------------------

    /** One runner's start: its project, wrapped DEK and stored variables. */
    private record Runner(String project, String dek, Map<String, Variable> variables) {}

    private void burst(CodecClient setupClient) throws Exception {
        // Warm-up bursts of other projects first: the JVM is then warm on the cold-cache path too (DEK unwrap,
        // cache insertion), and the measured burst's projects are still unknown to the server.
        int warmups = intOption("burst-warmups", 1);
        for (int round = 0; round <= warmups; round++) {
            burst(setupClient, round < warmups ? "burst-warmup" : "burst", round);
        }
    }

    private void burst(CodecClient setupClient, String scenario, int round) throws Exception {
        int calls = intOption("burst-calls", 1000);
        int secrets = intOption("secrets", 100);
        String runId = Long.toString(System.currentTimeMillis(), 36) + "-" + round;
        List<Runner> runners = new ArrayList<>(calls);
        String kekDir = options.get("kek-dir");
        if (kekDir != null) {
            // Offline, with the server's own KEK and the real formats: the server never saw these DEKs.
            EnvelopeCrypto crypto = new EnvelopeCrypto(ringSupplier(kekDir));
            String plaintext = Fixtures.plaintextString(intOption("value-size", 64));
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
                runners.add(new Runner(project, dek, encryptedVariables(setupClient, project, dek, secrets)));
            }
            int wait = intOption("cold-wait", 0);
            if (wait == 0) {
                System.out.println("# WARNING: burst data was made through the server, so its DEK cache is warm;"
                        + " give --kek-dir, or --cold-wait >= the server's codec.dek-cache.ttl");
            }
            Thread.sleep(Duration.ofSeconds(wait).toMillis());
        }

        int connections = intOption("burst-connections", 1);
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
                threads[r] = new Thread(null, () -> {
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long begin = System.nanoTime();
                    try {
                        Map<String, String> values = client.decryptAll(runner.project(), "deploy-1", runner.dek(),
                                runner.variables());
                        if (values.size() != secrets) {
                            errors.incrementAndGet();
                        }
                    } catch (CodecException | IllegalStateException e) {
                        errors.incrementAndGet();
                    }
                    finished[index] = System.nanoTime();
                    latency[index] = finished[index] - begin;
                }, "burst-" + r, 256 * 1024);
                threads[r].start();
            }
            ready.await();
            CpuTime cpuBefore = CpuTime.now(options.get("server-pid"));
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
            CpuTime cpu = CpuTime.now(options.get("server-pid")).minus(cpuBefore);
            double seconds = (last - released) / 1e9;
            Map<String, Object> params = new HashMap<>(Map.of("calls", calls, "values_per_call", secrets,
                    "connections", connections, "cold", kekDir != null || intOption("cold-wait", 0) > 0 ? "yes" : "no",
                    "all_done_ms", String.format(Locale.ROOT, "%.1f", seconds * 1000)));
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

    // ---- startup ------------------------------------------------------------------------------------

    private void startup() throws Exception {
        if (serverCommand.isEmpty()) {
            throw new IllegalArgumentException("startup needs the server command after --");
        }
        String target = option("target", "localhost:50051");
        int colon = target.lastIndexOf(':');
        String host = target.substring(0, colon);
        int port = Integer.parseInt(target.substring(colon + 1));
        // Load the client's classes before the clock starts (the call fails: nothing listens yet).
        try (CodecClient warm = CodecClient.builder().target(target).deadline(Duration.ofMillis(200)).build()) {
            warm.generateDek("startup-probe");
        } catch (CodecException expected) {
            // nothing is listening yet
        }
        ManagedChannel cold = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            HealthGrpc.newBlockingStub(cold).withDeadlineAfter(200, TimeUnit.MILLISECONDS).check(HealthCheckRequest.getDefaultInstance());
        } catch (StatusRuntimeException expected) {
            // nothing is listening yet
        } finally {
            cold.shutdownNow();
        }
        int runs = intOption("startup-runs", 3);
        Path log = Files.createTempFile("codec-startup", ".log");
        for (int run = 0; run < runs; run++) {
            long begin = System.nanoTime();
            Process server = new ProcessBuilder(serverCommand).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
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
                // One channel, opened once the port accepts: no connect back-off, no per-probe channel setup.
                ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
                try {
                    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
                    while (serving == 0 && listening != 0 && System.nanoTime() < deadline && server.isAlive()) {
                        try {
                            HealthCheckResponse status = health.withDeadlineAfter(2, TimeUnit.SECONDS)
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
                    try (CodecClient probe = CodecClient.builder().channel(channel).deadline(Duration.ofSeconds(2)).build()) {
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
                    System.out.println("scenario=startup run=" + run + " error=server did not serve (log: " + log + ")");
                } else {
                    System.out.printf(Locale.ROOT, "scenario=startup run=%d port_open_ms=%.0f health_serving_ms=%.0f"
                            + " first_generate_dek_ms=%.0f%n",
                            run, (listening - begin) / 1e6, (serving - begin) / 1e6, (served - begin) / 1e6);
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

    // ---- output -------------------------------------------------------------------------------------

    private void report(String scenario, Map<String, Object> params, LatencyRecorder latencies, long errors,
            double seconds, int valuesPerCall) {
        StringBuilder line = new StringBuilder("scenario=").append(scenario);
        params.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> line.append(' ').append(e.getKey()).append('=').append(e.getValue()));
        long calls = latencies.count();
        line.append(String.format(Locale.ROOT,
                " ok_calls=%d errors=%d seconds=%.2f calls_per_s=%.0f values_per_s=%.0f p50_ms=%.3f p99_ms=%.3f"
                        + " p999_ms=%.3f max_ms=%.3f",
                calls, errors, seconds, calls / seconds, calls * valuesPerCall / seconds,
                latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.percentileMillis(99.9),
                latencies.percentileMillis(100)));
        String pid = options.get("server-pid");
        if (pid != null) {
            line.append(ServerMemory.describe(pid));
        }
        System.out.println(line);
    }
}
