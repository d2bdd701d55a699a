package dev.codec.server.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.codec.server.core.ErrorReason;
import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Makes a request that cannot be parsed (broken protobuf, invalid UTF-8 in a string field) an
 * {@code INVALID_ARGUMENT} instead of grpc-java's default {@code UNKNOWN}/{@code INTERNAL}.
 *
 * <p>grpc-java turns an exception thrown by a request marshaller into {@code UNKNOWN}, so the
 * wrapped marshaller never throws: it returns a marker message (the default instance carrying a
 * reserved unknown field whose value says what was wrong), and a guard in front of the service
 * closes such calls naming the message type. The marker never reaches the service.
 *
 * <p>Compressed requests ({@code grpc-encoding: gzip}) are decompressed while the marshaller reads
 * them ({@link #decompressors()}: grpc's gzip, but lazy, so a broken gzip header fails there too
 * and not in grpc's deframer as {@code UNKNOWN}). A message that decompresses to more than {@code
 * codec.transport.max-inbound-message-size} (a gzip bomb: grpc stops reading at the limit) is
 * {@code RESOURCE_EXHAUSTED} naming the limit; bad compressed data is {@code INVALID_ARGUMENT}.
 */
public final class StrictRequestParsing {
  /** Highest legal field number: never used by the contract. */
  private static final int MARKER_FIELD = 536_870_911;

  private static final int MALFORMED = 1;
  private static final int TOO_LARGE = 2;
  private static final int BAD_COMPRESSION = 3;

  private StrictRequestParsing() {}

  /** The same service with strict request parsing on every method. */
  public static ServerServiceDefinition apply(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = strict(method);
      descriptor.addMethod(wrapped.getMethodDescriptor());
      methods.add(wrapped);
    }
    ServerServiceDefinition.Builder strict = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : methods) {
      strict.addMethod(method);
    }
    return ServerInterceptors.intercept(strict.build(), new MalformedRequestGuard());
  }

  static boolean isMalformed(Object request) {
    return request instanceof Message message && message.getUnknownFields().hasField(MARKER_FIELD);
  }

  /** What was wrong with a marker request, as the status the call ends with. */
  static StatusRuntimeException problem(Message marker) {
    UnknownFieldSet.Field field = marker.getUnknownFields().getField(MARKER_FIELD);
    long kind = field.getVarintList().isEmpty() ? MALFORMED : field.getVarintList().get(0);
    String type = marker.getDescriptorForType().getFullName();
    if (kind == TOO_LARGE) {
      String detail =
          field.getLengthDelimitedList().isEmpty()
              ? ""
              : field.getLengthDelimitedList().get(0).toStringUtf8();
      return StatusMapping.refusal(
          Status.Code.RESOURCE_EXHAUSTED,
          ErrorReason.LIMIT_EXCEEDED,
          "request: "
              + type
              + " too large after decompression: "
              + detail
              + " (codec.transport.max-inbound-message-size)",
          Map.of("field", "request", "limit", "codec.transport.max-inbound-message-size"));
    }
    if (kind == BAD_COMPRESSION) {
      return StatusMapping.refusal(
          Status.Code.INVALID_ARGUMENT,
          ErrorReason.MALFORMED_REQUEST,
          "request: not valid gzip data (grpc-encoding: gzip)",
          Map.of("field", "request"));
    }
    return StatusMapping.refusal(
        Status.Code.INVALID_ARGUMENT,
        ErrorReason.MALFORMED_REQUEST,
        "request: not a valid " + type + " (malformed protobuf or invalid UTF-8 in a string field)",
        Map.of("field", "request"));
  }

  /**
   * The decompressors of the server: grpc's defaults with gzip replaced by a lazy one, so that
   * every read of compressed data happens inside the request marshaller, where failures are
   * classified.
   */
  public static DecompressorRegistry decompressors() {
    return DecompressorRegistry.getDefaultInstance().with(new LazyGzip(), true);
  }

  private static UnknownFieldSet marker(int kind, String detail) {
    UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder().addVarint(kind);
    if (detail != null) {
      field.addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8(detail));
    }
    return UnknownFieldSet.newBuilder().addField(MARKER_FIELD, field.build()).build();
  }

  /**
   * The status grpc raised for a decompressed message over the size limit, if that is what failed.
   */
  private static Status tooLarge(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException status
          && status.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return status.getStatus();
      }
    }
    return null;
  }

  private static boolean badCompression(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BadCompressedData) {
        return true;
      }
    }
    return false;
  }

  /** A gzip stream that could not be decompressed. */
  static final class BadCompressedData extends IOException {
    BadCompressedData(IOException cause) {
      super("bad gzip data", cause);
    }
  }

  /**
   * grpc's gzip, opened on the first read instead of in grpc's deframer, and with classified
   * failures.
   */
  private static final class LazyGzip implements Decompressor {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public InputStream decompress(InputStream compressed) {
      return new InputStream() {
        private InputStream gzip;

        private InputStream gzip() throws IOException {
          if (gzip == null) {
            try {
              gzip = new GZIPInputStream(compressed);
            } catch (BadCompressedData e) {
              throw e;
            } catch (IOException e) {
              throw new BadCompressedData(e);
            }
          }
          return gzip;
        }

        @Override
        public int read() throws IOException {
          try {
            return gzip().read();
          } catch (BadCompressedData e) {
            throw e;
          } catch (IOException e) {
            throw new BadCompressedData(e);
          }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          try {
            return gzip().read(buffer, offset, length);
          } catch (BadCompressedData e) {
            throw e;
          } catch (IOException e) {
            throw new BadCompressedData(e);
          }
        }

        @Override
        public void close() throws IOException {
          if (gzip != null) {
            gzip.close();
          } else {
            compressed.close();
          }
        }
      };
    }
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> strict(
      ServerMethodDefinition<ReqT, RespT> method) {
    MethodDescriptor<ReqT, RespT> descriptor = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<ReqT> marshaller = descriptor.getRequestMarshaller();
    if (!(marshaller instanceof MethodDescriptor.PrototypeMarshaller<ReqT> prototypes)
        || !(prototypes.getMessagePrototype() instanceof Message)) {
      return method;
    }
    return ServerMethodDefinition.create(
        descriptor.toBuilder().setRequestMarshaller(new MarkingMarshaller<>(prototypes)).build(),
        method.getServerCallHandler());
  }

  /** Parses like the original, but returns the marker message instead of throwing. */
  private static final class MarkingMarshaller<T>
      implements MethodDescriptor.PrototypeMarshaller<T> {
    private final MethodDescriptor.PrototypeMarshaller<T> delegate;
    private final T malformed;
    private final T badCompression;

    MarkingMarshaller(MethodDescriptor.PrototypeMarshaller<T> delegate) {
      this.delegate = delegate;
      this.malformed = marker(MALFORMED, null);
      this.badCompression = marker(BAD_COMPRESSION, null);
    }

    @SuppressWarnings("unchecked")
    private T marker(int kind, String detail) {
      return (T)
          ((Message) delegate.getMessagePrototype())
              .toBuilder().setUnknownFields(StrictRequestParsing.marker(kind, detail)).build();
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        Status tooLarge = tooLarge(e);
        if (tooLarge != null) {
          return marker(TOO_LARGE, tooLarge.getDescription());
        }
        return badCompression(e) ? badCompression : malformed;
      }
    }

    @Override
    public T getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    @Override
    public Class<T> getMessageClass() {
      return delegate.getMessageClass();
    }
  }

  /** Closes calls whose request could not be parsed, before the service sees them. */
  private static final class MalformedRequestGuard implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      return new RefusableListener<>(next.startCall(call, headers), call) {
        @Override
        public void onMessage(ReqT message) {
          if (isMalformed(message)) {
            refuse(problem((Message) message));
            return;
          }
          super.onMessage(message);
        }
      };
    }
  }
}
