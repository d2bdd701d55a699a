package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;

import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.WrappedDek;
import dev.codec.server.crypto.InvalidCiphertextException;
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
 * crypto. Transport-free; every refusal is a {@link RejectedRequestException} with a message safe to
 * return to the caller. Thread-safe.
 */
public final class CodecService {
    private static final String INVALID_DEK = "invalid (malformed, tampered with, or wrapped for another project)";
    private static final String INVALID_VALUE =
            "cannot be decrypted (malformed, tampered with, from another project or under another DEK)";

    private final EnvelopeCrypto crypto;
    private final DekCache dekCache;
    private final RequestValidator validate;

    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits) {
        this.crypto = crypto;
        this.dekCache = dekCache;
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
        List<byte[]> plaintexts = new ArrayList<>(values.size());
        for (Map.Entry<String, String> entry : values.entrySet()) {
            validate.name("values", entry.getKey());
            byte[] plaintext = entry.getValue().getBytes(StandardCharsets.UTF_8);
            validate.plaintextSize("values", entry.getKey(), plaintext.length);
            plaintexts.add(plaintext);
        }
        ValueCipher cipher = crypto.valueCipher(projectId, dek(projectId, "encrypted_dek", encryptedDek));
        Map<String, String> encrypted = new HashMap<>(capacity(values.size()));
        int i = 0;
        for (String name : values.keySet()) {
            encrypted.put(name, cipher.encrypt(plaintexts.get(i++)));
        }
        return encrypted;
    }

    /** The plaintext DEK (32 bytes). The caller must be allowed to take the DEK out of the service. */
    public byte[] decryptDek(String projectId, String encryptedDek) throws RejectedRequestException {
        validate.projectId(projectId);
        return dek(projectId, "encrypted_dek", encryptedDek).getEncoded();
    }

    /** Decrypts one value with the project's wrapped DEK. */
    public String decryptValue(String projectId, String encrypted, String encryptedDek)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        return decryptOne(crypto.valueCipher(projectId, dek), encrypted);
    }

    /** Decrypts one value with a plaintext DEK supplied by the caller. */
    public String decryptValue(String projectId, String encrypted, byte[] dek) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        if (dek.length != SymmetricKey.KEY_BYTES) {
            throw badInput("dek: must be " + SymmetricKey.KEY_BYTES + " bytes, got " + dek.length);
        }
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
        for (Map.Entry<String, Variable> entry : variables.entrySet()) {
            String name = entry.getKey();
            Variable variable = entry.getValue();
            validate.name("variables", name);
            switch (variable.kind()) {
                case PLAIN -> validate.plainSize("variables", name, variable.value());
                case SECRET -> {
                    validate.ciphertextSize("variables", name, variable.value());
                    anySecret = true;
                }
                default -> throw badInput("variables[" + RequestValidator.echo(name)
                        + "]: kind must be PLAIN or SECRET");
            }
        }
        if (!anySecret && encryptedDek.isEmpty()) {
            Map<String, String> plain = new HashMap<>(capacity(variables.size()));
            variables.forEach((name, variable) -> plain.put(name, variable.value()));
            return plain;
        }
        ValueCipher cipher = crypto.valueCipher(projectId, dek(projectId, "encrypted_dek", encryptedDek));
        Map<String, String> values = new HashMap<>(capacity(variables.size()));
        List<String> failed = null;
        for (Map.Entry<String, Variable> entry : variables.entrySet()) {
            Variable variable = entry.getValue();
            if (variable.kind() == Variable.Kind.PLAIN) {
                values.put(entry.getKey(), variable.value());
                continue;
            }
            try {
                values.put(entry.getKey(), utf8(cipher.decrypt(variable.value())));
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
            return utf8(cipher.decrypt(encrypted));
        } catch (InvalidCiphertextException | CharacterCodingException e) {
            throw badInput("encrypted: " + INVALID_VALUE);
        }
    }

    private SymmetricKey dek(String projectId, String field, String encryptedDek) throws RejectedRequestException {
        validate.wrappedDek(field, encryptedDek);
        try {
            return dekCache.get(projectId, encryptedDek, crypto::unwrap);
        } catch (InvalidCiphertextException e) {
            throw badInput(field + ": " + INVALID_DEK);
        } catch (UnknownKekVersionException e) {
            throw new RejectedRequestException(RejectedRequestException.Reason.KEY_UNAVAILABLE,
                    field + ": wrapped under KEK version " + e.version() + ", which is not loaded");
        }
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
