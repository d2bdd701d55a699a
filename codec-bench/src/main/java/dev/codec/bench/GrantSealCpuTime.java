package dev.codec.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The {@link GrantSealBenchmark} methods timed by this thread's <b>CPU time</b> instead of the wall
 * clock: on a shared machine under load, where JMH's wall-clock scores move several-fold, the CPU
 * time per call stays within a few percent. Interleaves the methods in 7 rounds after 3 warm-up
 * rounds and prints medians and the budget ratio (grant + binding + seal verify) / DecryptAll. Not
 * a JMH replacement (one JVM, no forks): a steadier second opinion.
 *
 * <pre>java -cp codec-bench/target/benchmarks.jar dev.codec.bench.GrantSealCpuTime 64</pre>
 */
public final class GrantSealCpuTime {
  private GrantSealCpuTime() {}

  private interface Op {
    Object run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    GrantSealBenchmark b = new GrantSealBenchmark();
    b.size = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    b.setUp();
    b.setUpSealKey();
    b.setUpMemo();
    GrantSealBenchmark.Gmac gmac = new GrantSealBenchmark.Gmac();
    gmac.setUp(b);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    String[] names = {
      "decryptAll",
      "decryptAllWithGrantAndSeal",
      "decryptAllWithGrantAndSealUnordered",
      "grantVerify",
      "grantBoundTo",
      "sealVerify",
      "sealKeyDerivation (per miss)",
      "walkOnly",
      "gmacOnly",
      "memoHitCompare (not built)"
    };
    Op[] ops = {
      b::decryptAll,
      b::decryptAllWithGrantAndSeal,
      b::decryptAllWithGrantAndSealUnordered,
      b::grantVerify,
      b::grantBoundTo,
      b::sealVerify,
      b::sealKeyDerivation,
      b::walkOnly,
      () -> b.gmacOnly(gmac),
      b::memoHitCompare
    };
    int[] calls = {2_000, 2_000, 2_000, 100_000, 100_000, 20_000, 100_000, 100_000, 20_000, 20_000};
    Object sink = null;
    for (int warm = 0; warm < 3; warm++) {
      for (int k = 0; k < ops.length; k++) {
        for (int i = 0; i < calls[k]; i++) {
          sink = ops[k].run();
        }
      }
    }
    double[][] ns = new double[ops.length][7];
    for (int round = 0; round < 7; round++) {
      for (int k = 0; k < ops.length; k++) {
        long start = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < calls[k]; i++) {
          sink = ops[k].run();
        }
        ns[k][round] = (threads.getCurrentThreadCpuTime() - start) / (double) calls[k];
      }
    }
    double[] median = new double[ops.length];
    for (int k = 0; k < ops.length; k++) {
      Arrays.sort(ns[k]);
      median[k] = ns[k][3];
      System.out.printf(
          "%-38s size %5d  median %9.0f ns CPU/call (range %.0f-%.0f)%n",
          names[k], b.size, median[k], ns[k][0], ns[k][6]);
    }
    System.out.printf(
        "(grantVerify + grantBoundTo + sealVerify) / decryptAll = %.1f %%%n",
        100 * (median[3] + median[4] + median[5]) / median[0]);
    System.out.printf(
        "(decryptAllWithGrantAndSeal - decryptAll) / decryptAll = %.1f %%%n",
        100 * (median[1] - median[0]) / median[0]);
    System.out.printf(
        "(decryptAllWithGrantAndSealUnordered - decryptAll) / decryptAll = %.1f %%%n",
        100 * (median[2] - median[0]) / median[0]);
    System.out.println(sink == null ? "" : "(done)");
  }
}
