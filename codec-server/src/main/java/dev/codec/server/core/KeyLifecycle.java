package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.SymmetricKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key lifecycle: RewrapDek (a DEK under the active KEK), RotateDek (a new DEK and every value moved
 * to it) and Status (what is loaded, never key material). Transport-free; thread-safe.
 */
public final class KeyLifecycle {
  private final EnvelopeCrypto crypto;
  private final DekCache dekCache;
  private final RequestValidator validate;
  private final InputFormats formats;
  private final ProjectDeks deks;
  private final KekReloader kekReloader;

  /**
   * @param formats which input formats are read (legacy ones come out in the current format)
   * @param kekReloader the KEK ring's reloader, source of {@link #status()}
   */
  public KeyLifecycle(
      EnvelopeCrypto crypto,
      DekCache dekCache,
      Limits limits,
      InputFormats formats,
      KekReloader kekReloader) {
    this.crypto = crypto;
    this.dekCache = dekCache;
    this.validate = RequestValidator.of(limits);
    this.formats = formats;
    this.deks = new ProjectDeks(dekCache, validate, formats);
    this.kekReloader = java.util.Objects.requireNonNull(kekReloader, "kekReloader");
  }

  /**
   * Re-wraps each DEK under the active KEK. Every item succeeds or fails on its own; the DEKs never
   * leave the service. Legacy wrapped DEKs (when accepted) come out in the current format.
   *
   * @return one outcome per item, in order
   * @throws RejectedRequestException only for the request as a whole (no items, too many items)
   */
  public List<RewrapOutcome> rewrapDeks(List<DekReference> items) throws RejectedRequestException {
    if (items.isEmpty()) {
      throw fieldRequired("items", ", at least one item");
    }
    validate.entryCount("items", items.size());
    List<RewrapOutcome> outcomes = new ArrayList<>(items.size());
    for (DekReference item : items) {
      try {
        outcomes.add(RewrapOutcome.success(rewrapOne(item.projectId(), item.encryptedDek())));
      } catch (RejectedRequestException e) {
        outcomes.add(RewrapOutcome.failure(e));
      }
    }
    return outcomes;
  }

  private WrappedDek rewrapOne(String projectId, String encryptedDek)
      throws RejectedRequestException {
    validate.projectId(projectId);
    SymmetricKey dek = deks.uncached(projectId, "encrypted_dek", encryptedDek);
    try {
      return CodecService.wrapped(crypto.wrap(projectId, dek));
    } finally {
      dek.destroy();
    }
  }

  /**
   * Replaces a project's DEK: a new random DEK, wrapped under the active KEK, and every value
   * decrypted with the old DEK and encrypted under the new one. All or nothing, naming every
   * failing variable. enc1 values (always accepted here: this is their migration) and legacy values
   * (when accepted) come out as enc2, bound to their names.
   */
  public RotatedDek rotateDek(String projectId, String encryptedDek, Map<String, String> encrypted)
      throws RejectedRequestException {
    validate.projectId(projectId);
    validate.entryCount("encrypted", encrypted.size());
    for (Map.Entry<String, String> entry : encrypted.entrySet()) {
      validate.name("encrypted", entry.getKey());
      validate.ciphertextSize("encrypted", entry.getKey(), entry.getValue());
    }
    formats.checkValues("encrypted", encrypted, true);
    SymmetricKey oldDek = deks.cached(projectId, "encrypted_dek", encryptedDek);
    ValueCipher oldCipher = crypto.valueCipher(projectId, oldDek);
    Map<String, byte[]> plaintexts = new HashMap<>(CodecService.capacity(encrypted.size()));
    List<String> failed = new ArrayList<>();
    SymmetricKey newDek = SymmetricKey.random();
    try {
      for (Map.Entry<String, String> entry : encrypted.entrySet()) {
        try {
          plaintexts.put(
              entry.getKey(), formats.decrypt(oldCipher, entry.getKey(), entry.getValue(), null));
        } catch (InvalidCiphertextException e) {
          failed.add(entry.getKey());
        }
      }
      if (!failed.isEmpty()) {
        throw Refusals.invalidValues("encrypted", failed);
      }
      WrappedDek wrapped = CodecService.wrapped(crypto.wrap(projectId, newDek));
      ValueCipher newCipher = crypto.valueCipher(projectId, newDek);
      Map<String, String> reencrypted = new HashMap<>(CodecService.capacity(encrypted.size()));
      plaintexts.forEach(
          (name, plaintext) -> reencrypted.put(name, newCipher.encrypt(name, plaintext)));
      return new RotatedDek(wrapped, reencrypted);
    } finally {
      plaintexts.values().forEach(p -> Arrays.fill(p, (byte) 0));
      oldDek.destroy();
      newDek.destroy();
    }
  }

  /**
   * Non-secret state: loaded KEK versions and fingerprints, last reload, DEK cache, legacy flag.
   */
  public ServiceStatus status() {
    var stats = dekCache.stats();
    double hitRatio = stats.requestCount() == 0 ? 1.0 : stats.hitRate();
    return new ServiceStatus(
        kekStatus(kekReloader.status()), dekCache.size(), hitRatio, formats.acceptsLegacy());
  }

  private static KekStatus kekStatus(KekReloader.Status status) {
    List<KekStatus.LoadedKek> versions = new ArrayList<>(status.versions().size());
    status
        .versions()
        .forEach(
            k -> versions.add(new KekStatus.LoadedKek(k.version(), k.fingerprint(), k.loadedAt())));
    KekReloader.ReloadStatus reload = status.lastReload();
    KekStatus.ReloadResult result =
        switch (reload.result()) {
          case DISABLED -> KekStatus.ReloadResult.DISABLED;
          case NOT_YET -> KekStatus.ReloadResult.NOT_YET;
          case OK -> KekStatus.ReloadResult.OK;
          case FAILED -> KekStatus.ReloadResult.FAILED;
        };
    return new KekStatus(
        status.activeVersion(),
        versions,
        new KekStatus.Reload(result, reload.at(), reload.error()));
  }
}
