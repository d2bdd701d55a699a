package dev.codec.server;

import dev.codec.client.cli.CodecCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One codec-cli invocation run in this JVM, with what it printed.
 *
 * @param exitCode the command's exit code
 * @param out what it wrote to stdout
 * @param err what it wrote to stderr
 */
public record CliRun(int exitCode, String out, String err) {
  /** Runs {@code codec-cli args...} in-process with captured output. */
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        CodecCli.newCommandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /**
   * Runs {@code codec-cli args... --target TARGET --token-file TOKEN}: a call to a server as one
   * caller.
   */
  public static CliRun against(String target, String token, String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 4);
    all[args.length] = "--target";
    all[args.length + 1] = target;
    all[args.length + 2] = "--token-file";
    all[args.length + 3] = token;
    return of(all);
  }
}
