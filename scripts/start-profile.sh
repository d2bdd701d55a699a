#!/usr/bin/env bash
# Where the server's start goes: RUNS (3) starts of codec-server.jar with a JDK 25 AOT cache, as the image runs it,
# each under async-profiler (wall clock, 1 ms, per thread) from the JVM's first instruction to the "codec serving"
# log line; prints the time to that line and, per run, the share of the main thread's samples in each phase.
#   scripts/start-profile.sh /path/to/libasyncProfiler.so
#     async-profiler is on Maven Central (tools.profiler:async-profiler, the jar holds linux-x64/libasyncProfiler.so)
#   JAVA (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)   RUNS=3   SKIP_BUILD=1 reuses the jars
# Uses a throwaway KEK and a throwaway AOT cache (scripts/cds-archive.sh) in a temporary directory, auth off,
# ports chosen by the kernel; everything is removed at exit. BENCHMARKS.md, "Server start: where the time goes".
set -euo pipefail
cd "$(dirname "$0")/.."
profiler=${1:?usage: scripts/start-profile.sh /path/to/libasyncProfiler.so}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
RUNS=${RUNS:-3}
[ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -q -ntp -Dmaven.test.skip=true package

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -m 700 "$work/kek"
head -c 32 /dev/urandom | base64 > "$work/kek/1"
chmod 600 "$work/kek/1"
cp codec-server/target/codec-server.jar "$work/codec-server.jar"
scripts/cds-archive.sh "$JAVA" "$work/codec-server.jar" "$work/codec.aot" > "$work/aot.log" 2>&1 \
  || { cat "$work/aot.log" >&2; exit 1; }

echo "# $(date -u +%FT%TZ) $("$JAVA" -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
  profile=$work/profile-$run.txt
  : > "$work/server.log"
  start=$(date +%s%N)
  CODEC_KEK_DIR=$work/kek CODEC_AUTH_ENABLED=false GRPC_SERVER_PORT=0 CODEC_MANAGEMENT_PORT=0 \
    "$JAVA" @codec-server/jvm.options --sun-misc-unsafe-memory-access=allow -XX:AOTCache="$work/codec.aot" \
    -agentpath:"$profiler"=start,event=wall,interval=1ms,threads,collapsed,file="$profile" \
    -jar "$work/codec-server.jar" >> "$work/server.log" 2>&1 &
  server_pid=$!
  deadline=$((start + 60000000000)) # 60 s
  until grep -q 'codec serving' "$work/server.log"; do
    kill -0 "$server_pid" 2> /dev/null || { cat "$work/server.log" >&2; exit 1; }
    [ "$(date +%s%N)" -lt "$deadline" ] || { echo "no 'codec serving' within 60 s" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.01
  done
  serving_ms=$((($(date +%s%N) - start) / 1000000))
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=
  echo "run $run: start to 'codec serving' ${serving_ms} ms (profiled)"
  # The main thread's stacks until it waits for the end (Application.awaitExit), one phase per stack.
  grep '^\[main tid' "$profile" | grep -v 'Application.awaitExit' | awk -v run="$run" '
    { n = $NF; total += n; phase = "other"
      if ($0 ~ /LauncherHelper/) phase = "launcher: open the jar, load the main class"
      else if ($0 ~ /ZipFileSystem/) phase = "Micronaut service scan: the jar opened as a zip file system"
      else if ($0 ~ /resolveBeanDefinitionReferences/) phase = "Micronaut: load the bean definition references"
      else if ($0 ~ /Micronaut.<init>|Micronaut.<clinit>/) phase = "Micronaut: other set-up"
      else if ($0 ~ /readPropertySources/) phase = "configuration: read property sources"
      else if ($0 ~ /ExecutorServiceMetricsBinder|MeterRegistry|micrometer/) phase = "metrics: registries and binders"
      else if ($0 ~ /NettyServer.start|ServerImpl.start/) phase = "gRPC server: bind"
      else if ($0 ~ /ManagementServer/) phase = "management server"
      else if ($0 ~ /GrpcServerConfiguration|GrpcEmbeddedServer|GrpcServerBuilder/) phase = "gRPC server: beans"
      else if ($0 ~ /KekRing|KekReloader|CurrentKekRing/) phase = "KEK ring: load and self-test"
      else if ($0 ~ /micronaut/) phase = "Micronaut: other beans"
      share[phase] += n }
    END { for (p in share) printf "  %5.1f %%  %s\n", 100 * share[p] / total, p
          printf "  (%d samples of 1 ms on the main thread)\n", total }' | sort -rn
done
