# A Flink 2.2.1 TaskManager that ONNX Runtime's CUDA provider can use: onnxruntime_gpu in lib/
# (loaded once per JVM; submit the jar without ONNX Runtime, fusion-job-*-flink-job-lib-ort.jar),
# CUDA 12 runtime libraries and cuDNN 9 from NVIDIA's repository for the official Flink image's
# Ubuntu 24.04. The NVIDIA container toolkit on the host provides the driver.
# Keep ORT_VERSION equal to the build's onnxruntime.version (DockerComposeTest checks it).
ARG FLINK_IMAGE=flink:2.2.1-java17

# Maven's own client fetches the jar (about 640 MB), so the version is all this file names.
FROM maven:3.9-eclipse-temurin-17 AS onnxruntime
ARG ORT_ARTIFACT=onnxruntime_gpu
ARG ORT_VERSION=1.28.0
RUN mvn -B -q dependency:copy -Dartifact=com.microsoft.onnxruntime:${ORT_ARTIFACT}:${ORT_VERSION} \
        -DoutputDirectory=/onnxruntime

FROM ${FLINK_IMAGE}
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates wget gnupg \
    && wget -q https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/x86_64/cuda-keyring_1.1-1_all.deb \
    && dpkg -i cuda-keyring_1.1-1_all.deb && rm cuda-keyring_1.1-1_all.deb \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        cuda-cudart-12-9 libcublas-12-9 libcurand-12-9 libcufft-12-9 libcudnn9-cuda-12 \
    && rm -rf /var/lib/apt/lists/*
# A new named volume takes the owner of the directory it is mounted on: flink, not root.
RUN mkdir -p /flink-data && chown flink:flink /flink-data
USER flink
COPY --from=onnxruntime --chown=flink:flink /onnxruntime/ /opt/flink/lib/
ENV LD_LIBRARY_PATH=/usr/local/cuda-12.9/lib64:${LD_LIBRARY_PATH}
# ONNX Runtime 1.29 crashes the JVM at start on long command lines without it (PLATFORM.md).
ENV ORT_DISABLE_TELEMETRY=1
