#!/usr/bin/env bash
# Builds the codec and runs the server locally with a generated development KEK: no cluster needed.
# The KEK is created once in .codec-dev/kek/1 (mode 0600, git-ignored) and reused on later runs.
# Extra arguments and environment (e.g. GRPC_SERVER_PORT=50052) are passed to the server.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -ntp -Dmaven.test.skip=true package

kek_dir=.codec-dev/kek
if [ ! -f "$kek_dir/1" ]; then
  mkdir -p "$kek_dir"
  chmod 700 .codec-dev "$kek_dir"
  java -jar codec-cli/target/codec-cli.jar keygen --out "$kek_dir/1"
fi

export CODEC_KEK_DIR="$PWD/$kek_dir"
# Local development only: no caller tokens. The server logs a loud warning about it.
export CODEC_AUTH_ENABLED="${CODEC_AUTH_ENABLED:-false}"
exec java -jar codec-server/target/codec-server.jar "$@"
