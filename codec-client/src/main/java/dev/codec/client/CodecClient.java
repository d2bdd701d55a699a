package dev.codec.client;

import com.google.protobuf.ByteString;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.proto.v1.EncryptResponse;
import dev.codec.proto.v1.IssueGrantRequest;
import dev.codec.proto.v1.IssueGrantResponse;
import dev.codec.proto.v1.SealVariablesRequest;
import dev.codec.proto.v1.KekReload;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapItem;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.StatusResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Client of the codec service. Create one per process and share it across threads: it holds one
 * channel with a connection to every resolved server address.
 *
 * <pre>{@code
 * try (CodecClient codec = CodecClient.builder().target("dns:///codec-headless.codec.svc:50051").build()) {
 *     GeneratedDek dek = codec.generateDek("proj-1");
 *     Map<String, String> encrypted = codec.encrypt("proj-1", dek.encryptedDek(), Map.of("API_KEY", "s3cr3t"));
 * }
 * }</pre>
 *
 * <h2>Resilience (channels this client creates)</h2>
 * <ul>
 *   <li><b>Load balancing:</b> {@code round_robin} over every address the target resolves to. With a
 *       Kubernetes headless Service and a {@code dns:///name:port} target that is one connection per
 *       pod. The name is resolved again when a connection fails or a server sends GOAWAY (for example at
 *       its max connection age, or when it shuts down), which is how new pods are found. grpc-java's
 *       30-second limit between lookups is lifted ({@link CodecChannels#GRPC_DNS_CACHE_TTL_PROPERTY});
 *       the JVM's own address cache must be short too (see docs/client.md).</li>
 *   <li><b>Retries:</b> a call that fails with {@code UNAVAILABLE} is retried (at most
 *       {@value #DEFAULT_MAX_ATTEMPTS} attempts in all by default, exponential backoff from 100 ms, capped
 *       at 1 s, jittered by gRPC), normally on another server. Only {@code UNAVAILABLE} is retried: it
 *       means the server did not process the call. Every RPC is safe to retry anyway:
 *       Encrypt, SealVariables, DecryptDek, DecryptValue and DecryptAll have no side effect, and a
 *       GenerateDek or IssueGrant that is repeated after its answer was lost only creates a second DEK
 *       or grant that nobody stores. Retries stay within the call's deadline. The retry buffer holds a
 *       request as large as the server accepts ({@link CodecChannels#SERVER_MAX_REQUEST_BYTES}), so calls
 *       of every size are retried. gRPC cannot retry a call whose answer had started to arrive (a server
 *       dying while it sends a large response); such a call is issued once more by the client itself,
 *       within its deadline.</li>
 *   <li><b>Deadline:</b> every call has one (default {@value #DEFAULT_DEADLINE_SECONDS} s, see
 *       {@link Builder#deadline}).</li>
 *   <li><b>Keepalive:</b> an HTTP/2 ping after {@value #DEFAULT_KEEPALIVE_SECONDS} s without traffic
 *       (while calls are open; the server refuses pings on idle connections) detects dead connections to pods
 *       that vanished without closing them.</li>
 *   <li><b>Wait for ready</b> ({@link Builder#waitForReady}): off by default, so a call fails fast with
 *       {@code UNAVAILABLE} when no server is reachable; on, a call waits (up to its deadline) for a
 *       server to come up, useful at process startup.</li>
 * </ul>
 * A channel given with {@link Builder#channel} is used as it is: its owner configures it.
 *
 * <p>Every failure is a {@link CodecException}; {@link CodecException#category()} tells a caller bug
 * from a permission problem from the service being unavailable.
 */
public final class CodecClient implements AutoCloseable {
    public static final int DEFAULT_DEADLINE_SECONDS = 10;
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final int DEFAULT_KEEPALIVE_SECONDS = 60;

    private final ManagedChannel ownedChannel;
    private final CodecServiceGrpc.CodecServiceBlockingStub stub;
    private final Duration deadline;
    private final String description;

    private CodecClient(Builder builder) {
        Channel channel;
        if (builder.channel != null) {
            this.ownedChannel = null;
            channel = builder.channel;
        } else {
            this.ownedChannel = CodecChannels.create(builder);
            channel = ClientInterceptors.intercept(ownedChannel, new AnswerStarted());
        }
        CodecServiceGrpc.CodecServiceBlockingStub stub = CodecServiceGrpc.newBlockingStub(channel);
        if (builder.credentials != null) {
            stub = stub.withCallCredentials(builder.credentials.allowingInsecure(builder.allowInsecure));
        }
        if (builder.waitForReady) {
            stub = stub.withWaitForReady();
        }
        this.stub = stub;
        this.deadline = builder.deadline;
        this.description = "CodecClient[target=" + (builder.channel != null ? "(caller's channel)" : builder.target)
                + ", tls=" + (builder.trustCertificates != null || builder.clientCertificate != null)
                + ", credentials=" + (builder.credentials == null ? "none" : builder.credentials)
                + ", deadline=" + deadline + "]";
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

    /**
     * Encrypts the SECRET values of a revision (name to plaintext; returned as name to "enc2:" ciphertext)
     * and seals the whole revision, those ciphertexts plus {@code plainValues} (name to PLAIN value).
     */
    public EncryptedValues encrypt(String projectId, String encryptedDek, Map<String, String> values,
            Map<String, String> plainValues) {
        EncryptResponse response = call(s -> s.encrypt(EncryptRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .putAllValues(values)
                .putAllPlainValues(plainValues)
                .build()));
        return new EncryptedValues(response.getEncryptedMap(), response.getSeal());
    }

    /** Secrets encrypted by {@link #encrypt(String, String, Map, Map)} and the revision's seal. */
    public record EncryptedValues(Map<String, String> encrypted, String seal) {
        @Override
        public String toString() {
            return "EncryptedValues[values=" + encrypted.size() + "]";
        }
    }

    /**
     * The seal of a stored revision (PLAIN values and SECRET ciphertexts as stored), for revisions built
     * from stored ciphertexts and after {@link #rotateDek}. Every secret must decrypt under the DEK.
     */
    public String sealVariables(String projectId, String encryptedDek, Map<String, Variable> variables) {
        SealVariablesRequest.Builder request = SealVariablesRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek);
        variables.forEach((name, variable) -> request.putVariables(name, wire(variable)));
        return call(s -> s.sealVariables(request.build())).getSeal();
    }

    /**
     * Issues a deployment grant without a seal: it opens every value under {@code encryptedDek}. Only
     * while the service runs with {@code codec.seals.required=false} (the weaker migration mode); prefer
     * {@link #issueGrant(String, String, String, String, Duration)}.
     */
    public IssuedGrant issueGrant(String projectId, String deploymentId, String encryptedDek, Duration ttl) {
        return issueGrant(projectId, deploymentId, encryptedDek, "", ttl);
    }

    /**
     * Issues a deployment grant (permission {@code grant}): lets the deployment's runner decrypt the
     * revision of {@code seal} (DecryptAll with that seal only) for {@code ttl} (whole seconds, at most
     * the service's {@code codec.grants.max-ttl}).
     *
     * @param seal the revision's seal (from {@link #encrypt} or {@link #sealVariables}); empty for a grant
     *     that opens every value under {@code encryptedDek} (refused while the service requires seals)
     */
    public IssuedGrant issueGrant(String projectId, String deploymentId, String encryptedDek, String seal,
            Duration ttl) {
        IssueGrantResponse response = call(s -> s.issueGrant(IssueGrantRequest.newBuilder()
                .setProjectId(projectId)
                .setDeploymentId(deploymentId)
                .setEncryptedDek(encryptedDek)
                .setSeal(seal == null ? "" : seal)
                .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.getSeconds()).setNanos(ttl.getNano()))
                .build()));
        com.google.protobuf.Timestamp expireTime = response.getExpireTime();
        return new IssuedGrant(response.getGrant(), response.getGrantId(),
                Instant.ofEpochSecond(expireTime.getSeconds(), expireTime.getNanos()),
                response.getKekVersion());
    }

    /** The plaintext DEK (32 bytes). Requires the caller to be allowed to export DEKs. */
    public byte[] decryptDek(String projectId, String encryptedDek) {
        return decryptDek(projectId, encryptedDek, "");
    }

    /** The plaintext DEK (32 bytes), with a deployment grant (required when the service requires grants). */
    public byte[] decryptDek(String projectId, String encryptedDek, String grant) {
        return call(s -> s.decryptDek(DecryptDekRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .setGrant(grant == null ? "" : grant)
                .build())).getDek().toByteArray();
    }

    /** Decrypts one value that is not bound to a name (enc1, legacy); the service unwraps the DEK. */
    public String decryptValue(String projectId, String encryptedDek, String encrypted) {
        return decryptValue(projectId, encryptedDek, "", encrypted, "");
    }

    /** Decrypts the value of variable {@code name} (required for "enc2:" values); the service unwraps the DEK. */
    public String decryptValue(String projectId, String encryptedDek, String name, String encrypted) {
        return decryptValue(projectId, encryptedDek, name, encrypted, "");
    }

    /**
     * Decrypts the value of variable {@code name} with a deployment grant (required when the service
     * requires grants; may be empty otherwise).
     */
    public String decryptValue(String projectId, String encryptedDek, String name, String encrypted, String grant) {
        return call(s -> s.decryptValue(DecryptValueRequest.newBuilder()
                .setProjectId(projectId)
                .setEncryptedDek(encryptedDek)
                .setName(name == null ? "" : name)
                .setEncrypted(encrypted)
                .setGrant(grant == null ? "" : grant)
                .build())).getValue();
    }

    /** Decrypts one value that is not bound to a name with a plaintext DEK obtained from {@link #decryptDek}. */
    public String decryptValueWithDek(String projectId, byte[] dek, String encrypted) {
        return decryptValueWithDek(projectId, dek, "", encrypted);
    }

    /** Decrypts the value of variable {@code name} with a plaintext DEK obtained from {@link #decryptDek}. */
    public String decryptValueWithDek(String projectId, byte[] dek, String name, String encrypted) {
        return call(s -> s.decryptValue(DecryptValueRequest.newBuilder()
                .setProjectId(projectId)
                .setDek(ByteString.copyFrom(dek))
                .setName(name == null ? "" : name)
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
        return decryptAll(projectId, deploymentId, encryptedDek, variables, "", "");
    }

    /**
     * Decrypts a deployment's variables with its grant and the revision's seal. All or nothing.
     *
     * @param deploymentId empty, or the grant's deployment id
     * @param grant the deployment grant ({@link #issueGrant}); required when the service requires grants
     * @param seal the revision's seal; verified when given, required when the service requires seals
     */
    public Map<String, String> decryptAll(String projectId, String deploymentId, String encryptedDek,
            Map<String, Variable> variables, String grant, String seal) {
        DecryptAllRequest.Builder request = DecryptAllRequest.newBuilder()
                .setProjectId(projectId)
                .setDeploymentId(deploymentId == null ? "" : deploymentId)
                .setEncryptedDek(encryptedDek == null ? "" : encryptedDek)
                .setGrant(grant == null ? "" : grant)
                .setSeal(seal == null ? "" : seal);
        variables.forEach((name, variable) -> request.putVariables(name, wire(variable)));
        return call(s -> s.decryptAll(request.build())).getValuesMap();
    }

    private static dev.codec.proto.v1.Variable wire(Variable variable) {
        return dev.codec.proto.v1.Variable.newBuilder()
                .setKind(variable.kind() == Variable.Kind.SECRET
                        ? dev.codec.proto.v1.Variable.Kind.KIND_SECRET
                        : dev.codec.proto.v1.Variable.Kind.KIND_PLAIN)
                .setValue(variable.value())
                .build();
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
        call(s -> s.rewrapDek(request.build())).getResultsList().forEach(r -> results.add(!r.hasError()
                ? new RewrapResult(r.getIndex(), r.getEncryptedDek(), r.getKekVersion(), Status.Code.OK, null)
                : new RewrapResult(r.getIndex(), null, 0, Status.fromCodeValue(r.getError().getCode()).getCode(),
                        r.getError().getMessage(), CodecException.errorReasonOf(r.getError()))));
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
                v.getFingerprint(), instant(v.getLoadTime()))));
        KekReload reload = response.getLastReload();
        CodecStatus.Reload lastReload = new CodecStatus.Reload(reload.getResult().name().replaceFirst("^RESULT_", ""),
                reload.hasAttemptTime() ? instant(reload.getAttemptTime()) : null,
                reload.getError().isEmpty() ? null : reload.getError());
        return new CodecStatus(response.getActiveKekVersion(), List.copyOf(versions), lastReload,
                response.getDekCache().getSize(), response.getDekCache().getHitRatio(), response.getLegacyAccepted());
    }

    private static Instant instant(com.google.protobuf.Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    /**
     * Runs one RPC under the call's deadline. gRPC retries {@code UNAVAILABLE} only until the server has
     * started to answer (its response headers arrived): a server that dies while it sends a large
     * response fails the call for good. On a channel this client built, such a call is issued once more
     * (within the same deadline, after {@value #REISSUE_BACKOFF_MILLIS} ms); every RPC is safe to repeat
     * (see the class comment). Other failures keep gRPC's retry policy and {@code maxAttempts}.
     */
    private <T> T call(Function<CodecServiceGrpc.CodecServiceBlockingStub, T> rpc) {
        Deadline callDeadline = Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS);
        for (int issue = 1; ; issue++) {
            AtomicBoolean answerStarted = new AtomicBoolean();
            try {
                return rpc.apply(stub.withDeadline(callDeadline).withOption(AnswerStarted.FLAG, answerStarted));
            } catch (StatusRuntimeException e) {
                if (ownedChannel == null || issue >= ISSUES || e.getStatus().getCode() != Status.Code.UNAVAILABLE
                        || !answerStarted.get() || callDeadline.timeRemaining(TimeUnit.MILLISECONDS) <= REISSUE_BACKOFF_MILLIS) {
                    throw CodecException.from(e);
                }
            }
            try {
                Thread.sleep(REISSUE_BACKOFF_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CodecException(Status.Code.CANCELLED, "interrupted", e);
            }
        }
    }

    /** Records in the call's {@link #FLAG} that the server's response headers arrived. */
    private static final class AnswerStarted implements ClientInterceptor {
        static final CallOptions.Key<AtomicBoolean> FLAG = CallOptions.Key.create("codec-answer-started");

        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            AtomicBoolean flag = options.getOption(FLAG);
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<A> listener, Metadata headers) {
                    super.start(flag == null ? listener : new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            flag.set(true);
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }

    /** Issues of one call on a channel this client built: the first, and one more after UNAVAILABLE. */
    private static final int ISSUES = 2;
    private static final long REISSUE_BACKOFF_MILLIS = 100;

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

    /** Target, TLS on or off, where the token comes from, deadline: never the token itself. */
    @Override
    public String toString() {
        return description;
    }

    /** Configures a {@link CodecClient}. */
    public static final class Builder {
        String target = "localhost:50051";
        Channel channel;
        Duration deadline = Duration.ofSeconds(DEFAULT_DEADLINE_SECONDS);
        boolean waitForReady;
        int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        Duration keepAlive = Duration.ofSeconds(DEFAULT_KEEPALIVE_SECONDS);
        BearerTokenCredentials credentials;
        Path trustCertificates;
        Path[] clientCertificate;
        String authority;
        boolean allowInsecure;

        private Builder() {}

        /**
         * Allows sending the token over a plaintext connection to an address that is not loopback. Off by
         * default: without TLS, a call to another host fails with {@code UNAUTHENTICATED} before the token
         * leaves the process. Turn it on only inside a network you trust (for example behind a service
         * mesh that encrypts pod-to-pod traffic).
         */
        public Builder allowInsecure(boolean allowInsecure) {
            this.allowInsecure = allowInsecure;
            return this;
        }

        /**
         * The service address: {@code host:port}, or a gRPC target such as
         * {@code dns:///codec-headless.codec.svc:50051} (a headless Service: every pod is used).
         */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Uses a channel owned by the caller (tests, shared channels); {@link #target}, TLS, retries and
         * keepalive are then the channel's business. Tokens and the deadline still apply.
         */
        public Builder channel(Channel channel) {
            this.channel = Objects.requireNonNull(channel, "channel");
            return this;
        }

        /** The deadline of every call, retries included. Default {@value #DEFAULT_DEADLINE_SECONDS} s. */
        public Builder deadline(Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive");
            }
            this.deadline = deadline;
            return this;
        }

        /**
         * When true, a call made while no server is reachable waits (up to its deadline) for one instead
         * of failing at once with {@code UNAVAILABLE}. Useful while a whole deployment starts. Default false.
         */
        public Builder waitForReady(boolean waitForReady) {
            this.waitForReady = waitForReady;
            return this;
        }

        /** Most attempts per call (first try included) when the service is UNAVAILABLE; 1 to 5, default 4. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 5) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 5");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Time without traffic after which an HTTP/2 ping checks the connection (while calls are open). The
         * server must permit pings this often (gRPC's default server policy permits one per 5 minutes
         * and answers faster pings with GOAWAY, after which the client doubles this time).
         */
        public Builder keepAlive(Duration keepAlive) {
            if (keepAlive.isNegative() || keepAlive.isZero()) {
                throw new IllegalArgumentException("keepAlive must be positive");
            }
            this.keepAlive = keepAlive;
            return this;
        }

        /** Sends {@code authorization: Bearer <token>} on every call. Replaces {@link #tokenFile}. */
        public Builder token(String token) {
            this.credentials = BearerTokenCredentials.fixed(token);
            return this;
        }

        /**
         * Reads the bearer token from a file (surrounding whitespace ignored) and reads it again whenever
         * the file changes, so a rotated token is used without a restart. Replaces {@link #token}.
         * A missing or empty file fails each call with {@code UNAUTHENTICATED} naming the file.
         */
        public Builder tokenFile(Path tokenFile) {
            this.credentials = BearerTokenCredentials.fromFile(tokenFile);
            return this;
        }

        /**
         * Turns on TLS (plaintext is then impossible) and trusts the CA certificates in this PEM file to
         * sign the server's certificate. The certificate must name the host of the target (or
         * {@link #authority}).
         */
        public Builder trustCertificates(Path caPem) {
            this.trustCertificates = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /**
         * Presents this client certificate (mTLS); turns on TLS. {@code keyPem} is the unencrypted PKCS#8
         * private key ({@code -----BEGIN PRIVATE KEY-----}). Without {@link #trustCertificates} the
         * JDK's default CAs verify the server.
         */
        public Builder clientCertificate(Path certPem, Path keyPem) {
            this.clientCertificate = new Path[] {
                Objects.requireNonNull(certPem, "certPem"), Objects.requireNonNull(keyPem, "keyPem")};
            return this;
        }

        /** The name to verify in the server's certificate and send as :authority, instead of the target's host. */
        public Builder authority(String authority) {
            this.authority = Objects.requireNonNull(authority, "authority");
            return this;
        }

        /**
         * Creates the client. Fails with {@link IllegalArgumentException} naming the file when a
         * certificate or key file cannot be read.
         */
        public CodecClient build() {
            return new CodecClient(this);
        }
    }
}
