package dev.codec.server.grpc;

import io.grpc.ServerBuilder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * Runs the codec's calls directly on the gRPC transport (Netty event loop) threads instead of handing
 * each one to Micronaut's I/O thread pool. Every codec call is short and CPU-bound (no I/O, no blocking:
 * the KEK is in memory), so the hand-off only costs a thread switch per call; BENCHMARKS.md has the
 * measured effect. Off by default until a quiet-machine measurement shows a gain (the one so far showed
 * none); turn it on with {@code codec.grpc.direct-executor=true} ({@code CODEC_GRPC_DIRECT_EXECUTOR=true}).
 * Never with an interceptor that blocks.
 */
@Singleton
@Requires(property = "codec.grpc.direct-executor", value = "true")
public class DirectExecutorConfigurer implements BeanCreatedEventListener<ServerBuilder<?>> {
    @Override
    public ServerBuilder<?> onCreated(BeanCreatedEvent<ServerBuilder<?>> event) {
        return event.getBean().directExecutor();
    }
}
