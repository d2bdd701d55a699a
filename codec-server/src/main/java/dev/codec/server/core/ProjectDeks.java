package dev.codec.server.core;

import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;

/**
 * A project's DEK from its wrapped form, checked (size, format), unwrapped in any accepted format
 * and, for the decrypting calls, through the {@link DekCache}. The one place where a failed unwrap
 * becomes a refusal.
 */
final class ProjectDeks {
  private final DekCache cache;
  private final RequestValidator validate;
  private final InputFormats formats;

  ProjectDeks(DekCache cache, RequestValidator validate, InputFormats formats) {
    this.cache = cache;
    this.validate = validate;
    this.formats = formats;
  }

  /** The project's DEK through the cache, as a copy owned by the caller (destroy it when done). */
  SymmetricKey cached(String projectId, String field, String encryptedDek)
      throws RejectedRequestException {
    return get(projectId, field, encryptedDek, true);
  }

  /**
   * The project's DEK and its derived keys (the seal key) through the cache, as copies owned by the
   * caller (destroy them when done).
   */
  DekKeys cachedKeys(String projectId, String field, String encryptedDek)
      throws RejectedRequestException {
    validate.wrappedDek(field, encryptedDek);
    formats.checkWrappedDek(field, encryptedDek);
    try {
      return cache.keys(projectId, encryptedDek, formats::unwrap);
    } catch (InvalidCiphertextException e) {
      throw Refusals.invalidDek(field);
    } catch (UnknownKekVersionException e) {
      throw Refusals.keyUnavailable(field, e);
    }
  }

  /**
   * The project's DEK, not through the cache (a migration touches each DEK once and would only
   * evict hot entries); the caller destroys it.
   */
  SymmetricKey uncached(String projectId, String field, String encryptedDek)
      throws RejectedRequestException {
    return get(projectId, field, encryptedDek, false);
  }

  private SymmetricKey get(
      String projectId, String field, String encryptedDek, boolean throughCache)
      throws RejectedRequestException {
    validate.wrappedDek(field, encryptedDek);
    formats.checkWrappedDek(field, encryptedDek);
    try {
      return throughCache
          ? cache.get(projectId, encryptedDek, formats::unwrap)
          : formats.unwrap(projectId, encryptedDek);
    } catch (InvalidCiphertextException e) {
      throw Refusals.invalidDek(field);
    } catch (UnknownKekVersionException e) {
      throw Refusals.keyUnavailable(field, e);
    }
  }
}
