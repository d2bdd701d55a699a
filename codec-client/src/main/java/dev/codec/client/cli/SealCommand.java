package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import dev.codec.client.StoredVariables;
import dev.codec.client.Variable;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Seals a stored revision (SealVariables) and prints the seal. */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = {
            "Seals a stored variables file and prints the seal.",
            "Checks that every secret decrypts under the project's DEK for its name, then prints project_id "
                + "and seal; store seal with the revision (--field seal prints it alone). For revisions "
                + "assembled from stored ciphertexts, and to seal existing revisions before turning "
                + "codec.seals.required on. Needs the caller permission 'encrypt'."
        })
final class SealCommand implements Callable<Integer> {
    @Option(names = "--project", required = true, paramLabel = "ID", defaultValue = "${env:CODEC_PROJECT}",
            description = "Project id (env CODEC_PROJECT).")
    String project;

    @Option(names = "--dek", required = true, paramLabel = "ENCRYPTED_DEK", defaultValue = "${env:CODEC_DEK}",
            description = "The project's wrapped DEK (env CODEC_DEK).")
    String encryptedDek;

    @Option(names = "--file", required = true, paramLabel = "FILE", defaultValue = "${env:CODEC_VARIABLES_FILE}",
            description = "Stored variables JSON; - for stdin (env CODEC_VARIABLES_FILE).")
    String file;

    @Mixin
    RemoteOptions remote;

    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Variable> variables = StoredVariables.parse(DecryptAllCommand.read(file));
        String seal;
        try (CodecClient client = remote.client()) {
            seal = client.sealVariables(project, encryptedDek, variables);
        }
        output.print(OutputOptions.object().put("project_id", project).put("seal", seal));
        return 0;
    }
}
