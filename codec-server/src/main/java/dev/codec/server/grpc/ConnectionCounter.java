package dev.codec.server.grpc;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Open gRPC connections, in total and per peer address, against {@code
 * codec.transport.max-connections} and {@code codec.transport.max-connections-per-peer}.
 * Thread-safe.
 */
final class ConnectionCounter {
  private final int total;
  private final int perPeer;
  private final Map<InetAddress, Integer> byPeer = new HashMap<>();
  private int open;

  ConnectionCounter(int total, int perPeer) {
    if (total <= 0 || perPeer <= 0) {
      throw new IllegalArgumentException(
          "codec.transport.max-connections and -per-peer must be positive");
    }
    this.total = total;
    this.perPeer = perPeer;
  }

  /** Counts a new connection; returns null if admitted, else which limit it would break. */
  synchronized String tryOpen(InetAddress peer) {
    int fromPeer = byPeer.getOrDefault(peer, 0);
    if (fromPeer >= perPeer) {
      return "codec.transport.max-connections-per-peer=" + perPeer;
    }
    if (open >= total) {
      return "codec.transport.max-connections=" + total;
    }
    open++;
    byPeer.put(peer, fromPeer + 1);
    return null;
  }

  synchronized void closed(InetAddress peer) {
    open--;
    byPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
  }

  synchronized int open() {
    return open;
  }
}
