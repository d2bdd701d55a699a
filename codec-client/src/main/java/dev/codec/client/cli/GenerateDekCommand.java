package dev.codec.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.GeneratedDek;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Asks the service for a new wrapped DEK for a project. */
@Command(name = "generate-dek", mixinStandardHelpOptions = true,
        description = "Creates a project's DEK; prints {\"projectId\", \"encryptedDek\", \"kekVersion\"} as JSON.")
final class GenerateDekCommand implements Callable<Integer> {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id.")
    String project;

    @Mixin
    RemoteOptions remote;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        GeneratedDek dek;
        try (CodecClient client = remote.client()) {
            dek = client.generateDek(project);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode()
                .put("projectId", project)
                .put("encryptedDek", dek.encryptedDek())
                .put("kekVersion", dek.kekVersion());
        JsonOutput.print(spec, out);
        return 0;
    }
}
