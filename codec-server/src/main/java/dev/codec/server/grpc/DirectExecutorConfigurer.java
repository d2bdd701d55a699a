package dev.codec.server.grpc;

import io.grpc.ServerBuilder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * Runs the codec's calls directly on the gRPC transport (Netty event loop) threads instead of
 * handing each one to Micronaut's I/O thread pool. Every codec call is short and CPU-bound (no I/O,
 * no blocking: the KEK is in memory, the audit log is written by a background appender), so the
 * hand-off only costs a thread switch and a wake-up per call: 20 to 30 % of the server's CPU in the
 * profile, and 307 -> 240 µs of server CPU per DecryptAll(100) when turned on (BENCHMARKS.md). On
 * by default; {@code codec.grpc.direct-executor=false} ({@code CODEC_GRPC_DIRECT_EXECUTOR=false})
 * goes back to the pool, e.g. for a debugging interceptor that blocks. Nothing on the call path may
 * block while this is on.
 */
@Singleton
@Requires(property = "codec.grpc.direct-executor", value = "true", defaultValue = "true")
public class DirectExecutorConfigurer implements BeanCreatedEventListener<ServerBuilder<?>> {
  @Override
  public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
    return event.getBean().directExecutor();
  }
}
