package dev.codec.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A revision encrypted for storage by {@link StoredVariables#encryptRevision}: the variables in the
 * stored shape and the revision's seal. Store both; runners send the seal with DecryptAll.
 *
 * @param variables the stored shape (name to {"type", "value", ...}), sorted by name
 * @param seal the seal over the whole revision ("seal2:..."); empty when the revision has no DEK to
 *     seal under (no secret and no wrapped DEK given)
 */
public record EncryptedRevision(ObjectNode variables, String seal) {
    @Override
    public String toString() {
        return "EncryptedRevision[variables=" + variables.size() + ", sealed=" + !seal.isEmpty() + "]";
    }
}
