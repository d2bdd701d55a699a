package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.client.CodecClient;
import io.grpc.ManagedChannel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that never make an authenticated call cannot hold the connection slots: a real server
 * process (shipped jvm.options, auth on) with {@code
 * codec.transport.unauthenticated-connection-timeout} of 2 s. Without it, 7 addresses × 32 idle
 * connections (kept open by answering pings, no credentials needed) held all 200 slots for
 * max-connection-idle (30 min): every new client got {@code UNAVAILABLE}.
 */
@Timeout(300)
class ConnectionLockoutTest {

  @Test
  void idleConnectionsWithoutCredentials_fromSevenAddresses_areClosed_andANewClientStillCalls()
      throws Exception {
    List<RawHttp2> flood = new ArrayList<>();
    try (AbuseFixture fixture =
        new AbuseFixture(Map.of("CODEC_TRANSPORT_UNAUTHENTICATED_CONNECTION_TIMEOUT", "2s"))) {
      // a connection that made an authenticated call stays open; one that only probed health is
      // closed
      RawHttp2 authenticated =
          new RawHttp2(fixture.server.grpcPort, InetAddress.getByName("127.0.0.30"));
      flood.add(authenticated);
      byte[] request =
          dev.codec.proto.v1.GenerateDekRequest.newBuilder()
              .setProjectId("kept")
              .build()
              .toByteArray();
      int call =
          authenticated.post(
              "/" + dev.codec.proto.v1.CodecServiceGrpc.getGenerateDekMethod().getFullMethodName(),
              Map.of("authorization", "Bearer " + fixture.opsToken),
              false);
      authenticated.data(call, RawHttp2.message(0, request.length, request), true);
      RawHttp2.Outcome answered = authenticated.await(call, 30, TimeUnit.SECONDS);
      assertNotNull(answered, "GenerateDek was not answered");
      assertEquals("0", answered.grpcStatus(), answered.toString());
      RawHttp2 probe = new RawHttp2(fixture.server.grpcPort, InetAddress.getByName("127.0.0.31"));
      flood.add(probe);
      int check = probe.post("/grpc.health.v1.Health/Check", Map.of(), false);
      probe.data(check, RawHttp2.message(0, 0, new byte[0]), true);
      RawHttp2.Outcome probed = probe.await(check, 30, TimeUnit.SECONDS);
      assertNotNull(probed, "Health/Check was not answered");
      assertEquals("0", probed.grpcStatus(), probed.toString());

      for (int a = 0; a < 7; a++) {
        InetAddress attacker = InetAddress.getByName("127.0.0." + (20 + a));
        for (int i = 0; i < 32; i++) {
          try {
            flood.add(new RawHttp2(fixture.server.grpcPort, attacker));
          } catch (java.net.SocketException closedBeforeThePrefaceWasWritten) {
            // 7 x 32 flood connections exceed the server-wide cap of 200 while the first ones still
            // wait for their 2 s timeout: the server may close a refused one before the client has
            // written its preface. Refused is as closed as this test needs.
          }
        }
      }
      AbuseFixture.sleepUntil(
          () -> flood.stream().filter(c -> c != authenticated).allMatch(RawHttp2::isClosed), 60);
      assertTrue(probe.isClosed(), "the health-probe connection was kept");

      ManagedChannel channel = fixture.channel();
      try (CodecClient client = fixture.client(channel, fixture.opsToken)) {
        assertFalse(client.generateDek("after-the-flood").encryptedDek().isEmpty());
      } finally {
        channel.shutdownNow();
      }
      assertFalse(
          authenticated.isClosed(), "the connection that made an authenticated call was closed");
      fixture.assertHealthyAndJsonOnly();
    } finally {
      flood.forEach(RawHttp2::close);
    }
  }
}
