package dev.codec.server.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.server.core.DecryptedValues;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * DecryptAll's response written straight from the decrypted UTF-8 bytes: the wire format of {@code
 * codec.v1.DecryptAllResponse} ({@code map<string, string> values = 1}: one length-delimited field
 * 1 per entry, each a message of key = 1 and value = 2, both always written, as protobuf-java
 * writes map entries), without decoding the values to {@code String}s for protobuf to measure and
 * encode back. Clients see the same message; only the server's Java type differs ({@link
 * DecryptedValues} instead of {@code DecryptAllResponse}).
 *
 * <p>{@link #bind} swaps DecryptAll's method in a service definition for one with this marshaller,
 * before the definition is registered: the request marshaller, the method's name and schema, and
 * therefore every interceptor and the strict request parsing around it, stay as they were.
 */
final class DecryptAllResponseWriter implements MethodDescriptor.Marshaller<DecryptedValues> {
  private static final int ENTRY_TAG_SIZE = CodedOutputStream.computeTagSize(1);

  /**
   * The one DecryptAll method the server binds: the generated one with this response marshaller.
   */
  static final MethodDescriptor<DecryptAllRequest, DecryptedValues> METHOD =
      CodecServiceGrpc.getDecryptAllMethod().toBuilder(
              CodecServiceGrpc.getDecryptAllMethod().getRequestMarshaller(),
              new DecryptAllResponseWriter())
          .build();

  private DecryptAllResponseWriter() {}

  /**
   * {@code service} (the generated binding of the codec service) with DecryptAll served by {@code
   * decryptAll}, whose responses this marshaller writes; every other method unchanged.
   */
  static ServerServiceDefinition bind(
      ServerServiceDefinition service,
      ServerCalls.UnaryMethod<DecryptAllRequest, DecryptedValues> decryptAll) {
    ServiceDescriptor original = service.getServiceDescriptor();
    String name = METHOD.getFullMethodName();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (MethodDescriptor<?, ?> method : original.getMethods()) {
      descriptor.addMethod(method.getFullMethodName().equals(name) ? METHOD : method);
    }
    ServerServiceDefinition.Builder bound = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      if (!method.getMethodDescriptor().getFullMethodName().equals(name)) {
        bound.addMethod(method);
      }
    }
    ServerCallHandler<DecryptAllRequest, DecryptedValues> handler =
        ServerCalls.asyncUnaryCall(decryptAll);
    return bound.addMethod(METHOD, handler).build();
  }

  /**
   * The serialized response, written at once into an array of its exact size; the decrypted values
   * are then destroyed, and the array is zeroed when grpc closes the stream (after copying it into
   * the transport's buffers).
   */
  @Override
  public InputStream stream(DecryptedValues values) {
    try {
      return new Serialized(serialize(values));
    } finally {
      values.destroy();
    }
  }

  /** The bytes of {@code DecryptAllResponse} with {@code values}, in their order. */
  static byte[] serialize(DecryptedValues values) {
    int count = values.size();
    int[] entrySizes = new int[count];
    int total = 0;
    for (int i = 0; i < count; i++) {
      String plain = values.plainValue(i);
      int entry =
          CodedOutputStream.computeStringSize(1, values.name(i))
              + (plain != null
                  ? CodedOutputStream.computeStringSize(2, plain)
                  : CodedOutputStream.computeByteArraySize(2, values.utf8Value(i)));
      entrySizes[i] = entry;
      total += ENTRY_TAG_SIZE + CodedOutputStream.computeUInt32SizeNoTag(entry) + entry;
    }
    byte[] out = new byte[total];
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    try {
      for (int i = 0; i < count; i++) {
        coded.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        coded.writeUInt32NoTag(entrySizes[i]);
        coded.writeString(1, values.name(i));
        String plain = values.plainValue(i);
        if (plain != null) {
          coded.writeString(2, plain);
        } else {
          coded.writeByteArray(2, values.utf8Value(i));
        }
      }
      coded.checkNoSpaceLeft();
    } catch (IOException e) {
      Arrays.fill(out, (byte) 0);
      throw new UncheckedIOException("DecryptAllResponse: size computed wrongly", e);
    }
    return out;
  }

  /** The server never parses its own responses. */
  @Override
  public DecryptedValues parse(InputStream stream) {
    throw new UnsupportedOperationException("DecryptAll responses are only written by the server");
  }

  /** A response's bytes, read or drained once, zeroed on close. */
  static final class Serialized extends InputStream implements KnownLength, Drainable {
    private final byte[] bytes;
    private int position;

    Serialized(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int remaining = bytes.length - position;
      target.write(bytes, position, remaining);
      position = bytes.length;
      return remaining;
    }

    @Override
    public int read() {
      return position < bytes.length ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int remaining = bytes.length - position;
      if (remaining == 0) {
        return -1;
      }
      int n = Math.min(length, remaining);
      System.arraycopy(bytes, position, buffer, offset, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return bytes.length - position;
    }

    @Override
    public void close() {
      Arrays.fill(bytes, (byte) 0);
      position = bytes.length;
    }

    @Override
    public String toString() {
      return "DecryptAllResponse[" + bytes.length + " bytes, redacted]";
    }
  }
}
