package dev.codec.client.cli;

import java.io.IOException;

/**
 * Runs a command as a child process with inherited stdio and forwards termination to it.
 *
 * <p>Java cannot install ordinary signal handlers, so forwarding uses a JVM shutdown hook: when
 * this process gets SIGTERM, SIGINT or SIGHUP, the hook sends SIGTERM to the child ({@link
 * Process#destroy}), waits for it to exit, and ends this process with the child's exit code.
 * Limits: the child always gets SIGTERM, whatever signal arrived (for SIGINT from a terminal the
 * child usually also got its own SIGINT, as it is in the same process group); other signals
 * (SIGUSR1, SIGQUIT for thread dumps, ...) are not forwarded; a SIGKILL of this process cannot be
 * forwarded and leaves the child running (in a container, the whole container is killed anyway).
 * The hook waits for the child without a time limit: the orchestrator's grace period (Kubernetes'
 * terminationGracePeriodSeconds) bounds it.
 */
final class ChildProcess {
  private ChildProcess() {}

  /** The child could not be started (no such command, not executable). */
  static final class StartFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    StartFailedException(String message) {
      super(message);
    }
  }

  /**
   * Starts the command, waits for it, and returns its exit code (128 + N if it died of signal N).
   */
  static int run(ProcessBuilder command) throws StartFailedException, InterruptedException {
    // The hook is in place before the child starts, so a signal can never arrive in between and end
    // codec-cli (exit 143) while the child runs on, orphaned.
    Object lock = new Object();
    Process[] started = new Process[1];
    Thread forwarder =
        new Thread(
            () -> {
              Process child;
              synchronized (lock) { // waits for a start() in progress
                child = started[0];
              }
              if (child == null) {
                Runtime.getRuntime().halt(EXIT_SIGTERM); // signalled before the command started
              }
              child.destroy(); // SIGTERM
              Runtime.getRuntime().halt(awaitExit(child)); // the child's code, not the JVM's 143
            },
            "codec-cli-signal-forwarder");
    Runtime.getRuntime().addShutdownHook(forwarder);
    Process child;
    synchronized (lock) {
      try {
        child = command.inheritIO().start();
      } catch (IOException e) {
        removeHook(forwarder);
        throw new StartFailedException(
            "cannot start " + command.command().get(0) + " (" + e.getClass().getSimpleName() + ")");
      }
      started[0] = child;
    }
    int code = child.waitFor();
    removeHook(forwarder);
    return code;
  }

  /** Exit code of a process ended by SIGTERM (128 + 15). */
  static final int EXIT_SIGTERM = 143;

  private static void removeHook(Thread forwarder) {
    try {
      Runtime.getRuntime().removeShutdownHook(forwarder);
    } catch (IllegalStateException shuttingDown) {
      // a signal arrived: the hook is running and ends the process with the child's exit code
    }
  }

  private static int awaitExit(Process child) {
    while (true) {
      try {
        return child.waitFor();
      } catch (InterruptedException e) {
        // keep waiting: exiting before the child would orphan it
      }
    }
  }
}
