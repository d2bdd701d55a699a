package dev.codec.client.cli;

import picocli.CommandLine.Option;

/** The project and its wrapped DEK: the two options every call on a project's values takes. */
final class ProjectKeyOptions {
  @Option(
      names = "--project",
      required = true,
      paramLabel = "ID",
      defaultValue = "${env:CODEC_PROJECT}",
      description = "Project id (env CODEC_PROJECT).")
  String project;

  @Option(
      names = "--dek",
      required = true,
      paramLabel = "ENCRYPTED_DEK",
      defaultValue = "${env:CODEC_DEK}",
      description = "The project's wrapped DEK, from generate-dek (env CODEC_DEK).")
  String encryptedDek;
}
