# codec-server image: build with Maven on Temurin 17, a jlink runtime with only the modules the jar needs
# (scripts/jlink-runtime.sh, the same script the local test runs), an AppCDS archive from a training run
# (scripts/cds-archive.sh), distroless final stage, UID 65532.
#   docker build -t codec-server .
# Runs with a read-only root filesystem: the only writable path it needs is /tmp (an emptyDir in the chart).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY proto proto
COPY codec-server codec-server
COPY codec-client codec-client
COPY deploy-tests/pom.xml deploy-tests/pom.xml
COPY scripts scripts
RUN mvn -B -ntp -pl codec-server -am -Dmaven.test.skip=true package \
 && scripts/jlink-runtime.sh codec-server/target/codec-server.jar /opt/codec-runtime
# The CDS archive records the jar's path, size and modification time, so the training run uses the jar
# where the final image has it; COPY --from keeps the time. The throwaway KEK of the training run is made
# and deleted inside this one RUN (cds-archive.sh), so it is in no layer; the archive holds class data only.
RUN mkdir /opt/codec \
 && cp -p codec-server/target/codec-server.jar codec-server/jvm.options /opt/codec/ \
 && scripts/cds-archive.sh /opt/codec-runtime/bin/java /opt/codec/codec-server.jar /opt/codec/codec.jsa

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /opt/codec-runtime /opt/java
COPY --from=build /opt/codec/codec-server.jar /opt/codec/jvm.options /opt/codec/codec.jsa /opt/codec/
USER 65532:65532
WORKDIR /tmp
ENV CODEC_KEK_DIR=/var/run/secrets/codec/kek
EXPOSE 50051 8081
# jvm.options holds the JVM flags, each with its reason (the same file the benchmark and the tests use).
# The CDS archive is used with -Xshare:auto, the default: if it does not match this runtime and jar, the JVM
# prints one "[warning][cds...] Unable to use shared archive" line and starts without it (slower, same
# behaviour). A truncated archive file can crash JDK 17 at start; it is written and copied in this build only.
ENTRYPOINT ["/opt/java/bin/java", "@/opt/codec/jvm.options", "-XX:SharedArchiveFile=/opt/codec/codec.jsa", \
            "-jar", "/opt/codec/codec-server.jar"]
