#!/usr/bin/env bash
# Load benchmark of the codec server on this machine (see BENCHMARKS.md).
# Builds, creates a throwaway KEK, builds the server's CDS archive (scripts/cds-archive.sh), measures process
# start to the first successful GenerateDek, then RUNS times: starts the server on a free loopback port with
# the image's JVM flags (codec-server/jvm.options) and the archive, runs the load scenarios (encrypt,
# decrypt-all, burst) through the real CodecClient, prints the server's peak RSS, and stops the server.
# Results go to stdout and to bench-results/load-<time>.txt.
#   RUNS=3 (default)   SKIP_BUILD=1 (reuse the jars)
#   LOAD_ARGS (default "--warmup 30 --duration 10 --concurrency 16 --connections 4 --burst-connections 8"):
#     a 30 s warm-up per phase so that the JIT has settled (the targets are for a warm JVM); callers spread
#     over 4 connections as separate clients would be; see LoadTool's Javadoc
#   SERVER_JVM_FLAGS="..." to try other flags: they replace codec-server/jvm.options (the archive is still
#     trained with jvm.options; the script stops if it cannot be used with these flags)
#   CDS=0 runs without the CDS archive (to compare); CDS=aot with a JDK 25 AOT cache as the image does (put JDK 25's
#     java first in PATH; the server then also gets --sun-misc-unsafe-memory-access=allow, as in the image)
#   SERVER_ENV="NAME=value ..." adds to the server's environment only (to try e.g. MALLOC_ARENA_MAX=2)
#   SCENARIOS="encrypt decrypt-all burst" (default; SCENARIOS= runs none)   STARTUP=0 skips the start-time measurement
#   PROFILE=1 also records a JFR profile of each server run to bench-results/server-run<N>-<time>.jfr
#   SCENARIOS=exec: `codec-cli exec` of 100 secrets against the server, process start to CMD (`true`) done, with
#     hyperfine (Debian's package), RUNS times: --version (baseline), exec --mode child, exec (replace on JDK
#     22+), exec with docs/exec.md's runner flags (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC), exec with the JDK
#     25+ AOT cache (scripts/cli-aot-cache.sh) without and with the runner flags, and BASELINE_CLI_JAR's exec if
#     given (e.g. main's jar, for before/after); then the memory resident while CMD runs, per mode.
#     CLI_JAVA=java (the java running codec-cli; the server runs on `java`)   EXEC_RUNS=10 (hyperfine runs per command)
#   H2LOAD=1 (default when h2load is installed: Debian's nghttp2-client) also loads each server run with h2load,
#     which costs far less client CPU than the Java client: Encrypt (64 B) and DecryptAll(100), with 1 and 16
#     connections, one call in flight per connection, H2LOAD_WARMUP (10) s then H2LOAD_DURATION (10) s' worth of
#     calls each.
#     The request bodies are gRPC frames written by LoadTool h2load-bodies; h2load cannot see a gRPC status (an
#     error is an HTTP 200), so each result checks that the response data equals the calls times the size of
#     a successful response, and prints errors=0 only then.
#   IMAGE=localhost/codec-server:TAG also measures that image's start (podman run --network host, its own
#     ENTRYPOINT and archive) to health SERVING, STARTUP_RUNS (default RUNS) times
set -euo pipefail
cd "$(dirname "$0")/.."

# The container image's flags (codec-server/jvm.options says why each), unless SERVER_JVM_FLAGS replaces them.
if [ -n "${SERVER_JVM_FLAGS:-}" ]; then
  # shellcheck disable=SC2206
  server_flags=($SERVER_JVM_FLAGS)
  flags_note="SERVER_JVM_FLAGS $SERVER_JVM_FLAGS"
else
  server_flags=(@codec-server/jvm.options)
  flags_note="@codec-server/jvm.options = $(sed -e 's/ *#.*//' -e '/^$/d' codec-server/jvm.options | tr '\n' ' ')"
fi
CDS=${CDS:-1}
RUNS=${RUNS:-3}
LOAD_ARGS=${LOAD_ARGS:---warmup 30 --duration 10 --concurrency 16 --connections 4 --burst-connections 8}
SCENARIOS=${SCENARIOS-encrypt decrypt-all burst}
EXEC_SCENARIO=0
if [[ " $SCENARIOS " == *" exec "* ]]; then
  EXEC_SCENARIO=1
  SCENARIOS=$(echo " $SCENARIOS " | sed 's/ exec / /; s/^ *//; s/ *$//')
fi
CLI_JAVA=${CLI_JAVA:-java}
EXEC_RUNS=${EXEC_RUNS:-10}
if [ -z "${H2LOAD:-}" ]; then
  if command -v h2load > /dev/null; then H2LOAD=1; else H2LOAD=0; echo "# no h2load: apt-get install nghttp2-client" >&2; fi
fi
H2LOAD_WARMUP=${H2LOAD_WARMUP:-10}
H2LOAD_DURATION=${H2LOAD_DURATION:-10}
# Extra environment for the server only (e.g. SERVER_ENV="MALLOC_ARENA_MAX=2" to try it; it made no
# measurable difference to peak RSS in BENCHMARKS.md, so the image does not set it).
# shellcheck disable=SC2206
SERVER_ENV=(${SERVER_ENV:-})

# shellcheck source=scripts/bench-setup.sh
source scripts/bench-setup.sh

# Auth off and the management port random: this measures the crypto and transport path, not token checks.
export CODEC_KEK_DIR="$work/kek" GRPC_SERVER_PORT="$port" CODEC_AUTH_ENABLED=false CODEC_MANAGEMENT_PORT=0
mkdir -p bench-results
out="bench-results/load-$(date +%Y%m%dT%H%M%S).txt"
load=(java -cp codec-bench/target/benchmarks.jar dev.codec.bench.LoadTool --target "127.0.0.1:$port")
# The jar by its absolute path: the CDS archive records the path it was trained with.
jar=$PWD/codec-server/target/codec-server.jar
cds_flags=()
archive_note="none (CDS=0)"
if [ "$CDS" = aot ]; then
  scripts/cds-archive.sh "$(command -v java)" "$jar" "$work/codec.aot" >&2
  cds_flags=(-XX:AOTCache="$work/codec.aot")
  java "${server_flags[@]}" "${cds_flags[@]}" -XX:AOTMode=on -cp "$jar" -version > /dev/null 2>&1 \
    || { echo "the AOT cache cannot be used with these flags (set CDS=0): ${server_flags[*]}" >&2; exit 1; }
  archive_note="$(du -h "$work/codec.aot" | cut -f1) AOT cache, scripts/cds-archive.sh trained with codec-server/jvm.options"
elif [ "$CDS" != 0 ]; then
  scripts/cds-archive.sh "$(command -v java)" "$jar" "$work/codec.jsa" >&2
  cds_flags=(-XX:SharedArchiveFile="$work/codec.jsa")
  java "${server_flags[@]}" "${cds_flags[@]}" -Xshare:on -cp "$jar" -version > /dev/null 2>&1 \
    || { echo "the CDS archive cannot be used with these flags (set CDS=0): ${server_flags[*]}" >&2; exit 1; }
  archive_note="$(du -h "$work/codec.jsa" | cut -f1), scripts/cds-archive.sh trained with codec-server/jvm.options"
fi
[ "$CDS" = aot ] && cds_flags+=(--sun-misc-unsafe-memory-access=allow)
server=(env "${SERVER_ENV[@]}" java "${server_flags[@]}" "${cds_flags[@]}" -jar "$jar")

# The exec scenario: its own server, 100 secrets, hyperfine RUNS times; the medians of each round and the
# memory left resident while CMD runs.
exec_scenario() {
  command -v hyperfine > /dev/null || { echo "exec scenario: hyperfine not found (apt-get install hyperfine)"; return 1; }
  local cli_jar=$PWD/codec-cli/target/codec-cli.jar cli_java flags=() target="127.0.0.1:$port"
  cli_java=$(command -v "$CLI_JAVA")
  local feature
  feature=$("$cli_java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
  [ "$feature" -ge 24 ] && flags+=(--sun-misc-unsafe-memory-access=allow)
  "${server[@]}" > "$work/exec-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do port_in_use "$port" && break; sleep 0.1; done
  scripts/exec-fixture.sh "$cli_java" "$cli_jar" "$target" "$work/deployment.json" 100
  # a long deadline: on a starved machine a failed call would end the hyperfine round
  local run_exec=(exec --metadata "$work/deployment.json" --target "$target" --deadline 60s -- true)
  local names=(version exec-child exec-auto) commands=(
    "$cli_java ${flags[*]} -jar $cli_jar --version"
    "$cli_java ${flags[*]} -jar $cli_jar ${run_exec[0]} --mode child ${run_exec[*]:1}"
    "$cli_java ${flags[*]} -jar $cli_jar ${run_exec[*]}")
  # the runner flags docs/exec.md recommends for a one-call JVM (C1 only, serial GC)
  local runner_flags=("${flags[@]}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
  names+=(exec-auto-runner-flags)
  commands+=("$cli_java ${runner_flags[*]} -jar $cli_jar ${run_exec[*]}")
  if [ "$feature" -ge 25 ]; then
    CLI_JVM_FLAGS="${flags[*]}" scripts/cli-aot-cache.sh "$cli_java" "$cli_jar" "$jar" "$work/cli.aot" >&2
    CLI_JVM_FLAGS="${runner_flags[*]}" scripts/cli-aot-cache.sh "$cli_java" "$cli_jar" "$jar" "$work/cli-runner.aot" >&2
    names+=(exec-auto-aot exec-auto-aot-runner-flags)
    commands+=("$cli_java ${flags[*]} -XX:AOTCache=$work/cli.aot -jar $cli_jar ${run_exec[*]}"
      "$cli_java ${runner_flags[*]} -XX:AOTCache=$work/cli-runner.aot -jar $cli_jar ${run_exec[*]}")
  fi
  if [ -n "${BASELINE_CLI_JAR:-}" ]; then
    names+=(exec-baseline-jar)
    commands+=("$cli_java ${flags[*]} -jar $(cd "$(dirname "$BASELINE_CLI_JAR")" && pwd)/$(basename "$BASELINE_CLI_JAR") ${run_exec[*]}")
  fi
  echo "# exec: $cli_java ($feature), 100 secrets + 1 plain, CMD=true, hyperfine -N --warmup 2 --runs $EXEC_RUNS, $RUNS rounds"
  for i in "${!names[@]}"; do echo "#   ${names[$i]}: ${commands[$i]}"; done
  for round in $(seq 1 "$RUNS"); do
    echo "# exec round $round, load average: $(uptime | sed 's/.*load average: //')"
    hyperfine -N --warmup 2 --runs "$EXEC_RUNS" --export-json "$work/exec-$round.json" "${commands[@]}" > /dev/null 2>&1
    python3 - "$work/exec-$round.json" "${names[@]}" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
base = results[0]["median"]
for name, r in zip(sys.argv[2:], results):
    print(f"{name:18} median {r['median'] * 1000:7.0f} ms  ({r['median'] / base:4.2f}x --version)  "
          f"CPU user+sys {(r['user'] + r['system']) * 1000:6.0f} ms")
PY
  done
  # Resident memory while CMD runs: the process codec-cli started as, and its children.
  for mode in child auto; do
    "$cli_java" "${flags[@]}" -jar "$cli_jar" exec --mode "$mode" --metadata "$work/deployment.json" --target "$target" \
      -- sleep 5 &
    local pid=$!
    for _ in $(seq 1 600); do
      [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
      ps -o comm= --ppid "$pid" | grep -qx sleep && break
      sleep 0.1
    done
    local own children
    own=$(ps -o rss= -p "$pid" | tr -d ' ')
    # (ps fails when there is no child, as in replace mode: that is 0, not an error)
    children=$({ ps -o rss= --ppid "$pid" || true; } | awk '{s += $1} END {print s + 0}')
    echo "# exec --mode $mode while CMD runs: PID $pid is $(cat "/proc/$pid/comm") with RSS $((own / 1024)) MiB, its children $((children / 1024)) MiB"
    wait "$pid" || true
  done
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# One h2load run: h2load_run NAME METHOD BODY RESPONSE_BYTES VALUES_PER_CALL CONNECTIONS
# First H2LOAD_WARMUP seconds unmeasured (which also gives the rate), then exactly as many calls as that rate makes
# in H2LOAD_DURATION seconds (-n, not -D: with a fixed count every call's response is in the data bytes, so
# data = calls x the size of a successful response proves that none failed).
h2load_run() {
  local name=$1 method=$2 body=$3 response=$4 values=$5 connections=$6 threads=1 result calls
  [ "$connections" -gt 1 ] && threads=2
  local h2=(h2load -c "$connections" -m 1 -t "$threads" -d "$body" -H 'content-type: application/grpc'
    -H 'te: trailers' "http://127.0.0.1:$port/codec.v1.CodecService/$method")
  result=$("${h2[@]}" -D "$H2LOAD_WARMUP" 2>&1) || { echo "$result" >&2; return 1; }
  calls=$(awk -v d="$H2LOAD_DURATION" -v c="$connections" '/^finished in/ { n = int($4 * d) } END { print (n < 10 * c ? 10 * c : n) }' <<< "$result")
  result=$("${h2[@]}" -n "$calls" 2>&1) || { echo "$result" >&2; return 1; }
  awk -v name="$name" -v response="$response" -v values="$values" -v c="$connections" -v calls="$calls" '
    /^finished in/ { rps = $4 }
    /^requests:/ { ok = $8; failed = $10; errored = $12 }
    /^traffic:/ { data = $(NF - 1); gsub(/[()]/, "", data) }
    /^time for request:/ { mean = $6; sd = $7 }
    END {
      good = (ok == calls && data == calls * response)
      missing = calls - int(data / response)
      errors = good ? 0 : (missing > 0 ? missing : 1)
      printf "scenario=h2load-%s connections=%d calls_per_s=%.0f values_per_s=%.0f mean=%s sd=%s calls=%d ok_calls=%d errors=%d%s\n",
        name, c, rps, rps * values, mean, sd, calls, ok, errors,
        (good ? "" : " (response data " data " bytes, expected " calls " x " response ")")
    }' <<< "$result"
}

h2load_scenarios() {
  local sizes
  sizes=$("${load[@]}" --secrets 100 --value-size 64 --out "$work/h2load" h2load-bodies)
  local encrypt_response decrypt_all_response
  encrypt_response=$(sed -n 's/^body=encrypt .*response_bytes=//p' <<< "$sizes")
  decrypt_all_response=$(sed -n 's/^body=decrypt-all .*response_bytes=//p' <<< "$sizes")
  for connections in 1 16; do
    h2load_run encrypt Encrypt "$work/h2load/encrypt.bin" "$encrypt_response" 1 "$connections"
    h2load_run decrypt-all DecryptAll "$work/h2load/decrypt-all.bin" "$decrypt_all_response" 100 "$connections"
  done
}

results_to "$out"
{
  echo "# $(date -Is) $(nproc) CPUs, $(java -version 2>&1 | head -1)"
  echo "# server JVM flags: $flags_note"
  echo "# server CDS: ${cds_flags[*]:-off}; archive: $archive_note"
  echo "# load average before: $(uptime)"
  echo "# server environment additions: ${SERVER_ENV[*]:-none}"
  echo "# startup: process start to the gRPC port accepting, to health SERVING, to the first successful GenerateDek"
  if [ "${STARTUP:-1}" = 1 ]; then
    "${load[@]}" --startup-runs "$RUNS" startup -- "${server[@]}"
  fi
  if [ "$EXEC_SCENARIO" = 1 ]; then
    exec_scenario
  fi

  if [ -n "${IMAGE:-}" ]; then
    # The image as the chart runs it: read-only root, /tmp as tmpfs, its own ENTRYPOINT, UID 65532; the
    # throwaway KEK mounted readable for that user.
    mkdir -p "$work/image-kek" && cp "$work/kek/1" "$work/image-kek/1" && chmod 755 "$work/image-kek" \
      && chmod 644 "$work/image-kek/1"
    echo "# image $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
    "${load[@]}" --startup-runs "${STARTUP_RUNS:-$RUNS}" startup -- podman run --rm --network host --read-only \
      --tmpfs /tmp:rw,mode=1777 -v "$work/image-kek:/var/run/secrets/codec/kek:ro" -e GRPC_SERVER_PORT="$port" \
      -e CODEC_AUTH_ENABLED=false -e CODEC_MANAGEMENT_PORT=0 "$IMAGE"
  fi

  [ "$H2LOAD" = 1 ] || [ -n "$SCENARIOS" ] || RUNS=0
  for run in $(seq 1 "$RUNS"); do
    jfr=()
    if [ "${PROFILE:-0}" = 1 ]; then
      jfr=("-XX:StartFlightRecording=filename=bench-results/server-run$run-$(date +%H%M%S).jfr,settings=profile,dumponexit=true")
    fi
    env "${SERVER_ENV[@]}" java "${server_flags[@]}" "${cds_flags[@]}" "${jfr[@]}" -jar "$jar" > "$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do port_in_use "$port" && break; sleep 0.1; done
    echo "# run $run, load average: $(uptime)"
    if [ -n "$SCENARIOS" ]; then
      # shellcheck disable=SC2086
      "${load[@]}" --server-pid "$server_pid" --kek-dir "$work/kek" $LOAD_ARGS $SCENARIOS
    fi
    if [ "$H2LOAD" = 1 ]; then
      h2load_scenarios
      echo "# server after the h2load scenarios: $(grep -E '^(VmHWM|VmRSS)' "/proc/$server_pid/status" | tr -s ' \t\n' ' ')"
    fi
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    server_pid=
  done
  echo "# load average after: $(uptime)"
}
results_done
