package dev.codec.server.grpc;

import static dev.codec.server.core.RejectedRequestException.badInput;
import static dev.codec.server.core.RejectedRequestException.fieldRequired;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.codec.proto.v1.CodecServiceGrpc;
import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.DecryptAllResponse;
import dev.codec.proto.v1.DecryptDekRequest;
import dev.codec.proto.v1.DecryptDekResponse;
import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.proto.v1.DecryptValueResponse;
import dev.codec.proto.v1.DekCacheStatus;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.EncryptResponse;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.GenerateDekResponse;
import dev.codec.proto.v1.IssueGrantRequest;
import dev.codec.proto.v1.IssueGrantResponse;
import dev.codec.proto.v1.KekReload;
import dev.codec.proto.v1.KekVersion;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapDekResponse;
import dev.codec.proto.v1.RewrapResult;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.SealVariablesRequest;
import dev.codec.proto.v1.SealVariablesResponse;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.StatusResponse;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DecryptedValues;
import dev.codec.server.core.DekReference;
import dev.codec.server.core.EncryptedRevision;
import dev.codec.server.core.ErrorReason;
import dev.codec.server.core.GrantIdentity;
import dev.codec.server.core.GrantService;
import dev.codec.server.core.Granted;
import dev.codec.server.core.IssuedGrant;
import dev.codec.server.core.KekStatus;
import dev.codec.server.core.KeyLifecycle;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.RewrapOutcome;
import dev.codec.server.core.RotatedDek;
import dev.codec.server.core.ServiceStatus;
import dev.codec.server.core.StoredVariable;
import dev.codec.server.core.WrappedDek;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code codec.v1.CodecService} gRPC service: maps proto messages to {@link CodecService} (data
 * calls), {@link GrantService} (IssueGrant) and {@link KeyLifecycle} (RewrapDek, RotateDek, Status)
 * and back. Registered by {@link GrpcServices} with strict request parsing.
 *
 * <p>DecryptAll is bound to {@link #decryptAllUtf8}, whose response {@link
 * DecryptAllResponseWriter} writes from the decrypted bytes ({@link #bindService()}); {@link
 * #decryptAll} builds the same message with protobuf's builder, for a caller of the generated
 * binding.
 */
public class CodecEndpoint extends CodecServiceGrpc.CodecServiceImplBase {
  private final CodecService codec;
  private final GrantService grants;
  private final KeyLifecycle keys;

  public CodecEndpoint(CodecService codec, GrantService grants, KeyLifecycle keys) {
    this.codec = codec;
    this.grants = grants;
    this.keys = keys;
  }

  @Override
  public void generateDek(
      GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
    respond(
        response,
        () -> {
          WrappedDek wrapped = codec.generateDek(request.getProjectId());
          return GenerateDekResponse.newBuilder()
              .setEncryptedDek(wrapped.encoded())
              .setKekVersion(wrapped.kekVersion())
              .build();
        });
  }

  @Override
  public void encrypt(EncryptRequest request, StreamObserver<EncryptResponse> response) {
    respond(
        response,
        () -> {
          EncryptedRevision revision =
              codec.encrypt(
                  request.getProjectId(),
                  request.getEncryptedDek(),
                  request.getValuesMap(),
                  request.getPlainValuesMap());
          return EncryptResponse.newBuilder()
              .putAllEncrypted(revision.encrypted())
              .setSeal(revision.seal())
              .build();
        });
  }

  @Override
  public void sealVariables(
      SealVariablesRequest request, StreamObserver<SealVariablesResponse> response) {
    respond(
        response,
        () ->
            SealVariablesResponse.newBuilder()
                .setSeal(
                    codec.sealVariables(
                        request.getProjectId(),
                        request.getEncryptedDek(),
                        variables(request.getVariablesMap())))
                .build());
  }

  @Override
  public void issueGrant(IssueGrantRequest request, StreamObserver<IssueGrantResponse> response) {
    respond(
        response,
        () -> {
          com.google.protobuf.Duration ttl = request.getTtl();
          if (!request.hasTtl()
              || ttl.getSeconds() < 0
              || ttl.getNanos() < 0
              || ttl.getNanos() > 999_999_999) {
            throw fieldRequired("ttl", ", a positive duration");
          }
          IssuedGrant grant =
              grants.issueGrant(
                  request.getProjectId(),
                  request.getDeploymentId(),
                  request.getEncryptedDek(),
                  request.getSeal(),
                  Duration.ofSeconds(ttl.getSeconds(), ttl.getNanos()));
          CallRecord.grantVerified(request.getDeploymentId(), grant.grantId());
          return IssueGrantResponse.newBuilder()
              .setGrant(grant.text())
              .setGrantId(grant.grantId())
              .setExpireTime(Timestamp.newBuilder().setSeconds(grant.expiresAt().getEpochSecond()))
              .setKekVersion(grant.kekVersion())
              .build();
        });
  }

  @Override
  public void decryptDek(DecryptDekRequest request, StreamObserver<DecryptDekResponse> response) {
    respond(
        response,
        () -> {
          byte[] dek =
              audited(
                  codec.decryptDek(
                      request.getProjectId(),
                      request.getEncryptedDek(),
                      request.getGrant(),
                      CodecEndpoint::recordGrant));
          try {
            return DecryptDekResponse.newBuilder().setDek(ByteString.copyFrom(dek)).build();
          } finally {
            Arrays.fill(dek, (byte) 0);
          }
        });
  }

  @Override
  public void decryptValue(
      DecryptValueRequest request, StreamObserver<DecryptValueResponse> response) {
    respond(
        response,
        () -> {
          String value =
              switch (request.getKeyCase()) {
                case DEK -> {
                  if (!request.getGrant().isEmpty()) {
                    throw badInput(
                        "grant", "not used with a plaintext dek (give encrypted_dek instead)");
                  }
                  yield codec.decryptValue(
                      request.getProjectId(),
                      request.getEncrypted(),
                      request.getDek().toByteArray(),
                      request.getName());
                }
                case ENCRYPTED_DEK ->
                    audited(
                        codec.decryptValue(
                            request.getProjectId(),
                            request.getEncrypted(),
                            request.getEncryptedDek(),
                            request.getName(),
                            request.getGrant(),
                            CodecEndpoint::recordGrant));
                case KEY_NOT_SET ->
                    throw new RejectedRequestException(
                            RejectedRequestException.Reason.BAD_INPUT,
                            ErrorReason.FIELD_REQUIRED,
                            "dek or encrypted_dek: one of them is required")
                        .withField("dek", "required (or encrypted_dek)")
                        .withViolation("encrypted_dek", "required (or dek)");
              };
          return DecryptValueResponse.newBuilder().setValue(value).build();
        });
  }

  @Override
  public void decryptAll(DecryptAllRequest request, StreamObserver<DecryptAllResponse> response) {
    respond(
        response,
        () ->
            DecryptAllResponse.newBuilder()
                .putAllValues(
                    audited(
                        codec.decryptAll(
                            request.getProjectId(),
                            request.getDeploymentId(),
                            request.getEncryptedDek(),
                            variables(request.getVariablesMap()),
                            request.getGrant(),
                            request.getSeal(),
                            CodecEndpoint::recordGrant)))
                .build());
  }

  /**
   * DecryptAll as the server serves it: the same call and refusals as {@link #decryptAll}, with the
   * decrypted values handed to the response marshaller as UTF-8 bytes.
   */
  void decryptAllUtf8(DecryptAllRequest request, StreamObserver<DecryptedValues> response) {
    respond(
        response,
        () ->
            audited(
                codec.decryptAllUtf8(
                    request.getProjectId(),
                    request.getDeploymentId(),
                    request.getEncryptedDek(),
                    variables(request.getVariablesMap()),
                    request.getGrant(),
                    request.getSeal(),
                    CodecEndpoint::recordGrant)));
  }

  /**
   * The definition the server registers: the generated binding ({@link #bindService()}), with
   * DecryptAll served by {@link #decryptAllUtf8}.
   */
  public ServerServiceDefinition definition() {
    return DecryptAllResponseWriter.bind(super.bindService(), this::decryptAllUtf8);
  }

  @Override
  public void rewrapDek(RewrapDekRequest request, StreamObserver<RewrapDekResponse> response) {
    respond(
        response,
        () -> {
          List<DekReference> items = new ArrayList<>(request.getItemsCount());
          request
              .getItemsList()
              .forEach(
                  item -> items.add(new DekReference(item.getProjectId(), item.getEncryptedDek())));
          List<RewrapOutcome> outcomes = keys.rewrapDeks(items);
          RewrapDekResponse.Builder out = RewrapDekResponse.newBuilder();
          for (int i = 0; i < outcomes.size(); i++) {
            RewrapOutcome outcome = outcomes.get(i);
            RewrapResult.Builder result = RewrapResult.newBuilder().setIndex(i);
            if (outcome.error() == null) {
              result
                  .setEncryptedDek(outcome.rewrapped().encoded())
                  .setKekVersion(outcome.rewrapped().kekVersion());
            } else {
              result.setError(StatusMapping.toStatusProto(outcome.error()));
            }
            out.addResults(result);
          }
          return out.build();
        });
  }

  @Override
  public void rotateDek(RotateDekRequest request, StreamObserver<RotateDekResponse> response) {
    respond(
        response,
        () -> {
          RotatedDek rotated =
              keys.rotateDek(
                  request.getProjectId(), request.getEncryptedDek(), request.getEncryptedMap());
          return RotateDekResponse.newBuilder()
              .setEncryptedDek(rotated.wrapped().encoded())
              .setKekVersion(rotated.wrapped().kekVersion())
              .putAllEncrypted(rotated.encrypted())
              .build();
        });
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    respond(
        response,
        () -> {
          ServiceStatus status = keys.status();
          StatusResponse.Builder out =
              StatusResponse.newBuilder()
                  .setActiveKekVersion(status.kek().activeVersion())
                  .setDekCache(
                      DekCacheStatus.newBuilder()
                          .setSize(status.dekCacheSize())
                          .setHitRatio(status.dekCacheHitRatio()))
                  .setLegacyAccepted(status.legacyAccepted());
          for (KekStatus.LoadedKek kek : status.kek().versions()) {
            out.addKekVersions(
                KekVersion.newBuilder()
                    .setVersion(kek.version())
                    .setFingerprint(kek.fingerprint())
                    .setLoadTime(timestamp(kek.loadedAt())));
          }
          KekStatus.Reload reload = status.kek().lastReload();
          KekReload.Builder lastReload =
              KekReload.newBuilder()
                  .setResult(
                      switch (reload.result()) {
                        case DISABLED -> KekReload.Result.RESULT_DISABLED;
                        case NOT_YET -> KekReload.Result.RESULT_NOT_YET;
                        case OK -> KekReload.Result.RESULT_OK;
                        case FAILED -> KekReload.Result.RESULT_FAILED;
                      })
                  .setError(reload.error() == null ? "" : reload.error());
          if (reload.at() != null) {
            lastReload.setAttemptTime(timestamp(reload.at()));
          }
          out.setLastReload(lastReload);
          return out.build();
        });
  }

  private static Map<String, StoredVariable> variables(
      Map<String, dev.codec.proto.v1.Variable> wire) {
    // in the request's order: a sealed set sent in the seal's order sorts cheaply (RevisionSeal)
    Map<String, StoredVariable> variables = new LinkedHashMap<>((int) (wire.size() / 0.75f) + 1);
    wire.forEach(
        (name, variable) ->
            variables.put(name, new StoredVariable(kind(variable), variable.getValue())));
    return variables;
  }

  /**
   * Hands a verified grant to the audit line, as soon as it is verified (later refusals keep it).
   */
  private static void recordGrant(GrantIdentity grant) {
    CallRecord.grantVerified(grant.deploymentId(), grant.grantId());
  }

  /** The call's result; hands the verified grant (if any) to the audit line. */
  private static <T> T audited(Granted<T> granted) {
    GrantIdentity grant = granted.grant();
    if (grant != null) {
      CallRecord.grantVerified(grant.deploymentId(), grant.grantId());
    }
    return granted.result();
  }

  private static Timestamp timestamp(java.time.Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static StoredVariable.Kind kind(dev.codec.proto.v1.Variable variable) {
    return switch (variable.getKind()) {
      case KIND_PLAIN -> StoredVariable.Kind.PLAIN;
      case KIND_SECRET -> StoredVariable.Kind.SECRET;
      case KIND_UNSPECIFIED, UNRECOGNIZED -> StoredVariable.Kind.UNSPECIFIED;
    };
  }

  /** A unary call's body: returns the response or throws the reason for refusing it. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws RejectedRequestException;
  }

  private static <T> void respond(StreamObserver<T> response, Call<T> call) {
    T result;
    try {
      result = call.run();
    } catch (RejectedRequestException | RuntimeException e) {
      response.onError(StatusMapping.toStatus(e));
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
