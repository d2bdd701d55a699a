package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.server.core.AccessPolicy;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DecryptedValues;
import dev.codec.server.core.DekCache;
import dev.codec.server.core.InputFormats;
import dev.codec.server.core.Limits;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.StoredVariable;
import dev.codec.server.core.ValueFormatCounter;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.KekRing;
import dev.codec.server.crypto.SymmetricKey;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DecryptAll response marshaller writes exactly the bytes protobuf writes for the same {@code
 * DecryptAllResponse} (same entries, same order), for every shape of result up to the default
 * limits; and the served definition uses it for DecryptAll only.
 */
class DecryptAllResponseWriterTest {
  private static final String PROJECT = "proj-wire";
  private static CodecService service;
  private static String dek;

  @BeforeAll
  static void setUp() throws Exception {
    KekRing ring = KekRing.of(Map.of(1, SymmetricKey.random()), null);
    EnvelopeCrypto crypto = new EnvelopeCrypto(() -> ring);
    service =
        new CodecService(
            crypto,
            new DekCache(Duration.ofMinutes(5), 100),
            Limits.DEFAULTS,
            InputFormats.strict(crypto, true),
            AccessPolicy.OPEN,
            ValueFormatCounter.NONE);
    dek = service.generateDek(PROJECT).encoded();
  }

  @Test
  void noValues() throws Exception {
    assertWrittenAsProtobufWrites(new LinkedHashMap<>(), Map.of());
  }

  @Test
  void oneValue() throws Exception {
    assertWrittenAsProtobufWrites(Map.of("API_KEY", "sk_live_4242"), Map.of());
  }

  @Test
  void hundredValues_andPlainOnes() throws Exception {
    Map<String, String> secrets = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      secrets.put("SECRET_" + i, "v".repeat(64));
    }
    assertWrittenAsProtobufWrites(secrets, Map.of("LOG_LEVEL", "debug", "EMPTY_PLAIN", ""));
  }

  @Test
  void multiByteNamesAndValues_andEmptyValues() throws Exception {
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("p\u00e4ss", "w\u00f6rd-\u20ac-\ud83d\udd11-\u5bc6\u7801");
    secrets.put("\u5bc6\u94a5-\ud83d\ude00", "\uffff\ufffe\u0000\u007f\u0080\u07ff\u0800");
    secrets.put("EMPTY", "");
    secrets.put("NEWLINES", "-----BEGIN-----\nline\r\n-----END-----\n");
    assertWrittenAsProtobufWrites(secrets, Map.of("\u00fc-plain", "\u00e9t\u00e9 \ud83c\udf1e"));
  }

  @Test
  void valuesAndNamesOfTheMaximumSizes() throws Exception {
    Limits limits = Limits.DEFAULTS;
    String fourByte = "\ud83d\udd11";
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("ASCII_MAX", "a".repeat(limits.maxValueBytes()));
    secrets.put("UTF8_MAX", fourByte.repeat(limits.maxValueBytes() / 4));
    secrets.put(fourByte.repeat(limits.maxNameLength() / 2), "longest name, 4-byte characters");
    secrets.put("\u5bc6".repeat(limits.maxNameLength()), "longest name, 3-byte characters");
    assertWrittenAsProtobufWrites(secrets, Map.of("PLAIN_MAX", "p".repeat(limits.maxValueBytes())));
  }

  @Test
  void theMaximumNumberOfValues() throws Exception {
    Map<String, String> secrets = new LinkedHashMap<>();
    for (int i = 0; i < Limits.DEFAULTS.maxEntries(); i++) {
      secrets.put("V" + i, "value-" + i);
    }
    assertWrittenAsProtobufWrites(secrets, Map.of());
  }

  @Test
  void stream_isKnownLengthAndDrainable_destroysTheValues_andReadsLikeTheBytes() throws Exception {
    DecryptedValues values = decrypted(Map.of("K", "secret-value"), Map.of());
    byte[] expected = DecryptAllResponseWriter.serialize(values);
    MethodDescriptor.Marshaller<DecryptedValues> marshaller =
        DecryptAllResponseWriter.METHOD.getResponseMarshaller();

    InputStream stream = marshaller.stream(values);

    assertThrows(IllegalStateException.class, () -> values.utf8Value(0));
    assertInstanceOf(KnownLength.class, stream);
    assertEquals(expected.length, stream.available());
    ByteArrayOutputStream drained = new ByteArrayOutputStream();
    assertEquals(expected.length, ((Drainable) stream).drainTo(drained));
    assertArrayEquals(expected, drained.toByteArray());
    assertEquals(-1, stream.read());
    stream.close();
    assertFalse(stream.toString().contains("secret-value"));

    byte[] owned = expected.clone();
    InputStream serialized = new DecryptAllResponseWriter.Serialized(owned);
    assertArrayEquals(expected, serialized.readAllBytes());
    serialized.close();
    assertArrayEquals(new byte[expected.length], owned, "the response's bytes are zeroed on close");

    InputStream read = marshaller.stream(decrypted(Map.of("K", "secret-value"), Map.of()));
    assertArrayEquals(expected, read.readAllBytes());
    assertThrows(UnsupportedOperationException.class, () -> marshaller.parse(read));
  }

  @Test
  void definition_servesDecryptAllThroughTheWriter_andEveryOtherMethodAsGenerated() {
    CodecEndpoint endpoint = new CodecEndpoint(service, null, null);
    ServerServiceDefinition generated = endpoint.bindService();
    ServerServiceDefinition served = StrictRequestParsing.apply(endpoint.definition());

    assertEquals(
        names(generated),
        served.getMethods().stream()
            .map(m -> m.getMethodDescriptor().getFullMethodName())
            .collect(Collectors.toSet()));
    assertSame(
        generated.getServiceDescriptor().getSchemaDescriptor(),
        served.getServiceDescriptor().getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : served.getMethods()) {
      MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
      MethodDescriptor<?, ?> original =
          generated.getMethod(descriptor.getFullMethodName()).getMethodDescriptor();
      assertSame(original.getSchemaDescriptor(), descriptor.getSchemaDescriptor());
      assertEquals(original.getType(), descriptor.getType());
      boolean decryptAll =
          descriptor
              .getFullMethodName()
              .equals(CodecServiceGrpc.getDecryptAllMethod().getFullMethodName());
      assertEquals(
          decryptAll,
          descriptor.getResponseMarshaller() instanceof DecryptAllResponseWriter,
          descriptor.getFullMethodName());
      if (!decryptAll) {
        assertSame(original.getResponseMarshaller(), descriptor.getResponseMarshaller());
      }
      // strict parsing wraps every request marshaller, DecryptAll's included
      assertTrue(
          descriptor.getRequestMarshaller().getClass().getName().contains("MarkingMarshaller"),
          descriptor.getFullMethodName());
    }
  }

  private static Set<String> names(ServerServiceDefinition definition) {
    return definition.getMethods().stream()
        .map(m -> m.getMethodDescriptor().getFullMethodName())
        .collect(Collectors.toSet());
  }

  /**
   * Decrypts {@code secrets} (encrypted first) and {@code plains}, in that order, writes the result
   * and compares with protobuf's own serialization of the same entries in the same order.
   */
  private static void assertWrittenAsProtobufWrites(
      Map<String, String> secrets, Map<String, String> plains) throws Exception {
    DecryptedValues values = decrypted(secrets, plains);
    Map<String, String> inOrder = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      String plain = values.plainValue(i);
      inOrder.put(
          values.name(i),
          plain != null ? plain : new String(values.utf8Value(i), StandardCharsets.UTF_8));
    }
    Map<String, String> expected = new LinkedHashMap<>(secrets);
    expected.putAll(plains);
    assertEquals(expected, inOrder);
    byte[] protobuf = DecryptAllResponse.newBuilder().putAllValues(inOrder).build().toByteArray();

    byte[] written = DecryptAllResponseWriter.serialize(values);

    assertArrayEquals(protobuf, written);
    assertEquals(expected, DecryptAllResponse.parseFrom(written).getValuesMap());
  }

  private static DecryptedValues decrypted(Map<String, String> secrets, Map<String, String> plains)
      throws RejectedRequestException {
    Map<String, StoredVariable> variables = new LinkedHashMap<>();
    if (!secrets.isEmpty()) {
      Map<String, String> encrypted = service.encrypt(PROJECT, dek, secrets);
      secrets
          .keySet()
          .forEach(
              name ->
                  variables.put(
                      name, new StoredVariable(StoredVariable.Kind.SECRET, encrypted.get(name))));
    }
    plains.forEach(
        (name, value) -> variables.put(name, new StoredVariable(StoredVariable.Kind.PLAIN, value)));
    String key = secrets.isEmpty() ? "" : dek;
    return service.decryptAllUtf8(PROJECT, "", key, variables, "", "", g -> {}).result();
  }
}
