package dev.codec.server.client;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only server interceptor: counts the calls one server receives and records their method names
 * and {@code authorization} headers. Active only in servers started with {@value #ENABLED} = true.
 */
@Singleton
@Requires(property = CallCounter.ENABLED, value = "true")
public final class CallCounter implements ServerInterceptor {
  public static final String ENABLED = "codec.test.call-counter.enabled";

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
  private final List<String> methods = new CopyOnWriteArrayList<>();

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    calls.incrementAndGet();
    methods.add(call.getMethodDescriptor().getBareMethodName());
    String authorization = headers.get(AUTHORIZATION);
    authorizationHeaders.add(authorization == null ? "<none>" : authorization);
    return next.startCall(call, headers);
  }

  public int calls() {
    return calls.get();
  }

  /** The bare method names of the calls received, in order (e.g. "Encrypt"). */
  public List<String> methods() {
    return List.copyOf(methods);
  }

  public List<String> authorizationHeaders() {
    return List.copyOf(authorizationHeaders);
  }
}
