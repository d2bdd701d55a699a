package dev.codec.client.cli;

import dev.codec.client.Variable;
import dev.codec.client.json.StoredVariables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** A stored variables JSON file (the stored shape), or standard input. */
final class VariablesFileOption {
  @Option(
      names = "--file",
      required = true,
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_VARIABLES_FILE}",
      description = "Stored variables JSON; - for stdin (env CODEC_VARIABLES_FILE).")
  String file;

  /** The file's variables, parsed. */
  Map<String, Variable> read() throws IOException {
    String json =
        "-".equals(file)
            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
            : Files.readString(Path.of(file), StandardCharsets.UTF_8);
    return StoredVariables.parse(json);
  }
}
