package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import dev.codec.client.json.StoredVariables;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Encrypts NAME=VALUE pairs under a project's DEK and prints them in the stored JSON shape. */
@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypts variables under a project's DEK.",
      "Prints them in the stored shape ({\"NAME\": {\"type\": \"secret\", \"encrypted\": true, "
          + "\"value\": \"enc2:...\", \"keyVersion\": N}}). Values given as arguments are visible to "
          + "other users of this host (ps): prefer --stdin, which reads NAME=VALUE lines."
    })
final class EncryptCommand implements Callable<Integer> {
  @Mixin ProjectKeyOptions key;

  @Option(
      names = "--stdin",
      defaultValue = "${env:CODEC_STDIN:-false}",
      description = "Also read NAME=VALUE lines from standard input (env CODEC_STDIN).")
  boolean stdin;

  @Parameters(paramLabel = "NAME=VALUE", arity = "0..*", description = "Variables to encrypt.")
  List<String> pairs = List.of();

  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : pairs) {
      put(values, pair, "argument");
    }
    if (stdin) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      int lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        if (!line.isBlank() && !line.startsWith("#")) {
          put(values, line, "stdin line " + lineNumber);
        }
      }
    }
    if (values.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no NAME=VALUE given");
    }
    Map<String, Variable> secrets = new LinkedHashMap<>();
    values.forEach((name, value) -> secrets.put(name, Variable.secret(value)));
    String stored;
    try (CodecClient client = remote.client()) {
      stored =
          StoredVariables.encryptRevision(client, key.project, key.encryptedDek, secrets)
              .variablesJson();
    }
    output.print(OutputOptions.json().readTree(stored));
    return 0;
  }

  private void put(Map<String, String> values, String pair, String where) {
    int eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), where + ": expected NAME=VALUE (the value is not shown)");
    }
    values.put(pair.substring(0, eq), pair.substring(eq + 1));
  }
}
