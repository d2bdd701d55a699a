package dev.codec.server.ops;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open management connections, in total and per peer address, against {@code
 * codec.management.max-connections} and {@code -per-peer}: a connection over either limit is closed
 * before anything is read from it, and one warning per 10 s says how many were. Per peer, so that
 * one client holding connections open (slowly, or not sending at all) cannot take the slots the
 * kubelet's probes and Prometheus need. Thread-safe.
 */
final class ManagementConnections {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementConnections.class);
  private static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;

  private final ConnectionCounter counter;
  private long refused;
  private long lastReport = System.nanoTime() - REPORT_INTERVAL_NANOS;

  ManagementConnections(int total, int perPeer) {
    this.counter = new ConnectionCounter("codec.management", total, perPeer);
  }

  /**
   * Counts a newly accepted connection and releases it when it closes; false (and nothing counted)
   * if a limit is reached.
   */
  boolean admit(Channel channel) {
    InetAddress peer = ((InetSocketAddress) channel.remoteAddress()).getAddress();
    String limit = counter.tryOpen(peer);
    if (limit != null) {
      report(limit);
      return false;
    }
    channel.closeFuture().addListener(future -> counter.closed(peer));
    return true;
  }

  int open() {
    return counter.open();
  }

  private void report(String limit) {
    long count;
    synchronized (this) {
      refused++;
      long now = System.nanoTime();
      if (now - lastReport < REPORT_INTERVAL_NANOS) {
        return;
      }
      lastReport = now;
      count = refused;
      refused = 0;
    }
    LOG.warn(
        "Refused {} management connection(s) in the last {}s: limit {} reached ({} open)",
        count,
        REPORT_INTERVAL_NANOS / 1_000_000_000L,
        limit,
        open());
  }
}
