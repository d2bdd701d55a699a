package dev.codec.server.grpc;

import dev.codec.server.ops.OutOfMemoryExit;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The gRPC connections' buffer allocator (grpc-java's own, delegated to) that ends the process when
 * an allocation fails with an {@link OutOfMemoryError}. Direct-memory exhaustion is thrown by Java
 * code ({@code java.nio.Bits}, Netty's allocator), so {@code -XX:+ExitOnOutOfMemoryError} never
 * sees it, and Netty would catch it, log it and keep a process that can no longer serve.
 */
final class OomExitAllocator implements ByteBufAllocator {
  private final ByteBufAllocator delegate;

  OomExitAllocator(ByteBufAllocator delegate) {
    this.delegate = delegate;
  }

  private static OutOfMemoryError exit(OutOfMemoryError e) {
    OutOfMemoryExit.ifOutOfMemory(e);
    return e;
  }

  @Override
  public ByteBuf buffer() {
    try {
      return delegate.buffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf buffer(int initialCapacity) {
    try {
      return delegate.buffer(initialCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf buffer(int initialCapacity, int maxCapacity) {
    try {
      return delegate.buffer(initialCapacity, maxCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf ioBuffer() {
    try {
      return delegate.ioBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity) {
    try {
      return delegate.ioBuffer(initialCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
    try {
      return delegate.ioBuffer(initialCapacity, maxCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf heapBuffer() {
    try {
      return delegate.heapBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity) {
    try {
      return delegate.heapBuffer(initialCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
    try {
      return delegate.heapBuffer(initialCapacity, maxCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf directBuffer() {
    try {
      return delegate.directBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity) {
    try {
      return delegate.directBuffer(initialCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
    try {
      return delegate.directBuffer(initialCapacity, maxCapacity);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeBuffer() {
    try {
      return delegate.compositeBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeBuffer(int maxNumComponents) {
    try {
      return delegate.compositeBuffer(maxNumComponents);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer() {
    try {
      return delegate.compositeHeapBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    try {
      return delegate.compositeHeapBuffer(maxNumComponents);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer() {
    try {
      return delegate.compositeDirectBuffer();
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    try {
      return delegate.compositeDirectBuffer(maxNumComponents);
    } catch (OutOfMemoryError e) {
      throw exit(e);
    }
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
