package dev.codec.client;

import com.google.protobuf.ByteString;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptDekResponse;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.DecryptValueResponse;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.EncryptResponse;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.proto.v1.IssueGrantRequest;
import dev.codec.proto.v1.IssueGrantResponse;
import dev.codec.proto.v1.KekReload;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapDekResponse;
import dev.codec.proto.v1.RewrapItem;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.SealVariablesRequest;
import dev.codec.proto.v1.SealVariablesResponse;
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
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
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
 *     CompletableFuture<Map<String, String>> later = codec.withDeadline(Duration.ofSeconds(2))
 *             .decryptAllAsync("proj-1", "dep-7", dek.encryptedDek(), variables, grant, seal);
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 *
 * A client is thread safe: every method may be called from any thread at the same time, and calls
 * do not wait for each other. The blocking methods run the call on the calling thread (an interrupt
 * cancels the call and fails it with {@link StatusCode#CANCELLED}). Every call has an {@code
 * ...Async} variant that returns a {@link CompletableFuture} at once: it completes with the result,
 * or exceptionally with a {@link CodecException} (wrapped in a {@code CompletionException} by
 * {@code join()} and in an {@code ExecutionException} by {@code get()}). Cancelling that future
 * cancels the gRPC call (the server sees the cancellation) and any retry not yet issued; futures
 * derived from it with {@code thenApply} etc. do not pass a cancellation back. The future
 * completes, and dependent stages added without an executor run, on a gRPC thread: do not block in
 * them. Invalid arguments (a {@code null} project id) throw at once, also from the async variants.
 *
 * <h2>Deadlines</h2>
 *
 * Every call has one, retries included: the client-wide {@link Builder#deadline} (default {@value
 * #DEFAULT_DEADLINE_SECONDS} s), or for some calls another one with {@link #withDeadline}, which
 * returns a view of this client (same channel, same credentials) whose calls use it.
 *
 * <h2>Resilience (channels this client creates)</h2>
 *
 * <ul>
 *   <li><b>Load balancing:</b> {@code round_robin} over every address the target resolves to. With
 *       a Kubernetes headless Service and a {@code dns:///name:port} target that is one connection
 *       per pod. The name is resolved again when a connection fails or a server sends GOAWAY (for
 *       example at its max connection age, or when it shuts down), which is how new pods are found.
 *       grpc-java's 30-second limit between lookups is lifted ({@link
 *       CodecChannels#GRPC_DNS_CACHE_TTL_PROPERTY}); the JVM's own address cache must be short too
 *       (see docs/client.md).
 *   <li><b>Retries:</b> a call that fails with {@code UNAVAILABLE} is retried by gRPC (at most
 *       {@value #DEFAULT_MAX_ATTEMPTS} attempts in all by default, exponential backoff from 100 ms,
 *       capped at 1 s, jittered by gRPC), normally on another server. Only {@code UNAVAILABLE} is
 *       retried: it means the server did not process the call. Every RPC is safe to retry anyway:
 *       Encrypt, SealVariables, DecryptDek, DecryptValue and DecryptAll have no side effect, and a
 *       GenerateDek or IssueGrant that is repeated after its answer was lost only creates a second
 *       DEK or grant that nobody stores. Retries stay within the call's deadline. The retry buffer
 *       holds a request as large as the server accepts ({@link
 *       CodecChannels#SERVER_MAX_REQUEST_BYTES}), so calls of every size are retried. gRPC cannot
 *       retry a call whose answer had started to arrive (a server dying while it sends a large
 *       response); such a call is issued once more by the client itself, within its deadline.
 *   <li><b>Retry throttling:</b> gRPC's {@code retryThrottling} ({@value
 *       CodecChannels#THROTTLE_MAX_TOKENS} tokens, {@value CodecChannels#THROTTLE_TOKEN_RATIO} per
 *       success): while more than about one call in ten fails, retries stop, so a fleet of clients
 *       does not multiply the load of a struggling service.
 *   <li><b>Deadline:</b> every call has one (see above).
 *   <li><b>Keepalive:</b> an HTTP/2 ping after {@value #DEFAULT_KEEPALIVE_SECONDS} s without
 *       traffic (while calls are open; the server refuses pings on idle connections) detects dead
 *       connections to pods that vanished without closing them.
 *   <li><b>Wait for ready</b> ({@link Builder#waitForReady}): off by default, so a call fails fast
 *       with {@code UNAVAILABLE} when no server is reachable; on, a call waits (up to its deadline)
 *       for a server to come up, useful at process startup.
 *   <li><b>TLS material</b> (CA file, client certificate and key) is read again when the files
 *       change (checked every {@link Builder#tlsReloadInterval}), so certificates renewed by
 *       cert-manager are used by the next connection without a restart.
 * </ul>
 *
 * A channel given with {@link Builder#channel} is used as it is: its owner configures it.
 *
 * <h2>Request budget refusals (every channel)</h2>
 *
 * A call refused with {@code RESOURCE_EXHAUSTED} and the reason {@code REQUEST_BUDGET_EXHAUSTED}
 * (the server's or this peer's request bytes in flight are in use; docs/limits.md) did nothing and
 * is issued again by the client, transparently: at most {@link Builder#maxAttempts} issues in all,
 * after a jittered backoff of 50-100 ms doubling up to 0.5-1 s, never past the call's deadline, and
 * throttled like gRPC's retries (while more than about one call in ten is refused, refusals are
 * returned at once). No other {@code RESOURCE_EXHAUSTED} (a size or count limit) is ever retried.
 * When the attempts are used up, the call fails with that refusal ({@link
 * CodecException#isRetryable()} is true: retry later).
 *
 * <p>Every failure is a {@link CodecException}; {@link CodecException#category()} tells a caller
 * bug from a permission problem from the service being unavailable.
 */
public final class CodecClient implements AutoCloseable {
  public static final int DEFAULT_DEADLINE_SECONDS = 10;
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  public static final int DEFAULT_KEEPALIVE_SECONDS = 60;
  public static final int DEFAULT_TLS_RELOAD_SECONDS = 60;

  /** The ErrorInfo reason of the server's request-bytes budget refusal (docs/errors.md). */
  static final String REQUEST_BUDGET_EXHAUSTED = "REQUEST_BUDGET_EXHAUSTED";

  private final CodecChannels.Owned owned;
  private final boolean reissue;
  private final Channel channel;
  private final CallOptions options;
  private final RetryThrottle budgetThrottle;
  private final int maxAttempts;
  private final Duration deadline;
  private final boolean view;
  private final String description;

  private CodecClient(Builder builder) {
    if (builder.channel != null && builder.userAgent != null) {
      throw new IllegalArgumentException(
          "userAgent applies to channels the client builds; with channel(...) "
              + "set it on that channel");
    }
    Channel base;
    if (builder.channel != null) {
      this.owned = null;
      base = builder.channel;
    } else {
      this.owned = CodecChannels.create(builder);
      base = owned.channel();
    }
    this.reissue = owned != null;
    // the caller's interceptors run in the order given, before the client's own (closest to the
    // transport)
    List<ClientInterceptor> outermostLast = new ArrayList<>(builder.interceptors);
    Collections.reverse(outermostLast);
    outermostLast.add(0, new AnswerStarted());
    this.channel = ClientInterceptors.intercept(base, outermostLast);
    CallOptions callOptions = CallOptions.DEFAULT;
    if (builder.credentials != null) {
      callOptions =
          callOptions.withCallCredentials(
              builder.credentials.allowingInsecure(builder.allowInsecure));
    }
    if (builder.waitForReady) {
      callOptions = callOptions.withWaitForReady();
    }
    this.options = callOptions;
    this.budgetThrottle =
        new RetryThrottle(CodecChannels.THROTTLE_MAX_TOKENS, CodecChannels.THROTTLE_TOKEN_RATIO);
    this.maxAttempts = builder.maxAttempts;
    this.deadline = builder.deadline;
    this.view = false;
    this.description =
        "CodecClient[target="
            + (builder.channel != null ? "(caller's channel)" : builder.target)
            + ", tls="
            + (builder.trustCertificates != null || builder.clientCertificate != null)
            + ", credentials="
            + (builder.credentials == null ? "none" : builder.credentials);
  }

  /** A view of {@code client} whose calls have {@code deadline}. */
  private CodecClient(CodecClient client, Duration deadline) {
    this.owned = client.owned;
    this.reissue = client.reissue;
    this.channel = client.channel;
    this.options = client.options;
    this.budgetThrottle = client.budgetThrottle;
    this.maxAttempts = client.maxAttempts;
    this.deadline = deadline;
    this.view = true;
    this.description = client.description;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * This client with another deadline for each call made through the result (blocking and async;
   * retries included), for example {@code
   * codec.withDeadline(Duration.ofMillis(500)).decryptAll(...)}. The result shares this client's
   * channel, credentials and settings, costs one small object, and may be kept; closing it does
   * nothing (close this client).
   *
   * @throws IllegalArgumentException if {@code deadline} is not positive
   */
  public CodecClient withDeadline(Duration deadline) {
    return new CodecClient(this, positive(deadline, "deadline"));
  }

  /** The deadline of each call made through this client (or view). */
  public Duration deadline() {
    return deadline;
  }

  // ---- GenerateDek

  /** Creates a new DEK for {@code projectId}, wrapped under the service's active KEK. */
  public GeneratedDek generateDek(String projectId) {
    return call(generateDekRpc(projectId));
  }

  /** {@link #generateDek(String)}, asynchronously (see the class comment). */
  public CompletableFuture<GeneratedDek> generateDekAsync(String projectId) {
    return callAsync(generateDekRpc(projectId));
  }

  private static Rpc<GenerateDekRequest, GenerateDekResponse, GeneratedDek> generateDekRpc(
      String projectId) {
    return new Rpc<>(
        CodecServiceGrpc.getGenerateDekMethod(),
        GenerateDekRequest.newBuilder().setProjectId(projectId).build(),
        response -> new GeneratedDek(response.getEncryptedDek(), response.getKekVersion()));
  }

  // ---- Encrypt

  /**
   * Encrypts every value (name to plaintext) under the project's DEK; returns name to ciphertext.
   */
  public Map<String, String> encrypt(
      String projectId, String encryptedDek, Map<String, String> values) {
    return call(encryptRpc(projectId, encryptedDek, values, Map.of())).encrypted();
  }

  /** {@link #encrypt(String, String, Map)}, asynchronously (see the class comment). */
  public CompletableFuture<Map<String, String>> encryptAsync(
      String projectId, String encryptedDek, Map<String, String> values) {
    return callAsync(
        encryptRpc(projectId, encryptedDek, values, Map.of()).map(EncryptedValues::encrypted));
  }

  /**
   * Encrypts the SECRET values of a revision (name to plaintext; returned as name to "enc2:"
   * ciphertext) and seals the whole revision, those ciphertexts plus {@code plainValues} (name to
   * PLAIN value).
   */
  public EncryptedValues encrypt(
      String projectId,
      String encryptedDek,
      Map<String, String> values,
      Map<String, String> plainValues) {
    return call(encryptRpc(projectId, encryptedDek, values, plainValues));
  }

  /** {@link #encrypt(String, String, Map, Map)}, asynchronously (see the class comment). */
  public CompletableFuture<EncryptedValues> encryptAsync(
      String projectId,
      String encryptedDek,
      Map<String, String> values,
      Map<String, String> plainValues) {
    return callAsync(encryptRpc(projectId, encryptedDek, values, plainValues));
  }

  private static Rpc<EncryptRequest, EncryptResponse, EncryptedValues> encryptRpc(
      String projectId,
      String encryptedDek,
      Map<String, String> values,
      Map<String, String> plainValues) {
    return new Rpc<>(
        CodecServiceGrpc.getEncryptMethod(),
        EncryptRequest.newBuilder()
            .setProjectId(projectId)
            .setEncryptedDek(encryptedDek)
            .putAllValues(values)
            .putAllPlainValues(plainValues)
            .build(),
        response -> new EncryptedValues(response.getEncryptedMap(), response.getSeal()));
  }

  /** Secrets encrypted by {@link #encrypt(String, String, Map, Map)} and the revision's seal. */
  public record EncryptedValues(Map<String, String> encrypted, String seal) {
    @Override
    public String toString() {
      return "EncryptedValues[values=" + encrypted.size() + "]";
    }
  }

  // ---- SealVariables

  /**
   * The seal of a stored revision (PLAIN values and SECRET ciphertexts as stored), for revisions
   * built from stored ciphertexts and after {@link #rotateDek}. Every secret must decrypt under the
   * DEK.
   */
  public String sealVariables(
      String projectId, String encryptedDek, Map<String, Variable> variables) {
    return call(sealVariablesRpc(projectId, encryptedDek, variables));
  }

  /** {@link #sealVariables}, asynchronously (see the class comment). */
  public CompletableFuture<String> sealVariablesAsync(
      String projectId, String encryptedDek, Map<String, Variable> variables) {
    return callAsync(sealVariablesRpc(projectId, encryptedDek, variables));
  }

  private static Rpc<SealVariablesRequest, SealVariablesResponse, String> sealVariablesRpc(
      String projectId, String encryptedDek, Map<String, Variable> variables) {
    SealVariablesRequest.Builder request =
        SealVariablesRequest.newBuilder().setProjectId(projectId).setEncryptedDek(encryptedDek);
    variables.forEach((name, variable) -> request.putVariables(name, wire(variable)));
    return new Rpc<>(
        CodecServiceGrpc.getSealVariablesMethod(), request.build(), SealVariablesResponse::getSeal);
  }

  // ---- IssueGrant

  /**
   * Issues a deployment grant without a seal: it opens every value under {@code encryptedDek}. Only
   * while the service runs with {@code codec.seals.required=false} (the weaker migration mode);
   * prefer {@link #issueGrant(String, String, String, String, Duration)}.
   */
  public IssuedGrant issueGrant(
      String projectId, String deploymentId, String encryptedDek, Duration ttl) {
    return issueGrant(projectId, deploymentId, encryptedDek, "", ttl);
  }

  /**
   * Issues a deployment grant (permission {@code grant}): lets the deployment's runner decrypt the
   * revision of {@code seal} (DecryptAll with that seal only) for {@code ttl} (whole seconds, at
   * most the service's {@code codec.grants.max-ttl}).
   *
   * @param seal the revision's seal (from {@link #encrypt} or {@link #sealVariables}); empty for a
   *     grant that opens every value under {@code encryptedDek} (refused while the service requires
   *     seals)
   */
  public IssuedGrant issueGrant(
      String projectId, String deploymentId, String encryptedDek, String seal, Duration ttl) {
    return call(issueGrantRpc(projectId, deploymentId, encryptedDek, seal, ttl));
  }

  /**
   * {@link #issueGrant(String, String, String, String, Duration)}, asynchronously (see the class
   * comment).
   */
  public CompletableFuture<IssuedGrant> issueGrantAsync(
      String projectId, String deploymentId, String encryptedDek, String seal, Duration ttl) {
    return callAsync(issueGrantRpc(projectId, deploymentId, encryptedDek, seal, ttl));
  }

  private static Rpc<IssueGrantRequest, IssueGrantResponse, IssuedGrant> issueGrantRpc(
      String projectId, String deploymentId, String encryptedDek, String seal, Duration ttl) {
    return new Rpc<>(
        CodecServiceGrpc.getIssueGrantMethod(),
        IssueGrantRequest.newBuilder()
            .setProjectId(projectId)
            .setDeploymentId(deploymentId)
            .setEncryptedDek(encryptedDek)
            .setSeal(seal == null ? "" : seal)
            .setTtl(
                com.google.protobuf.Duration.newBuilder()
                    .setSeconds(ttl.getSeconds())
                    .setNanos(ttl.getNano()))
            .build(),
        response ->
            new IssuedGrant(
                response.getGrant(),
                response.getGrantId(),
                instant(response.getExpireTime()),
                response.getKekVersion()));
  }

  // ---- DecryptDek

  /** The plaintext DEK (32 bytes). Requires the caller to be allowed to export DEKs. */
  public byte[] decryptDek(String projectId, String encryptedDek) {
    return decryptDek(projectId, encryptedDek, "");
  }

  /**
   * The plaintext DEK (32 bytes), with a deployment grant (required when the service requires
   * grants).
   */
  public byte[] decryptDek(String projectId, String encryptedDek, String grant) {
    return call(decryptDekRpc(projectId, encryptedDek, grant));
  }

  /** {@link #decryptDek(String, String, String)}, asynchronously (see the class comment). */
  public CompletableFuture<byte[]> decryptDekAsync(
      String projectId, String encryptedDek, String grant) {
    return callAsync(decryptDekRpc(projectId, encryptedDek, grant));
  }

  private static Rpc<DecryptDekRequest, DecryptDekResponse, byte[]> decryptDekRpc(
      String projectId, String encryptedDek, String grant) {
    return new Rpc<>(
        CodecServiceGrpc.getDecryptDekMethod(),
        DecryptDekRequest.newBuilder()
            .setProjectId(projectId)
            .setEncryptedDek(encryptedDek)
            .setGrant(grant == null ? "" : grant)
            .build(),
        response -> response.getDek().toByteArray());
  }

  // ---- DecryptValue

  /** Decrypts one value that is not bound to a name (enc1, legacy); the service unwraps the DEK. */
  public String decryptValue(String projectId, String encryptedDek, String encrypted) {
    return decryptValue(projectId, encryptedDek, "", encrypted, "");
  }

  /**
   * Decrypts the value of variable {@code name} (required for "enc2:" values); the service unwraps
   * the DEK.
   */
  public String decryptValue(String projectId, String encryptedDek, String name, String encrypted) {
    return decryptValue(projectId, encryptedDek, name, encrypted, "");
  }

  /**
   * Decrypts the value of variable {@code name} with a deployment grant (required when the service
   * requires grants; may be empty otherwise).
   */
  public String decryptValue(
      String projectId, String encryptedDek, String name, String encrypted, String grant) {
    return call(decryptValueRpc(projectId, encryptedDek, name, encrypted, grant));
  }

  /**
   * {@link #decryptValue(String, String, String, String, String)}, asynchronously (see the class
   * comment).
   */
  public CompletableFuture<String> decryptValueAsync(
      String projectId, String encryptedDek, String name, String encrypted, String grant) {
    return callAsync(decryptValueRpc(projectId, encryptedDek, name, encrypted, grant));
  }

  private static Rpc<DecryptValueRequest, DecryptValueResponse, String> decryptValueRpc(
      String projectId, String encryptedDek, String name, String encrypted, String grant) {
    return new Rpc<>(
        CodecServiceGrpc.getDecryptValueMethod(),
        DecryptValueRequest.newBuilder()
            .setProjectId(projectId)
            .setEncryptedDek(encryptedDek)
            .setName(name == null ? "" : name)
            .setEncrypted(encrypted)
            .setGrant(grant == null ? "" : grant)
            .build(),
        DecryptValueResponse::getValue);
  }

  /**
   * Decrypts one value that is not bound to a name with a plaintext DEK obtained from {@link
   * #decryptDek}.
   */
  public String decryptValueWithDek(String projectId, byte[] dek, String encrypted) {
    return decryptValueWithDek(projectId, dek, "", encrypted);
  }

  /**
   * Decrypts the value of variable {@code name} with a plaintext DEK obtained from {@link
   * #decryptDek}.
   */
  public String decryptValueWithDek(String projectId, byte[] dek, String name, String encrypted) {
    return call(decryptValueWithDekRpc(projectId, dek, name, encrypted));
  }

  /**
   * {@link #decryptValueWithDek(String, byte[], String, String)}, asynchronously (see the class
   * comment).
   */
  public CompletableFuture<String> decryptValueWithDekAsync(
      String projectId, byte[] dek, String name, String encrypted) {
    return callAsync(decryptValueWithDekRpc(projectId, dek, name, encrypted));
  }

  private static Rpc<DecryptValueRequest, DecryptValueResponse, String> decryptValueWithDekRpc(
      String projectId, byte[] dek, String name, String encrypted) {
    return new Rpc<>(
        CodecServiceGrpc.getDecryptValueMethod(),
        DecryptValueRequest.newBuilder()
            .setProjectId(projectId)
            .setDek(ByteString.copyFrom(dek))
            .setName(name == null ? "" : name)
            .setEncrypted(encrypted)
            .build(),
        DecryptValueResponse::getValue);
  }

  // ---- DecryptAll

  /**
   * Decrypts a deployment's variables in one call: plain values unchanged, secrets decrypted. All
   * or nothing.
   *
   * @param deploymentId recorded for auditing; may be empty
   * @param encryptedDek the project's wrapped DEK; may be empty when no variable is secret
   */
  public Map<String, String> decryptAll(
      String projectId, String deploymentId, String encryptedDek, Map<String, Variable> variables) {
    return decryptAll(projectId, deploymentId, encryptedDek, variables, "", "");
  }

  /**
   * Decrypts a deployment's variables with its grant and the revision's seal. All or nothing.
   *
   * @param deploymentId empty, or the grant's deployment id
   * @param grant the deployment grant ({@link #issueGrant}); required when the service requires
   *     grants
   * @param seal the revision's seal; verified when given, required when the service requires seals
   */
  public Map<String, String> decryptAll(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, Variable> variables,
      String grant,
      String seal) {
    return call(decryptAllRpc(projectId, deploymentId, encryptedDek, variables, grant, seal));
  }

  /**
   * {@link #decryptAll(String, String, String, Map, String, String)}, asynchronously (see the class
   * comment).
   */
  public CompletableFuture<Map<String, String>> decryptAllAsync(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, Variable> variables,
      String grant,
      String seal) {
    return callAsync(decryptAllRpc(projectId, deploymentId, encryptedDek, variables, grant, seal));
  }

  /** The order in which a revision seal lists its variables (the server's RevisionSeal). */
  private static final Comparator<String> SEAL_ORDER =
      Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder());

  private static Rpc<DecryptAllRequest, DecryptAllResponse, Map<String, String>> decryptAllRpc(
      String projectId,
      String deploymentId,
      String encryptedDek,
      Map<String, Variable> variables,
      String grant,
      String seal) {
    DecryptAllRequest.Builder request =
        DecryptAllRequest.newBuilder()
            .setProjectId(projectId)
            .setDeploymentId(deploymentId == null ? "" : deploymentId)
            .setEncryptedDek(encryptedDek == null ? "" : encryptedDek)
            .setGrant(grant == null ? "" : grant)
            .setSeal(seal == null ? "" : seal);
    if (seal == null || seal.isEmpty()) {
      variables.forEach((name, variable) -> request.putVariables(name, wire(variable)));
    } else {
      // the seal's canonical order (by the name's String.hashCode, then the name): the server
      // checks the seal in this order, and a request already in it costs the server least
      List<String> names = new ArrayList<>(variables.keySet());
      names.sort(SEAL_ORDER);
      for (String name : names) {
        request.putVariables(name, wire(variables.get(name)));
      }
    }
    return new Rpc<>(
        CodecServiceGrpc.getDecryptAllMethod(), request.build(), DecryptAllResponse::getValuesMap);
  }

  private static dev.codec.proto.v1.Variable wire(Variable variable) {
    return dev.codec.proto.v1.Variable.newBuilder()
        .setKind(
            variable.kind() == Variable.Kind.SECRET
                ? dev.codec.proto.v1.Variable.Kind.KIND_SECRET
                : dev.codec.proto.v1.Variable.Kind.KIND_PLAIN)
        .setValue(variable.value())
        .build();
  }

  // ---- RewrapDek

  /**
   * Re-wraps every DEK under the service's active KEK (one call; at most the service's entry limit,
   * 10,000 by default). Each item succeeds or fails on its own.
   *
   * @return one result per item, in order
   */
  public List<RewrapResult> rewrapDeks(List<DekToRewrap> items) {
    return call(rewrapDeksRpc(items));
  }

  /** {@link #rewrapDeks}, asynchronously (see the class comment). */
  public CompletableFuture<List<RewrapResult>> rewrapDeksAsync(List<DekToRewrap> items) {
    return callAsync(rewrapDeksRpc(items));
  }

  private static Rpc<RewrapDekRequest, RewrapDekResponse, List<RewrapResult>> rewrapDeksRpc(
      List<DekToRewrap> items) {
    RewrapDekRequest.Builder request = RewrapDekRequest.newBuilder();
    items.forEach(
        item ->
            request.addItems(
                RewrapItem.newBuilder()
                    .setProjectId(item.projectId())
                    .setEncryptedDek(item.encryptedDek())));
    return new Rpc<>(
        CodecServiceGrpc.getRewrapDekMethod(),
        request.build(),
        response -> {
          List<RewrapResult> results = new ArrayList<>(response.getResultsCount());
          response
              .getResultsList()
              .forEach(
                  r ->
                      results.add(
                          !r.hasError()
                              ? new RewrapResult(
                                  r.getIndex(),
                                  r.getEncryptedDek(),
                                  r.getKekVersion(),
                                  StatusCode.OK,
                                  null)
                              : new RewrapResult(
                                  r.getIndex(),
                                  null,
                                  0,
                                  errorCode(r.getError().getCode()),
                                  r.getError().getMessage(),
                                  CodecException.errorReasonOf(r.getError()))));
          return results;
        });
  }

  /**
   * The code of a failed item; a (malformed) OK or unknown number is UNKNOWN, so that a failed item
   * never reads OK.
   */
  private static StatusCode errorCode(int value) {
    StatusCode code = StatusCode.of(value);
    return code == StatusCode.OK ? StatusCode.UNKNOWN : code;
  }

  // ---- RotateDek

  /**
   * Replaces a project's DEK and re-encrypts the given values (name to ciphertext) under the new
   * one, all or nothing. Give every value encrypted under the old DEK.
   */
  public RotatedDek rotateDek(
      String projectId, String encryptedDek, Map<String, String> encrypted) {
    return call(rotateDekRpc(projectId, encryptedDek, encrypted));
  }

  /** {@link #rotateDek}, asynchronously (see the class comment). */
  public CompletableFuture<RotatedDek> rotateDekAsync(
      String projectId, String encryptedDek, Map<String, String> encrypted) {
    return callAsync(rotateDekRpc(projectId, encryptedDek, encrypted));
  }

  private static Rpc<RotateDekRequest, RotateDekResponse, RotatedDek> rotateDekRpc(
      String projectId, String encryptedDek, Map<String, String> encrypted) {
    return new Rpc<>(
        CodecServiceGrpc.getRotateDekMethod(),
        RotateDekRequest.newBuilder()
            .setProjectId(projectId)
            .setEncryptedDek(encryptedDek)
            .putAllEncrypted(encrypted)
            .build(),
        response ->
            new RotatedDek(
                response.getEncryptedDek(), response.getKekVersion(), response.getEncryptedMap()));
  }

  // ---- Status

  /**
   * The non-secret state of the instance that answers: KEK versions and fingerprints, reload,
   * cache.
   */
  public CodecStatus status() {
    return call(statusRpc());
  }

  /** {@link #status()}, asynchronously (see the class comment). */
  public CompletableFuture<CodecStatus> statusAsync() {
    return callAsync(statusRpc());
  }

  private static Rpc<StatusRequest, StatusResponse, CodecStatus> statusRpc() {
    return new Rpc<>(
        CodecServiceGrpc.getStatusMethod(),
        StatusRequest.getDefaultInstance(),
        response -> {
          List<CodecStatus.KekVersion> versions = new ArrayList<>();
          response
              .getKekVersionsList()
              .forEach(
                  v ->
                      versions.add(
                          new CodecStatus.KekVersion(
                              v.getVersion(), v.getFingerprint(), instant(v.getLoadTime()))));
          KekReload reload = response.getLastReload();
          CodecStatus.Reload lastReload =
              new CodecStatus.Reload(
                  reload.getResult().name().replaceFirst("^RESULT_", ""),
                  reload.hasAttemptTime() ? instant(reload.getAttemptTime()) : null,
                  reload.getError().isEmpty() ? null : reload.getError());
          return new CodecStatus(
              response.getActiveKekVersion(),
              List.copyOf(versions),
              lastReload,
              response.getDekCache().getSize(),
              response.getDekCache().getHitRatio(),
              response.getLegacyAccepted());
        });
  }

  private static Instant instant(com.google.protobuf.Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  // ---- calls

  /** One unary call: the method, its request, and how the response becomes the public result. */
  private record Rpc<Q, A, R>(MethodDescriptor<Q, A> method, Q request, Function<A, R> result) {
    /**
     * The same call with its result mapped (so that an async variant's future stays the cancellable
     * one).
     */
    <S> Rpc<Q, A, S> map(Function<R, S> then) {
      return new Rpc<>(method, request, result.andThen(then));
    }
  }

  private CallOptions options(Deadline callDeadline, AtomicBoolean answerStarted) {
    return options.withDeadline(callDeadline).withOption(AnswerStarted.FLAG, answerStarted);
  }

  /**
   * Runs one RPC on the calling thread under the call's deadline, issuing it again where {@link
   * #retryDelay} says so.
   */
  private <Q, A, R> R call(Rpc<Q, A, R> rpc) {
    Deadline callDeadline = Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS);
    for (int issue = 1; ; issue++) {
      AtomicBoolean answerStarted = new AtomicBoolean();
      CodecException failure;
      try {
        A response =
            ClientCalls.blockingUnaryCall(
                channel, rpc.method(), options(callDeadline, answerStarted), rpc.request());
        budgetThrottle.onSuccess();
        return rpc.result().apply(response);
      } catch (StatusRuntimeException e) {
        failure = CodecException.from(e);
      }
      long delay = retryDelay(issue, failure, answerStarted.get(), callDeadline);
      if (delay < 0) {
        throw failure;
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CodecException(StatusCode.CANCELLED, "interrupted", e);
      }
    }
  }

  /**
   * Runs one RPC without blocking; the future's cancellation cancels the gRPC call and later
   * issues.
   */
  private <Q, A, R> CompletableFuture<R> callAsync(Rpc<Q, A, R> rpc) {
    CallFuture<R> result = new CallFuture<>();
    issue(rpc, Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS), 1, result);
    return result;
  }

  private <Q, A, R> void issue(
      Rpc<Q, A, R> rpc, Deadline callDeadline, int issue, CallFuture<R> result) {
    if (result.isDone()) {
      return;
    }
    AtomicBoolean answerStarted = new AtomicBoolean();
    ClientCall<Q, A> call = channel.newCall(rpc.method(), options(callDeadline, answerStarted));
    com.google.common.util.concurrent.ListenableFuture<A> response =
        ClientCalls.futureUnaryCall(call, rpc.request());
    result.current = response;
    if (result.isCancelled()) {
      response.cancel(true); // cancelled between the check above and the call
      return;
    }
    response.addListener(
        () -> {
          CodecException failure;
          try {
            A answer = response.get();
            budgetThrottle.onSuccess();
            result.complete(rpc.result().apply(answer));
            return;
          } catch (CancellationException e) {
            return; // the caller cancelled the result
          } catch (ExecutionException e) {
            failure =
                e.getCause() instanceof StatusRuntimeException sre
                    ? CodecException.from(sre)
                    : new CodecException(
                        StatusCode.UNKNOWN,
                        "call failed (" + e.getCause().getClass().getSimpleName() + ")",
                        e.getCause());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen: the future is done
            failure = new CodecException(StatusCode.CANCELLED, "interrupted", e);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
          }
          long delay = retryDelay(issue, failure, answerStarted.get(), callDeadline);
          if (delay < 0) {
            result.completeExceptionally(failure);
          } else {
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                .execute(() -> issue(rpc, callDeadline, issue + 1, result));
          }
        },
        Runnable::run);
  }

  /** The future of an async call: cancelling it cancels the gRPC call in flight. */
  private static final class CallFuture<R> extends CompletableFuture<R> {
    volatile Future<?> current;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Future<?> call = current;
      if (call != null) {
        call.cancel(true);
      }
      return cancelled;
    }
  }

  /**
   * How long to wait before issuing a failed call again, or -1 to fail it with {@code failure}. Two
   * failures are issued again, never past the call's deadline:
   *
   * <ul>
   *   <li>{@code UNAVAILABLE} after the server had started to answer, on a channel this client
   *       built, once (after {@value #REISSUE_BACKOFF_MILLIS} ms): gRPC retries {@code UNAVAILABLE}
   *       only until the response headers arrived, so a server that dies while it sends a large
   *       response would fail the call for good; every RPC is safe to repeat (see the class
   *       comment).
   *   <li>{@code RESOURCE_EXHAUSTED} with the reason {@value #REQUEST_BUDGET_EXHAUSTED} (the call
   *       did nothing), up to {@code maxAttempts} issues, with jittered exponential backoff, while
   *       the throttle allows.
   * </ul>
   */
  private long retryDelay(
      int issue, CodecException failure, boolean answerStarted, Deadline callDeadline) {
    long remainingMillis = callDeadline.timeRemaining(TimeUnit.MILLISECONDS);
    if (failure.code() == StatusCode.UNAVAILABLE && answerStarted && reissue && issue < ISSUES) {
      return remainingMillis > REISSUE_BACKOFF_MILLIS ? REISSUE_BACKOFF_MILLIS : -1;
    }
    if (failure.code() == StatusCode.RESOURCE_EXHAUSTED
        && REQUEST_BUDGET_EXHAUSTED.equals(failure.errorReason())) {
      boolean allowed = budgetThrottle.onFailure();
      if (!allowed || issue >= maxAttempts) {
        return -1;
      }
      long delay = budgetBackoffMillis(issue);
      return remainingMillis > delay ? delay : -1;
    }
    return -1;
  }

  /**
   * Full backoff before issue {@code issue + 1}: 100 ms doubling to 1 s; the wait is a random half
   * to all of it.
   */
  static long budgetBackoffMillis(int issue) {
    long backoff =
        Math.min(
            BUDGET_MAX_BACKOFF_MILLIS, BUDGET_INITIAL_BACKOFF_MILLIS << Math.min(issue - 1, 10));
    return backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
  }

  /** Records in the call's {@link #FLAG} that the server's response headers arrived. */
  private static final class AnswerStarted implements ClientInterceptor {
    static final CallOptions.Key<AtomicBoolean> FLAG =
        CallOptions.Key.create("codec-answer-started");

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(
        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      AtomicBoolean flag = options.getOption(FLAG);
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<A> listener, Metadata headers) {
          super.start(
              flag == null
                  ? listener
                  : new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                      listener) {
                    @Override
                    public void onHeaders(Metadata responseHeaders) {
                      flag.set(true);
                      super.onHeaders(responseHeaders);
                    }
                  },
              headers);
        }
      };
    }
  }

  /**
   * Issues of one call on a channel this client built: the first, and one more after UNAVAILABLE.
   */
  private static final int ISSUES = 2;

  private static final long REISSUE_BACKOFF_MILLIS = 100;
  static final long BUDGET_INITIAL_BACKOFF_MILLIS = 100;
  static final long BUDGET_MAX_BACKOFF_MILLIS = 1000;

  /**
   * Closes the channel this client created (a caller-owned channel is left open) and stops watching
   * its TLS files. Calls still running fail with {@code UNAVAILABLE} or {@code CANCELLED} after 5
   * s. Closing a view from {@link #withDeadline} does nothing.
   */
  @Override
  public void close() {
    if (owned == null || view) {
      return;
    }
    owned.close();
  }

  /** Target, TLS on or off, where the token comes from, deadline: never the token itself. */
  @Override
  public String toString() {
    return description + ", deadline=" + deadline + "]";
  }

  private static Duration positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return duration;
  }

  /**
   * Configures a {@link CodecClient}. Not thread safe; {@link #build} copies what it needs, so a
   * builder may be changed and built again.
   */
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
    Duration tlsReloadInterval = Duration.ofSeconds(DEFAULT_TLS_RELOAD_SECONDS);
    String authority;
    boolean allowInsecure;
    String userAgent;
    final List<ClientInterceptor> interceptors = new ArrayList<>();

    private Builder() {}

    /**
     * Allows sending the token over a plaintext connection to an address that is not loopback. Off
     * by default: without TLS, a call to another host fails with {@code UNAUTHENTICATED} before the
     * token leaves the process. Turn it on only inside a network you trust (for example behind a
     * service mesh that encrypts pod-to-pod traffic).
     */
    public Builder allowInsecure(boolean allowInsecure) {
      this.allowInsecure = allowInsecure;
      return this;
    }

    /**
     * The service address: {@code host:port}, or a gRPC target such as {@code
     * dns:///codec-headless.codec.svc:50051} (a headless Service: every pod is used).
     */
    public Builder target(String target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * Uses a grpc-java channel owned by the caller (tests, shared channels); {@link #target}, TLS,
     * retries, keepalive and {@link #userAgent} are then the channel's business. Tokens, the
     * deadline, interceptors and the retry of {@code REQUEST_BUDGET_EXHAUSTED} still apply. One of
     * two places where grpc-java types appear in this client's API, for programs that already use
     * grpc-java.
     */
    public Builder channel(Channel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /**
     * Adds grpc-java client interceptors to every call (for example tracing, metrics, or extra
     * metadata). They run in the order given (the first sees a call first), on every issue of a
     * call (the client's own re-issues included; gRPC's transparent retries happen beneath them),
     * and see no token: call credentials are applied after them. May be called more than once; adds
     * to the list.
     */
    public Builder interceptors(ClientInterceptor... interceptors) {
      for (ClientInterceptor interceptor : interceptors) {
        this.interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      }
      return this;
    }

    /**
     * The name of the calling program (for example {@code "control-api/2.3"}), sent at the start of
     * the {@code user-agent} header of every call (gRPC appends its own), so that the service's
     * operators can tell callers apart. Printable ASCII without spaces at the ends, at most 128
     * characters. Only for channels the client builds (with {@link #channel}, set it on that
     * channel).
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent");
      if (userAgent.isEmpty()
          || userAgent.length() > 128
          || !userAgent.strip().equals(userAgent)
          || !userAgent.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
        throw new IllegalArgumentException(
            "userAgent must be 1 to 128 printable ASCII characters, "
                + "without spaces at the ends");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * The deadline of every call, retries included. Default {@value #DEFAULT_DEADLINE_SECONDS} s.
     * For some calls only, use {@link CodecClient#withDeadline}.
     */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /**
     * When true, a call made while no server is reachable waits (up to its deadline) for one
     * instead of failing at once with {@code UNAVAILABLE}. Useful while a whole deployment starts.
     * Default false.
     */
    public Builder waitForReady(boolean waitForReady) {
      this.waitForReady = waitForReady;
      return this;
    }

    /**
     * Most attempts per call (first try included) when the service is UNAVAILABLE, or refuses a
     * call because its request budget is in use ({@code REQUEST_BUDGET_EXHAUSTED}); 1 to 5, default
     * 4.
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 5) {
        throw new IllegalArgumentException("maxAttempts must be 1 to 5");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Time without traffic after which an HTTP/2 ping checks the connection (while calls are open).
     * The server must permit pings this often (gRPC's default server policy permits one per 5
     * minutes and answers faster pings with GOAWAY, after which the client doubles this time).
     */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = positive(keepAlive, "keepAlive");
      return this;
    }

    /** Sends {@code authorization: Bearer <token>} on every call. Replaces {@link #tokenFile}. */
    public Builder token(String token) {
      this.credentials = BearerTokenCredentials.fixed(token);
      return this;
    }

    /**
     * Reads the bearer token from a file (surrounding whitespace ignored) and reads it again
     * whenever the file changes, so a rotated token is used without a restart. Replaces {@link
     * #token}. A missing or empty file fails each call with {@code UNAUTHENTICATED} naming the
     * file.
     */
    public Builder tokenFile(Path tokenFile) {
      this.credentials = BearerTokenCredentials.fromFile(tokenFile);
      return this;
    }

    /**
     * Turns on TLS (plaintext is then impossible) and trusts the CA certificates in this PEM file
     * to sign the server's certificate. The certificate must name the host of the target (or {@link
     * #authority}). The file is read again when it changes (see {@link #tlsReloadInterval}).
     */
    public Builder trustCertificates(Path caPem) {
      this.trustCertificates = Objects.requireNonNull(caPem, "caPem");
      return this;
    }

    /**
     * Presents this client certificate (mTLS); turns on TLS. {@code keyPem} is the unencrypted
     * PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}). Without {@link #trustCertificates}
     * the JDK's default CAs verify the server. Both files are read again when either changes (see
     * {@link #tlsReloadInterval}).
     */
    public Builder clientCertificate(Path certPem, Path keyPem) {
      this.clientCertificate =
          new Path[] {
            Objects.requireNonNull(certPem, "certPem"), Objects.requireNonNull(keyPem, "keyPem")
          };
      return this;
    }

    /**
     * How often the TLS files ({@link #trustCertificates}, {@link #clientCertificate}) are checked
     * for changes (their modification time); changed files are read again and used by the next TLS
     * handshake (new connections), so certificates renewed by cert-manager need no restart.
     * Connections already open keep their certificates until they close (the server's max
     * connection age bounds that). A file that no longer reads (or a certificate and key that were
     * replaced one at a time, momentarily not a pair) keeps the material in force until the next
     * check. Replace the files atomically (a Kubernetes Secret volume does). Default {@value
     * #DEFAULT_TLS_RELOAD_SECONDS} s; at least 10 ms.
     */
    public Builder tlsReloadInterval(Duration interval) {
      if (positive(interval, "tlsReloadInterval").toMillis() < 10) {
        throw new IllegalArgumentException("tlsReloadInterval must be at least 10 ms");
      }
      this.tlsReloadInterval = interval;
      return this;
    }

    /**
     * The name to verify in the server's certificate and send as :authority, instead of the
     * target's host.
     */
    public Builder authority(String authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /**
     * Creates the client. Fails with {@link IllegalArgumentException} naming the file when a
     * certificate or key file cannot be read, or when {@link #userAgent} is set together with
     * {@link #channel}.
     */
    public CodecClient build() {
      return new CodecClient(this);
    }
  }
}
