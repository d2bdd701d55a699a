package dev.codec.server.ops;

import dev.codec.server.Application;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real entry point started as its own process (this test JVM's java and class path) with the
 * shipped JVM flags ({@code java @codec-server/jvm.options}: 96 MiB heap, 32 MiB direct memory,
 * exit on OOM), on random ports, with its output collected line by line so a test can wait for a
 * given line.
 */
final class ServerProcess implements AutoCloseable {
  /**
   * The shipped JVM flags (the image's, the benchmark's): tests run the server as it runs in
   * production.
   */
  static final Path JVM_OPTIONS = jvmOptions();

  private static final Pattern SERVING =
      Pattern.compile("codec serving gRPC on :(\\d+), management on :(\\d+)");

  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  final int grpcPort;
  final int managementPort;

  ServerProcess(Map<String, String> env) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java,
            "@" + JVM_OPTIONS,
            "-cp",
            System.getProperty("java.class.path"),
            Application.class.getName());
    builder.environment().remove("CODEC_KEK");
    builder.environment().put("GRPC_SERVER_PORT", "0");
    builder.environment().put("CODEC_MANAGEMENT_PORT", "0");
    builder.environment().putAll(env);
    process = builder.start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
    // stderr apart: the JVM's own warnings (e.g. JDK 24+ on sun.misc.Unsafe) are not the codec's
    // log
    Thread errors =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (stderr) {
                    stderr.add(line);
                  }
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "server-errors");
    errors.setDaemon(true);
    errors.start();
    Matcher serving = SERVING.matcher(awaitLine("codec serving gRPC on"));
    if (!serving.find()) {
      throw new AssertionError("no ports in the startup line: " + output());
    }
    grpcPort = Integer.parseInt(serving.group(1));
    managementPort = Integer.parseInt(serving.group(2));
  }

  private static Path jvmOptions() {
    for (Path candidate :
        new Path[] {Path.of("jvm.options"), Path.of("codec-server", "jvm.options")}) {
      if (java.nio.file.Files.isRegularFile(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "codec-server/jvm.options not found from " + Path.of("").toAbsolutePath());
  }

  /** The process's peak resident set size in KiB (VmHWM), or -1 where /proc is not available. */
  long peakRssKib() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(
              Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Every stdout line so far. */
  List<String> outputLines() {
    String all = stdout();
    return all.isEmpty() ? List.of() : List.of(all.split("\n", -1));
  }

  /** Waits (up to a minute, a safety net only) for a line containing {@code text}; returns it. */
  String awaitLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null) {
        synchronized (seen) {
          seen.add(line);
        }
        if (line.contains(text)) {
          return line;
        }
      } else if (!process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError(
        "no line with \"" + text + "\"; output so far:\n" + output() + threadDump());
  }

  private String threadDump() {
    if (!process.isAlive()) {
      return "\n(exited with " + process.exitValue() + ")";
    }
    try {
      Process jstack =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                  Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      return "\n" + new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Sends SIGTERM (through the process handle: Process.destroy() would also close our end of its
   * output).
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the exit (up to a minute) and returns the status. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("server did not exit:\n" + output());
    }
    return process.exitValue();
  }

  /** Everything written to stdout so far, then (if any) what was written to stderr. */
  String output() {
    String out = stdout();
    synchronized (stderr) {
      return stderr.isEmpty() ? out : out + "\n[stderr]\n" + String.join("\n", stderr);
    }
  }

  private String stdout() {
    synchronized (seen) {
      List<String> all = new ArrayList<>(seen);
      lines.drainTo(all);
      seen.clear();
      seen.addAll(all);
      return String.join("\n", all);
    }
  }

  /** Every stderr line so far. */
  List<String> stderrLines() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
