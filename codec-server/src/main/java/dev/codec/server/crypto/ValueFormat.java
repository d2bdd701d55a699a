package dev.codec.server.crypto;

import java.nio.charset.StandardCharsets;

/**
 * Text formats of a value encrypted under a project's DEK.
 *
 * <pre>
 *   version 2 (written by the service):
 *   "enc2:" + base64( nonce[12] || AES-GCM(DEK, plaintext) [n] || tag[16] )
 *   associated data = "enc2:" || u32be(len P) || P || u32be(len N) || N
 *     where P = UTF-8(project_id), N = UTF-8(variable name), len in bytes
 *
 *   version 1 (read while codec.formats.accept-enc1 is on; written only by RotateDek's migration tests):
 *   "enc1:" + base64( nonce[12] || AES-GCM(DEK, plaintext) [n] || tag[16] )
 *   associated data = UTF-8( "enc1:" + project_id )
 * </pre>
 *
 * A value copied to another project fails to decrypt even if that project somehow had the same DEK;
 * an enc2 value copied, swapped or renamed to another variable fails too. The length prefixes make
 * the associated data unambiguous: no (project, name) pair encodes like another.
 */
final class ValueFormat {
  static final String PREFIX = "enc1:";
  static final String PREFIX_V2 = "enc2:";
  private static final byte[] PREFIX_V2_BYTES = PREFIX_V2.getBytes(StandardCharsets.US_ASCII);

  private ValueFormat() {}

  static byte[] associatedData(String projectId) {
    return (PREFIX + projectId).getBytes(StandardCharsets.UTF_8);
  }

  /** The project part of an enc2 associated data: {@code "enc2:" || u32be(len P) || P}. */
  static byte[] associatedDataV2Project(String projectId) {
    byte[] project = projectId.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[PREFIX_V2_BYTES.length + 4 + project.length];
    System.arraycopy(PREFIX_V2_BYTES, 0, out, 0, PREFIX_V2_BYTES.length);
    putInt(out, PREFIX_V2_BYTES.length, project.length);
    System.arraycopy(project, 0, out, PREFIX_V2_BYTES.length + 4, project.length);
    return out;
  }

  /** The whole enc2 associated data: the project part, then {@code u32be(len N) || N}. */
  static byte[] associatedDataV2(byte[] projectPart, String name) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[projectPart.length + 4 + nameBytes.length];
    System.arraycopy(projectPart, 0, out, 0, projectPart.length);
    putInt(out, projectPart.length, nameBytes.length);
    System.arraycopy(nameBytes, 0, out, projectPart.length + 4, nameBytes.length);
    return out;
  }

  static String encode(byte[] sealed) {
    return StrictBase64.encode(PREFIX, sealed);
  }

  static String encodeV2(byte[] sealed) {
    return StrictBase64.encode(PREFIX_V2, sealed);
  }

  /** The sealed bytes inside an "enc1:" value. */
  static byte[] parse(String text) throws InvalidCiphertextException {
    return parse(text, PREFIX);
  }

  /** The sealed bytes inside an "enc2:" value. */
  static byte[] parseV2(String text) throws InvalidCiphertextException {
    return parse(text, PREFIX_V2);
  }

  private static byte[] parse(String text, String prefix) throws InvalidCiphertextException {
    if (!text.startsWith(prefix)) {
      throw new InvalidCiphertextException();
    }
    byte[] sealed = StrictBase64.decode(text, prefix.length());
    if (sealed.length < AesGcm.sealedLength(0)) {
      throw new InvalidCiphertextException();
    }
    return sealed;
  }

  /** The largest encoded length of a value whose plaintext has {@code maxPlaintextBytes} bytes. */
  static int maxEncodedLength(int maxPlaintextBytes) {
    int sealed = AesGcm.sealedLength(maxPlaintextBytes);
    return PREFIX.length() + 4 * ((sealed + 2) / 3);
  }

  static void putInt(byte[] out, int offset, int value) {
    out[offset] = (byte) (value >>> 24);
    out[offset + 1] = (byte) (value >>> 16);
    out[offset + 2] = (byte) (value >>> 8);
    out[offset + 3] = (byte) value;
  }
}
