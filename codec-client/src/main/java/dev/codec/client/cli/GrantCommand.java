package dev.codec.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.IssuedGrant;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Issues a deployment grant (permission {@code grant}) and prints it as JSON. */
@Command(name = "grant", mixinStandardHelpOptions = true,
        description = {
            "Issues a deployment grant: lets the deployment's runner decrypt the project's values under",
            "this wrapped DEK until it expires. Prints {\"projectId\", \"deploymentId\", \"grant\", \"grantId\",",
            "\"expireTime\", \"kekVersion\"} as JSON; store \"grant\" in the deployment metadata. Needs the",
            "caller permission 'grant'."
        })
final class GrantCommand implements Callable<Integer> {
    @Option(names = "--project", required = true, paramLabel = "ID", description = "Project id.")
    String project;

    @Option(names = "--deployment", required = true, paramLabel = "ID", description = "Deployment id.")
    String deployment;

    @Option(names = "--dek", required = true, paramLabel = "ENCRYPTED_DEK", description = "The project's wrapped DEK.")
    String encryptedDek;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h", converter = DurationConverter.class,
            description = "How long the grant is valid, e.g. 30m, 12h (at most the service's codec.grants.max-ttl). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    @Mixin
    RemoteOptions remote;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IssuedGrant grant;
        try (CodecClient client = remote.client()) {
            grant = client.issueGrant(project, deployment, encryptedDek, ttl);
        }
        ObjectNode out = new ObjectMapper().createObjectNode()
                .put("projectId", project)
                .put("deploymentId", deployment)
                .put("grant", grant.grant())
                .put("grantId", grant.grantId())
                .put("expireTime", grant.expireTime().toString())
                .put("kekVersion", grant.kekVersion());
        JsonOutput.print(spec, out);
        return 0;
    }
}
