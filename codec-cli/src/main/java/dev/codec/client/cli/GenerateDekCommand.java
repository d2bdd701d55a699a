package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.GeneratedDek;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Asks the service for a new wrapped DEK for a project. */
@Command(
    name = "generate-dek",
    mixinStandardHelpOptions = true,
    description = {
      "Creates a project's DEK and prints it wrapped.",
      "Prints project_id, encrypted_dek and kek_version (see -o and --field)."
    })
final class GenerateDekCommand implements Callable<Integer> {
  @Option(
      names = "--project",
      required = true,
      paramLabel = "ID",
      defaultValue = "${env:CODEC_PROJECT}",
      description = "Project id (env CODEC_PROJECT).")
  String project;

  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    GeneratedDek dek;
    try (CodecClient client = remote.client()) {
      dek = client.generateDek(project);
    }
    output.print(
        OutputOptions.object()
            .put("project_id", project)
            .put("encrypted_dek", dek.encryptedDek())
            .put("kek_version", dek.kekVersion()));
    return 0;
  }
}
