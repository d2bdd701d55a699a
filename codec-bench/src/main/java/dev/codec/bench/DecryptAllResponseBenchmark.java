package dev.codec.bench;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DecryptedValues;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.StoredVariable;
import dev.codec.server.grpc.CodecEndpoint;
import io.grpc.Drainable;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * DecryptAll of {@value #SECRETS} SECRET values up to the bytes grpc hands to the transport, per
 * call: decrypt, build the response, serialize it through the method's response marshaller and
 * drain it into a buffer (as grpc's framer does). {@code protobufStrings}: the values decoded to
 * {@code String}s, put in a {@code DecryptAllResponse} and serialized by protobuf (the path before
 * the response writer); {@code utf8Bytes}: the values kept as decrypted UTF-8 and written by the
 * server's DecryptAll response marshaller. No transport, no interceptors.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class DecryptAllResponseBenchmark {
  static final int SECRETS = 100;

  @Param({"64", "1024"})
  public int size;

  /** ascii, or text with 2-, 3- and 4-byte UTF-8 characters (the strict decoder's slow path). */
  @Param({"ascii", "multibyte"})
  public String text;

  private CodecService service;
  private String wrapped;
  private Map<String, StoredVariable> variables;
  private MethodDescriptor<?, ?> served;
  private final Sink sink = new Sink();

  @Setup(Level.Trial)
  public void setUp() throws RejectedRequestException {
    service = Fixtures.openService(Fixtures.crypto());
    wrapped = service.generateDek(Fixtures.PROJECT).encoded();
    Map<String, String> plain = new LinkedHashMap<>();
    for (int i = 0; i < SECRETS; i++) {
      plain.put("SECRET_" + i, value(size, text));
    }
    variables = Fixtures.secretVariables(service, wrapped, plain);
    served =
        new CodecEndpoint(service, null, null)
            .definition().getMethods().stream()
                .map(ServerMethodDefinition::getMethodDescriptor)
                .filter(m -> m.getBareMethodName().equals("DecryptAll"))
                .findFirst()
                .orElseThrow();
  }

  private static String value(int size, String text) {
    if (text.equals("ascii")) {
      return Fixtures.plaintextString(size);
    }
    StringBuilder value = new StringBuilder();
    String pattern = "abc-\u00e9\u00fc-\u20ac\u65e5-\ud83d\ude00-";
    while (value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < size) {
      value.append(pattern);
    }
    return value.toString();
  }

  @Benchmark
  public int protobufStrings() throws RejectedRequestException, IOException {
    Map<String, String> values =
        service.decryptAll(Fixtures.PROJECT, "deploy-1", wrapped, variables);
    DecryptAllResponse response = DecryptAllResponse.newBuilder().putAllValues(values).build();
    return sink.drain(CodecServiceGrpc.getDecryptAllMethod().streamResponse(response));
  }

  @Benchmark
  @SuppressWarnings("unchecked")
  public int utf8Bytes() throws RejectedRequestException, IOException {
    DecryptedValues values =
        service
            .decryptAllUtf8(Fixtures.PROJECT, "deploy-1", wrapped, variables, "", "", grant -> {})
            .result();
    return sink.drain(((MethodDescriptor<?, DecryptedValues>) served).streamResponse(values));
  }

  /** Where grpc's framer would copy the message: one reused buffer. */
  private static final class Sink extends OutputStream {
    private final byte[] buffer = new byte[1 << 20];
    private int position;

    int drain(InputStream message) throws IOException {
      position = 0;
      try (message) {
        if (message instanceof Drainable drainable) {
          drainable.drainTo(this);
        } else {
          message.transferTo(this);
        }
      }
      return position;
    }

    @Override
    public void write(int b) {
      buffer[position++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      System.arraycopy(bytes, offset, buffer, position, length);
      position += length;
    }
  }
}
