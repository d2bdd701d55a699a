package dev.codec.server.core;

import java.time.Instant;
import java.util.List;

/**
 * The KEK ring as Status shows it: loaded versions (fingerprints, never keys), the active one, and
 * how the last reload went.
 *
 * @param activeVersion the version that wraps new DEKs
 * @param versions every loaded version, ascending
 * @param lastReload the last reload attempt
 */
public record KekStatus(int activeVersion, List<LoadedKek> versions, Reload lastReload) {
  public KekStatus {
    versions = List.copyOf(versions);
  }

  /** One loaded KEK version: its fingerprint and when it was loaded. */
  public record LoadedKek(int version, String fingerprint, Instant loadedAt) {}

  /** The outcome of the last reload attempt. */
  public enum ReloadResult {
    /** The KEK does not come from a directory (CODEC_KEK): nothing to reload. */
    DISABLED,
    /** No reload has run since startup. */
    NOT_YET,
    /** The last reload succeeded (possibly with no change). */
    OK,
    /** The last reload failed; the previous ring stays in force. */
    FAILED
  }

  /**
   * The last reload attempt.
   *
   * @param at when it ran, or {@code null} if none has run
   * @param error why it failed (safe to show), or {@code null} unless {@link ReloadResult#FAILED}
   */
  public record Reload(ReloadResult result, Instant at, String error) {}
}
