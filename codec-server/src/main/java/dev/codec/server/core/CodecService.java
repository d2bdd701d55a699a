package dev.codec.server.core;

import static dev.codec.server.core.RejectedRequestException.badInput;
import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import dev.codec.server.crypto.DeploymentGrants;
import dev.codec.server.crypto.DeploymentGrants.IssuedGrant;
import dev.codec.server.crypto.DeploymentGrants.VerifiedGrant;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.EnvelopeCrypto.ValueCipher;
import dev.codec.server.crypto.EnvelopeCrypto.ValueVersion;
import dev.codec.server.crypto.GrantRefusedException;
import dev.codec.server.crypto.RevisionSeal;
import dev.codec.server.crypto.SealMismatchException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The codec's operations on plain Java types: validation and limits, DEK caching, and envelope
 * crypto, key lifecycle (re-wrap, DEK rotation, status) and, when enabled, legacy input; access
 * ({@link AccessPolicy}): deployment grants, enc1 input, revision seals. Transport-free; every refusal
 * is a {@link RejectedRequestException} with a message safe to return to the caller. Thread-safe.
 */
public final class CodecService {
    private static final String INVALID_DEK = "invalid (malformed, tampered with, or wrapped for another project)";
    private static final String INVALID_VALUE =
            "cannot be decrypted (malformed, tampered with, from another project or under another DEK)";
    private static final String LEGACY_DISABLED = "legacy input is disabled (codec.legacy.accept=false)";
    private static final String ENC1_DISABLED = "enc1 input is disabled (codec.formats.accept-enc1=false); "
            + "migrate the values to enc2 with RotateDek";

    private final EnvelopeCrypto crypto;
    private final DekCache dekCache;
    private final RequestValidator validate;
    private final boolean acceptLegacy;
    private final KekReloader kekReloader;
    private final AccessPolicy access;
    private final DeploymentGrants grants;
    private final ValueFormatCounter formats;

    /** A service that rejects legacy input, has no {@link #status()} and the {@link AccessPolicy#OPEN} policy. */
    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits) {
        this(crypto, dekCache, limits, false, null);
    }

    /** With the {@link AccessPolicy#OPEN} policy. */
    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits, boolean acceptLegacy,
            KekReloader kekReloader) {
        this(crypto, dekCache, limits, acceptLegacy, kekReloader, AccessPolicy.OPEN, ValueFormatCounter.NONE);
    }

    /**
     * @param acceptLegacy whether legacy wrapped DEKs and values are accepted as input ({@link LegacyFormat})
     * @param kekReloader the KEK ring's reloader, source of {@link #status()}
     * @param access grants, enc1 input and seals
     * @param formats told how many values of each format every call decrypted
     */
    public CodecService(EnvelopeCrypto crypto, DekCache dekCache, Limits limits, boolean acceptLegacy,
            KekReloader kekReloader, AccessPolicy access, ValueFormatCounter formats) {
        this.access = access;
        this.formats = formats;
        this.grants = crypto.grants();
        this.crypto = crypto;
        this.dekCache = dekCache;
        this.acceptLegacy = acceptLegacy;
        this.kekReloader = kekReloader;
        this.validate = new RequestValidator(limits, EnvelopeCrypto.maxValueCiphertextLength(limits.maxValueBytes()));
        int longestGrant = DeploymentGrants.maxLength(limits.maxProjectIdLength(), limits.maxProjectIdLength());
        if (2 * limits.maxProjectIdLength() > DeploymentGrants.MAX_ID_BYTES_TOTAL
                || longestGrant > DeploymentGrants.MAX_LENGTH) {
            // ids are ASCII ([A-Za-z0-9._-]): one byte per character
            throw new IllegalArgumentException("codec.limits.max-project-id-length (" + limits.maxProjectIdLength()
                    + ") is too long for deployment grants: project_id and deployment_id must fit "
                    + DeploymentGrants.MAX_ID_BYTES_TOTAL + " bytes together (at most "
                    + DeploymentGrants.MAX_ID_BYTES_TOTAL / 2 + ")");
        }
    }

    /** A new DEK for {@code projectId}, wrapped under the active KEK. */
    public WrappedDek generateDek(String projectId) throws RejectedRequestException {
        validate.projectId(projectId);
        return crypto.generateWrappedDek(projectId);
    }

    /** Encrypts every value under the project's DEK (one unwrap for the whole call); name to "enc2:" text. */
    public Map<String, String> encrypt(String projectId, String encryptedDek, Map<String, String> values)
            throws RejectedRequestException {
        return encrypt(projectId, encryptedDek, values, Map.of()).encrypted();
    }

    /**
     * Encrypts every value under the project's DEK, bound to its name ("enc2:"), and seals the revision
     * made of those ciphertexts and {@code plainValues}.
     */
    public EncryptedRevision encrypt(String projectId, String encryptedDek, Map<String, String> values,
            Map<String, String> plainValues) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.entryCount("values", values.size());
        validate.entryCount("values and plain_values", values.size() + plainValues.size());
        List<String> names = new ArrayList<>(values.size());
        List<byte[]> plaintexts = new ArrayList<>(values.size());
        for (Map.Entry<String, String> entry : values.entrySet()) {
            validate.name("values", entry.getKey());
            byte[] plaintext = entry.getValue().getBytes(StandardCharsets.UTF_8);
            validate.plaintextSize("values", entry.getKey(), plaintext.length);
            names.add(entry.getKey());
            plaintexts.add(plaintext);
        }
        List<String> both = new ArrayList<>();
        for (Map.Entry<String, String> entry : plainValues.entrySet()) {
            validate.name("plain_values", entry.getKey());
            validate.plainSize("plain_values", entry.getKey(), entry.getValue());
            if (values.containsKey(entry.getKey())) {
                both.add(entry.getKey());
            }
        }
        if (!both.isEmpty()) {
            Collections.sort(both);
            throw new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT, ErrorReason.FIELD_INVALID,
                    "plain_values[" + RequestValidator.names(both) + "]: also in values (a variable is "
                    + "either SECRET or PLAIN)").withMetadata("field", "plain_values")
                    .withVariables("plain_values", both, "also in values");
        }
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        SymmetricKey sealKey = RevisionSeal.sealKey(dek);
        try {
            ValueCipher cipher = crypto.valueCipher(projectId, dek);
            Map<String, String> encrypted = new HashMap<>(capacity(values.size()));
            List<RevisionSeal.Entry> revision = new ArrayList<>(values.size() + plainValues.size());
            for (int i = 0; i < names.size(); i++) {
                String ciphertext = cipher.encrypt(names.get(i), plaintexts.get(i));
                encrypted.put(names.get(i), ciphertext);
                revision.add(new RevisionSeal.Entry(names.get(i), true, ciphertext));
            }
            plainValues.forEach((name, value) -> revision.add(new RevisionSeal.Entry(name, false, value)));
            return new EncryptedRevision(encrypted, seal(sealKey, projectId, revision));
        } finally {
            plaintexts.forEach(p -> java.util.Arrays.fill(p, (byte) 0));
            sealKey.destroy();
            dek.destroy();
        }
    }

    /**
     * Seals a stored revision: checks that every SECRET value decrypts under the DEK for its name, and
     * returns the seal over the whole set.
     */
    public String sealVariables(String projectId, String encryptedDek, Map<String, Variable> variables)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.entryCount("variables", variables.size());
        validateVariables(variables);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        SymmetricKey sealKey = RevisionSeal.sealKey(dek);
        try {
            ValueCipher cipher = crypto.valueCipher(projectId, dek);
            List<String> failed = new ArrayList<>();
            for (Map.Entry<String, Variable> entry : variables.entrySet()) {
                if (entry.getValue().kind() != Variable.Kind.SECRET) {
                    continue;
                }
                try {
                    java.util.Arrays.fill(decryptAnyFormat(cipher, entry.getKey(), entry.getValue().value(), null),
                            (byte) 0);
                } catch (InvalidCiphertextException e) {
                    failed.add(entry.getKey());
                }
            }
            if (!failed.isEmpty()) {
                Collections.sort(failed);
                throw invalidValues("variables", failed);
            }
            return seal(sealKey, projectId, sealEntries(variables));
        } finally {
            sealKey.destroy();
            dek.destroy();
        }
    }

    // ---- deployment grants ----

    /**
     * Issues a grant for one deployment of a project, for values under {@code encryptedDek} (which must
     * unwrap for the project), valid from now for {@code ttl} (whole seconds, at most the policy's max).
     */
    public IssuedGrant issueGrant(String projectId, String deploymentId, String encryptedDek, Duration ttl)
            throws RejectedRequestException {
        return issueGrant(projectId, deploymentId, encryptedDek, "", ttl);
    }

    /**
     * Issues a grant for one deployment of a project, bound to the revision of {@code seal} (it then opens
     * DecryptAll of that revision only), or, with an empty seal and only while seals are not required,
     * for every value under {@code encryptedDek} (the weaker migration mode, docs/grants.md).
     */
    public IssuedGrant issueGrant(String projectId, String deploymentId, String encryptedDek, String seal,
            Duration ttl) throws RejectedRequestException {
        validate.projectId(projectId);
        if (deploymentId.isEmpty()) {
            throw fieldRequired("deployment_id", null);
        }
        validate.deploymentId(deploymentId);
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw fieldRequired("ttl", ", more than 0s");
        }
        if (ttl.toNanosPart() != 0) {
            throw badInput("ttl", "whole seconds only");
        }
        if (ttl.compareTo(access.maxGrantTtl()) > 0) {
            throw badInput("ttl", ttl.toSeconds() + "s is longer than codec.grants.max-ttl ("
                    + access.maxGrantTtl().toSeconds() + "s)")
                    .withMetadata("limit", "codec.grants.max-ttl")
                    .withMetadata("max", access.maxGrantTtl().toSeconds() + "s");
        }
        if (seal.isEmpty() && access.sealsRequired()) {
            throw new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                    ErrorReason.SEAL_MISSING,
                    "seal: required (codec.seals.required=true): a grant opens one sealed revision")
                    .withField("seal", "required (codec.seals.required=true)");
        }
        if (seal.length() > RevisionSeal.MAX_LENGTH || (!seal.isEmpty() && !RevisionSeal.looksLikeSeal(seal))) {
            throw new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                    ErrorReason.SEAL_INVALID, "seal: not a seal (expected seal1:..., at most "
                            + RevisionSeal.MAX_LENGTH + " characters)").withField("seal", "not a seal");
        }
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek); // it must be this project's DEK
        dek.destroy();
        try {
            return grants.issue(projectId, deploymentId, encryptedDek, seal, access.clock().instant(), ttl);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw badInput("project_id, deployment_id or ttl", "cannot be put in a grant (" + e.getMessage() + ")");
        }
    }

    /**
     * The grant of a decrypting call, verified: {@code null} when none is given and none is required.
     *
     * @param deploymentId the caller's claim: empty, or the grant's deployment id
     */
    private VerifiedGrant checkGrant(String projectId, String deploymentId, String encryptedDek, String grant,
            String seal, Consumer<VerifiedGrant> onVerified) throws RejectedRequestException {
        if (grant.isEmpty()) {
            if (access.grantsRequired()) {
                throw denied(ErrorReason.GRANT_MISSING,
                        "grant: required (codec.grants.required=true); ask the control API for the deployment's grant");
            }
            return null;
        }
        if (grant.length() > DeploymentGrants.MAX_LENGTH) {
            throw denied(ErrorReason.GRANT_INVALID,
                    "grant: longer than " + DeploymentGrants.MAX_LENGTH + " characters");
        }
        if (encryptedDek.isEmpty()) {
            throw fieldRequired("encrypted_dek", " with a grant");
        }
        VerifiedGrant verified;
        try {
            verified = grants.verify(grant, projectId, encryptedDek, access.clock().instant(), access.clockSkew());
        } catch (GrantRefusedException e) {
            throw denied(ErrorReason.ofGrantRefusal(e.reason().name()), "grant: " + e.getMessage());
        }
        onVerified.accept(verified); // recorded (audit) even when a later check refuses the call
        if (!deploymentId.isEmpty() && !deploymentId.equals(verified.deploymentId())) {
            throw denied(ErrorReason.GRANT_OTHER_DEPLOYMENT,
                    "deployment_id: differs from the deployment the grant was issued for");
        }
        if (verified.revisionBound()) {
            if (seal == null) {
                throw denied(ErrorReason.GRANT_REVISION_BOUND, "grant: bound to one sealed revision; "
                        + "it opens that revision with DecryptAll only (not single values or the DEK)");
            }
            if (seal.isEmpty()) {
                throw denied(ErrorReason.GRANT_OTHER_REVISION,
                        "seal: required with this grant (it is bound to one sealed revision)");
            }
            if (!verified.boundTo(seal)) {
                throw denied(ErrorReason.GRANT_OTHER_REVISION,
                        "grant: issued for another revision (the seal differs)");
            }
        } else if (access.sealsRequired()) {
            throw denied(ErrorReason.GRANT_NOT_REVISION_BOUND, "grant: issued without a seal; refused "
                    + "while codec.seals.required=true (issue the grant with the revision's seal)");
        }
        return verified;
    }

    private static RejectedRequestException denied(ErrorReason errorReason, String message) {
        return new RejectedRequestException(RejectedRequestException.Reason.ACCESS_DENIED, errorReason, message)
                .withMetadata("field", message.startsWith("deployment_id:") ? "deployment_id" : "grant");
    }

    /** The plaintext DEK (32 bytes). The caller must be allowed to take the DEK out of the service. */
    public byte[] decryptDek(String projectId, String encryptedDek) throws RejectedRequestException {
        return decryptDek(projectId, encryptedDek, "").result();
    }

    /**
     * The plaintext DEK (32 bytes), with a deployment grant when grants are required (the DEK opens
     * every value of the project, so exporting it needs at least what decrypting one value needs).
     */
    public Granted<byte[]> decryptDek(String projectId, String encryptedDek, String grant)
            throws RejectedRequestException {
        return decryptDek(projectId, encryptedDek, grant, CodecService::noObserver);
    }

    /**
     * As {@link #decryptDek(String, String, String)}, telling {@code onVerified} about the grant as soon
     * as it is verified (before any later check can refuse the call).
     */
    public Granted<byte[]> decryptDek(String projectId, String encryptedDek, String grant,
            Consumer<VerifiedGrant> onVerified) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.wrappedDek("encrypted_dek", encryptedDek);
        VerifiedGrant verified = checkGrant(projectId, "", encryptedDek, grant, null, onVerified);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            return new Granted<>(dek.getEncoded(), verified);
        } finally {
            dek.destroy();
        }
    }

    /** Decrypts one value (not enc2) with the project's wrapped DEK. */
    public String decryptValue(String projectId, String encrypted, String encryptedDek)
            throws RejectedRequestException {
        return decryptValue(projectId, encrypted, encryptedDek, "", "").result();
    }

    /**
     * Decrypts one value with the project's wrapped DEK.
     *
     * @param name the variable the value is stored under: required for "enc2:" values
     * @param grant a deployment grant, or empty (refused when grants are required)
     */
    public Granted<String> decryptValue(String projectId, String encrypted, String encryptedDek, String name,
            String grant) throws RejectedRequestException {
        return decryptValue(projectId, encrypted, encryptedDek, name, grant, CodecService::noObserver);
    }

    /** As {@link #decryptValue(String, String, String, String, String)}, telling {@code onVerified} about the grant. */
    public Granted<String> decryptValue(String projectId, String encrypted, String encryptedDek, String name,
            String grant, Consumer<VerifiedGrant> onVerified) throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        checkValueInput(encrypted, name);
        VerifiedGrant verified = checkGrant(projectId, "", encryptedDek, grant, null, onVerified);
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            return new Granted<>(decryptOne(crypto.valueCipher(projectId, dek), name, encrypted), verified);
        } finally {
            dek.destroy();
        }
    }

    /** Decrypts one value (not enc2) with a plaintext DEK supplied by the caller. */
    public String decryptValue(String projectId, String encrypted, byte[] dek) throws RejectedRequestException {
        return decryptValue(projectId, encrypted, dek, "");
    }

    /**
     * Decrypts one value with a plaintext DEK supplied by the caller (who holds the DEK already: no grant).
     *
     * @param name the variable the value is stored under: required for "enc2:" values
     */
    public String decryptValue(String projectId, String encrypted, byte[] dek, String name)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.ciphertextSize("encrypted", encrypted);
        if (dek.length != SymmetricKey.KEY_BYTES) {
            throw badInput("dek", "must be " + SymmetricKey.KEY_BYTES + " bytes, got " + dek.length);
        }
        checkValueInput(encrypted, name);
        SymmetricKey key = SymmetricKey.copyOf(dek);
        try {
            return decryptOne(crypto.valueCipher(projectId, key), name, encrypted);
        } finally {
            key.destroy();
        }
    }

    /** DecryptValue's format checks: legacy and enc1 only while accepted, a name for enc2. */
    private void checkValueInput(String encrypted, String name) throws RejectedRequestException {
        rejectLegacyValueIfDisabled("encrypted", encrypted);
        ValueVersion version = EnvelopeCrypto.valueVersion(encrypted);
        if (version == ValueVersion.ENC1 && !access.acceptEnc1()) {
            throw new RejectedRequestException(RejectedRequestException.Reason.ENC1_DISABLED,
                    ErrorReason.ENC1_INPUT_DISABLED, "encrypted: " + ENC1_DISABLED)
                    .withField("encrypted", "enc1 input is disabled");
        }
        if (version == ValueVersion.ENC2) {
            if (name.isEmpty()) {
                throw fieldRequired("name", " for an enc2 value (the variable it is stored under)");
            }
            validate.name("name", name);
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
        return decryptAll(projectId, deploymentId, encryptedDek, variables, "", "").result();
    }

    /**
     * Decrypts a deployment's variables, checking its grant and its seal. All or nothing.
     *
     * @param deploymentId the caller's claim: with a grant, empty or the grant's deployment id
     * @param grant a deployment grant, or empty (refused when grants are required)
     * @param seal the revision's seal, or empty (refused when seals are required)
     */
    public Granted<Map<String, String>> decryptAll(String projectId, String deploymentId, String encryptedDek,
            Map<String, Variable> variables, String grant, String seal) throws RejectedRequestException {
        return decryptAll(projectId, deploymentId, encryptedDek, variables, grant, seal, CodecService::noObserver);
    }

    /**
     * As {@link #decryptAll(String, String, String, Map, String, String)}, telling {@code onVerified}
     * about the grant as soon as it is verified (so a call refused later, for a seal mismatch or a value
     * that does not decrypt, is still attributed to the grant).
     */
    public Granted<Map<String, String>> decryptAll(String projectId, String deploymentId, String encryptedDek,
            Map<String, Variable> variables, String grant, String seal, Consumer<VerifiedGrant> onVerified)
            throws RejectedRequestException {
        validate.projectId(projectId);
        validate.deploymentId(deploymentId);
        validate.entryCount("variables", variables.size());
        boolean anySecret = validateVariables(variables);
        VerifiedGrant verified = checkGrant(projectId, deploymentId, encryptedDek, grant, seal, onVerified);
        if (seal.isEmpty() && access.sealsRequired()) {
            throw new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                    ErrorReason.SEAL_MISSING, "seal: required (codec.seals.required=true)")
                    .withField("seal", "required (codec.seals.required=true)");
        }
        if (seal.isEmpty() && !anySecret && encryptedDek.isEmpty()) {
            Map<String, String> plain = new HashMap<>(capacity(variables.size()));
            variables.forEach((name, variable) -> plain.put(name, variable.value()));
            return new Granted<>(plain, verified);
        }
        if (encryptedDek.isEmpty() && !seal.isEmpty()) {
            throw fieldRequired("encrypted_dek", " to verify the seal");
        }
        SymmetricKey dek = dek(projectId, "encrypted_dek", encryptedDek);
        try {
            if (!seal.isEmpty()) {
                verifySeal(dek, projectId, variables, seal);
            }
            return new Granted<>(decryptVariables(crypto.valueCipher(projectId, dek), variables), verified);
        } finally {
            dek.destroy();
        }
    }

    /**
     * Checks names, kinds and sizes, and refuses legacy and enc1 values while they are disabled.
     *
     * @return whether any variable is SECRET
     */
    private boolean validateVariables(Map<String, Variable> variables) throws RejectedRequestException {
        boolean anySecret = false;
        List<String> legacy = null;
        List<String> enc1 = null;
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
                    } else if (!access.acceptEnc1() && EnvelopeCrypto.valueVersion(variable.value()) == ValueVersion.ENC1) {
                        enc1 = enc1 == null ? new ArrayList<>() : enc1;
                        enc1.add(name);
                    }
                }
                default -> throw badInput("variables[" + RequestValidator.echo(name) + "]",
                        "kind must be PLAIN or SECRET");
            }
        }
        if (legacy != null) {
            throw legacyDisabled("variables", legacy);
        }
        if (enc1 != null) {
            Collections.sort(enc1);
            throw new RejectedRequestException(RejectedRequestException.Reason.ENC1_DISABLED,
                    ErrorReason.ENC1_INPUT_DISABLED,
                    "variables[" + RequestValidator.names(enc1) + "]: " + ENC1_DISABLED)
                    .withMetadata("field", "variables").withVariables("variables", enc1, "enc1 input is disabled");
        }
        return anySecret;
    }

    private void verifySeal(SymmetricKey dek, String projectId, Map<String, Variable> variables, String seal)
            throws RejectedRequestException {
        SymmetricKey sealKey = RevisionSeal.sealKey(dek);
        try {
            RevisionSeal.verify(sealKey, projectId, variables, v -> v.kind() == Variable.Kind.SECRET, Variable::value,
                    seal);
        } catch (SealMismatchException e) {
            throw sealRefused(e);
        } finally {
            sealKey.destroy();
        }
    }

    /** The seal, or INVALID_ARGUMENT when it would be longer than any verifier accepts. */
    private static String seal(SymmetricKey sealKey, String projectId, List<RevisionSeal.Entry> revision)
            throws RejectedRequestException {
        int length = RevisionSeal.sealLength(revision);
        if (length > RevisionSeal.MAX_LENGTH) {
            throw badInput("variables", "the seal of these " + revision.size() + " variables would be " + length
                    + " characters, more than the " + RevisionSeal.MAX_LENGTH + " a seal may have (fewer or shorter "
                    + "names)");
        }
        return RevisionSeal.seal(sealKey, projectId, revision);
    }

    private static List<RevisionSeal.Entry> sealEntries(Map<String, Variable> variables) {
        List<RevisionSeal.Entry> entries = new ArrayList<>(variables.size());
        variables.forEach((name, variable) ->
                entries.add(new RevisionSeal.Entry(name, variable.kind() == Variable.Kind.SECRET, variable.value())));
        return entries;
    }

    private static RejectedRequestException sealRefused(SealMismatchException e) {
        return switch (e.problem()) {
            case MALFORMED -> new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                    ErrorReason.SEAL_INVALID, "seal: not a seal (malformed)").withField("seal", "not a seal");
            case VALUES_DIFFER -> new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                    ErrorReason.SEAL_MISMATCH, "seal: a value differs from the sealed revision "
                            + "(or the seal was made for another project or DEK)");
            case VARIABLES_DIFFER -> {
                StringBuilder message = new StringBuilder("seal: the variables differ from the sealed revision:");
                appendNames(message, "not in it (injected or renamed)", e.injected());
                appendNames(message, "missing (dropped or renamed)", e.dropped());
                appendNames(message, "sealed as SECRET, given as PLAIN", e.downgraded());
                appendNames(message, "sealed as PLAIN, given as SECRET", e.upgraded());
                yield new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT,
                        ErrorReason.SEAL_MISMATCH, message.toString())
                        .withMetadata("field", "variables")
                        .withVariables("variables", e.injected(), "not in the sealed revision")
                        .withVariables("variables", e.dropped(), "missing from the sealed revision")
                        .withVariables("variables", e.downgraded(), "sealed as SECRET, given as PLAIN")
                        .withVariables("variables", e.upgraded(), "sealed as PLAIN, given as SECRET");
            }
        };
    }

    private static void appendNames(StringBuilder message, String what, List<String> names) {
        if (!names.isEmpty()) {
            message.append(message.charAt(message.length() - 1) == ':' ? " " : "; ")
                    .append(what).append(" [").append(RequestValidator.names(names)).append(']');
        }
    }

    private Map<String, String> decryptVariables(ValueCipher cipher, Map<String, Variable> variables)
            throws RejectedRequestException {
        Map<String, String> values = new HashMap<>(capacity(variables.size()));
        List<String> failed = null;
        int[] counts = new int[3];
        for (Map.Entry<String, Variable> entry : variables.entrySet()) {
            Variable variable = entry.getValue();
            if (variable.kind() == Variable.Kind.PLAIN) {
                values.put(entry.getKey(), variable.value());
                continue;
            }
            try {
                values.put(entry.getKey(), utf8(decryptAnyFormat(cipher, entry.getKey(), variable.value(), counts)));
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
            throw invalidValues("variables", failed);
        }
        formats.decrypted(counts[ENC1], counts[ENC2], counts[LEGACY]);
        return values;
    }

    private String decryptOne(ValueCipher cipher, String name, String encrypted) throws RejectedRequestException {
        if (encrypted.isEmpty()) {
            throw fieldRequired("encrypted", null);
        }
        int[] counts = new int[3];
        try {
            String value = utf8(decryptAnyFormat(cipher, name, encrypted, counts));
            formats.decrypted(counts[ENC1], counts[ENC2], counts[LEGACY]);
            return value;
        } catch (InvalidCiphertextException | CharacterCodingException e) {
            throw invalidValue("encrypted");
        }
    }

    /** The project's DEK as a copy owned by the caller (destroy it when done). */
    private SymmetricKey dek(String projectId, String field, String encryptedDek) throws RejectedRequestException {
        validate.wrappedDek(field, encryptedDek);
        rejectLegacyDekIfDisabled(field, encryptedDek);
        try {
            return dekCache.get(projectId, encryptedDek, this::unwrapAnyFormat);
        } catch (InvalidCiphertextException e) {
            throw invalidDek(field);
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
     * variable. enc1 values (always accepted here: this is their migration) and legacy values (when
     * accepted) come out as enc2, bound to their names.
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
                    plaintexts.put(entry.getKey(), decryptAnyFormat(oldCipher, entry.getKey(), entry.getValue(), null));
                } catch (InvalidCiphertextException e) {
                    failed.add(entry.getKey());
                }
            }
            if (!failed.isEmpty()) {
                Collections.sort(failed);
                throw invalidValues("encrypted", failed);
            }
            WrappedDek wrapped = crypto.wrap(projectId, newDek);
            ValueCipher newCipher = crypto.valueCipher(projectId, newDek);
            Map<String, String> reencrypted = new HashMap<>(capacity(encrypted.size()));
            plaintexts.forEach((name, plaintext) -> reencrypted.put(name, newCipher.encrypt(name, plaintext)));
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
                    ErrorReason.LEGACY_INPUT_DISABLED, field + ": " + LEGACY_DISABLED)
                    .withField(field, "legacy input is disabled");
        }
    }

    private void rejectLegacyValueIfDisabled(String field, String encrypted) throws RejectedRequestException {
        if (!acceptLegacy && LegacyFormat.isValue(encrypted)) {
            throw new RejectedRequestException(RejectedRequestException.Reason.LEGACY_DISABLED,
                    ErrorReason.LEGACY_INPUT_DISABLED, field + ": " + LEGACY_DISABLED)
                    .withField(field, "legacy input is disabled");
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
                ErrorReason.LEGACY_INPUT_DISABLED, field + "[" + RequestValidator.names(names) + "]: " + LEGACY_DISABLED)
                .withMetadata("field", field).withVariables(field, names, "legacy input is disabled");
    }

    /** A value that does not decrypt (INVALID_CIPHERTEXT), naming the field. */
    private static RejectedRequestException invalidValue(String field) {
        return new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT, ErrorReason.INVALID_CIPHERTEXT,
                field + ": " + INVALID_VALUE).withField(field, "cannot be decrypted");
    }

    /** Values that do not decrypt (INVALID_CIPHERTEXT), naming every variable (sorted). */
    private static RejectedRequestException invalidValues(String field, List<String> names) {
        Collections.sort(names);
        return new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT, ErrorReason.INVALID_CIPHERTEXT,
                field + "[" + RequestValidator.names(names) + "]: " + INVALID_VALUE)
                .withMetadata("field", field).withVariables(field, names, "cannot be decrypted");
    }

    /** A wrapped DEK that does not unwrap for the project (INVALID_WRAPPED_DEK). */
    private static RejectedRequestException invalidDek(String field) {
        return new RejectedRequestException(RejectedRequestException.Reason.BAD_INPUT, ErrorReason.INVALID_WRAPPED_DEK,
                field + ": " + INVALID_DEK).withField(field, "invalid wrapped DEK");
    }

    private static final int ENC1 = 0;
    private static final int ENC2 = 1;
    private static final int LEGACY = 2;

    /**
     * An "enc2:" value of variable {@code name}, an "enc1:" value, or a legacy value when legacy input is
     * accepted. Whether enc1 is accepted is checked before (RotateDek always reads it).
     *
     * @param counts incremented at [ENC1], [ENC2] or [LEGACY] for a value that decrypts; may be null
     */
    private byte[] decryptAnyFormat(ValueCipher cipher, String name, String encrypted, int[] counts)
            throws InvalidCiphertextException {
        int format;
        byte[] plaintext;
        switch (EnvelopeCrypto.valueVersion(encrypted)) {
            case ENC2 -> {
                plaintext = cipher.decrypt(name, encrypted);
                format = ENC2;
            }
            case ENC1 -> {
                plaintext = cipher.decrypt(encrypted);
                format = ENC1;
            }
            default -> {
                if (!acceptLegacy || !LegacyFormat.isValue(encrypted)) {
                    throw new InvalidCiphertextException();
                }
                plaintext = cipher.decryptLegacy(encrypted);
                format = LEGACY;
            }
        }
        if (counts != null) {
            counts[format]++;
        }
        return plaintext;
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
            throw invalidDek(field);
        } catch (UnknownKekVersionException e) {
            throw keyUnavailable(field, e);
        }
    }

    private static RejectedRequestException keyUnavailable(String field, UnknownKekVersionException e) {
        return new RejectedRequestException(RejectedRequestException.Reason.KEY_UNAVAILABLE,
                ErrorReason.KEK_VERSION_NOT_LOADED,
                field + ": wrapped under KEK version " + e.version() + ", which is not loaded")
                .withField(field, "KEK version not loaded").withMetadata("kek_version", Integer.toString(e.version()));
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

    /** The observer of calls whose caller does not record the verified grant. */
    private static void noObserver(VerifiedGrant grant) {}
}
