package dev.codec.server.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.ServerCall;
import io.grpc.StatusRuntimeException;

/**
 * A listener that may refuse a call once it has seen the request: after {@link #refuse} the call is
 * closed with that status and nothing more reaches the service.
 */
abstract class RefusableListener<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
  private final ServerCall<ReqT, ?> call;
  private boolean refused;

  RefusableListener(ServerCall.Listener<ReqT> delegate, ServerCall<ReqT, ?> call) {
    super(delegate);
    this.call = call;
  }

  /** Closes the call with {@code status}; the service never sees the request. */
  final void refuse(StatusRuntimeException status) {
    refused = true;
    call.close(status.getStatus(), StatusMapping.trailers(status));
  }

  @Override
  public void onHalfClose() {
    if (!refused) {
      super.onHalfClose();
    }
  }

  @Override
  public void onReady() {
    if (!refused) {
      super.onReady();
    }
  }
}
