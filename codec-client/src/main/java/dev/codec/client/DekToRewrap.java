package dev.codec.client;

/**
 * One wrapped DEK to re-wrap with {@link CodecClient#rewrapDeks}. {@link #toString()} names the
 * project only.
 *
 * @param projectId the project the DEK belongs to
 * @param encryptedDek its wrapped DEK (current or, while the service accepts it, legacy format)
 */
public record DekToRewrap(String projectId, String encryptedDek) {
  @Override
  public String toString() {
    return "DekToRewrap[project=" + projectId + "]";
  }
}
