package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecException;
import dev.codec.client.StatusCode;
import dev.codec.server.TestServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportLimitsTest {
  @Test
  void messageOverInboundLimit_isResourceExhausted_andSmallerOnesPass(@TempDir Path kekDir)
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (TestServer server =
        TestServer.start(kekDir, Map.of("codec.transport.max-inbound-message-size", 64 * 1024))) {
      String dek = server.client().generateDek("p").encryptedDek();
      Map<String, String> big = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        big.put("V" + i, "x".repeat(30_000));
      }

      CodecException e =
          assertThrows(CodecException.class, () -> server.client().encrypt("p", dek, big));

      assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("65536"), e.getMessage());
      big.remove("V0");
      assertEquals(2, server.client().encrypt("p", dek, big).size());
    }
  }
}
