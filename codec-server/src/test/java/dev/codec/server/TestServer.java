package dev.codec.server;

import dev.codec.client.CodecClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.http.server.netty.NettyEmbeddedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real codec server (the whole Micronaut application) on a random port, with a real KEK directory
 * on disk, plus a real client connected to it over TCP.
 */
public final class TestServer implements AutoCloseable {
    private final ApplicationContext context;
    private final GrpcEmbeddedServer server;
    private final ManagedChannel channel;
    private final CodecClient client;

    private TestServer(Map<String, Object> properties) {
        this.context = ApplicationContext.builder().properties(properties).environments("test").start();
        this.server = context.getBean(GrpcEmbeddedServer.class);
        server.start();
        this.channel = ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
        this.client = CodecClient.builder().channel(channel).build();
    }

    /** Starts a server whose KEK directory is {@code kekDir}, with extra configuration properties. */
    public static TestServer start(Path kekDir, Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("codec.kek.dir", kekDir.toString());
        all.putIfAbsent("micronaut.server.port", -1); // management HTTP, when a test starts it: a random port
        return new TestServer(all);
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

    /** A channel to the server, for calls the typed client cannot make (invalid enum values, raw bytes). */
    public ManagedChannel channel() {
        return channel;
    }

    public int port() {
        return server.getPort();
    }

    /** Starts the management HTTP server (/metrics, /health) on a random port and returns that port. */
    public int startManagement() {
        NettyEmbeddedServer http = context.getBean(NettyEmbeddedServer.class);
        if (!http.isRunning()) {
            http.start();
        }
        return http.getPort();
    }

    public ApplicationContext context() {
        return context;
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.stop();
        context.close();
    }
}
