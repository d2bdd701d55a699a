package dev.codec.server.core;

/**
 * Non-secret state of one service instance.
 *
 * @param kek loaded KEK versions with fingerprints and load times, the active one, the last reload
 * @param dekCacheSize approximate number of cached DEKs
 * @param dekCacheHitRatio hits / requests of the DEK cache since startup (1 when there were none)
 * @param legacyAccepted whether legacy input is accepted
 */
public record ServiceStatus(
    KekStatus kek, long dekCacheSize, double dekCacheHitRatio, boolean legacyAccepted) {}
