#!/usr/bin/env bash
# Runs buf (https://buf.build) on the codec.v1 contract, installing it on demand from the npm registry into .tools/
# (git-ignored). The google.rpc protos the contract imports are taken from the proto-google-common-protos jar that
# the Maven build already downloaded (no Buf Schema Registry needed), so run a Maven build first.
#   scripts/buf.sh lint        buf lint, DEFAULT rules (buf.yaml)
#   scripts/buf.sh breaking    buf breaking (FILE rules) against the released contract in proto/buf-baseline/
#                              (docs/contract.md says when that baseline moves)
#   scripts/buf.sh <args>      any other buf command, in the repository root
set -euo pipefail
cd "$(dirname "$0")/.."
BUF_VERSION=${BUF_VERSION:-1.75.0}
tools=.tools/buf-$BUF_VERSION
buf=$tools/node_modules/.bin/buf
if [ ! -x "$buf" ]; then
  command -v npm > /dev/null || { echo "scripts/buf.sh: npm is needed to install buf (@bufbuild/buf)" >&2; exit 1; }
  echo "== installing buf $BUF_VERSION (npm @bufbuild/buf) into $tools" >&2
  npm install --silent --no-audit --no-fund --prefix "$tools" "@bufbuild/buf@$BUF_VERSION" >&2
fi

# google/rpc/*.proto from the jar on the build's classpath (grpc-protobuf -> proto-google-common-protos).
deps=.tools/proto-deps
if [ ! -f "$deps/google/rpc/status.proto" ]; then
  jar=$(ls "${M2_REPO:-$HOME/.m2/repository}"/com/google/api/grpc/proto-google-common-protos/*/proto-google-common-protos-*.jar \
        2>/dev/null | grep -v sources | sort -V | tail -1 || true)
  [ -n "$jar" ] || { echo "scripts/buf.sh: proto-google-common-protos not in ~/.m2: run the Maven build first" >&2; exit 1; }
  mkdir -p "$deps"
  unzip -q -o "$jar" 'google/rpc/*.proto' -d "$deps"
fi

case "${1:-}" in
  lint)
    shift
    exec "$buf" lint "$@" ;;
  breaking)
    shift
    # Both sides as images of codec/ only (the google.rpc imports resolved, then left out of the comparison):
    # the baseline with its imports as a throw-away workspace, the current contract from buf.yaml's workspace.
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/baseline" "$work/deps"
    cp -R proto/buf-baseline/codec "$work/baseline/"
    cp -R "$deps/google" "$work/deps/"
    printf 'version: v2\nmodules:\n  - path: baseline\n  - path: deps\n' > "$work/buf.yaml"
    "$buf" build "$work" --path "$work/baseline/codec" -o "$work/baseline.binpb"
    "$buf" build --path proto/src/main/proto/codec -o "$work/current.binpb"
    "$buf" breaking "$work/current.binpb" --against "$work/baseline.binpb" --exclude-imports \
      --config '{"version":"v2","breaking":{"use":["FILE"]}}' "$@" ;;
  *)
    exec "$buf" "$@" ;;
esac
