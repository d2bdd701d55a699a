#!/usr/bin/env bash
# Builds the minimal Java runtime that codec-server.jar needs: jdeps lists the JDK modules the jar uses,
# jlink assembles exactly those (plus the few that jdeps cannot see) into a small runtime image.
# The Dockerfile runs this same script, so the image and the local test share one module list.
#
#   scripts/jlink-runtime.sh [JAR] [OUTPUT_DIR]
#     JAR         default codec-server/target/codec-server.jar (build it with mvn package)
#     OUTPUT_DIR  default codec-server/target/codec-runtime (replaced if it exists)
# Uses the JDK in JAVA_HOME (or the one that `java` belongs to). Prints the module list.
# The runtime includes the JDK's base CDS archive (lib/server/classes*.jsa, --generate-cds-archive): it
# starts faster by itself, and scripts/cds-archive.sh needs it to dump the application's dynamic archive.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${1:-codec-server/target/codec-server.jar}
out=${2:-codec-server/target/codec-runtime}
if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
[ -f "$jar" ] || { echo "jlink-runtime: $jar not found (run mvn package first)" >&2; exit 1; }

feature=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.specification.version = //p')

# Modules jdeps cannot see: loaded as services or by name at run time.
#   jdk.crypto.ec    elliptic-curve TLS (ECDHE, EC certificates) for gRPC TLS/mTLS
#   jdk.unsupported  sun.misc.Signal (SIGTERM handling) and sun.misc.Unsafe (Netty, protobuf, Caffeine)
#   jdk.naming.dns   DNS lookups through JNDI used by some resolvers
#   jdk.zipfs        the zip file system Micronaut reads its bean index from inside the jar with
extra=jdk.crypto.ec,jdk.unsupported,jdk.naming.dns,jdk.zipfs

modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps -q \
  --multi-release "$feature" "$jar")
# Modules jdeps lists that the server never loads a class of:
#   java.desktop  jdeps sees java.beans in code paths the server does not take: Jackson's Java 7 support (loaded
#                 in a try/catch), SnakeYAML's JavaBean introspection (Micronaut reads YAML into maps), Micrometer's
#                 Log4j2 binder (no Log4j), Micronaut's router (routes built and served without it). 9 MB of
#                 lib/modules. A class that needs it would fail with NoClassDefFoundError; the server on this
#                 runtime serves gRPC, /health and /metrics, TLS and mTLS (JlinkRuntimeTest, PodExecutionTest).
unused=java.desktop
modules=$(tr ',' '\n' <<< "$modules" | grep -vxF "$unused" | paste -sd, -)
modules="$modules,$extra"
echo "jlink-runtime: modules $modules"

# zip-6 (JDK 21+; 2 before): lib/modules 28 MB against 62 MB uncompressed; zip-9 saves only 0.05 MB more.
if [ "$feature" -ge 21 ]; then compress=zip-6; else compress=2; fi
rm -rf "$out"
# --generate-cds-archive: base CDS archives of the JDK classes, with and without compressed oops
# (about 22 MB more on JDK 17, 29 MB on JDK 25); the one without is removed below.
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$out" \
  --generate-cds-archive --strip-debug --no-man-pages --no-header-files --compress="$compress"
# The base archive for heaps without compressed oops is never used: jvm.options caps the heap at 96m, and any
# heap under 32 GB uses compressed oops (15 MB less in the image).
rm -f "$out"/lib/server/classes_nocoops*.jsa
# The launchers other than java (keytool, jfr, jrunscript, jwebserver, rmiregistry, ... per module): the image
# runs bin/java only. (jlink's --strip-native-commands would remove bin/java too.)
find "$out/bin" -type f ! -name java -delete
# libjvm.so without its symbol table (30 MB -> 25 MB): the JVM does not need it to run, and the base CDS archive
# above stays valid (it checks the JVM's version string, not the file). The trade-off: native JVM frames in a
# crash log (hs_err) show as addresses (libjvm.so+0x...) rather than function names; they can be resolved
# offline against the same Temurin build's libjvm.so. Java frames are unaffected. Skipped, with a note, where
# binutils' strip is missing (the image's build stage has it).
if command -v strip > /dev/null; then
  strip --strip-unneeded "$out/lib/server/libjvm.so"
else
  echo "jlink-runtime: no strip, libjvm.so keeps its symbols" >&2
fi
echo "jlink-runtime: $(du -sh "$out" | cut -f1) runtime in $out"
