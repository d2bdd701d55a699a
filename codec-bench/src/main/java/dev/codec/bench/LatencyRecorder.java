package dev.codec.bench;

import java.util.Arrays;

/**
 * Latencies in nanoseconds, kept exactly (a growing array) and sorted once for percentiles. Not
 * thread-safe.
 */
final class LatencyRecorder {
  private long[] values = new long[1024];
  private int count;
  private boolean sorted;

  void record(long nanos) {
    if (count == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[count++] = nanos;
    sorted = false;
  }

  long count() {
    return count;
  }

  /** The nearest-rank percentile ({@code 100} is the maximum), in milliseconds; 0 when empty. */
  double percentileMillis(double percentile) {
    if (count == 0) {
      return 0;
    }
    if (!sorted) {
      Arrays.sort(values, 0, count);
      sorted = true;
    }
    int rank = (int) Math.ceil(percentile / 100.0 * count);
    return values[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
  }

  static LatencyRecorder merge(LatencyRecorder... recorders) {
    LatencyRecorder all = new LatencyRecorder();
    for (LatencyRecorder r : recorders) {
      for (int i = 0; i < r.count; i++) {
        all.record(r.values[i]);
      }
    }
    return all;
  }
}
