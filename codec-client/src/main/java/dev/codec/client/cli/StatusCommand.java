package dev.codec.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Prints the Status of the instance that answers (one pod: use its own address to check each pod). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {
            "Prints the service instance's status as JSON: active KEK version, loaded KEK versions with",
            "fingerprints and load times, last KEK reload, DEK cache, whether legacy input is accepted."
        })
final class StatusCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CodecStatus status;
        try (CodecClient client = remote.client()) {
            status = client.status();
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode().put("activeKekVersion", status.activeKekVersion());
        ArrayNode versions = out.putArray("kekVersions");
        for (CodecStatus.KekVersion version : status.kekVersions()) {
            versions.addObject()
                    .put("version", version.version())
                    .put("fingerprint", version.fingerprint())
                    .put("loadedAt", version.loadedAt().toString());
        }
        ObjectNode reload = out.putObject("lastReload").put("result", status.lastReload().result());
        reload.put("at", status.lastReload().at() == null ? null : status.lastReload().at().toString());
        reload.put("error", status.lastReload().error());
        out.putObject("dekCache")
                .put("size", status.dekCacheSize())
                .put("hitRatio", status.dekCacheHitRatio());
        out.put("legacyAccepted", status.legacyAccepted());
        JsonOutput.print(spec, out);
        return 0;
    }
}
