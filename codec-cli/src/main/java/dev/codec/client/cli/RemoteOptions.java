package dev.codec.client.cli;

import dev.codec.client.CodecClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by every command that calls the service: address, deadline, token, TLS. */
final class RemoteOptions {
  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:CODEC_TARGET:-localhost:50051}",
      description =
          "Codec service address or gRPC target such as dns:///codec-headless:50051 "
              + "(env CODEC_TARGET). Default: ${DEFAULT-VALUE}.")
  String target;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      defaultValue = "${env:CODEC_DEADLINE:-10s}",
      converter = DurationConverter.class,
      description =
          "Deadline of the call, e.g. 500ms, 10s, 1m (env CODEC_DEADLINE). Default: ${DEFAULT-VALUE}.")
  Duration deadline;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      defaultValue = "${env:CODEC_TOKEN_FILE}",
      description =
          "File holding this caller's bearer token, read again when it changes (env CODEC_TOKEN_FILE).")
  Path tokenFile;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      defaultValue = "${env:CODEC_CA_FILE}",
      description =
          "CA certificates that sign the server's certificate; turns on TLS (env CODEC_CA_FILE).")
  Path caFile;

  @Option(
      names = "--cert",
      paramLabel = "PEM",
      defaultValue = "${env:CODEC_CERT_FILE}",
      description = "Client certificate for mTLS, with --key (env CODEC_CERT_FILE).")
  Path cert;

  @Option(
      names = "--key",
      paramLabel = "PEM",
      defaultValue = "${env:CODEC_KEY_FILE}",
      description = "Unencrypted PKCS#8 private key of --cert (env CODEC_KEY_FILE).")
  Path key;

  @Option(
      names = "--allow-insecure",
      defaultValue = "${env:CODEC_ALLOW_INSECURE:-false}",
      description =
          "Send the token over plaintext to a non-loopback address (env CODEC_ALLOW_INSECURE)."
              + " Only inside a network you trust; use --ca-file instead.")
  boolean allowInsecure;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  /**
   * A client for these options. A token, CA, certificate or key file that is missing or unusable is
   * a configuration failure (exit 78), found here before any call.
   */
  CodecClient client() {
    if ((cert == null) != (key == null)) {
      throw new CommandLine.ParameterException(mixee.commandLine(), "--cert and --key go together");
    }
    readable("--token-file", tokenFile);
    readable("--ca-file", caFile);
    readable("--cert", cert);
    readable("--key", key);
    try {
      CodecClient.Builder builder =
          CodecClient.builder().target(target).deadline(deadline).allowInsecure(allowInsecure);
      if (tokenFile != null) {
        builder.tokenFile(tokenFile);
      }
      if (caFile != null) {
        builder.trustCertificates(caFile);
      }
      if (cert != null) {
        builder.clientCertificate(cert, key);
      }
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      throw CliFailure.config(e.getMessage(), e);
    }
  }

  private static void readable(String option, Path file) {
    if (file != null && !Files.isReadable(file)) {
      throw CliFailure.config(
          option + " " + file + ": " + (Files.exists(file) ? "cannot be read" : "no such file"),
          null);
    }
  }
}
