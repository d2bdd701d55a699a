package dev.codec.server.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * A name resolver for tests that resolves {@code <scheme>:///anything} to fixed addresses, the way
 * DNS resolves a Kubernetes headless Service to every pod. Registered in gRPC's default registry
 * under a scheme unique to each instance, so the client is built exactly as in production, only the
 * target differs.
 */
final class FixedAddressesResolver extends NameResolverProvider {
  private final String scheme = "codec-test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<EquivalentAddressGroup> addresses;

  private FixedAddressesResolver(List<EquivalentAddressGroup> addresses) {
    this.addresses = addresses;
  }

  /**
   * Registers a resolver for {@code localhost} on each port; returns the target naming them all.
   */
  static String register(int... ports) {
    List<EquivalentAddressGroup> groups =
        java.util.Arrays.stream(ports)
            .mapToObj(
                port ->
                    new EquivalentAddressGroup(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
            .toList();
    FixedAddressesResolver provider = new FixedAddressesResolver(groups);
    NameResolverRegistry.getDefaultRegistry().register(provider);
    return provider.scheme + ":///codec-headless:50051";
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!scheme.equals(targetUri.getScheme())) {
      return null;
    }
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return "localhost";
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder().setAddresses(addresses).build());
      }

      @Override
      public void shutdown() {}
    };
  }

  @Override
  public String getDefaultScheme() {
    return scheme;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }
}
