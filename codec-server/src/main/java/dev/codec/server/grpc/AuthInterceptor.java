package dev.codec.server.grpc;

import dev.codec.proto.v1.DecryptValueRequest;
import dev.codec.server.auth.Caller;
import dev.codec.server.auth.MethodPermissions;
import dev.codec.server.auth.Permission;
import dev.codec.server.auth.RefusalReason;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.micronaut.core.order.Ordered;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every call and checks the caller's permission for the RPC, then puts the {@link
 * Caller} into the gRPC {@link Context} ({@link CallerContext#CALLER}).
 *
 * <ul>
 *   <li>No or unknown credentials: {@code UNAUTHENTICATED}.
 *   <li>Known caller without the permission, or an RPC the codec does not know: {@code
 *       PERMISSION_DENIED}.
 *   <li>Health Check and reflection are public (Kubernetes probes carry no token); Health Watch
 *       needs a caller.
 * </ul>
 *
 * Every check runs on the headers, before the request body is read, so a caller that may not make a
 * call never gets the server to buffer its request. DecryptValue, whose exact permission depends on
 * its request, needs {@code decrypt} or {@code export-dek} on its headers, and the one its request
 * uses once the request is read. With auth disabled (local development only) every call runs as
 * caller {@code anonymous} with every permission.
 */
public final class AuthInterceptor implements ServerInterceptor, Ordered {
  /** Runs inside the audit interceptor, so refusals are audited too. */
  public static final int ORDER = AuditInterceptor.ORDER + 10;

  static final Caller ANONYMOUS = new Caller("anonymous", EnumSet.allOf(Permission.class), "none");

  private static final Logger LOG = LoggerFactory.getLogger(AuthInterceptor.class);

  private final Authenticator authenticator;
  private final Consumer<RefusalReason> failureListener;

  /**
   * @param authenticator how callers are identified, or {@code null} when auth is disabled
   * @param failureListener told the reason of every refused call (for metrics)
   */
  AuthInterceptor(Authenticator authenticator, Consumer<RefusalReason> failureListener) {
    this.authenticator = authenticator;
    this.failureListener = failureListener;
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (MethodPermissions.isPublicMethod(method)) {
      return next.startCall(call, headers);
    }
    CallRecord record = CallRecord.KEY.get();
    Caller caller;
    if (authenticator == null) {
      caller = ANONYMOUS;
    } else {
      Authenticator.Result result = authenticator.authenticate(headers, call.getAttributes());
      if (record != null) {
        record.authMethod = result.method();
        record.credentialId = result.credentialId();
      }
      if (result.caller() == null) {
        RefusalReason failure = result.failure();
        return refuse(
            call,
            StatusMapping.refusal(failure.code(), failure.error(), failure.message(), Map.of()),
            failure);
      }
      caller = result.caller();
    }
    StreamBudget.authenticatedCall(); // the connection has a caller: not closed as unauthenticated
    if (record != null) {
      record.caller = caller.name();
      record.authMethod = caller.method();
      record.credentialId = caller.credentialId();
    }
    if (MethodPermissions.needsCallerOnly(method)) {
      return Contexts.interceptCall(
          Context.current().withValue(CallerContext.CALLER, caller), call, headers, next);
    }
    Optional<Permission> required = MethodPermissions.required(method);
    if (required.isEmpty()) {
      return refuse(
          call,
          StatusMapping.refusal(
              RefusalReason.UNKNOWN_METHOD.code(),
              RefusalReason.UNKNOWN_METHOD.error(),
              "method " + method + " is not allowed",
              Map.of()),
          RefusalReason.UNKNOWN_METHOD);
    }
    if (MethodPermissions.dependsOnRequest(method)) {
      // Checked now, before any byte of the body is read: a caller that could use the method with
      // neither kind of request is refused on its headers. The exact check follows on the request.
      if (!caller.may(Permission.DECRYPT) && !caller.may(Permission.EXPORT_DEK)) {
        return refuse(
            call,
            StatusMapping.refusal(
                RefusalReason.PERMISSION_DENIED.code(),
                RefusalReason.PERMISSION_DENIED.error(),
                "caller '"
                    + caller.name()
                    + "' lacks permission 'decrypt' or 'export-dek' for "
                    + call.getMethodDescriptor().getBareMethodName(),
                Map.of("permission", "decrypt", "caller", caller.name())),
            RefusalReason.PERMISSION_DENIED);
      }
    } else if (!caller.may(required.get())) {
      return refuse(call, denied(caller, required.get(), call), RefusalReason.PERMISSION_DENIED);
    }
    ServerCall.Listener<ReqT> listener =
        Contexts.interceptCall(
            Context.current().withValue(CallerContext.CALLER, caller), call, headers, next);
    return MethodPermissions.dependsOnRequest(method)
        ? new RequestPermissionCheck<>(listener, call, caller)
        : listener;
  }

  private <ReqT> ServerCall.Listener<ReqT> refuse(
      ServerCall<ReqT, ?> call, StatusRuntimeException status, RefusalReason reason) {
    refused(reason);
    LOG.debug("Refused {}: {}", call.getMethodDescriptor().getFullMethodName(), reason.label());
    call.close(status.getStatus(), StatusMapping.trailers(status));
    return new ServerCall.Listener<>() {};
  }

  /** Counts the refusal and hands it to the call's audit record. */
  private void refused(RefusalReason reason) {
    failureListener.accept(reason);
    CallRecord record = CallRecord.KEY.get();
    if (record != null) {
      record.refusal = reason;
    }
  }

  private static StatusRuntimeException denied(
      Caller caller, Permission permission, ServerCall<?, ?> call) {
    return StatusMapping.refusal(
        RefusalReason.PERMISSION_DENIED.code(),
        RefusalReason.PERMISSION_DENIED.error(),
        "caller '"
            + caller.name()
            + "' lacks permission '"
            + permission.configName()
            + "' for "
            + call.getMethodDescriptor().getBareMethodName(),
        Map.of("permission", permission.configName(), "caller", caller.name()));
  }

  /**
   * DecryptValue: {@code export-dek} when the request carries a plaintext DEK, else {@code
   * decrypt}.
   */
  private final class RequestPermissionCheck<ReqT> extends RefusableListener<ReqT> {
    private final ServerCall<ReqT, ?> call;
    private final Caller caller;

    RequestPermissionCheck(
        ServerCall.Listener<ReqT> delegate, ServerCall<ReqT, ?> call, Caller caller) {
      super(delegate, call);
      this.call = call;
      this.caller = caller;
    }

    @Override
    public void onMessage(ReqT message) {
      boolean withPlainDek =
          message instanceof DecryptValueRequest request
              && request.getKeyCase() == DecryptValueRequest.KeyCase.DEK;
      Permission needed = MethodPermissions.forDecryptValue(withPlainDek);
      if (!caller.may(needed)) {
        refused(RefusalReason.PERMISSION_DENIED);
        refuse(denied(caller, needed, call));
        return;
      }
      super.onMessage(message);
    }
  }
}
