# Flink 2.2.1 with ONNX Runtime (CPU) in lib/. From lib/ the parent class loader loads ONNX Runtime
# and its native library once per JVM, however many jobs come and go, so the jar to submit is the
# one without ONNX Runtime (fusion-job-*-flink-job-lib-ort.jar). Used by docker-compose.yml for
# the JobManager and the submitting client, and as the base of kubernetes/fusion-job.Dockerfile.
# Keep ORT_VERSION equal to the build's onnxruntime.version (DockerComposeTest checks it).
ARG FLINK_IMAGE=flink:2.2.1-java17

# Maven's own client fetches the jar, so the version is all this file names.
FROM maven:3.9-eclipse-temurin-17 AS onnxruntime
ARG ORT_ARTIFACT=onnxruntime
ARG ORT_VERSION=1.28.0
RUN mvn -B -q dependency:copy -Dartifact=com.microsoft.onnxruntime:${ORT_ARTIFACT}:${ORT_VERSION} \
        -DoutputDirectory=/onnxruntime

FROM ${FLINK_IMAGE}
COPY --from=onnxruntime --chown=flink:flink /onnxruntime/ /opt/flink/lib/
# A new named volume takes the owner of the directory it is mounted on: flink, not root.
USER root
RUN mkdir -p /flink-data && chown flink:flink /flink-data
USER flink
# ONNX Runtime 1.29 crashes the JVM at start on long command lines without it (PLATFORM.md).
ENV ORT_DISABLE_TELEMETRY=1
