#!/usr/bin/env bash
# Builds the codec-server image from the Dockerfile with podman, offline:
#   scripts/image-build.sh [TAG]        TAG default localhost/codec-server:dev
# --pull=never: the base images must be present (scripts/image-standins.sh builds local stand-ins here);
# --network none: the build uses no network; the local Maven repository (~/.m2, warm from a normal
# `mvn verify`) is mounted as an overlay, so the build reads it and its writes are thrown away.
# Prints the image id and size. Set CODEC_IMAGE_BUILD_LOG to keep the build output in a file.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-localhost/codec-server:dev}
m2=${CODEC_M2:-$HOME/.m2}
[ -d "$m2/repository" ] || { echo "image-build: $m2/repository not found: run mvn verify first" >&2; exit 1; }
log=${CODEC_IMAGE_BUILD_LOG:-$(mktemp)}
start=$(date +%s)
if ! podman build --pull=never --network none -v "$m2:/root/.m2:O" -t "$tag" . > "$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "image-build: podman build failed (full output: $log)" >&2
  exit 1
fi
echo "image-build: $tag $(podman image inspect --format '{{.Id}} {{.Size}}' "$tag") bytes in $(( $(date +%s) - start ))s"
[ -n "${CODEC_IMAGE_BUILD_LOG:-}" ] || rm -f "$log"
