#!/usr/bin/env bash
# Builds the start-up archive of codec-server (the classes it loads, parsed, verified and, for an AOT cache,
# linked ahead of time, so the next starts skip that work) with one training run:
#   scripts/cds-archive.sh JAVA JAR OUT.jsa|OUT.aot
#     JAVA  the java that will run the server (a jlink runtime from scripts/jlink-runtime.sh, or a JDK)
#     JAR   codec-server.jar; the archive records its absolute path, size and time: later starts must
#           use the same file at the same path, or the JVM ignores the archive (one warning line)
#     OUT   the archive to write (replaced); its extension says which kind:
#           .jsa  a dynamic AppCDS archive (-XX:ArchiveClassesAtExit, any JDK from 13) on top of the runtime's
#                 base CDS archive (the JDK's own, or jlink --generate-cds-archive), which JAVA must have;
#                 use it with -XX:SharedArchiveFile=OUT
#           .aot  a JDK 25 AOT cache (JEP 483/514/515: -XX:AOTCacheOutput): JDK and application classes loaded
#                 and linked, plus method profiles, in one file that needs no base archive; use it with
#                 -XX:AOTCache=OUT. The image uses this (docs/deploy.md, "Numbers": it starts the server in about
#                 half the time of the dynamic archive)
# The training run starts the server with codec-server/jvm.options and -XX:ArchiveClassesAtExit=OUT on a
# random loopback port, with a throwaway KEK and one throwaway caller, both in a temporary directory that is
# removed whatever happens. Once it serves, it makes real gRPC calls with curl (health, GenerateDek,
# Encrypt, DecryptAll) and reads /health and /metrics, so the request path is archived too; then SIGTERM,
# the JVM writes OUT as it exits. Use it with the same flags:
#   JAVA @codec-server/jvm.options -XX:SharedArchiveFile=OUT.jsa -jar JAR   (or -XX:AOTCache=OUT.aot)
# Needs bash and curl with HTTP/2. Any failure stops the script with a message and a non-zero status.
# CDS_TRAINING_KEK=FILE trains with that KEK file instead of a fresh random one: JlinkRuntimeTest passes a known
# KEK and checks that the archive holds none of it.
set -euo pipefail
export LC_ALL=C

fail() { echo "cds-archive: $*" >&2; exit 1; }
[ $# -eq 3 ] || fail "usage: scripts/cds-archive.sh JAVA JAR OUT.jsa|OUT.aot"
absolute() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
java=$1
[ -x "$java" ] || java=$(command -v "$java") || fail "$1 is not an executable java"
[ -f "$2" ] || fail "$2 not found (build it with mvn package)"
jar=$(absolute "$2")
[ -d "$(dirname "$3")" ] || fail "the directory of $3 does not exist"
out=$(absolute "$3")
root=$(cd "$(dirname "$0")/.." && pwd)
options=$root/codec-server/jvm.options
[ -f "$options" ] || fail "$options not found"
curl --version | grep -qw HTTP2 || fail "curl with HTTP/2 is needed for the training calls"
case $out in
  *.jsa)
    "$java" -Xshare:on -version > /dev/null 2>&1 \
      || fail "$java has no usable base CDS archive (build the runtime with scripts/jlink-runtime.sh)"
    # Written as the JVM exits.
    archive_flags=(-XX:ArchiveClassesAtExit="$out");;
  *.aot)
    feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [ "${feature:-0}" -ge 25 ] || fail "an AOT cache (.aot) needs JDK 25 or later; $java is ${feature:-unknown}"
    # Recorded during the run; at exit the JVM starts one more JVM with the same flags that assembles the cache.
    # That assembly needs more class space than jvm.options' metaspace cap (80m) allows ("Unable to allocate from
    # 'ro' region"), so the training run lifts the cap; the server then runs with the cap and the cache.
    archive_flags=(-XX:MaxMetaspaceSize=256m -XX:AOTCacheOutput="$out");;
  *) fail "$3: the archive's name must end in .jsa (dynamic CDS) or .aot (JDK 25 AOT cache)";;
esac

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -9 "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
log=$work/server.log
# The end of the server's log without the JVM's per-class CDS warnings.
server_failed() { echo "cds-archive: server log:" >&2; grep -v '\]\[\(cds\|aot\)' "$log" | tail -n 40 >&2 || true; fail "$*"; }

# Throwaway KEK (KekRingLoader's format: a file named by its version, base64 of 32 bytes) and caller.
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
(
  umask 077
  mkdir "$work/kek" "$work/callers"
  if [ -n "${CDS_TRAINING_KEK:-}" ]; then
    cp "$CDS_TRAINING_KEK" "$work/kek/1" # a test's known KEK, to check that the archive does not hold it
  else
    head -c 32 /dev/urandom | base64 > "$work/kek/1"
  fi
  printf '%s\n' "$token" > "$work/callers/trainer"
)
printf 'codec:\n  auth:\n    callers:\n      trainer:\n        permissions: [encrypt, decrypt]\n' > "$work/codec.yaml"

# Only the settings below: none from the calling shell (CODEC_KEK, CODEC_AUTH_ENABLED, ...).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(CODEC|MICRONAUT|GRPC)_' || true)
rm -f "$out"
# Reloads every second, so the KEK and token reload paths run during the training too.
CODEC_KEK_DIR=$work/kek CODEC_AUTH_TOKENS_DIR=$work/callers MICRONAUT_CONFIG_FILES=$work/codec.yaml \
CODEC_KEK_RELOAD_INTERVAL=1s CODEC_AUTH_RELOAD_INTERVAL=1s GRPC_SERVER_PORT=0 CODEC_MANAGEMENT_PORT=0 \
  "$java" "@$options" "${archive_flags[@]}" -jar "$jar" > "$log" 2>&1 &
server_pid=$!

# Serving: Application logs this line after the KEK load, the self-test and both servers' start.
serving=
for _ in $(seq 1 1200); do
  serving=$(grep -m1 -o 'codec serving gRPC on :[0-9]*, management on :[0-9]*.*' "$log" || true)
  [ -n "$serving" ] && break
  kill -0 "$server_pid" 2>/dev/null || server_failed "the server exited before serving"
  sleep 0.1
done
[ -n "$serving" ] || server_failed "the server did not serve within 2 minutes"
case $serving in *"NOT SERVING"*) server_failed "the server started NOT SERVING";; esac
port=$(sed 's/^codec serving gRPC on :\([0-9]*\),.*/\1/' <<< "$serving")
management=$(sed 's/.*management on :\([0-9]*\).*/\1/' <<< "$serving")
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || server_failed "gRPC port $port does not accept connections"

# A protobuf length-delimited field (FIELD, VALUE shorter than 128 bytes) and a gRPC message frame.
pb() {
  [ ${#2} -lt 128 ] || fail "training message field too long"
  printf "\\x$(printf %02x $(($1 << 3 | 2)))\\x$(printf %02x ${#2})%s" "$2"
}
frame() {
  [ ${#1} -lt 256 ] || fail "training message too long"
  printf "\\0\\0\\0\\0\\x$(printf %02x ${#1})%s" "$1" > "$work/request"
}
# grpc METHOD: sends $work/request, the response message lands in $work/response; fails unless status OK.
grpc() {
  curl -sS --http2-prior-knowledge --max-time 30 -H 'content-type: application/grpc' -H 'te: trailers' \
    -H "authorization: Bearer $token" --data-binary "@$work/request" -D "$work/headers" -o "$work/response" \
    "http://127.0.0.1:$port/$1" || server_failed "$1: curl failed"
  tr -d '\r' < "$work/headers" | grep -qx 'grpc-status: 0' \
    || server_failed "$1 failed: $(tr -d '\r' < "$work/headers" | grep '^grpc-' | tr '\n' ' ')"
}

frame ""
grpc grpc.health.v1.Health/Check
[ "$(od -An -tx1 "$work/response" | tr -d ' \n')" = 00000000020801 ] || server_failed "health is not SERVING"

project=cds-training
frame "$(pb 1 "$project")"
grpc codec.v1.CodecService/GenerateDek
dek=$(grep -ao 'dek1:k1:[A-Za-z0-9+/=]*' "$work/response") || server_failed "GenerateDek returned no wrapped DEK"

frame "$(pb 1 "$project")$(pb 2 "$dek")$(pb 3 "$(pb 1 TRAINING_SECRET)$(pb 2 training-value)")"
grpc codec.v1.CodecService/Encrypt
encrypted=$(grep -ao 'enc2:[A-Za-z0-9+/=]*' "$work/response") || server_failed "Encrypt returned no ciphertext"

# DecryptAll: one SECRET (kind 2) and one PLAIN (kind 1) variable, each a map entry (name, Variable).
secret=$(pb 1 TRAINING_SECRET)$(pb 2 "$(printf '\x08\x02')$(pb 2 "$encrypted")")
plain=$(pb 1 TRAINING_PLAIN)$(pb 2 "$(printf '\x08\x01')$(pb 2 plain-value)")
frame "$(pb 1 "$project")$(pb 2 training-run)$(pb 3 "$dek")$(pb 4 "$secret")$(pb 4 "$plain")"
grpc codec.v1.CodecService/DecryptAll
grep -aq training-value "$work/response" && grep -aq plain-value "$work/response" \
  || server_failed "DecryptAll did not return the values"

curl -sSf --max-time 30 -o /dev/null "http://127.0.0.1:$management/health" || server_failed "GET /health failed"
curl -sSf --max-time 30 -o /dev/null "http://127.0.0.1:$management/metrics" || server_failed "GET /metrics failed"
sleep 2 # two reloads of the KEK and tokens, and what loads just after the first calls

kill -TERM "$server_pid"
status=0
for _ in $(seq 1 1200); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && server_failed "the server did not exit within 2 minutes of SIGTERM"
wait "$server_pid" || status=$?
server_pid=
[ "$status" -eq 0 ] || server_failed "the server exited with status $status after SIGTERM"
[ -s "$out" ] || server_failed "no archive was written to $out"
rm -f "$out.config" # the AOT training's intermediate file, if the JVM left it
chmod 444 "$out" # readable by the image's non-root user whatever the umask
echo "cds-archive: $(du -h "$out" | cut -f1) archive $out for $jar ($("$java" -version 2>&1 | head -1))"
