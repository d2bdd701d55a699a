package dev.codec.server.core;

/** A project's wrapped DEK, as given to RewrapDek. {@link #toString()} names the project only. */
public record DekReference(String projectId, String encryptedDek) {
  @Override
  public String toString() {
    return "DekReference[project=" + projectId + "]";
  }
}
