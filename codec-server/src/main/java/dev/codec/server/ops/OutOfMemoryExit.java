package dev.codec.server.ops;

import org.slf4j.LoggerFactory;

/**
 * Ends the process on any {@link OutOfMemoryError}. {@code -XX:+ExitOnOutOfMemoryError}
 * (jvm.options) only fires for errors the JVM itself raises (heap, metaspace); direct-memory
 * exhaustion is an {@code OutOfMemoryError} thrown by Java code ({@code
 * java.nio.Bits.reserveMemory}, Netty's allocator), which Netty and grpc-java catch and log,
 * leaving a process that answers health checks but cannot serve. Every place that sees such an
 * error calls {@link #ifOutOfMemory}: the default uncaught-exception handler, the logging filter
 * ({@link TransportLogFilter}, which sees every logged throwable), the gRPC connections' exception
 * path and their buffer allocator ({@code grpc.ConnectionAdmission}).
 */
public final class OutOfMemoryExit {
  /** The exit status after an out-of-memory error. */
  public static final int EXIT_OUT_OF_MEMORY = ExitCodes.OUT_OF_MEMORY;

  private OutOfMemoryExit() {}

  /**
   * Installs the default uncaught-exception handler (threads that die of an OOM end the process).
   */
  public static void install() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) -> {
          ifOutOfMemory(error);
          if (previous != null) {
            previous.uncaughtException(thread, error);
          } else {
            System.err.println("Uncaught exception in thread " + thread.getName() + ": " + error);
          }
        });
  }

  /**
   * If {@code error} is or was caused by an {@link OutOfMemoryError}, logs one line and halts the
   * JVM.
   */
  public static void ifOutOfMemory(Throwable error) {
    OutOfMemoryError oom = find(error);
    if (oom != null) {
      exit(oom);
    }
  }

  static OutOfMemoryError find(Throwable error) {
    int depth = 0;
    for (Throwable t = error; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof OutOfMemoryError oom) {
        return oom;
      }
    }
    return null;
  }

  private static void exit(OutOfMemoryError oom) {
    try {
      LoggerFactory.getLogger(OutOfMemoryExit.class)
          .error(
              "codec is out of memory, exiting with status {}: {}",
              EXIT_OUT_OF_MEMORY,
              oom.getMessage());
    } catch (Throwable ignored) {
      // nothing more can be done: halt anyway
    } finally {
      // halt, not exit: shutdown hooks would try to drain calls in a process that cannot allocate
      Runtime.getRuntime().halt(EXIT_OUT_OF_MEMORY);
    }
  }
}
