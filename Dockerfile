# codec-server image: build with Maven on Temurin 17, a jlink runtime with only the modules the jar needs
# (scripts/jlink-runtime.sh, the same script the local test runs), distroless final stage, UID 65532.
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

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /opt/codec-runtime /opt/java
COPY --from=build /src/codec-server/target/codec-server.jar /opt/codec/codec-server.jar
USER 65532:65532
WORKDIR /tmp
ENV CODEC_KEK_DIR=/var/run/secrets/codec/kek
EXPOSE 50051 8081
# MaxRAMPercentage: heap sized from the container memory limit, leaving room for Netty's direct buffers.
# SerialGC: one or two CPUs per pod, small heap: the lowest overhead collector. -UsePerfData: no
# /tmp/hsperfdata file. ExitOnOutOfMemoryError: let Kubernetes restart a broken JVM.
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=70", "-XX:+UseSerialGC", "-XX:-UsePerfData", \
            "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/opt/codec/codec-server.jar"]
