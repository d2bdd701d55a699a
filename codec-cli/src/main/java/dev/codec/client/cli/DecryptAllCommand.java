package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.Variable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Decrypts a stored variables JSON file in one DecryptAll call and prints NAME -> plaintext JSON.
 */
@Command(
    name = "decrypt-all",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypts a stored variables file; prints secrets.",
      "Reads {\"NAME\": {\"type\": \"plain\"|\"secret\", \"value\": ...}} (the stored shape) "
          + "and prints {\"NAME\": \"plaintext\"} (--field NAME prints one value). The output "
          + "contains secrets."
    })
final class DecryptAllCommand implements Callable<Integer> {
  @Mixin ProjectKeyOptions key;

  @Option(
      names = "--deployment",
      paramLabel = "ID",
      defaultValue = "${env:CODEC_DEPLOYMENT_ID:-}",
      description = "Deployment id, for the audit log (env CODEC_DEPLOYMENT_ID).")
  String deployment;

  @Option(
      names = "--grant",
      paramLabel = "GRANT",
      defaultValue = "${env:CODEC_GRANT:-}",
      description = "The deployment grant (env CODEC_GRANT).")
  String grant;

  @Option(
      names = "--seal",
      paramLabel = "SEAL",
      defaultValue = "${env:CODEC_SEAL:-}",
      description = "The revision's seal (env CODEC_SEAL).")
  String seal;

  @Mixin VariablesFileOption variables;

  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<String, Variable> stored = variables.read();
    Map<String, String> values;
    try (CodecClient client = remote.client()) {
      values = client.decryptAll(key.project, deployment, key.encryptedDek, stored, grant, seal);
    }
    output.print(OutputOptions.json().valueToTree(new TreeMap<>(values)));
    return 0;
  }
}
