package dev.codec.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's CPU time per DecryptAll RPC ({@link SealedRpcFixture}: 100 SECRET + 20 PLAIN) with
 * grant and seal and without, from {@code /proc/PID/stat} of a local server process (the whole
 * process: event loops, executor, GC, JIT), and this client's process CPU time. 3 warm-up rounds,
 * then 7 interleaved rounds of CALLS calls each; prints the medians and (with - without) / without.
 * The server's CPU time is counted in 10 ms ticks: keep a round at several hundred ms of server CPU
 * (the default 3,000 calls is about one second).
 *
 * <pre>
 * java -cp codec-bench/target/benchmarks.jar dev.codec.bench.SealedRpcCpuTime 127.0.0.1:PORT SERVER_PID [CALLS]
 * </pre>
 */
public final class SealedRpcCpuTime {
  private SealedRpcCpuTime() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: SealedRpcCpuTime host:port server-pid [calls-per-round]");
      System.exit(2);
    }
    String pid = args[1];
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 3_000;
    try (SealedRpcFixture fixture = new SealedRpcFixture(args[0])) {
      String[] names = {"decryptAllRpc", "decryptAllRpcWithGrantAndSeal"};
      List<Supplier<Map<String, String>>> ops =
          List.of(fixture::decryptAll, fixture::decryptAllWithGrantAndSeal);
      if (CpuTime.now(pid).serverNanos() < 0) {
        throw new IllegalStateException("cannot read /proc/" + pid + "/stat");
      }
      long sink = 0; // every call's result is used
      for (int warm = 0; warm < 3; warm++) {
        for (Supplier<Map<String, String>> op : ops) {
          for (int i = 0; i < calls; i++) {
            sink += op.get().size();
          }
        }
      }
      int rounds = 7;
      double[][] server = new double[ops.size()][rounds];
      double[][] client = new double[ops.size()][rounds];
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < ops.size(); k++) {
          CpuTime start = CpuTime.now(pid);
          for (int i = 0; i < calls; i++) {
            sink += ops.get(k).get().size();
          }
          CpuTime used = CpuTime.now(pid).minus(start);
          server[k][round] = used.serverNanos() / 1e3 / calls;
          client[k][round] = used.clientNanos() / 1e3 / calls;
        }
      }
      double[] median = new double[ops.size()];
      for (int k = 0; k < ops.size(); k++) {
        Arrays.sort(server[k]);
        Arrays.sort(client[k]);
        median[k] = server[k][rounds / 2];
        System.out.printf(
            Locale.ROOT,
            "%-30s server %7.1f µs CPU/call (rounds %.1f-%.1f)  client %7.1f µs CPU/call%n",
            names[k],
            median[k],
            server[k][0],
            server[k][rounds - 1],
            client[k][rounds / 2]);
      }
      System.out.printf(
          Locale.ROOT,
          "server: (withGrantAndSeal - without) / without = %.1f %% (%.1f µs per call)%n",
          100 * (median[1] - median[0]) / median[0],
          median[1] - median[0]);
      System.out.println("(" + sink + " values returned)");
    }
  }
}
