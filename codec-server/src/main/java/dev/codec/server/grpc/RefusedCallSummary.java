package dev.codec.server.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts refused calls (unauthenticated or denied by the auth interceptor) per peer address,
 * reason, auth method and caller, so that a flood of refused calls becomes one {@code
 * refused-summary} audit line per key and interval instead of one line per call. {@link #drain()}
 * hands out the counts gathered since the last drain and starts new ones.
 *
 * <p>Bounded: at most {@value #MAX_KEYS} keys per interval; refusals beyond that are counted under
 * the peer {@value #OTHER_PEERS}. The key holds no token id (a flood of random tokens would make
 * every key new); the first refusal's token id or certificate serial of each key is kept as an
 * example.
 */
final class RefusedCallSummary {
  static final int MAX_KEYS = 10_000;
  static final String OTHER_PEERS = "(other peers)";

  /** What refused calls are counted by. */
  record Key(String peer, String reason, String status, String authMethod, String caller) {}

  /** The count of one key in one interval, with the first refusal's details. */
  static final class Count {
    final Instant first;
    final String error;
    final String exampleCredential;
    final String exampleRpc;
    long count;

    Count(Instant first, String error, String exampleCredential, String exampleRpc) {
      this.first = first;
      this.error = error;
      this.exampleCredential = exampleCredential;
      this.exampleRpc = exampleRpc;
    }
  }

  /** One key's drained count. */
  record Entry(Key key, Count count) {}

  private final ConcurrentHashMap<Key, Count> counts = new ConcurrentHashMap<>();

  /** Counts one refused call. */
  void record(Key key, String error, String credentialId, String rpc) {
    Key counted =
        counts.size() >= MAX_KEYS && !counts.containsKey(key)
            ? new Key(OTHER_PEERS, key.reason(), key.status(), key.authMethod(), key.caller())
            : key;
    // compute() runs under the key's bin lock, as does remove() in drain(): no count is lost
    counts.compute(
        counted,
        (k, count) -> {
          Count next = count != null ? count : new Count(Instant.now(), error, credentialId, rpc);
          next.count++;
          return next;
        });
  }

  /** The counts since the last drain; counting starts again from zero. */
  List<Entry> drain() {
    List<Entry> drained = new ArrayList<>();
    for (Key key : counts.keySet()) {
      Count count = counts.remove(key);
      if (count != null) {
        drained.add(new Entry(key, count));
      }
    }
    return drained;
  }
}
