package dev.codec.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time used by this load-generating process and (when local) by the server process. On a
 * shared, noisy machine, CPU time per call is much steadier than wall-clock throughput: it says
 * what the calls cost, whatever else competes for the cores.
 */
record CpuTime(long clientNanos, long serverNanos) {
  private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

  static CpuTime now(String serverPid) {
    long client =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    return new CpuTime(client, serverPid == null ? -1 : serverCpu(serverPid));
  }

  CpuTime minus(CpuTime earlier) {
    return new CpuTime(
        clientNanos - earlier.clientNanos,
        serverNanos < 0 || earlier.serverNanos < 0 ? -1 : serverNanos - earlier.serverNanos);
  }

  /** {client,server}_cpu_us_per_call, for a phase of {@code calls} calls. */
  Map<String, Object> perCall(long calls) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (calls > 0) {
      out.put(
          "client_cpu_us_per_call", String.format(Locale.ROOT, "%.1f", clientNanos / 1e3 / calls));
      if (serverNanos >= 0) {
        out.put(
            "server_cpu_us_per_call",
            String.format(Locale.ROOT, "%.1f", serverNanos / 1e3 / calls));
      }
    }
    return out;
  }

  /** utime + stime of a local process from /proc/PID/stat, or -1 if it cannot be read. */
  private static long serverCpu(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      // after "pid (comm) ": state is field 0, utime is field 11, stime field 12
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
