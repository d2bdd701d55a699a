# Sourced by the benchmark scripts (scripts/bench.sh, scripts/bench-seal-rpc.sh), from the repository root:
# builds unless SKIP_BUILD=1, makes a work directory removed on exit (and stops $server_pid if it still runs),
# a throwaway KEK in $work/kek/1, and picks a free loopback port into $port (port_in_use PORT tests one).
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q -ntp -Dmaven.test.skip=true package
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/kek" && chmod 700 "$work/kek"
java -jar codec-cli/target/codec-cli.jar keygen --out "$work/kek/1"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! port_in_use "$candidate"; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }

# results_to FILE: from here on, this script's output goes to the terminal and to FILE, and the script's
# steps stay in this shell (not a pipeline's subshell), so the EXIT cleanup sees $server_pid.
# results_done: ends that, once tee has written everything, then prints where the results are.
results_to() {
  results_file=$1
  exec 3>&1 4>&2 > >(tee "$results_file") 2>&1
  tee_pid=$!
}
results_done() {
  exec 1>&3 2>&4 3>&- 4>&-  # tee sees the end of its input
  wait "$tee_pid" || true
  echo "results: $results_file"
}
