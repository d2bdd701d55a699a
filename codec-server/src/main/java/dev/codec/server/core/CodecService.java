package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.WrappedDek;
import dev.codec.server.crypto.InvalidCiphertextException;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.crypto.LegacyFormat;
import dev.codec.server.crypto.SymmetricKey;
import dev.codec.server.crypto.UnknownKekVersionException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The codec's operations on plain Java types: validation and limits, DEK caching, and envelope
 * crypto, key lifecycle (re-wrap, DEK rotation, status) and, when enabled, legacy input. Transport-free;
 * every refusal is a {@link RejectedRequestException} with a message safe to return to the caller.
 * Thread-safe.
 */
public final class CodecService {
    private static final String INVALID_DEK = "invalid (malformed, tampered with, or wrapped for another project)";
    private static final String INVALID_VALUE =
            "cannot be decrypted (malformed, tampered with, from another project or under another DEK)";
    private static final String LEGACY_DISABLED = "legacy input is disabled (codec.legacy.accept=false)";

    private final EnvelopeCrypto crypto;
    private final DekCache dekCache;
    private final RequestValidator validate;
    private final boolean acceptLegacy;
    private final KekReloader kekReloader;

    /** A service that rejects legacy input and has no {@link #status()}. */
    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits) {
        this(crypto, dekCache, limits, false, null);
    }

    /**
     * @param acceptLegacy whether legacy wrapped DEKs and values are accepted as input ({@link LegacyFormat})
     * @param kekReloader the KEK ring's reloader, source of {@link #status()}
     */
    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits, boolean acceptLegacy,
            KekReloader kekReloader) {
        this.crypto = crypto;
        this.dekCache = dekCache;
        this.acceptLegacy = acceptLegacy;
        this.kekReloader = kekReloader;
        this.validate = new RequestValidator(limits, EnvelopeCrypto.maxValueCiphertextLength(limits.maxValueBytes()));
    }

    /** A new DEK for {@code projectId}, wrapped under the active KEK. */
    public WrappedDek generateDek(String projectId) throws RejectedRequestException {
        validate.projectId(projectId);
        return crypto.generateWrappedDek(projectId);
    }

    /** Encrypts every value under the project's DEK (one unwrap for the whole call). */
    public Map<String, String> encrypt(String projectId, String encryptedDek, Map<String, String> values)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.entryCount("values", values.size());
        List<String> names = new ArrayList<>(values.size());
        List<byte[]> plaintexts = new ArrayList<>(values.size());
        for (Map.Entry<String, String> entry : values.entrySet()) {
            validate.name("values", entry.getKey());
            byte[] plaintext = entry.getValue().getBytes(StandardCharsets.UTF_8);
            validate.plaintextSize("values", entry.getKey(), plaintext.length);
            names.add(entry.getKey());
            plaintexts.add(plaintext);
        }
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            ValueCipher cipher = crypto.valueCipher(projectId, dek);
            Map<String, String> encrypted = new HashMap<>(capacity(values.size()));
            for (int i = 0; i < names.size(); i++) {
                encrypted.put(names.get(i), cipher.encrypt(plaintexts.get(i)));
            }
            return encrypted;
        } finally {
            dek.destroy();
        }
    }

    /** The plaintext DEK (32 bytes). The caller must be allowed to take the DEK out of the service. */
    public byte[] decryptDek(String projectId, String encryptedDek) throws RejectedRequestException {
        validate.projectId(projectId);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            return dek.getEncoded();
        } finally {
            dek.destroy();
        }
    }

    /** Decrypts one value with the project's wrapped DEK. */
    public String decryptValue(String projectId, String encrypted, String encryptedDek)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        rejectLegacyValueIfDisabled("encrypted", encrypted);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            return decryptOne(crypto.valueCipher(projectId, dek), encrypted);
        } finally {
            dek.destroy();
        }
    }

    /** Decrypts one value with a plaintext DEK supplied by the caller. */
    public String decryptValue(String projectId, String encrypted, byte[] dek) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        if (dek.length != SymmetricKey.KEY_BYTES) {
            throw badInput("dek: must be " + SymmetricKey.KEY_BYTES + " bytes, got " + dek.length);
        }
        rejectLegacyValueIfDisabled("encrypted", encrypted);
        SymmetricKey key = SymmetricKey.copyOf(dek);
        try {
            return decryptOne(crypto.valueCipher(projectId, key), encrypted);
        } finally {
            key.destroy();
        }
    }

    /**
     * Decrypts a deployment's variables: PLAIN values unchanged, SECRET values decrypted. All or
     * nothing: if any SECRET fails, the whole call is rejected naming every failing variable.
     *
     * @param encryptedDek the project's wrapped DEK; may be empty only when no variable is SECRET
     */
    public Map<String, String> decryptAll(String projectId, String deploymentId, String encryptedDek,
            Map<String, Variable> variables) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.deploymentId(deploymentId);
        validate.entryCount("variables", variables.size());
        boolean anySecret = false;
        List<String> legacy = null;
        for (Map.Entry<String, Variable> entry : variables.entrySet()) {
            String name = entry.getKey();
            Variable variable = entry.getValue();
            validate.name("variables", name);
            switch (variable.kind()) {
                case PLAIN -> validate.plainSize("variables", name, variable.value());
                case SECRET -> {
                    validate.ciphertextSize("variables", name, variable.value());
                    anySecret = true;
                    if (!acceptLegacy && LegacyFormat.isValue(variable.value())) {
                        legacy = legacy == null ? new ArrayList<>() : legacy;
                        legacy.add(name);
                    }
                }
                default -> throw badInput("variables[" + RequestValidator.echo(name)
                        + "]: kind must be PLAIN or SECRET");
            }
        }
        if (legacy != null) {
            throw legacyDisabled("variables", legacy);
        }
        if (!anySecret && encryptedDek.isEmpty()) {
            Map<String, String> plain = new HashMap<>(capacity(variables.size()));
            variables.forEach((name, variable) -> plain.put(name, variable.value()));
            return plain;
        }
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            return decryptVariables(crypto.valueCipher(projectId, dek), variables);
        } finally {
            dek.destroy();
        }
    }

    private Map<String, String> decryptVariables(ValueCipher cipher, Map<String, Variable> variables)
            throws RejectedRequestException {
        Map<String, String> values = new HashMap<>(capacity(variables.size()));
        List<String> failed = null;
        for (Map.Entry<String, Variable> entry : variables.entrySet()) {
            Variable variable = entry.getValue();
            if (variable.kind() == Variable.Kind.PLAIN) {
                values.put(entry.getKey(), variable.value());
                continue;
            }
            try {
                values.put(entry.getKey(), utf8(decryptAnyFormat(cipher, variable.value())));
            } catch (InvalidCiphertextException | CharacterCodingException e) {
                if (failed == null) {
                    failed = new ArrayList<>();
                }
                failed.add(entry.getKey());
            }
        }
        if (failed != null) {
            values.clear();
            Collections.sort(failed);
            throw badInput("variables[" + RequestValidator.names(failed) + "]: " + INVALID_VALUE);
        }
        return values;
    }

    private String decryptOne(ValueCipher cipher, String encrypted) throws RejectedRequestException {
        if (encrypted.isEmpty()) {
            throw badInput("encrypted: required");
        }
        try {
            return utf8(decryptAnyFormat(cipher, encrypted));
        } catch (InvalidCiphertextException | CharacterCodingException e) {
            throw badInput("encrypted: " + INVALID_VALUE);
        }
    }

    /** The project's DEK as a copy owned by the caller (destroy it when done). */
    private SymmetricKey dek(String projectId, String field, String encryptedDek) throws RejectedRequestException {
        validate.wrappedDek(field, encryptedDek);
        rejectLegacyDekIfDisabled(field, encryptedDek);
        try {
            return dekCache.get(projectId, encryptedDek, this::unwrapAnyFormat);
        } catch (InvalidCiphertextException e) {
            throw badInput(field + ": " + INVALID_DEK);
        } catch (UnknownKekVersionException e) {
            throw keyUnavailable(field, e);
        }
    }

    // ---- key lifecycle: RewrapDek, RotateDek, Status ----

    /**
     * Re-wraps each DEK under the active KEK. Every item succeeds or fails on its own; the DEKs never
     * leave the service. Legacy wrapped DEKs (when accepted) come out in the current format.
     *
     * @return one outcome per item, in order
     * @throws RejectedRequestException only for the request as a whole (no items, too many items)
     */
    public List<RewrapOutcome> rewrapDeks(List<DekReference> items) throws RejectedRequestException {
        if (items.isEmpty()) {
            throw badInput("items: at least one item is required");
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

    private WrappedDek rewrapOne(String projectId, String encryptedDek) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.wrappedDek("encrypted_dek", encryptedDek);
        rejectLegacyDekIfDisabled("encrypted_dek", encryptedDek);
        // Not through the cache: a migration touches each DEK once and would only evict hot entries.
        SymmetricKey dek = unwrapOrReject(projectId, "encrypted_dek", encryptedDek);
        try {
            return crypto.wrap(projectId, dek);
        } finally {
            dek.destroy();
        }
    }

    /**
     * Replaces a project's DEK: a new random DEK, wrapped under the active KEK, and every value
     * decrypted with the old DEK and encrypted under the new one. All or nothing, naming every failing
     * variable. Legacy values (when accepted) come out in the current format.
     */
    public RotatedDek rotateDek(String projectId, String encryptedDek, Map<String, String> encrypted)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.entryCount("encrypted", encrypted.size());
        for (Map.Entry<String, String> entry : encrypted.entrySet()) {
            validate.name("encrypted", entry.getKey());
            validate.ciphertextSize("encrypted", entry.getKey(), entry.getValue());
        }
        rejectLegacyValuesIfDisabled("encrypted", encrypted);
        SymmetricKey oldDek = dek(projectId, "encrypted_dek", encryptedDek);
        ValueCipher oldCipher = crypto.valueCipher(projectId, oldDek);
        Map<String, byte[]> plaintexts = new HashMap<>(capacity(encrypted.size()));
        List<String> failed = new ArrayList<>();
        SymmetricKey newDek = SymmetricKey.random();
        try {
            for (Map.Entry<String, String> entry : encrypted.entrySet()) {
                try {
                    plaintexts.put(entry.getKey(), decryptAnyFormat(oldCipher, entry.getValue()));
                } catch (InvalidCiphertextException e) {
                    failed.add(entry.getKey());
                }
            }
            if (!failed.isEmpty()) {
                Collections.sort(failed);
                throw badInput("encrypted[" + RequestValidator.names(failed) + "]: " + INVALID_VALUE);
            }
            WrappedDek wrapped = crypto.wrap(projectId, newDek);
            ValueCipher newCipher = crypto.valueCipher(projectId, newDek);
            Map<String, String> reencrypted = new HashMap<>(capacity(encrypted.size()));
            plaintexts.forEach((name, plaintext) -> reencrypted.put(name, newCipher.encrypt(plaintext)));
            return new RotatedDek(wrapped, reencrypted);
        } finally {
            plaintexts.values().forEach(p -> java.util.Arrays.fill(p, (byte) 0));
            oldDek.destroy();
            newDek.destroy();
        }
    }

    /** Non-secret state: loaded KEK versions and fingerprints, last reload, DEK cache, legacy flag. */
    public ServiceStatus status() {
        if (kekReloader == null) {
            throw new IllegalStateException("this CodecService was built without a KEK reloader");
        }
        var stats = dekCache.stats();
        double hitRatio = stats.requestCount() == 0 ? 1.0 : stats.hitRate();
        return new ServiceStatus(kekReloader.status(), dekCache.size(), hitRatio, acceptLegacy);
    }

    private void rejectLegacyDekIfDisabled(String field, String encryptedDek) throws RejectedRequestException {
        if (!acceptLegacy && LegacyFormat.isWrappedDek(encryptedDek)) {
            throw new RejectedRequestException(RejectedRequestException.Reason.LEGACY_DISABLED,
                    field + ": " + LEGACY_DISABLED);
        }
    }

    private void rejectLegacyValueIfDisabled(String field, String encrypted) throws RejectedRequestException {
        if (!acceptLegacy && LegacyFormat.isValue(encrypted)) {
            throw new RejectedRequestException(RejectedRequestException.Reason.LEGACY_DISABLED,
                    field + ": " + LEGACY_DISABLED);
        }
    }

    /** Rejects, naming every such variable, the legacy-looking values of {@code ciphertexts} if disabled. */
    private void rejectLegacyValuesIfDisabled(String field, Map<String, String> ciphertexts)
            throws RejectedRequestException {
        if (acceptLegacy) {
            return;
        }
        List<String> legacy = new ArrayList<>();
        ciphertexts.forEach((name, text) -> {
            if (LegacyFormat.isValue(text)) {
                legacy.add(name);
            }
        });
        if (!legacy.isEmpty()) {
            throw legacyDisabled(field, legacy);
        }
    }

    /** The refusal of legacy-format input while {@code codec.legacy.accept} is off, naming every such entry. */
    private static RejectedRequestException legacyDisabled(String field, List<String> names) {
        Collections.sort(names);
        return new RejectedRequestException(RejectedRequestException.Reason.LEGACY_DISABLED,
                field + "[" + RequestValidator.names(names) + "]: " + LEGACY_DISABLED);
    }

    /** An "enc1:" value, or a legacy value when legacy input is accepted. */
    private byte[] decryptAnyFormat(ValueCipher cipher, String encrypted) throws InvalidCiphertextException {
        if (acceptLegacy && LegacyFormat.isValue(encrypted)) {
            return cipher.decryptLegacy(encrypted);
        }
        return cipher.decrypt(encrypted);
    }

    /** A "dek1:" wrapped DEK, or a legacy one when legacy input is accepted. */
    private SymmetricKey unwrapAnyFormat(String projectId, String encryptedDek)
            throws InvalidCiphertextException, UnknownKekVersionException {
        if (acceptLegacy && LegacyFormat.isWrappedDek(encryptedDek)) {
            return crypto.unwrapLegacy(encryptedDek);
        }
        return crypto.unwrap(projectId, encryptedDek);
    }

    private SymmetricKey unwrapOrReject(String projectId, String field, String encryptedDek)
            throws RejectedRequestException {
        try {
            return unwrapAnyFormat(projectId, encryptedDek);
        } catch (InvalidCiphertextException e) {
            throw badInput(field + ": " + INVALID_DEK);
        } catch (UnknownKekVersionException e) {
            throw keyUnavailable(field, e);
        }
    }

    private static RejectedRequestException keyUnavailable(String field, UnknownKekVersionException e) {
        return new RejectedRequestException(RejectedRequestException.Reason.KEY_UNAVAILABLE,
                field + ": wrapped under KEK version " + e.version() + ", which is not loaded");
    }

    /**
     * Strict UTF-8: an authentic value is always valid UTF-8, but never return replacement characters.
     * Pure ASCII (most environment values) is valid UTF-8 and decodes to the same characters as
     * ISO-8859-1, so it skips the strict decoder and its allocations; anything else goes through it.
     */
    static String utf8(byte[] bytes) throws CharacterCodingException {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static int capacity(int entries) {
        return (int) (entries / 0.75f) + 1;
    }
}
