package dev.codec.server.grpc;

import static dev.codec.server.core.RejectedRequestException.badInput;

import com.google.protobuf.ByteString;
import dev.codec.proto.v1.CodecGrpc;
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
import dev.codec.proto.v1.DekCacheStatus;
import dev.codec.proto.v1.KekReload;
import dev.codec.proto.v1.KekVersion;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapDekResponse;
import dev.codec.proto.v1.RewrapResult;
import dev.codec.proto.v1.RotateDekRequest;
import dev.codec.proto.v1.RotateDekResponse;
import dev.codec.proto.v1.StatusRequest;
import dev.codec.proto.v1.StatusResponse;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.DekReference;
import dev.codec.server.core.RewrapOutcome;
import dev.codec.server.core.RotatedDek;
import dev.codec.server.core.ServiceStatus;
import dev.codec.server.crypto.KekReloader;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.Variable;
import dev.codec.server.crypto.EnvelopeCrypto.WrappedDek;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code codec.v1.Codec} gRPC service: maps proto messages to {@link CodecService} and back.
 * Registered by {@link GrpcServices} with strict request parsing.
 */
public class CodecEndpoint extends CodecGrpc.CodecImplBase {
    private final CodecService codec;

    public CodecEndpoint(CodecService codec) {
        this.codec = codec;
    }

    @Override
    public void generateDek(GenerateDekRequest request, StreamObserver<GenerateDekResponse> response) {
        respond(response, () -> {
            WrappedDek wrapped = codec.generateDek(request.getProjectId());
            return GenerateDekResponse.newBuilder()
                    .setEncryptedDek(wrapped.encoded())
                    .setKekVersion(wrapped.kekVersion())
                    .build();
        });
    }

    @Override
    public void encrypt(EncryptRequest request, StreamObserver<EncryptResponse> response) {
        respond(response, () -> EncryptResponse.newBuilder()
                .putAllEncrypted(codec.encrypt(request.getProjectId(), request.getEncryptedDek(), request.getValuesMap()))
                .build());
    }

    @Override
    public void decryptDek(DecryptDekRequest request, StreamObserver<DecryptDekResponse> response) {
        respond(response, () -> {
            byte[] dek = codec.decryptDek(request.getProjectId(), request.getEncryptedDek());
            try {
                return DecryptDekResponse.newBuilder().setDek(ByteString.copyFrom(dek)).build();
            } finally {
                Arrays.fill(dek, (byte) 0);
            }
        });
    }

    @Override
    public void decryptValue(DecryptValueRequest request, StreamObserver<DecryptValueResponse> response) {
        respond(response, () -> {
            String value = switch (request.getKeyCase()) {
                case DEK -> codec.decryptValue(request.getProjectId(), request.getEncrypted(),
                        request.getDek().toByteArray());
                case ENCRYPTED_DEK -> codec.decryptValue(request.getProjectId(), request.getEncrypted(),
                        request.getEncryptedDek());
                case KEY_NOT_SET -> throw badInput("dek or encrypted_dek: one of them is required");
            };
            return DecryptValueResponse.newBuilder().setValue(value).build();
        });
    }

    @Override
    public void decryptAll(DecryptAllRequest request, StreamObserver<DecryptAllResponse> response) {
        respond(response, () -> {
            Map<String, dev.codec.proto.v1.Variable> wire = request.getVariablesMap();
            Map<String, Variable> variables = new HashMap<>((int) (wire.size() / 0.75f) + 1);
            wire.forEach((name, variable) -> variables.put(name, new Variable(kind(variable), variable.getValue())));
            return DecryptAllResponse.newBuilder()
                    .putAllValues(codec.decryptAll(request.getProjectId(), request.getDeploymentId(),
                            request.getEncryptedDek(), variables))
                    .build();
        });
    }

    @Override
    public void rewrapDek(RewrapDekRequest request, StreamObserver<RewrapDekResponse> response) {
        respond(response, () -> {
            List<DekReference> items = new ArrayList<>(request.getItemsCount());
            request.getItemsList().forEach(item -> items.add(new DekReference(item.getProjectId(), item.getEncryptedDek())));
            List<RewrapOutcome> outcomes = codec.rewrapDeks(items);
            RewrapDekResponse.Builder out = RewrapDekResponse.newBuilder();
            for (int i = 0; i < outcomes.size(); i++) {
                RewrapOutcome outcome = outcomes.get(i);
                RewrapResult.Builder result = RewrapResult.newBuilder().setIndex(i);
                if (outcome.error() == null) {
                    result.setEncryptedDek(outcome.rewrapped().encoded()).setKekVersion(outcome.rewrapped().kekVersion());
                } else {
                    result.setErrorCode(StatusMapping.statusOf(outcome.error().reason()).getCode().value())
                            .setErrorMessage(outcome.error().getMessage());
                }
                out.addResults(result);
            }
            return out.build();
        });
    }

    @Override
    public void rotateDek(RotateDekRequest request, StreamObserver<RotateDekResponse> response) {
        respond(response, () -> {
            RotatedDek rotated = codec.rotateDek(request.getProjectId(), request.getEncryptedDek(),
                    request.getEncryptedMap());
            return RotateDekResponse.newBuilder()
                    .setEncryptedDek(rotated.wrapped().encoded())
                    .setKekVersion(rotated.wrapped().kekVersion())
                    .putAllEncrypted(rotated.encrypted())
                    .build();
        });
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        respond(response, () -> {
            ServiceStatus status = codec.status();
            StatusResponse.Builder out = StatusResponse.newBuilder()
                    .setActiveKekVersion(status.kek().activeVersion())
                    .setDekCache(DekCacheStatus.newBuilder()
                            .setSize(status.dekCacheSize())
                            .setHitRatio(status.dekCacheHitRatio()))
                    .setLegacyAccepted(status.legacyAccepted());
            for (KekReloader.LoadedKek kek : status.kek().versions()) {
                out.addKekVersions(KekVersion.newBuilder()
                        .setVersion(kek.version())
                        .setFingerprint(kek.fingerprint())
                        .setLoadedAtEpochMillis(kek.loadedAt().toEpochMilli()));
            }
            KekReloader.ReloadStatus reload = status.kek().lastReload();
            out.setLastReload(KekReload.newBuilder()
                    .setResult(switch (reload.result()) {
                        case DISABLED -> KekReload.Result.DISABLED;
                        case NOT_YET -> KekReload.Result.NOT_YET;
                        case OK -> KekReload.Result.OK;
                        case FAILED -> KekReload.Result.FAILED;
                    })
                    .setAtEpochMillis(reload.at() == null ? 0 : reload.at().toEpochMilli())
                    .setError(reload.error() == null ? "" : reload.error()));
            return out.build();
        });
    }

    private static Variable.Kind kind(dev.codec.proto.v1.Variable variable) {
        return switch (variable.getKind()) {
            case PLAIN -> Variable.Kind.PLAIN;
            case SECRET -> Variable.Kind.SECRET;
            case KIND_UNSPECIFIED, UNRECOGNIZED -> Variable.Kind.UNSPECIFIED;
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
