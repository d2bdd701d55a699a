package dev.codec.client;

import java.time.Instant;
import java.util.List;

/**
 * Non-secret state of one codec service instance (pod), from {@link CodecClient#status()}.
 *
 * @param activeKekVersion the KEK version that wraps new DEKs
 * @param kekVersions every loaded KEK version, ascending
 * @param lastReload the last re-read of the KEK directory
 * @param dekCacheSize approximate number of cached DEKs
 * @param dekCacheHitRatio DEK cache hits / requests since startup
 * @param legacyAccepted whether the instance accepts legacy input
 */
public record CodecStatus(
    int activeKekVersion,
    List<KekVersion> kekVersions,
    Reload lastReload,
    long dekCacheSize,
    double dekCacheHitRatio,
    boolean legacyAccepted) {

  /**
   * One loaded KEK version.
   *
   * @param fingerprint hex of a truncated HMAC under the KEK: equal across pods that loaded the
   *     same key
   * @param loadedAt when the instance loaded this key
   */
  public record KekVersion(int version, String fingerprint, Instant loadedAt) {}

  /**
   * The last KEK reload.
   *
   * @param result DISABLED (single key from CODEC_KEK), NOT_YET, OK or FAILED
   * @param at when it ran, or {@code null} if none has
   * @param error why it failed, or {@code null}
   */
  public record Reload(String result, Instant at, String error) {}
}
