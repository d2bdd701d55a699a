package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options shared by every command that calls the service. */
final class RemoteOptions {
    @Option(names = "--target", paramLabel = "HOST:PORT",
            defaultValue = "${env:CODEC_TARGET:-localhost:50051}",
            description = "Codec service address (env CODEC_TARGET). Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Deadline of the call, e.g. 500ms, 10s, 1m. Default: ${DEFAULT-VALUE}.")
    Duration deadline;

    CodecClient client() {
        return CodecClient.builder().target(target).deadline(deadline).build();
    }
}
