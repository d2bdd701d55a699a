package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.Variable.Kind;
import dev.codec.server.SharedTestServer;
import dev.codec.server.TestServer;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.SymmetricKey;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DecryptAll as the real server writes it (its response marshaller, {@link
 * DecryptAllResponseWriter}) read by the generated stub and the Java client, and its refusals: a
 * plaintext that is not UTF-8 is refused like a tampered value, with no response message.
 */
@ExtendWith(SharedTestServer.class)
class DecryptAllWireGrpcTest {
  private static final String PROJECT = "proj-wire";

  private static CodecClient codec;
  private static CodecServiceGrpc.CodecServiceBlockingStub blocking;
  private static CodecServiceGrpc.CodecServiceStub async;

  @BeforeAll
  static void connect(TestServer server) {
    codec = server.client();
    blocking = CodecServiceGrpc.newBlockingStub(server.channel());
    async = CodecServiceGrpc.newStub(server.channel());
  }

  @Test
  void mixedValues_readByTheStubAndTheClient_asEncrypted() {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    Map<String, String> plaintexts = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      plaintexts.put("SECRET_" + i, "x".repeat(64));
    }
    plaintexts.put("p\u00e4ss-\ud83d\udd11", "w\u00f6rd-\u20ac-\ud83d\ude00-\u5bc6");
    plaintexts.put("EMPTY", "");
    plaintexts.put("LARGEST", "\u5bc6".repeat(21_844) + "abcd");
    Map<String, String> encrypted = codec.encrypt(PROJECT, dek, plaintexts);
    DecryptAllRequest.Builder request =
        DecryptAllRequest.newBuilder().setProjectId(PROJECT).setEncryptedDek(dek);
    Map<String, Variable> variables = new LinkedHashMap<>();
    encrypted.forEach(
        (name, ct) -> {
          request.putVariables(name, variable(Kind.KIND_SECRET, ct));
          variables.put(name, Variable.secret(ct));
        });
    request.putVariables("PLAIN", variable(Kind.KIND_PLAIN, "\u00e9t\u00e9"));
    variables.put("PLAIN", Variable.plain("\u00e9t\u00e9"));
    Map<String, String> expected = new LinkedHashMap<>(plaintexts);
    expected.put("PLAIN", "\u00e9t\u00e9");

    DecryptAllResponse response = blocking.decryptAll(request.build());

    assertEquals(
        65_536, plaintexts.get("LARGEST").getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    assertEquals(expected, response.getValuesMap());
    assertEquals(expected, codec.decryptAll(PROJECT, "deploy-1", dek, variables));
  }

  @Test
  void plaintextNotUtf8_isInvalidArgumentLikeATamperedValue_andNoResponseIsSent() throws Exception {
    String dek = codec.generateDek(PROJECT).encryptedDek();
    String good = codec.encrypt(PROJECT, dek, Map.of("GOOD", "fine")).get("GOOD");
    String notUtf8 = encryptRaw(dek, "BAD", new byte[] {'o', 'k', (byte) 0xc3, '('});
    String tampered = tamper(codec.encrypt(PROJECT, dek, Map.of("BAD", "fine")).get("BAD"));

    Outcome refused = call(request(dek, good, notUtf8));
    Outcome tamperedOutcome = call(request(dek, good, tampered));

    assertEquals(List.of(), refused.messages);
    assertNotNull(refused.status);
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.status.getCode());
    assertEquals(tamperedOutcome.status.getCode(), refused.status.getCode());
    assertEquals(tamperedOutcome.status.getDescription(), refused.status.getDescription());
    assertTrue(
        refused.status.getDescription().startsWith("variables[BAD]: cannot be decrypted"),
        refused.status.getDescription());
    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                codec.decryptAll(
                    PROJECT,
                    "",
                    dek,
                    Map.of("GOOD", Variable.secret(good), "BAD", Variable.secret(notUtf8))));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
  }

  private static DecryptAllRequest request(String dek, String good, String bad) {
    return DecryptAllRequest.newBuilder()
        .setProjectId(PROJECT)
        .setEncryptedDek(dek)
        .putVariables("GOOD", variable(Kind.KIND_SECRET, good))
        .putVariables("BAD", variable(Kind.KIND_SECRET, bad))
        .putVariables("PLAIN", variable(Kind.KIND_PLAIN, "p"))
        .build();
  }

  /** Every message and the final status of one call, through the async stub. */
  private static Outcome call(DecryptAllRequest request) throws Exception {
    List<DecryptAllResponse> messages = new ArrayList<>();
    CompletableFuture<Status> done = new CompletableFuture<>();
    async.decryptAll(
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(DecryptAllResponse value) {
            messages.add(value);
          }

          @Override
          public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    Status status = done.get(30, TimeUnit.SECONDS);
    return new Outcome(messages, status);
  }

  private record Outcome(List<DecryptAllResponse> messages, Status status) {}

  /** An enc2 value of arbitrary bytes under the project's DEK (taken out with DecryptDek). */
  private static String encryptRaw(String dek, String name, byte[] plaintext) {
    SymmetricKey key = SymmetricKey.copyOf(codec.decryptDek(PROJECT, dek));
    try {
      return new EnvelopeCrypto(() -> null).valueCipher(PROJECT, key).encrypt(name, plaintext);
    } finally {
      key.destroy();
    }
  }

  private static String tamper(String encrypted) {
    int middle = encrypted.length() / 2;
    char flipped = encrypted.charAt(middle) == 'A' ? 'B' : 'A';
    return encrypted.substring(0, middle) + flipped + encrypted.substring(middle + 1);
  }

  private static dev.codec.proto.v1.Variable variable(Kind kind, String value) {
    return dev.codec.proto.v1.Variable.newBuilder().setKind(kind).setValue(value).build();
  }
}
