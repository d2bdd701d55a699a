package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapItem;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.Variable;
import dev.codec.server.TestServer;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of every RPC through the real server: random and mutated requests (garbage base64,
 * truncated and bit-flipped ciphertexts and wrapped DEKs, huge and empty fields, invalid UTF-8 and
 * broken protobuf on the wire, unknown kinds). Every answer must be OK or a precise client-error
 * status (never INTERNAL or UNKNOWN), and the server must keep serving.
 *
 * <p>Longer run: {@code mvn -pl codec-server -am test -Dtest=FuzzTest
 * -Dcodec.fuzz.iterations=200000 -Dcodec.fuzz.seed=42 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FuzzTest {
  private static final Set<Status.Code> ALLOWED =
      Set.of(
          Status.Code.OK,
          Status.Code.INVALID_ARGUMENT,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.RESOURCE_EXHAUSTED);
  private static final String PROJECT = "fuzz-project";
  private static final List<String> METHODS =
      List.of(
          "GenerateDek",
          "Encrypt",
          "DecryptDek",
          "DecryptValue",
          "DecryptAll",
          "RewrapDek",
          "RotateDek",
          "Status");

  private final long seed = Long.getLong("codec.fuzz.seed", 20261123L);
  private final int iterations = Integer.getInteger("codec.fuzz.iterations", 3000);
  private final Random random = new Random(seed);

  private String dek;
  private String otherDek;
  private List<String> ciphertexts;

  @Test
  void randomAndMutatedRequests_neverInternal_andTheServerStaysUp(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server = TestServer.start(kekDir)) {
      dek = server.client().generateDek(PROJECT).encryptedDek();
      otherDek = server.client().generateDek("other").encryptedDek();
      ciphertexts =
          List.copyOf(
              server
                  .client()
                  .encrypt(
                      PROJECT,
                      dek,
                      Map.of("A", "", "B", "short", "C", "x".repeat(300), "D", "ünï🔑"))
                  .values());
      Map<Status.Code, Integer> seen = new EnumMap<>(Status.Code.class);

      for (int i = 0; i < iterations; i++) {
        String method = METHODS.get(random.nextInt(METHODS.size()));
        byte[] request = request(method);
        Status.Code code = call(server, method, request);
        seen.merge(code, 1, Integer::sum);
        assertTrue(
            ALLOWED.contains(code),
            "seed "
                + seed
                + " iteration "
                + i
                + ": "
                + method
                + " answered "
                + code
                + " for request bytes "
                + ByteString.copyFrom(request));
      }

      assertEquals(
          Map.of("K", "v"),
          server
              .client()
              .decryptAll(PROJECT, "", dek, Map.of("K", dev.codec.client.Variable.plain("v"))),
          "server still serves");
      assertTrue(
          seen.containsKey(Status.Code.OK) && seen.containsKey(Status.Code.INVALID_ARGUMENT),
          "the fuzzer reached both outcomes: " + new TreeMap<>(seen));
    }
  }

  private Status.Code call(TestServer server, String method, byte[] request) {
    MethodDescriptor<byte[], byte[]> descriptor =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(
                MethodDescriptor.generateFullMethodName(CodecServiceGrpc.SERVICE_NAME, method))
            .setRequestMarshaller(RAW)
            .setResponseMarshaller(RAW)
            .build();
    try {
      ClientCalls.blockingUnaryCall(
          server.channel(),
          descriptor,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          request);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /**
   * A request for {@code method}: usually a structured one with fuzzed fields, sometimes broken
   * bytes.
   */
  private byte[] request(String method) {
    byte[] wellFormed = message(method).toByteArray();
    return switch (random.nextInt(10)) {
      case 0 -> flipBits(wellFormed);
      case 1 ->
          wellFormed.length == 0
              ? wellFormed
              : java.util.Arrays.copyOf(wellFormed, random.nextInt(wellFormed.length));
      case 2 -> randomBytes(random.nextInt(64));
      case 3 -> invalidUtf8ProjectId(wellFormed);
      default -> wellFormed;
    };
  }

  private Message message(String method) {
    return switch (method) {
      case "GenerateDek" -> GenerateDekRequest.newBuilder().setProjectId(projectId()).build();
      case "Encrypt" -> {
        EncryptRequest.Builder b =
            EncryptRequest.newBuilder().setProjectId(projectId()).setEncryptedDek(wrappedDek());
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.putValues(name(), text(random.nextInt(20) == 0 ? 70_000 : 40));
        }
        yield b.build();
      }
      case "DecryptDek" ->
          DecryptDekRequest.newBuilder()
              .setProjectId(projectId())
              .setEncryptedDek(wrappedDek())
              .build();
      case "DecryptValue" -> {
        DecryptValueRequest.Builder b =
            DecryptValueRequest.newBuilder().setProjectId(projectId()).setEncrypted(ciphertext());
        switch (random.nextInt(3)) {
          case 0 ->
              b.setDek(
                  ByteString.copyFrom(randomBytes(random.nextBoolean() ? 32 : random.nextInt(40))));
          case 1 -> b.setEncryptedDek(wrappedDek());
          default -> {}
        }
        yield b.build();
      }
      case "RewrapDek" -> {
        RewrapDekRequest.Builder b = RewrapDekRequest.newBuilder();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.addItems(
              RewrapItem.newBuilder()
                  .setProjectId(projectId())
                  .setEncryptedDek(wrappedDek())
                  .build());
        }
        yield b.build();
      }
      case "RotateDek" -> {
        RotateDekRequest.Builder b =
            RotateDekRequest.newBuilder().setProjectId(projectId()).setEncryptedDek(wrappedDek());
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.putEncrypted(name(), ciphertext());
        }
        yield b.build();
      }
      case "Status" -> StatusRequest.getDefaultInstance();
      default -> {
        DecryptAllRequest.Builder b =
            DecryptAllRequest.newBuilder()
                .setProjectId(projectId())
                .setDeploymentId(random.nextBoolean() ? "" : text(10))
                .setEncryptedDek(wrappedDek());
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          b.putVariables(
              name(),
              Variable.newBuilder()
                  .setKindValue(random.nextInt(5) - 1)
                  .setValue(random.nextBoolean() ? ciphertext() : text(30))
                  .build());
        }
        yield b.build();
      }
    };
  }

  private String projectId() {
    return switch (random.nextInt(6)) {
      case 0 -> "";
      case 1 -> text(random.nextInt(200));
      case 2 -> "other";
      default -> PROJECT;
    };
  }

  private String wrappedDek() {
    return switch (random.nextInt(7)) {
      case 0 -> "";
      case 1 -> mutate(dek);
      case 2 -> dek.substring(0, random.nextInt(dek.length()));
      case 3 -> otherDek;
      case 4 -> "dek1:k" + random.nextInt(1000) + ":" + dek.substring(dek.lastIndexOf(':') + 1);
      case 5 -> text(random.nextInt(2000));
      default -> dek;
    };
  }

  private String ciphertext() {
    String ct = ciphertexts.get(random.nextInt(ciphertexts.size()));
    return switch (random.nextInt(6)) {
      case 0 -> mutate(ct);
      case 1 -> ct.substring(0, random.nextInt(ct.length()));
      case 2 -> "enc1:" + text(random.nextInt(100));
      case 3 -> text(random.nextInt(100_000) < 10 ? 100_000 : 50);
      default -> ct;
    };
  }

  private String name() {
    return random.nextInt(8) == 0 ? text(random.nextInt(300)) : "VAR_" + random.nextInt(100);
  }

  /** Random text mixing base64 characters, separators, control characters and non-ASCII. */
  private String text(int length) {
    String alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:-_. \n\u0000é🔑";
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return out.toString();
  }

  /** Replaces one character of {@code text} with a different one. */
  private String mutate(String text) {
    if (text.isEmpty()) {
      return "x";
    }
    int i = random.nextInt(text.length());
    char replacement = "AQgw/+=:0".charAt(random.nextInt(9));
    if (replacement == text.charAt(i)) {
      replacement = replacement == 'A' ? 'B' : 'A';
    }
    return text.substring(0, i) + replacement + text.substring(i + 1);
  }

  private byte[] flipBits(byte[] bytes) {
    byte[] out = bytes.clone();
    for (int i = 0; i < 1 + random.nextInt(3) && out.length > 0; i++) {
      out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return out;
  }

  /** Field 1 (project_id) as a length-delimited string holding invalid UTF-8, then the rest. */
  private static byte[] invalidUtf8ProjectId(byte[] rest) {
    byte[] out = new byte[4 + rest.length];
    out[0] = 0x0a;
    out[1] = 2;
    out[2] = (byte) 0xc3;
    out[3] = 0x28;
    System.arraycopy(rest, 0, out, 4, rest.length);
    return out;
  }

  private byte[] randomBytes(int length) {
    byte[] out = new byte[length];
    random.nextBytes(out);
    return out;
  }

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
}
