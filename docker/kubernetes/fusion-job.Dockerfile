# The application image for the Flink Kubernetes Operator: a Flink image with ONNX Runtime in
# lib/ (BASE, built from ../flink-onnxruntime.Dockerfile, or ../taskmanager-gpu.Dockerfile for
# GPUs) plus the job jar without ONNX Runtime in usrlib/, where job.jarURI points. Build it from
# the repository root (README.md in the parent folder).
ARG BASE=fusion-flink:2.2.1-ort1.28.0
FROM ${BASE}
COPY --chown=flink:flink jobs/job/target/fusion-job-0.1.0-SNAPSHOT-flink-job-lib-ort.jar /opt/flink/usrlib/fusion-job.jar
