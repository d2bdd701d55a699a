package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.server.ops.ConnectionCounter;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class InFlightBudgetTest {
  private static final InetAddress A = InetAddress.getLoopbackAddress();

  @Test
  void perPeerShare_isEnforced_andNamedInTheRefusal() throws Exception {
    InFlightBudget budget = new InFlightBudget(100, 60);

    assertNull(budget.tryReserve(A, 50));
    String refusal = budget.tryReserve(A, 20);

    assertNotNull(refusal);
    assertTrue(refusal.contains("codec.transport.max-in-flight-bytes-per-peer"), refusal);
    assertNull(
        budget.tryReserve(InetAddress.getByName("127.0.0.2"), 40)); // another peer still fits
  }

  @Test
  void total_isEnforced_andReleasedBytesAreAvailableAgain() throws Exception {
    InFlightBudget budget = new InFlightBudget(100, 60);
    InetAddress b = InetAddress.getByName("127.0.0.2");
    assertNull(budget.tryReserve(A, 60));
    assertNull(budget.tryReserve(b, 40));

    String refusal = budget.tryReserve(InetAddress.getByName("127.0.0.3"), 1);
    assertTrue(refusal.contains("budget is 100 (codec.transport.max-in-flight-bytes)"), refusal);

    budget.release(A, 60);
    assertEquals(40, budget.used());
    assertNull(budget.tryReserve(InetAddress.getByName("127.0.0.3"), 60));
  }

  @Test
  void connectionCounter_capsPerPeerAndTotal_andCountsClosedConnectionsBack() throws Exception {
    ConnectionCounter connections = new ConnectionCounter("codec.transport", 3, 2);
    InetAddress b = InetAddress.getByName("127.0.0.2");
    assertNull(connections.tryOpen(A));
    assertNull(connections.tryOpen(A));
    assertEquals("codec.transport.max-connections-per-peer=2", connections.tryOpen(A));
    assertNull(connections.tryOpen(b));
    assertEquals(
        "codec.transport.max-connections=3",
        connections.tryOpen(InetAddress.getByName("127.0.0.3")));

    connections.closed(A);
    assertNull(connections.tryOpen(A));
    assertEquals(3, connections.open());
  }

  @Test
  void grpcMessage_isPercentEncoded() {
    assertEquals("50%25 used%0a", StreamBudget.percentEncode("50% used\n"));
  }
}
