package dev.codec.server;

import dev.codec.client.CodecClient;
import dev.codec.server.ops.ManagementServer;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real codec server (the whole Micronaut application) on a random port, with a real KEK
 * directory on disk, plus a real client connected to it over TCP.
 *
 * <p>Authentication is on, as in production: the server knows one caller, {@value #CALLER}, with
 * every permission, whose token lives in a temporary tokens directory; {@link #client()} and {@link
 * #channel()} send that token.
 */
public final class TestServer implements AutoCloseable {
  /** The caller the default client authenticates as. */
  public static final String CALLER = "test-caller";

  /** Every permission: {@link #CALLER} may call every RPC. */
  public static final List<String> ALL_PERMISSIONS =
      List.of("encrypt", "decrypt", "export-dek", "rotate", "grant");

  private final ApplicationContext context;
  private final GrpcEmbeddedServer server;
  private final Path kekDir;
  private final Path tokensDir;
  private final String token;
  private final ManagedChannel rawChannel;
  private final Channel channel;
  private final CodecClient client;

  private TestServer(Map<String, Object> properties, Path kekDir, Path tokensDir, String token) {
    this.kekDir = kekDir;
    this.tokensDir = tokensDir;
    this.token = token;
    this.context = ApplicationContext.builder().properties(properties).environments("test").start();
    this.server = context.getBean(GrpcEmbeddedServer.class);
    server.start();
    this.rawChannel =
        ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
    this.channel = ClientInterceptors.intercept(rawChannel, bearer(token));
    this.client = CodecClient.builder().channel(channel).build();
  }

  /**
   * Starts a server whose KEK directory is {@code kekDir}, with extra configuration properties
   * (which may override the defaults, e.g. {@code codec.auth.enabled=false}).
   */
  public static TestServer start(Path kekDir, Map<String, Object> properties) {
    try {
      Path tokensDir = Files.createTempDirectory("codec-callers");
      String token = writeToken(tokensDir, CALLER);
      Map<String, Object> all = new HashMap<>();
      all.put("codec.kek.dir", kekDir.toString());
      all.put("codec.auth.tokens-dir", tokensDir.toString());
      all.put("codec.auth.callers." + CALLER + ".permissions", ALL_PERMISSIONS);
      // gRPC binds port 0 and the test reads the bound port (never a picked "free" port bound
      // later,
      // which another process can take in between)
      all.put("grpc.server.port", 0);
      // management HTTP: a random port, bound only when a test calls startManagement()
      all.put("codec.management.port", 0);
      all.putAll(properties);
      return new TestServer(all, kekDir, tokensDir, token);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a new random token for {@code caller} into a tokens directory; returns it. */
  public static String writeToken(Path tokensDir, String caller) throws IOException {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Files.writeString(tokensDir.resolve(caller), token + "\n");
    return token;
  }

  /** A client interceptor sending {@code authorization: Bearer <token>}. */
  public static ClientInterceptor bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** The KEK directory the server reads. */
  public Path kekDir() {
    return kekDir;
  }

  /** The tokens directory the server reads (add callers with {@link #writeToken}). */
  public Path tokensDir() {
    return tokensDir;
  }

  /** The token of {@link #CALLER}. */
  public String token() {
    return token;
  }

  /** A channel without credentials. */
  public ManagedChannel unauthenticatedChannel() {
    return rawChannel;
  }

  public static TestServer start(Path kekDir) {
    return start(kekDir, Map.of());
  }

  /** Writes a new random KEK file named {@code version} into {@code kekDir}; returns its base64. */
  public static String writeKek(Path kekDir, int version) throws IOException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String base64 = Base64.getEncoder().encodeToString(key);
    Files.createDirectories(kekDir);
    Files.writeString(kekDir.resolve(Integer.toString(version)), base64 + "\n");
    return base64;
  }

  public CodecClient client() {
    return client;
  }

  /**
   * A channel to the server sending {@link #CALLER}'s token, for calls the typed client cannot
   * make.
   */
  public Channel channel() {
    return channel;
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Starts the management HTTP server (/metrics, /health) on a random port and returns that port.
   */
  public int startManagement() {
    return context.getBean(ManagementServer.class).start();
  }

  public ApplicationContext context() {
    return context;
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
    rawChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
    context.close();
    try (var files = Files.list(tokensDir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(tokensDir);
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
