package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Seals a stored revision (SealVariables) and prints the seal. */
@Command(
    name = "seal",
    mixinStandardHelpOptions = true,
    description = {
      "Seals a stored variables file and prints the seal.",
      "Checks that every secret decrypts under the project's DEK for its name, then prints project_id "
          + "and seal; store seal with the revision (--field seal prints it alone). For revisions "
          + "assembled from stored ciphertexts, and to seal existing revisions before turning "
          + "codec.seals.required on. Needs the caller permission 'encrypt'."
    })
final class SealCommand implements Callable<Integer> {
  @Mixin ProjectKeyOptions key;

  @Mixin VariablesFileOption variables;

  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, Variable> stored = variables.read();
    String seal;
    try (CodecClient client = remote.client()) {
      seal = client.sealVariables(key.project, key.encryptedDek, stored);
    }
    output.print(OutputOptions.object().put("project_id", key.project).put("seal", seal));
    return 0;
  }
}
