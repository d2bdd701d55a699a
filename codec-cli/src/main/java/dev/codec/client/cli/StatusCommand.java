package dev.codec.client.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Prints the Status of the instance that answers (one pod: use its own address to check each pod).
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the status of the service instance that answers.",
      "Fields: active_kek_version, kek_versions (version, fingerprint, load_time), last_reload "
          + "(result, time, error), dek_cache (size, hit_ratio), legacy_accepted. One pod answers: "
          + "use each pod's own address to check them all."
    })
final class StatusCommand implements Callable<Integer> {
  @Mixin RemoteOptions remote;

  @Mixin OutputOptions output;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CodecStatus status;
    try (CodecClient client = remote.client()) {
      status = client.status();
    }
    ObjectNode out = OutputOptions.object().put("active_kek_version", status.activeKekVersion());
    ArrayNode versions = out.putArray("kek_versions");
    for (CodecStatus.KekVersion version : status.kekVersions()) {
      versions
          .addObject()
          .put("version", version.version())
          .put("fingerprint", version.fingerprint())
          .put("load_time", version.loadedAt().toString());
    }
    ObjectNode reload = out.putObject("last_reload").put("result", status.lastReload().result());
    reload.put(
        "time", status.lastReload().at() == null ? null : status.lastReload().at().toString());
    reload.put("error", status.lastReload().error());
    out.putObject("dek_cache")
        .put("size", status.dekCacheSize())
        .put("hit_ratio", status.dekCacheHitRatio());
    out.put("legacy_accepted", status.legacyAccepted());
    output.print(out);
    return 0;
  }
}
