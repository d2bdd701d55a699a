package dev.codec.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test fixture: a loopback port bound (port 0) for the whole test, so no other process can take it.
 * Until {@link #forwardTo} is called it closes every connection it accepts (to a client, a server
 * that is not there: UNAVAILABLE); after, it relays each new connection to the given port. Replaces
 * picking a "free" port, closing it and binding it again later, which another process can take in
 * between.
 */
public final class HeldPort implements AutoCloseable {
  private final ServerSocket socket;
  private final Thread acceptor;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.BlockingQueue<Socket> accepted =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private volatile int target = -1;

  public HeldPort() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "held-port-" + socket.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /**
   * Waits for the next connection this port accepts (and closed or relayed), at most {@code
   * millis}.
   */
  public boolean awaitConnection(long millis) throws InterruptedException {
    return accepted.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS) != null;
  }

  /** From now on, relays new connections to {@code port} on loopback. */
  public void forwardTo(int port) {
    target = port;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      int to = target;
      if (to < 0) {
        closeQuietly(client);
      } else {
        relay(client, to);
      }
      accepted.add(client);
    }
  }

  private void relay(Socket client, int port) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    pump(client, upstream);
    pump(upstream, client);
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // either side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "held-port-relay");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws Exception {
    socket.close();
    open.forEach(HeldPort::closeQuietly);
    acceptor.join(5_000);
  }
}
