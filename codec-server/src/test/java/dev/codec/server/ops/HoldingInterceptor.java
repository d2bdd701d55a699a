package dev.codec.server.ops;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * Test only: makes a call slow for real. A call carrying the header {@value #HEADER} is held just
 * before its handler runs: the interceptor connects to the test's socket on {@code
 * codec.test.hold-port}, writes one byte ("I am in flight") and waits until the test writes one
 * byte back ("finish now"). The wait runs on a thread of its own, so the transport thread the call
 * arrived on (calls run on the transport threads by default) keeps serving the connection's other
 * calls meanwhile. Works in-process and in a server started as its own process.
 */
@Singleton
@Requires(property = "codec.test.hold-port")
public class HoldingInterceptor implements ServerInterceptor {
  public static final String HEADER = "codec-test-hold";
  public static final Metadata.Key<String> KEY =
      Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final int port;

  public HoldingInterceptor(@Property(name = "codec.test.hold-port") int port) {
    this.port = port;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> listener = next.startCall(call, headers);
    if (headers.get(KEY) == null) {
      return listener;
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onHalfClose() {
        Thread holder =
            new Thread(
                () -> {
                  hold();
                  super.onHalfClose();
                },
                "codec-test-hold");
        holder.setDaemon(true);
        holder.start();
      }
    };
  }

  private void hold() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.getOutputStream().write(1);
      socket.getOutputStream().flush();
      if (socket.getInputStream().read() < 0) {
        throw new IOException("test closed the hold socket");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
