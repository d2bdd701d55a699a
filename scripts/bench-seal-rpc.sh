#!/usr/bin/env bash
# What grants and seals add to DecryptAll(100 SECRET + 20 PLAIN) as the server serves it (issue 12; BENCHMARKS.md,
# "Seal v3"): starts the real codec server (codec-server.jar with codec-server/jvm.options, a throwaway KEK, auth
# off, grants and seals not required, a free loopback port), then RUNS times (default 3):
#   1. SealedRpcCpuTime: the server's CPU time per call (/proc/PID/stat) with and without grant + seal;
#   2. JMH SealedRpcBenchmark: wall time per call, both, through the real client (JMH_ARGS, default one fork).
# Results go to stdout and to bench-results/seal-rpc-<time>.txt.   SKIP_BUILD=1 reuses the jars.
#   SERVER_JAR=path/to/codec-server.jar measures another build's server (e.g. main's, for before/after) with this
#   build's client and benchmarks; JMH=0 runs the CPU-time tool only.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SERVER_JAR=${SERVER_JAR:-codec-server/target/codec-server.jar}
JMH=${JMH:-1}
JMH_ARGS=${JMH_ARGS:--f 1 -wi 5 -i 5 -w 2s -r 2s}
# shellcheck source=scripts/bench-setup.sh
source scripts/bench-setup.sh
mkdir -p bench-results
out="bench-results/seal-rpc-$(date +%Y%m%dT%H%M%S).txt"
results_to "$out"
{
  echo "# $(date -Is) $(nproc) CPUs, $(java -version 2>&1 | head -1), server $SERVER_JAR; load average before: $(uptime | sed 's/.*load average: //')"
  for run in $(seq 1 "$RUNS"); do
    CODEC_KEK_DIR="$work/kek" GRPC_SERVER_PORT="$port" CODEC_AUTH_ENABLED=false CODEC_MANAGEMENT_PORT=-1 \
      java @codec-server/jvm.options -jar "$SERVER_JAR" > "$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do port_in_use "$port" && break; sleep 0.1; done
    echo "# run $run, load average: $(uptime | sed 's/.*load average: //')"
    java -cp codec-bench/target/benchmarks.jar dev.codec.bench.SealedRpcCpuTime "127.0.0.1:$port" "$server_pid"
    if [ "$JMH" = 1 ]; then
      # shellcheck disable=SC2086
      java -jar codec-bench/target/benchmarks.jar 'SealedRpcBenchmark' -p target="127.0.0.1:$port" $JMH_ARGS \
        -rf json -rff "bench-results/seal-rpc-jmh-run$run.json" | grep -E '^(Benchmark|SealedRpcBenchmark)'
    fi
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    server_pid=
  done
  echo "# load average after: $(uptime | sed 's/.*load average: //')"
}
results_done
