package dev.codec.client.cli;

/**
 * A failure codec-cli found itself (not the service), with the exit code of its category ({@link
 * ExitCodes}).
 */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** codec-cli's configuration (token, CA, certificate or key file) is missing or unusable. */
  static CliFailure config(String message, Throwable cause) {
    return new CliFailure(ExitCodes.CONFIG, message, cause);
  }

  /** An input file does not exist or cannot be read. */
  static CliFailure noInput(String message) {
    return new CliFailure(ExitCodes.NO_INPUT, message, null);
  }

  /** Input data is malformed, or (rewrap) some lines were refused. */
  static CliFailure data(String message) {
    return new CliFailure(ExitCodes.DATA, message, null);
  }

  int exitCode() {
    return exitCode;
  }
}
