package dev.codec.server.auth;

import dev.codec.proto.v1.CodecServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which permission each RPC needs, by full gRPC method name. Methods not listed here are refused
 * (fail closed), except the public infrastructure methods (health Check, reflection), which need no
 * caller, and health Watch, which needs a caller (any) but no permission: a Watch stream stays
 * open, so unauthenticated streams would let anyone hold server memory (they are also capped:
 * codec.transport.max-health-watch-streams). DecryptValue's permission depends on the request (see
 * {@link #DECRYPT_VALUE}).
 */
public final class MethodPermissions {
  /** DecryptValue: {@code decrypt} with a wrapped DEK, {@code export-dek} with a plaintext DEK. */
  public static final String DECRYPT_VALUE =
      CodecServiceGrpc.getDecryptValueMethod().getFullMethodName();

  /**
   * By the generated method descriptors (MethodPermissionsTest: every RPC of the service has an
   * entry).
   */
  private static final Map<String, Permission> FIXED =
      Map.of(
          name(CodecServiceGrpc.getGenerateDekMethod()), Permission.ENCRYPT,
          name(CodecServiceGrpc.getEncryptMethod()), Permission.ENCRYPT,
          name(CodecServiceGrpc.getDecryptAllMethod()), Permission.DECRYPT,
          name(CodecServiceGrpc.getDecryptDekMethod()), Permission.EXPORT_DEK,
          name(CodecServiceGrpc.getRewrapDekMethod()), Permission.ROTATE,
          name(CodecServiceGrpc.getRotateDekMethod()), Permission.ROTATE,
          name(CodecServiceGrpc.getStatusMethod()), Permission.ROTATE,
          name(CodecServiceGrpc.getIssueGrantMethod()), Permission.GRANT,
          name(CodecServiceGrpc.getSealVariablesMethod()), Permission.ENCRYPT);

  static {
    // fail closed at startup too: an RPC of the service without an entry would be refused to
    // everyone
    for (MethodDescriptor<?, ?> method : CodecServiceGrpc.getServiceDescriptor().getMethods()) {
      if (!FIXED.containsKey(method.getFullMethodName())
          && !DECRYPT_VALUE.equals(method.getFullMethodName())) {
        throw new IllegalStateException(
            "no permission for " + method.getFullMethodName() + " in MethodPermissions");
      }
    }
  }

  /** Health/Watch: any authenticated caller (no permission). */
  public static final String HEALTH_WATCH = "grpc.health.v1.Health/Watch";

  /**
   * Methods anyone may call without credentials: Kubernetes' gRPC probe (Check), tooling
   * (reflection).
   */
  private static final Set<String> PUBLIC_METHODS =
      Set.of(
          "grpc.health.v1.Health/Check",
          "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
          "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

  private MethodPermissions() {}

  private static String name(MethodDescriptor<?, ?> method) {
    return method.getFullMethodName();
  }

  /** Whether the method is public (needs no caller at all). */
  public static boolean isPublicMethod(String fullMethodName) {
    return PUBLIC_METHODS.contains(fullMethodName);
  }

  /** Whether the method needs an authenticated caller but no permission (Health/Watch). */
  public static boolean needsCallerOnly(String fullMethodName) {
    return HEALTH_WATCH.equals(fullMethodName);
  }

  /** Whether the method's permission is only known once its request is seen. */
  public static boolean dependsOnRequest(String fullMethodName) {
    return DECRYPT_VALUE.equals(fullMethodName);
  }

  /** The permission a method needs, or empty for a method the codec does not know (refuse it). */
  public static Optional<Permission> required(String fullMethodName) {
    if (DECRYPT_VALUE.equals(fullMethodName)) {
      return Optional.of(Permission.DECRYPT);
    }
    return Optional.ofNullable(FIXED.get(fullMethodName));
  }

  /** DecryptValue's permission for a request that carries a plaintext DEK or a wrapped one. */
  public static Permission forDecryptValue(boolean withPlaintextDek) {
    return withPlaintextDek ? Permission.EXPORT_DEK : Permission.DECRYPT;
  }
}
