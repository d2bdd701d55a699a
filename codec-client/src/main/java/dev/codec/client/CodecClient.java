package dev.codec.client;

import com.google.protobuf.ByteString;
import dev.codec.proto.v1.CodecGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.proto.v1.KekReload;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapItem;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.StatusResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Client of the codec service. One instance per process, shared by all threads.
 *
 * <pre>{@code
 * try (CodecClient codec = CodecClient.builder().target("codec:50051").build()) {
 *     GeneratedDek dek = codec.generateDek("proj-1");
 *     Map<String, String> encrypted = codec.encrypt("proj-1", dek.encryptedDek(), Map.of("API_KEY", "s3cr3t"));
 * }
 * }</pre>
 *
 * Every call has a deadline (default {@value #DEFAULT_DEADLINE_SECONDS} s) and fails with a
 * {@link CodecException} carrying the gRPC status code.
 */
public final class CodecClient implements AutoCloseable {
    public static final int DEFAULT_DEADLINE_SECONDS = 10;

    private final ManagedChannel ownedChannel;
    private final CodecGrpc.CodecBlockingStub stub;
    private final Duration deadline;

    private CodecClient(Builder builder) {
        Channel channel;
        if (builder.channel != null) {
            this.ownedChannel = null;
            channel = builder.channel;
        } else {
            this.ownedChannel = NettyChannelBuilder.forTarget(builder.target).usePlaintext().build();
            channel = ownedChannel;
        }
        this.stub = CodecGrpc.newBlockingStub(channel);
        this.deadline = builder.deadline;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Creates a new DEK for {@code projectId}, wrapped under the service's active KEK. */
    public GeneratedDek generateDek(String projectId) {
        GenerateDekResponse response = call(s -> s.generateDek(
                GenerateDekRequest.newBuilder().setProjectId(projectId).build()));
        return new GeneratedDek(response.getEncryptedDek(), response.getKekVersion());
    }

    /** Encrypts every value (name to plaintext) under the project's DEK; returns name to ciphertext. */
    public Map<String, String> encrypt(String projectId, String encryptedDek, Map<String, String> values) {
        return call(s -> s.encrypt(EncryptRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .putAllValues(values)
                .build())).getEncryptedMap();
    }

    /** The plaintext DEK (32 bytes). Requires the caller to be allowed to export DEKs. */
    public byte[] decryptDek(String projectId, String encryptedDek) {
        return call(s -> s.decryptDek(DecryptDekRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .build())).getDek().toByteArray();
    }

    /** Decrypts one value; the service unwraps the DEK. */
    public String decryptValue(String projectId, String encryptedDek, String encrypted) {
        return call(s -> s.decryptValue(DecryptValueRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .setEncrypted(encrypted)
                .build())).getValue();
    }

    /** Decrypts one value with a plaintext DEK obtained from {@link #decryptDek}. */
    public String decryptValueWithDek(String projectId, byte[] dek, String encrypted) {
        return call(s -> s.decryptValue(DecryptValueRequest.newBuilder()
                .setProjectId(projectId)
                .setDek(ByteString.copyFrom(dek))
                .setEncrypted(encrypted)
                .build())).getValue();
    }

    /**
     * Decrypts a deployment's variables in one call: plain values unchanged, secrets decrypted. All or
     * nothing.
     *
     * @param deploymentId recorded for auditing; may be empty
     * @param encryptedDek the project's wrapped DEK; may be empty when no variable is secret
     */
    public Map<String, String> decryptAll(String projectId, String deploymentId, String encryptedDek,
            Map<String, Variable> variables) {
        DecryptAllRequest.Builder request = DecryptAllRequest.newBuilder()
                .setProjectId(projectId)
                .setDeploymentId(deploymentId == null ? "" : deploymentId)
                .setEncryptedDek(encryptedDek == null ? "" : encryptedDek);
        variables.forEach((name, variable) -> request.putVariables(name, dev.codec.proto.v1.Variable.newBuilder()
                .setKind(variable.kind() == Variable.Kind.SECRET
                        ? dev.codec.proto.v1.Variable.Kind.SECRET
                        : dev.codec.proto.v1.Variable.Kind.PLAIN)
                .setValue(variable.value())
                .build()));
        return call(s -> s.decryptAll(request.build())).getValuesMap();
    }

    /**
     * Re-wraps every DEK under the service's active KEK (one call; at most the service's entry limit,
     * 10,000 by default). Each item succeeds or fails on its own.
     *
     * @return one result per item, in order
     */
    public List<RewrapResult> rewrapDeks(List<DekToRewrap> items) {
        RewrapDekRequest.Builder request = RewrapDekRequest.newBuilder();
        items.forEach(item -> request.addItems(RewrapItem.newBuilder()
                .setProjectId(item.projectId())
                .setEncryptedDek(item.encryptedDek())));
        List<RewrapResult> results = new ArrayList<>(items.size());
        call(s -> s.rewrapDek(request.build())).getResultsList().forEach(r -> results.add(r.getErrorCode() == 0
                ? new RewrapResult(r.getIndex(), r.getEncryptedDek(), r.getKekVersion(), Status.Code.OK, null)
                : new RewrapResult(r.getIndex(), null, 0, Status.fromCodeValue(r.getErrorCode()).getCode(),
                        r.getErrorMessage())));
        return results;
    }

    /**
     * Replaces a project's DEK and re-encrypts the given values (name to ciphertext) under the new one,
     * all or nothing. Give every value encrypted under the old DEK.
     */
    public RotatedDek rotateDek(String projectId, String encryptedDek, Map<String, String> encrypted) {
        RotateDekResponse response = call(s -> s.rotateDek(RotateDekRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .putAllEncrypted(encrypted)
                .build()));
        return new RotatedDek(response.getEncryptedDek(), response.getKekVersion(), response.getEncryptedMap());
    }

    /** The non-secret state of the instance that answers: KEK versions and fingerprints, reload, cache. */
    public CodecStatus status() {
        StatusResponse response = call(s -> s.status(StatusRequest.getDefaultInstance()));
        List<CodecStatus.KekVersion> versions = new ArrayList<>();
        response.getKekVersionsList().forEach(v -> versions.add(new CodecStatus.KekVersion(v.getVersion(),
                v.getFingerprint(), Instant.ofEpochMilli(v.getLoadedAtEpochMillis()))));
        KekReload reload = response.getLastReload();
        CodecStatus.Reload lastReload = new CodecStatus.Reload(reload.getResult().name(),
                reload.getAtEpochMillis() == 0 ? null : Instant.ofEpochMilli(reload.getAtEpochMillis()),
                reload.getError().isEmpty() ? null : reload.getError());
        return new CodecStatus(response.getActiveKekVersion(), List.copyOf(versions), lastReload,
                response.getDekCache().getSize(), response.getDekCache().getHitRatio(), response.getLegacyAccepted());
    }

    private <T> T call(Function<CodecGrpc.CodecBlockingStub, T> rpc) {
        try {
            return rpc.apply(stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
        } catch (StatusRuntimeException e) {
            throw CodecException.from(e);
        }
    }

    /** Closes the channel this client created (a caller-owned channel is left open). */
    @Override
    public void close() {
        if (ownedChannel == null) {
            return;
        }
        ownedChannel.shutdown();
        try {
            if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
                ownedChannel.shutdownNow();
            }
        } catch (InterruptedException e) {
            ownedChannel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "CodecClient[deadline=" + deadline + "]";
    }

    /** Configures a {@link CodecClient}. */
    public static final class Builder {
        private String target = "localhost:50051";
        private Channel channel;
        private Duration deadline = Duration.ofSeconds(DEFAULT_DEADLINE_SECONDS);

        private Builder() {}

        /** The service address: {@code host:port} or a gRPC target such as {@code dns:///codec-headless:50051}. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** Uses a channel owned by the caller (tests, shared channels); {@link #target} is then ignored. */
        public Builder channel(Channel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** The deadline of every call. */
        public Builder deadline(Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive");
            }
            this.deadline = deadline;
            return this;
        }

        public CodecClient build() {
            return new CodecClient(this);
        }
    }
}
