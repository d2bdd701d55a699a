package dev.codec.server.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by OutOfMemoryExitTest in a JVM with a small direct-memory cap: allocates direct buffers
 * through {@link OomExitAllocator} until the cap is reached. Exits 0 only if that did not end the
 * process.
 */
public final class OomExitAllocatorMain {
  private OomExitAllocatorMain() {}

  public static void main(String[] args) {
    ByteBufAllocator allocator = new OomExitAllocator(new UnpooledByteBufAllocator(true));
    List<ByteBuf> held = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      held.add(allocator.directBuffer(1024 * 1024).writeZero(1024 * 1024));
    }
    System.out.println("allocated " + held.size() + " MiB of direct memory without an error");
  }
}
