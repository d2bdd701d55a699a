package dev.codec.client.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One codec-cli invocation run in this JVM, with what it printed. codec-server's tests have their
 * own copy: a test-jar dependency would break the build's {@code -Dmaven.test.skip=true} packaging
 * (scripts/dev-server.sh, the Dockerfile).
 *
 * @param exitCode the command's exit code
 * @param out what it wrote to stdout
 * @param err what it wrote to stderr
 */
record CliRun(int exitCode, String out, String err) {
  /** Runs {@code codec-cli args...} in-process with captured output. */
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        CodecCli.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
