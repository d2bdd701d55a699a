package dev.codec.server.grpc;

import dev.codec.server.ops.OutOfMemoryExit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.function.Supplier;

/**
 * The gRPC connections' buffer allocator (grpc-java's own, delegated to) that ends the process when an
 * allocation fails with an {@link OutOfMemoryError}. Direct-memory exhaustion is thrown by Java code
 * ({@code java.nio.Bits}, Netty's allocator), so {@code -XX:+ExitOnOutOfMemoryError} never sees it, and
 * Netty would catch it, log it and keep a process that can no longer serve.
 */
final class OomExitAllocator implements ByteBufAllocator {
    private final ByteBufAllocator delegate;

    OomExitAllocator(ByteBufAllocator delegate) {
        this.delegate = delegate;
    }

    private static <T> T guard(Supplier<T> allocation) {
        try {
            return allocation.get();
        } catch (OutOfMemoryError e) {
            OutOfMemoryExit.ifOutOfMemory(e);
            throw e;
        }
    }

    @Override
    public ByteBuf buffer() {
        return guard(delegate::buffer);
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
        return guard(() -> delegate.buffer(initialCapacity));
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
        return guard(() -> delegate.buffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf ioBuffer() {
        return guard(delegate::ioBuffer);
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
        return guard(() -> delegate.ioBuffer(initialCapacity));
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
        return guard(() -> delegate.ioBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf heapBuffer() {
        return guard(delegate::heapBuffer);
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
        return guard(() -> delegate.heapBuffer(initialCapacity));
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
        return guard(() -> delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf directBuffer() {
        return guard(delegate::directBuffer);
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
        return guard(() -> delegate.directBuffer(initialCapacity));
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
        return guard(() -> delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
        return guard(delegate::compositeBuffer);
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
        return guard(() -> delegate.compositeBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
        return guard(delegate::compositeHeapBuffer);
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return guard(() -> delegate.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
        return guard(delegate::compositeDirectBuffer);
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return guard(() -> delegate.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return delegate.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
