package dev.codec.server.ops;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Open connections of one server, in total and per peer address, against {@code
 * PREFIX.max-connections} and {@code PREFIX.max-connections-per-peer} (the gRPC port's {@code
 * codec.transport}, the management port's {@code codec.management}). Thread-safe.
 */
public final class ConnectionCounter {
  private final String prefix;
  private final int total;
  private final int perPeer;
  private final Map<InetAddress, Integer> byPeer = new HashMap<>();
  private int open;

  /**
   * @param prefix the settings' prefix, named in {@link #tryOpen}'s answer
   * @throws IllegalArgumentException if a limit is not positive
   */
  public ConnectionCounter(String prefix, int total, int perPeer) {
    if (total <= 0 || perPeer <= 0) {
      throw new IllegalArgumentException(
          prefix + ".max-connections and -per-peer must be positive");
    }
    this.prefix = prefix;
    this.total = total;
    this.perPeer = perPeer;
  }

  /** Counts a new connection; returns null if admitted, else which limit it would break. */
  public synchronized String tryOpen(InetAddress peer) {
    int fromPeer = byPeer.getOrDefault(peer, 0);
    if (fromPeer >= perPeer) {
      return prefix + ".max-connections-per-peer=" + perPeer;
    }
    if (open >= total) {
      return prefix + ".max-connections=" + total;
    }
    open++;
    byPeer.put(peer, fromPeer + 1);
    return null;
  }

  /** Releases a connection {@link #tryOpen} admitted. */
  public synchronized void closed(InetAddress peer) {
    open--;
    byPeer.computeIfPresent(peer, (p, n) -> n <= 1 ? null : n - 1);
  }

  public synchronized int open() {
    return open;
  }
}
