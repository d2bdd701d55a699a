package dev.codec.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link TestServer} with the default configuration, shared by every test
 * class of the run that needs no configuration of its own, instead of a full server start per
 * class. Declare it with {@code @ExtendWith(SharedTestServer.class)} and take a {@code TestServer}
 * parameter (in a {@code @BeforeAll} or a test method). It is started on first use and closed when
 * the run ends.
 *
 * <p>Its KEK directory holds versions 1 and 2 (2 active), their base64 in {@link #KEKS}. Tests that
 * change the server's state for good (write KEK or token files, reload, shut down) start their own.
 */
public final class SharedTestServer implements ParameterResolver {
  private static final Namespace NAMESPACE = Namespace.create(SharedTestServer.class);

  /**
   * The base64 of KEK versions 1 and 2 of the shared server (index 0 and 1), set once it started.
   */
  public static final List<String> KEKS = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Running.class, type -> Running.start(), Running.class)
        .server;
  }

  /**
   * The shared server, closed (and its KEK directory deleted) with the root context at the end of
   * the run.
   */
  private record Running(TestServer server, Path kekDir)
      implements ExtensionContext.Store.CloseableResource {
    static Running start() {
      try {
        Path kekDir = Files.createTempDirectory("codec-shared-kek");
        KEKS.add(TestServer.writeKek(kekDir, 1));
        KEKS.add(TestServer.writeKek(kekDir, 2));
        return new Running(TestServer.start(kekDir), kekDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
      try (Stream<Path> files = Files.walk(kekDir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
