package dev.codec.server.ops;

import dev.codec.server.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Servers for the request-budget tests: a small per-peer budget and no receive timeout in reach.
 */
final class BudgetTestServers {
  /** The per-peer request-bytes budget of {@link #start}. */
  static final int PER_PEER = 64 * 1024;

  private BudgetTestServers() {}

  /**
   * A server with a KEK in {@code kekDir}, a per-peer budget of {@link #PER_PEER} bytes and a
   * receive timeout of 10 minutes: a stalled request or an unread answer holds its reservation
   * until the test releases it, however slowly this machine runs the test.
   */
  static TestServer start(Path kekDir) throws IOException {
    TestServer.writeKek(kekDir, 1);
    return TestServer.start(
        kekDir,
        Map.of(
            "codec.transport.max-in-flight-bytes-per-peer",
            PER_PEER,
            "codec.transport.request-receive-timeout",
            "10m"));
  }
}
