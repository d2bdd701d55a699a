package dev.codec.client.cli;

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
            "Issues a deployment grant for a runner.",
            "The grant lets the deployment's runner decrypt the project's values under this wrapped "
                + "DEK until it expires. Prints project_id, deployment_id, grant, grant_id, expire_time and "
                + "kek_version; store grant in the deployment metadata (--field grant prints it alone). "
                + "Needs the caller permission 'grant'."
        })
final class GrantCommand implements Callable<Integer> {
    @Option(names = "--project", required = true, paramLabel = "ID", defaultValue = "${env:CODEC_PROJECT}",
            description = "Project id (env CODEC_PROJECT).")
    String project;

    @Option(names = "--deployment", required = true, paramLabel = "ID", defaultValue = "${env:CODEC_DEPLOYMENT_ID}",
            description = "Deployment id (env CODEC_DEPLOYMENT_ID).")
    String deployment;

    @Option(names = "--dek", required = true, paramLabel = "ENCRYPTED_DEK", defaultValue = "${env:CODEC_DEK}",
            description = "The project's wrapped DEK (env CODEC_DEK).")
    String encryptedDek;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "${env:CODEC_GRANT_TTL:-24h}",
            converter = DurationConverter.class,
            description = "How long the grant is valid, e.g. 30m, 12h (at most the service's codec.grants.max-ttl;"
                    + " env CODEC_GRANT_TTL). Default: ${DEFAULT-VALUE}.")
    Duration ttl;

    @Mixin
    RemoteOptions remote;

    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IssuedGrant grant;
        try (CodecClient client = remote.client()) {
            grant = client.issueGrant(project, deployment, encryptedDek, ttl);
        }
        output.print(OutputOptions.object()
                .put("project_id", project)
                .put("deployment_id", deployment)
                .put("grant", grant.grant())
                .put("grant_id", grant.grantId())
                .put("expire_time", grant.expireTime().toString())
                .put("kek_version", grant.kekVersion()));
        return 0;
    }
}
