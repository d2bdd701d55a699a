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
import dev.codec.server.core.CodecService;
import dev.codec.server.core.RejectedRequestException;
import dev.codec.server.core.Variable;
import dev.codec.server.crypto.EnvelopeCrypto.WrappedDek;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.HashMap;
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
