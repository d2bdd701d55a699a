package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.google.protobuf.ByteString;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.Variable;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.server.LogCapture;
import dev.codec.server.TestServer;
import dev.codec.server.auth.CallerTokens;
import dev.codec.server.config.AuthConfiguration;
import dev.codec.server.config.DekCacheConfiguration;
import dev.codec.server.config.KekConfiguration;
import dev.codec.server.config.LimitsConfiguration;
import dev.codec.server.config.TlsConfiguration;
import dev.codec.server.config.TransportConfiguration;
import dev.codec.server.core.DekCache;
import dev.codec.server.crypto.CurrentKekRing;
import dev.codec.server.crypto.EnvelopeCrypto;
import dev.codec.server.crypto.SymmetricKey;
import io.grpc.ClientInterceptors;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every RPC, the error paths included, with the whole application logging at DEBUG, and checks
 * that no plaintext value, DEK (raw as hex or base64, or wrapped), KEK or token appears in any log
 * line, status message or exception text, nor in the toString() of configuration and key objects.
 */
class LeakTest {
  private static final String SECRET = "sk_live_LEAK-CANARY-7f3a9c";
  private static final String PROJECT = "proj-leak";

  @Test
  void noSecretReachesLogsStatusMessagesOrToString(@TempDir Path kekDir) throws Exception {
    String kek = TestServer.writeKek(kekDir, 1);
    List<String> texts = new ArrayList<>();
    List<String> secrets = new ArrayList<>(List.of(SECRET, kek));
    try (LogCapture logs = LogCapture.everythingAtDebug();
        LogCapture micronaut = LogCapture.of("io.micronaut", Level.DEBUG);
        LogCapture audit = LogCapture.of(AuditInterceptor.LOGGER, Level.DEBUG);
        TestServer server = TestServer.start(kekDir)) {
      secrets.add(server.token());
      CodecClient codec = server.client();
      String dek = codec.generateDek(PROJECT).encryptedDek();
      byte[] rawDek = codec.decryptDek(PROJECT, dek);
      secrets.add(dek);
      secrets.add(Base64.getEncoder().encodeToString(rawDek));
      secrets.add(HexFormat.of().formatHex(rawDek));
      String ct = codec.encrypt(PROJECT, dek, Map.of("API_KEY", SECRET)).get("API_KEY");
      secrets.add(ct);

      // successes
      codec.decryptAll(
          PROJECT,
          "dep-1",
          dek,
          Map.of("API_KEY", Variable.secret(ct), "P", Variable.plain("plain")));
      codec.decryptValue(PROJECT, dek, "API_KEY", ct);
      codec.decryptValueWithDek(PROJECT, rawDek, "API_KEY", ct);
      // every error path, collecting what the caller sees
      collect(
          texts,
          () -> codec.decryptAll("other-project", "", dek, Map.of("API_KEY", Variable.secret(ct))));
      collect(
          texts,
          () ->
              codec.decryptAll(
                  PROJECT, "", dek, Map.of("API_KEY", Variable.secret(ct.substring(0, 20)))));
      collect(
          texts,
          () -> codec.decryptValue(PROJECT, dek.replace("dek1:k1:", "dek1:k9:"), "API_KEY", ct));
      collect(
          texts,
          () ->
              codec.decryptValue(
                  PROJECT, dek.substring(0, dek.length() - 4) + "AAAA", "API_KEY", ct));
      collect(
          texts,
          () ->
              codec.decryptValueWithDek(
                  PROJECT, java.util.Arrays.copyOf(rawDek, 31), "API_KEY", ct));
      collect(texts, () -> codec.decryptValueWithDek("other-project", rawDek, "API_KEY", ct));
      collect(texts, () -> codec.encrypt(PROJECT, dek, Map.of("BIG", SECRET.repeat(5000))));
      collect(texts, () -> codec.encrypt(PROJECT, dek, Map.of("BAD=NAME", SECRET)));
      collect(texts, () -> codec.encrypt("bad project", dek, Map.of("A", SECRET)));
      collect(
          texts,
          () ->
              CodecClient.builder()
                  .channel(
                      ClientInterceptors.intercept(
                          server.unauthenticatedChannel(), TestServer.bearer(server.token() + "x")))
                  .build()
                  .generateDek(PROJECT));
      collect(
          texts,
          () ->
              CodecServiceGrpc.newBlockingStub(server.channel())
                  .decryptValue(
                      DecryptValueRequest.newBuilder()
                          .setProjectId(PROJECT)
                          .setEncrypted(ct)
                          .setDek(ByteString.copyFrom(new byte[32]))
                          .build()));

      server
          .context()
          .getBean(AuditInterceptor.class)
          .flush(); // audit lines are written in batches
      texts.addAll(logs.lines());
      texts.addAll(micronaut.lines());
      texts.addAll(audit.lines());
      texts.add(server.context().getBean(KekConfiguration.class).toString());
      texts.add(server.context().getBean(AuthConfiguration.class).toString());
      texts.add(server.context().getBean(TlsConfiguration.class).toString());
      texts.add(server.context().getBean(TransportConfiguration.class).toString());
      texts.add(server.context().getBean(DekCacheConfiguration.class).toString());
      texts.add(server.context().getBean(LimitsConfiguration.class).toString());
      texts.add(server.context().getBean(CurrentKekRing.class).toString());
      texts.add(server.context().getBean(CurrentKekRing.class).get().active().toString());
      texts.add(server.context().getBean(DekCache.class).toString());
      texts.add(server.context().getBean(CallerTokens.class).toString());
      texts.add(
          server
              .context()
              .getBean(EnvelopeCrypto.class)
              .valueCipher(PROJECT, SymmetricKey.copyOf(rawDek))
              .toString());
      texts.add(Variable.secret(ct).toString());
      texts.add(
          new dev.codec.server.core.StoredVariable(
                  dev.codec.server.core.StoredVariable.Kind.PLAIN, SECRET)
              .toString());
    }

    assertTrue(texts.size() > 20, "captured " + texts.size() + " texts");
    assertTrue(
        texts.stream().anyMatch(t -> t.contains("codec.audit")),
        "DEBUG capture saw the application");
    for (String text : texts) {
      for (String secret : secrets) {
        assertFalse(
            text.contains(secret),
            () -> "leaked a secret (" + secret.length() + " chars) in: " + text);
      }
    }
  }

  private static void collect(List<String> texts, org.junit.jupiter.api.function.Executable call) {
    Throwable thrown = assertThrows(RuntimeException.class, call);
    assertTrue(
        thrown instanceof CodecException || thrown instanceof StatusRuntimeException,
        thrown.toString());
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      texts.add(t.toString());
    }
  }
}
