#!/usr/bin/env bash
# Builds the JDK 25+ AOT cache (JEP 483/514/515: classes loaded and linked, method profiles, ahead of
# time) of `codec-cli exec`, from one training run against a throwaway codec:
#   scripts/cli-aot-cache.sh JAVA CLI_JAR SERVER_JAR OUT.aot
#     JAVA        the java (25 or later) that will run codec-cli: the cache only works with the same JVM build
#     CLI_JAR     codec-cli.jar; later runs must use the same file (same path, size and time)
#     SERVER_JAR  codec-server.jar, started on a random loopback port with auth off and a throwaway KEK
#     OUT.aot     the cache to write (replaced)
#   CLI_JVM_FLAGS  extra flags of the later runs (default: docs/exec.md's runner flags,
#                  --sun-misc-unsafe-memory-access=allow -XX:TieredStopAtLevel=1 -XX:+UseSerialGC); training
#                  and use must agree on them
# Use it as:   JAVA $CLI_JVM_FLAGS -XX:AOTCache=OUT.aot -jar CLI_JAR exec ...
# The training run is `codec-cli exec --mode replace` of 100 secrets (scripts/exec-fixture.sh) whose CMD is an
# empty executable file: execve refuses it (ENOEXEC), so the JVM walks the whole replace path (metadata,
# DecryptAll, java.lang.foreign, execve) and then exits normally, which is when the JVM writes the cache; a
# successful execve would never return to write it. See docs/exec.md for runner images.
set -euo pipefail
export LC_ALL=C

fail() { echo "cli-aot-cache: $*" >&2; exit 1; }
[ $# -eq 4 ] || fail "usage: scripts/cli-aot-cache.sh JAVA CLI_JAR SERVER_JAR OUT.aot"
absolute() { (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")"); }
java=$1
[ -x "$java" ] || java=$(command -v "$java") || fail "$1 is not an executable java"
[ -f "$2" ] || fail "$2 not found (build it with mvn package)"
[ -f "$3" ] || fail "$3 not found (build it with mvn package)"
cli_jar=$(absolute "$2")
server_jar=$(absolute "$3")
[ -d "$(dirname "$4")" ] || fail "the directory of $4 does not exist"
out=$(absolute "$4")
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2206
flags=(${CLI_JVM_FLAGS---sun-misc-unsafe-memory-access=allow -XX:TieredStopAtLevel=1 -XX:+UseSerialGC})
"$java" -XX:AOTCacheOutput=/dev/null -version > /dev/null 2>&1 || fail "$java has no AOT cache (JDK 25 or later needed)"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! port_in_use "$candidate"; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port found"

(umask 077 && mkdir "$work/kek" && head -c 32 /dev/urandom | base64 > "$work/kek/1")
# Only these settings: none from the calling shell.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(CODEC|MICRONAUT|GRPC)_' || true)
CODEC_KEK_DIR=$work/kek GRPC_SERVER_PORT=$port CODEC_AUTH_ENABLED=false CODEC_MANAGEMENT_PORT=0 \
  "$java" "${flags[@]}" -jar "$server_jar" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  port_in_use "$port" && break
  kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/server.log" >&2; fail "the server stopped"; }
  sleep 0.1
done
port_in_use "$port" || fail "the server did not listen on $port within 60 s"

"$root/scripts/exec-fixture.sh" "$java" "$cli_jar" "127.0.0.1:$port" "$work/deployment.json" 100
: > "$work/not-a-program" && chmod +x "$work/not-a-program"
rm -f "$out"
set +e
"$java" "${flags[@]}" -XX:AOTCacheOutput="$out" -jar "$cli_jar" exec --mode replace \
  --metadata "$work/deployment.json" --target "127.0.0.1:$port" -- "$work/not-a-program" > "$work/training.log" 2>&1
code=$?
set -e
# 127: execve refused the empty file, as intended; anything else means the training did not take the path
grep -q "cannot replace codec-cli with" "$work/training.log" && [ "$code" = 127 ] \
  || { grep -v '\[aot\]' "$work/training.log" >&2; fail "training run ended with $code"; }
[ -s "$out" ] || { grep -v '\[aot\]' "$work/training.log" >&2; fail "no cache written"; }
echo "cli-aot-cache: wrote $out ($(du -h "$out" | cut -f1)); use: $java ${flags[*]} -XX:AOTCache=$out -jar $cli_jar exec ..."
