#!/usr/bin/env bash
# Writes the deployment metadata of a throwaway project with N secret variables (and one plain one), made
# by a running codec through codec-cli, as a control API would: generate-dek, encrypt, seal, grant.
#   scripts/exec-fixture.sh JAVA CLI_JAR TARGET OUT.json [N=100]
# TARGET is host:port of a codec with auth off (as scripts/bench.sh and scripts/cli-aot-cache.sh start it).
# The values are random, of the length of a typical API key (40 characters). Used by the exec benchmark
# (scripts/bench.sh, SCENARIOS=exec) and the CLI's AOT cache training (scripts/cli-aot-cache.sh).
set -euo pipefail
export LC_ALL=C
fail() { echo "exec-fixture: $*" >&2; exit 1; }
[ $# -ge 4 ] && [ $# -le 5 ] || fail "usage: scripts/exec-fixture.sh JAVA CLI_JAR TARGET OUT.json [N]"
java=$1 jar=$2 target=$3 out=$4 count=${5:-100}
[ -f "$jar" ] || fail "$jar not found (build it with mvn package)"
cli() { env -u CODEC_TOKEN_FILE "$java" -jar "$jar" "$@" --target "$target" 2>/dev/null; }

project=exec-fixture
deployment=dep-fixture
dek=$(cli generate-dek --project "$project" --field encrypted_dek) || fail "generate-dek failed at $target"
variables=$(for i in $(seq 1 "$count"); do
  printf 'SECRET_%03d=%s\n' "$i" "$(head -c 30 /dev/urandom | base64 | tr '+/' '-_')"
done | cli encrypt --project "$project" --dek "$dek" --stdin) || fail "encrypt failed"
# one plain variable next to the secrets, as a real revision has
variables=$(printf '%s' "$variables" | sed 's/}$/,"LOG_LEVEL":{"type":"plain","value":"info"}}/')
printf '%s' "$variables" > "$out.variables"
seal=$(cli seal --project "$project" --dek "$dek" --file "$out.variables" --field seal) || fail "seal failed"
rm -f "$out.variables"
grant=$(cli grant --project "$project" --deployment "$deployment" --dek "$dek" --seal "$seal" --ttl 24h --field grant) \
  || fail "grant failed"
printf '{"projectId":"%s","deploymentId":"%s","encryptedDEK":"%s","grant":"%s","seal":"%s","environmentVariables":%s}\n' \
  "$project" "$deployment" "$dek" "$grant" "$seal" "$variables" > "$out"
