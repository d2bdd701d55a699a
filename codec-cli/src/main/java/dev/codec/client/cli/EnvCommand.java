package dev.codec.client.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints a deployment's decrypted variables as dotenv or JSON, for tools that need a file. */
@Command(
    name = "env",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a deployment's variables in plaintext.",
      "Decrypts them with one DecryptAll call and prints them to stdout as dotenv or JSON. The "
          + "output contains secrets in plaintext: prefer 'exec', which never writes them out."
    })
final class EnvCommand implements Callable<Integer> {
  static final String WARNING =
      "codec-cli: warning: the output contains secrets in plaintext; "
          + "do not log it, commit it or leave it on disk";

  /** Output formats. */
  enum Format {
    dotenv,
    json
  }

  @Mixin DeploymentOptions deployment;

  @Option(
      names = "--format",
      defaultValue = "${env:CODEC_ENV_FORMAT:-dotenv}",
      paramLabel = "FORMAT",
      description = "dotenv or json (env CODEC_ENV_FORMAT). Default: ${DEFAULT-VALUE}.")
  Format format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> environment = new TreeMap<>(deployment.decrypt());
    spec.commandLine().getErr().println(WARNING);
    spec.commandLine().getErr().flush();
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(OutputOptions.json().writeValueAsString(environment));
    } else {
      environment.forEach((name, value) -> out.println(name + "=" + dotenvQuote(value)));
    }
    out.flush();
    return 0;
  }

  /**
   * Quotes a value for a dotenv file. Single quotes (taken literally by POSIX sh, docker compose
   * and python-dotenv) unless the value contains a single quote or a control character; then double
   * quotes with the backslash escapes {@code \\ \" \n \r \t \$} (and {@code \}{@code uXXXX} for
   * other control characters). Dotenv readers differ in which escapes they undo.
   */
  static String dotenvQuote(String value) {
    boolean plainSingle =
        value.indexOf('\'') < 0 && value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    if (plainSingle) {
      return "'" + value + "'";
    }
    StringBuilder quoted = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> quoted.append("\\\\");
        case '"' -> quoted.append("\\\"");
        case '$' -> quoted.append("\\$");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
