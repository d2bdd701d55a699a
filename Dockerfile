# codec-server image: build with Maven on Temurin 25 (the code is Java 17 bytecode), a jlink runtime with only
# the modules the jar needs (scripts/jlink-runtime.sh, the same script the local test runs), a JDK 25 AOT cache
# from a training run (scripts/cds-archive.sh), distroless final stage, UID 65532, the SBOM at
# /opt/codec/sbom.json (CycloneDX, written by the Maven build).
#   docker build -t codec-server .
# The build needs no network once Maven has its artifacts: scripts/image-build.sh builds it with
# `--network none` and the local Maven repository as an overlay. .dockerignore keeps the context to what is
# copied below (no .codec-dev/ development keys, no target/).
# Runs with a read-only root filesystem: the only writable path it needs is /tmp (an emptyDir in the chart).
# Temurin rather than a distribution JDK: its runtime links libstdc++ and zlib statically, so the jlink image
# runs on distroless base-nossl (glibc, CA certificates, tzdata; no OpenSSL: Java's TLS is its own, and no
# library of the runtime links or loads libssl). Temurin 25: start time measured in docs/deploy.md.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
# Every module's pom (Maven reads the whole reactor); sources only for what the server is built from.
COPY pom.xml ./
COPY codec-client/pom.xml codec-client/pom.xml
COPY codec-client-json/pom.xml codec-client-json/pom.xml
COPY codec-cli/pom.xml codec-cli/pom.xml
COPY codec-bom/pom.xml codec-bom/pom.xml
COPY codec-bench/pom.xml codec-bench/pom.xml
COPY deploy-tests/pom.xml deploy-tests/pom.xml
COPY proto proto
COPY codec-server codec-server
COPY scripts/jlink-runtime.sh scripts/cds-archive.sh scripts/
RUN mvn -B -ntp -pl codec-server -am -Dmaven.test.skip=true package \
 && scripts/jlink-runtime.sh codec-server/target/codec-server.jar /opt/codec-runtime
# The AOT cache (JEP 483/514/515) records the jar's path, size and modification time, so the training run uses
# the jar where the final image has it; COPY --from keeps the time. The throwaway KEK of the training run is
# made and deleted inside this one RUN (cds-archive.sh), so it is in no layer; the cache holds class data and
# method profiles only. The cache holds the JDK's classes too, so the runtime's base CDS archive (14 MB) is
# not needed and is removed.
RUN mkdir /opt/codec \
 && cp -p codec-server/target/codec-server.jar codec-server/jvm.options /opt/codec/ \
 && cp codec-server/target/codec-server-sbom.json /opt/codec/sbom.json \
 && scripts/cds-archive.sh /opt/codec-runtime/bin/java /opt/codec/codec-server.jar /opt/codec/codec.aot \
 && rm /opt/codec-runtime/lib/server/classes.jsa

FROM gcr.io/distroless/base-nossl-debian12:nonroot
COPY --from=build /opt/codec-runtime /opt/java
COPY --from=build /opt/codec/codec-server.jar /opt/codec/jvm.options /opt/codec/codec.aot /opt/codec/sbom.json /opt/codec/
USER 65532:65532
WORKDIR /tmp
ENV CODEC_KEK_DIR=/var/run/secrets/codec/kek
EXPOSE 50051 8081
# jvm.options holds the JVM flags, each with its reason (the same file the benchmark and the tests use).
# The AOT cache is used with -XX:AOTMode=auto, the default: if it does not match this runtime and jar, the JVM
# prints a few "[aot]" warning/error lines ("Unable to map shared spaces") and starts without it (slower, same
# behaviour; ImageTest fails on any such line). A truncated cache file can
# crash the JVM at start; it is written and copied in this build only.
# --sun-misc-unsafe-memory-access=allow: protobuf-java 3.x reads arrays through sun.misc.Unsafe; since JDK 24 the
# first such call prints four "WARNING:" lines to stderr (JEP 498), which breaks one-JSON-object-per-line logs.
# The flag keeps the JDK 23 behaviour (allowed, silent). JDK 17 does not know it: it is here, not in jvm.options.
ENTRYPOINT ["/opt/java/bin/java", "@/opt/codec/jvm.options", "--sun-misc-unsafe-memory-access=allow", \
            "-XX:AOTCache=/opt/codec/codec.aot", "-jar", "/opt/codec/codec-server.jar"]
