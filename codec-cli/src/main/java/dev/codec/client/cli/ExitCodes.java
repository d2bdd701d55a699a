package dev.codec.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.codec.client.CodecException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * codec-cli's exit codes, by what the caller should do about a failure (the values follow BSD
 * {@code sysexits.h}). The one place a failure becomes an exit code: {@link CodecCli} uses it for
 * every command, for parse errors and for exceptions thrown while a command runs. Documented in
 * docs/cli.md.
 */
public final class ExitCodes {
  public static final int OK = 0;

  /** The command line is wrong (EX_USAGE): fix the invocation. */
  public static final int USAGE = 64;

  /** The input data is wrong, here or as the service judged it (EX_DATAERR): do not retry as is. */
  public static final int DATA = 65;

  /** An input file does not exist or cannot be read (EX_NOINPUT). */
  public static final int NO_INPUT = 66;

  /**
   * The service is up but cannot serve this (EX_UNAVAILABLE): the data needs a KEK version it has
   * not loaded, or legacy input it does not accept. Retrying does not help until an operator acts.
   */
  public static final int UNAVAILABLE = 69;

  /** A bug or an unexpected failure, in codec-cli or in the service (EX_SOFTWARE). */
  public static final int SOFTWARE = 70;

  /** An output file cannot be created (EX_CANTCREAT), e.g. keygen --out over an existing file. */
  public static final int CANT_CREATE = 73;

  /** A local read or write failed (EX_IOERR). */
  public static final int IO_ERROR = 74;

  /**
   * Temporary: the service cannot be reached, is overloaded or the deadline passed (EX_TEMPFAIL):
   * retry later.
   */
  public static final int TEMP_FAIL = 75;

  /**
   * Not authenticated or not allowed (EX_NOPERM): fix the token, certificate, grant or caller
   * permissions.
   */
  public static final int NO_PERMISSION = 77;

  /**
   * codec-cli's own configuration is wrong (EX_CONFIG): a token, CA, certificate or key file is
   * missing or unusable.
   */
  public static final int CONFIG = 78;

  private ExitCodes() {}

  /** The exit code for a failure. */
  static int of(Throwable failure) {
    if (failure instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (failure instanceof CliFailure cli) {
      return cli.exitCode();
    }
    if (failure instanceof CodecException codec) {
      return of(codec);
    }
    if (failure instanceof NoSuchFileException) {
      return NO_INPUT;
    }
    if (failure instanceof FileAlreadyExistsException) {
      return CANT_CREATE;
    }
    if (failure instanceof JsonProcessingException || failure instanceof IllegalArgumentException) {
      return DATA; // a malformed input file (stored variables, deployment metadata)
    }
    if (failure instanceof IOException || failure instanceof java.io.UncheckedIOException) {
      return IO_ERROR;
    }
    return SOFTWARE;
  }

  /**
   * The exit code for a call the service refused or that did not complete, by its gRPC status code.
   */
  static int of(CodecException failure) {
    return switch (failure.code()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE, NOT_FOUND, ALREADY_EXISTS -> DATA;
      case UNAUTHENTICATED, PERMISSION_DENIED -> NO_PERMISSION;
      // RESOURCE_EXHAUSTED: a budget of the service (concurrent calls, streams) is full; gRPC's
      // guidance is to retry it with back-off
      case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED, CANCELLED -> TEMP_FAIL;
      case FAILED_PRECONDITION -> UNAVAILABLE;
      default -> SOFTWARE;
    };
  }
}
