package dev.codec.client;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token bucket of gRPC's {@code retryThrottling} (gRFC A6), for the retries the client makes
 * itself (the request-budget refusals, which gRPC's own retry policy cannot tell from other
 * RESOURCE_EXHAUSTED): a refusal takes a token, a successful call gives back {@code tokenRatio} of
 * one, and a refused call is retried only while more than half the tokens are left. grpc-java's own
 * throttle is internal to its channel and counts status codes only, hence this small copy. Thread
 * safe.
 */
final class RetryThrottle {
  private static final int SCALE = 1000;

  private final int maxTokens;
  private final int tokenRatio;
  private final AtomicInteger tokens;

  RetryThrottle(int maxTokens, double tokenRatio) {
    this.maxTokens = maxTokens * SCALE;
    this.tokenRatio = (int) (tokenRatio * SCALE);
    this.tokens = new AtomicInteger(this.maxTokens);
  }

  /** Records a refused call; whether it may be retried. */
  boolean onFailure() {
    int left = tokens.updateAndGet(t -> Math.max(0, t - SCALE));
    return left > maxTokens / 2;
  }

  /** Records a call that succeeded. */
  void onSuccess() {
    if (tokens.get() < maxTokens) {
      tokens.updateAndGet(t -> Math.min(maxTokens, t + tokenRatio));
    }
  }
}
