package dev.codec.server.grpc;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The server-wide budget of request bytes in flight ({@code codec.transport.max-in-flight-bytes})
 * and each peer address's share of it ({@code codec.transport.max-in-flight-bytes-per-peer}). A
 * call reserves the size its request message declares (the gRPC length prefix) before the body is
 * read, and releases it when the call is answered or ends ({@link StreamBudget}). Thread-safe.
 */
final class InFlightBudget {
  private final long total;
  private final long perPeer;
  private final Map<InetAddress, Long> byPeer = new HashMap<>();
  private final String setting;
  private long used;

  InFlightBudget(long total, long perPeer) {
    this(total, perPeer, "codec.transport.max-in-flight-bytes");
  }

  /**
   * {@code setting} names the total in refusals; its share per peer is {@code setting +
   * "-per-peer"}.
   */
  InFlightBudget(long total, long perPeer, String setting) {
    if (total <= 0 || perPeer <= 0) {
      throw new IllegalArgumentException(setting + " and -per-peer must be positive");
    }
    this.setting = setting;
    this.total = total;
    this.perPeer = Math.min(perPeer, total);
  }

  /**
   * Reserves {@code bytes} for {@code peer}; returns null on success, else why not (for the
   * client).
   */
  synchronized String tryReserve(InetAddress peer, long bytes) {
    long peerUsed = byPeer.getOrDefault(peer, 0L);
    if (peerUsed + bytes > perPeer) {
      return "request bytes in flight from this peer: "
          + peerUsed
          + " in use, this request needs "
          + bytes
          + ", budget is "
          + perPeer
          + " ("
          + setting
          + "-per-peer); retry later";
    }
    if (used + bytes > total) {
      return "request bytes in flight: "
          + used
          + " in use, this request needs "
          + bytes
          + ", budget is "
          + total
          + " ("
          + setting
          + "); retry later";
    }
    used += bytes;
    byPeer.merge(peer, bytes, Long::sum);
    return null;
  }

  synchronized void release(InetAddress peer, long bytes) {
    if (bytes <= 0) {
      return;
    }
    used -= bytes;
    byPeer.computeIfPresent(peer, (p, held) -> held - bytes <= 0 ? null : held - bytes);
  }

  synchronized long used() {
    return used;
  }

  long total() {
    return total;
  }
}
