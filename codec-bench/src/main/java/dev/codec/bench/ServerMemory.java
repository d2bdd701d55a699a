package dev.codec.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The memory of a local process from {@code /proc/<pid>/status}: peak (VmHWM) and current (VmRSS)
 * resident set.
 */
final class ServerMemory {
  private ServerMemory() {}

  /** " server_vmhwm_mib=.. server_vmrss_mib=..", or a note when the process cannot be read. */
  static String describe(String pid) {
    try {
      long hwm = 0;
      long rss = 0;
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        } else if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        }
      }
      return String.format(
          Locale.ROOT, " server_vmhwm_mib=%.1f server_vmrss_mib=%.1f", hwm / 1024.0, rss / 1024.0);
    } catch (IOException e) {
      return " server_memory=unreadable(pid " + pid + ")";
    }
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
