package dev.codec.server.ops;

/**
 * Every exit status of the server process, one meaning each (docs/configuration.md, "Exit codes",
 * lists them for operators). Kubernetes shows it as the container's last exit code.
 */
public final class ExitCodes {
  /** Stopped on SIGTERM or SIGINT after draining in-flight calls. */
  public static final int STOPPED = 0;

  /**
   * Any other startup failure: a configuration value that cannot be used (TLS files, permissions, a
   * port in use). Micronaut's own exit status; the log line names the problem.
   */
  public static final int STARTUP_FAILED = 1;

  /**
   * No usable KEK at startup (directory missing or empty, a bad key file, {@code CODEC_KEK} not
   * base64).
   */
  public static final int NO_KEK = 2;

  /**
   * An {@link OutOfMemoryError} anywhere (heap, metaspace or direct memory): the process ends at
   * once.
   */
  public static final int OUT_OF_MEMORY = 3;

  /**
   * {@code CODEC_LOG_FORMAT} is neither {@code text} nor {@code json} (checked before anything is
   * logged).
   */
  public static final int BAD_LOG_FORMAT = 4;

  private ExitCodes() {}
}
