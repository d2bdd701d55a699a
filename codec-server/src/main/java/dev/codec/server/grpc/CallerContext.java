package dev.codec.server.grpc;

import dev.codec.server.auth.Caller;
import io.grpc.Context;

/**
 * The authenticated caller of the current call, put into the gRPC {@link Context} by {@link
 * AuthInterceptor}.
 */
public final class CallerContext {
  public static final Context.Key<Caller> CALLER = Context.key("codec-caller");

  private CallerContext() {}

  /** The caller of the call running on this thread, or {@code null} outside a call. */
  public static Caller current() {
    return CALLER.get();
  }
}
