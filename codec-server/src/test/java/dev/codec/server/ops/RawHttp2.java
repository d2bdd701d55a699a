package dev.codec.server.ops;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately dumb HTTP/2 client over a plain socket, for sending what a real gRPC client never
 * sends (truncated messages, bad flags, wrong content-type, half-sent uploads). Frames are written
 * by hand; HPACK is Netty's. It honours the server's flow-control windows, acknowledges SETTINGS
 * and PING, and records for each stream how it ended: the gRPC status from the trailers, an HTTP
 * status, or a reset.
 */
final class RawHttp2 implements AutoCloseable {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0,
      HEADERS = 1,
      RST_STREAM = 3,
      SETTINGS = 4,
      PING = 6,
      GOAWAY = 7,
      WINDOW_UPDATE = 8;
  private static final int MAX_FRAME = 16_384;

  /** How a stream ended. */
  record Outcome(String grpcStatus, String grpcMessage, String httpStatus, long resetCode) {
    @Override
    public String toString() {
      return "grpc-status="
          + grpcStatus
          + " grpc-message="
          + grpcMessage
          + " :status="
          + httpStatus
          + (resetCode >= 0 ? " RST=" + resetCode : "");
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private final Map<Integer, Outcome> outcomes = new ConcurrentHashMap<>();
  private final Map<Integer, CountDownLatch> ended = new ConcurrentHashMap<>();
  private final Map<Integer, Long> streamWindows = new ConcurrentHashMap<>();
  private final Object windows = new Object();
  private long connectionWindow = 65_535;
  private long initialStreamWindow = 65_535;
  private volatile boolean closed;
  private int nextStream = 1;

  RawHttp2(int port, InetAddress localAddress) throws IOException {
    this(port, localAddress, -1);
  }

  /**
   * With {@code initialWindow} >= 0, announces that receive window (0: a client that never reads
   * answers).
   */
  RawHttp2(int port, InetAddress localAddress, int initialWindow) throws IOException {
    socket = new Socket();
    socket.bind(new InetSocketAddress(localAddress, 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    synchronized (this) {
      out.write(PREFACE);
      frame(
          SETTINGS,
          0,
          0,
          initialWindow < 0
              ? new byte[0]
              : new byte[] {
                0,
                4,
                (byte) (initialWindow >>> 24),
                (byte) (initialWindow >>> 16),
                (byte) (initialWindow >>> 8),
                (byte) initialWindow
              });
    }
    Thread reader = new Thread(this::read, "raw-http2-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** True once the server closed the connection (or it failed). */
  boolean isClosed() {
    return closed;
  }

  /** Opens a gRPC POST stream to {@code path} with the given extra headers; returns its id. */
  synchronized int post(String path, Map<String, String> extra, boolean endStream)
      throws IOException {
    Http2Headers headers =
        new DefaultHttp2Headers().method("POST").scheme("http").authority("localhost").path(path);
    headers.set("content-type", "application/grpc").set("te", "trailers");
    extra.forEach(headers::set);
    return open(headers, endStream);
  }

  /** Opens a stream with exactly these headers (pseudo-headers included); returns its id. */
  synchronized int open(Http2Headers headers, boolean endStream) throws IOException {
    int id = nextStream;
    nextStream += 2;
    ended.put(id, new CountDownLatch(1));
    streamWindows.put(id, initialStreamWindow);
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(id, headers, block);
    } catch (Exception e) {
      throw new IOException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    frame(HEADERS, endStream ? 0x5 : 0x4, id, bytes);
    return id;
  }

  /**
   * A gRPC message: flags byte, 4-byte declared length, then {@code body} (which may be shorter:
   * truncation).
   */
  static byte[] message(int flags, int declaredLength, byte[] body) {
    byte[] all = new byte[5 + body.length];
    all[0] = (byte) flags;
    all[1] = (byte) (declaredLength >>> 24);
    all[2] = (byte) (declaredLength >>> 16);
    all[3] = (byte) (declaredLength >>> 8);
    all[4] = (byte) declaredLength;
    System.arraycopy(body, 0, all, 5, body.length);
    return all;
  }

  /**
   * Sends {@code payload} as DATA frames within the flow-control windows (waiting for
   * WINDOW_UPDATEs); stops early, returning false, when the stream has ended or the connection
   * closed.
   */
  boolean data(int id, byte[] payload, boolean endStream) throws IOException, InterruptedException {
    int offset = 0;
    do {
      int chunk;
      synchronized (windows) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ended(id)
            && !closed
            && (connectionWindow <= 0 || streamWindows.getOrDefault(id, 0L) <= 0)
            && payload.length > offset) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false; // the server stopped reading: a stalled upload, as a slow sender would
            // have
          }
          windows.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        if (ended(id) || closed) {
          return false;
        }
        chunk =
            (int)
                Math.min(
                    Math.min(payload.length - offset, MAX_FRAME),
                    Math.min(connectionWindow, streamWindows.getOrDefault(id, 0L)));
        connectionWindow -= chunk;
        streamWindows.merge(id, (long) -chunk, Long::sum);
      }
      byte[] frame = new byte[chunk];
      System.arraycopy(payload, offset, frame, 0, chunk);
      offset += chunk;
      boolean last = offset == payload.length;
      synchronized (this) {
        frame(DATA, last && endStream ? 0x1 : 0, id, frame);
      }
    } while (offset < payload.length);
    return true;
  }

  boolean ended(int id) {
    CountDownLatch latch = ended.get(id);
    return latch != null && latch.getCount() == 0;
  }

  /**
   * Waits until the stream ended (trailers, reset, or the connection closed); null if it did not in
   * time.
   */
  Outcome await(int id, long timeout, TimeUnit unit) throws InterruptedException {
    CountDownLatch latch = ended.get(id);
    if (latch == null || !latch.await(timeout, unit)) {
      return null;
    }
    return outcomes.get(id);
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] header = {
      (byte) (payload.length >>> 16),
      (byte) (payload.length >>> 8),
      (byte) payload.length,
      (byte) type,
      (byte) flags,
      (byte) (stream >>> 24),
      (byte) (stream >>> 16),
      (byte) (stream >>> 8),
      (byte) stream
    };
    out.write(header);
    out.write(payload);
    out.flush();
  }

  private void read() {
    try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
      while (true) {
        int length =
            (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        switch (type) {
          case SETTINGS -> {
            if ((flags & 0x1) == 0) {
              settings(payload);
              synchronized (this) {
                frame(SETTINGS, 0x1, 0, new byte[0]);
              }
            }
          }
          case PING -> {
            if ((flags & 0x1) == 0) {
              synchronized (this) {
                frame(PING, 0x1, 0, payload);
              }
            }
          }
          case WINDOW_UPDATE -> {
            long increment =
                (((payload[0] & 0x7f) << 24)
                        | ((payload[1] & 0xff) << 16)
                        | ((payload[2] & 0xff) << 8)
                        | (payload[3] & 0xff))
                    & 0xffffffffL;
            synchronized (windows) {
              if (stream == 0) {
                connectionWindow += increment;
              } else {
                streamWindows.merge(stream, increment, Long::sum);
              }
              windows.notifyAll();
            }
          }
          case HEADERS -> headers(stream, flags, payload);
          case DATA -> {
            if (length > 0) { // give the credit back, so a server answer never stalls on us
              byte[] credit = {
                (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
              };
              synchronized (this) {
                frame(WINDOW_UPDATE, 0, 0, credit);
              }
            }
            if ((flags & 0x1) != 0) {
              end(stream, outcomes.getOrDefault(stream, new Outcome(null, null, null, -1)));
            }
          }
          case RST_STREAM -> {
            long code =
                ((payload[0] & 0xffL) << 24)
                    | ((payload[1] & 0xff) << 16)
                    | ((payload[2] & 0xff) << 8)
                    | (payload[3] & 0xff);
            Outcome before = outcomes.get(stream);
            end(
                stream,
                before != null && before.grpcStatus() != null
                    ? before
                    : new Outcome(null, null, before == null ? null : before.httpStatus(), code));
          }
          case GOAWAY -> {
            // streams above the last one are not processed; the connection closes after
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      closed = true;
      ended.forEach(
          (id, latch) -> {
            outcomes.putIfAbsent(id, new Outcome(null, "connection closed", null, -1));
            latch.countDown();
          });
      synchronized (windows) {
        windows.notifyAll();
      }
    }
  }

  private void settings(byte[] payload) {
    synchronized (windows) {
      for (int i = 0; i + 6 <= payload.length; i += 6) {
        int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
        long value =
            ((payload[i + 2] & 0xffL) << 24)
                | ((payload[i + 3] & 0xff) << 16)
                | ((payload[i + 4] & 0xff) << 8)
                | (payload[i + 5] & 0xff);
        if (id == 4) { // INITIAL_WINDOW_SIZE
          long delta = value - initialStreamWindow;
          initialStreamWindow = value;
          streamWindows.replaceAll((s, w) -> w + delta);
        }
      }
      windows.notifyAll();
    }
  }

  private void headers(int stream, int flags, byte[] payload) throws IOException {
    Http2Headers headers;
    try {
      headers = decoder.decodeHeaders(stream, Unpooled.wrappedBuffer(payload));
    } catch (Exception e) {
      throw new IOException(e);
    }
    Outcome before = outcomes.get(stream);
    String http =
        headers.status() != null
            ? headers.status().toString()
            : before != null ? before.httpStatus() : null;
    CharSequence grpcStatus = headers.get("grpc-status");
    CharSequence grpcMessage = headers.get("grpc-message");
    Outcome now =
        new Outcome(
            grpcStatus == null ? null : grpcStatus.toString(),
            grpcMessage == null
                ? null
                : java.net.URLDecoder.decode(
                    grpcMessage.toString().replace("+", "%2B"), StandardCharsets.UTF_8),
            http,
            -1);
    outcomes.put(stream, now);
    if ((flags & 0x1) != 0) {
      end(stream, now);
    }
  }

  private void end(int stream, Outcome outcome) {
    outcomes.put(stream, outcome);
    CountDownLatch latch = ended.get(stream);
    if (latch != null) {
      latch.countDown();
    }
    synchronized (windows) {
      windows.notifyAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
