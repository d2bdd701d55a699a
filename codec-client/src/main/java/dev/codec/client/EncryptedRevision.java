package dev.codec.client;

/**
 * A revision encrypted for storage by {@code dev.codec.client.json.StoredVariables#encryptRevision}
 * (codec-client-json): the variables in the stored shape and the revision's seal. Store both;
 * runners send the seal with DecryptAll.
 *
 * @param variablesJson the stored shape as JSON text: one object of name to {"type", "value", ...},
 *     sorted by name (read it back with {@code StoredVariables.parse(String)})
 * @param size the number of variables
 * @param seal the seal over the whole revision ("seal3:..."); empty when the revision has no DEK to
 *     seal under (no secret and no wrapped DEK given)
 */
public record EncryptedRevision(String variablesJson, int size, String seal) {
  @Override
  public String toString() {
    return "EncryptedRevision[variables=" + size + ", sealed=" + !seal.isEmpty() + "]";
  }
}
