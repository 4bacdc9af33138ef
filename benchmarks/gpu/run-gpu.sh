#!/usr/bin/env bash
# On the GPU machine, after receive.sh has unpacked the bundle: checks its libraries with the
# real driver, probes the job's models on CUDA (and against the CPU), then measures on CUDA and on
# the CPU, side by side: the model-only ceiling (JMH: the chain at batch 1, 64 and 1024, the
# bundled and the large models, two calling threads as in the job) and the large preset through
# the whole pipeline (./fusion bench's preset-large run). Sized for one 10-minute device call;
# --quick is a smaller pipeline run. Writes to $OUT: gpu-run.log, models.csv, pipeline-cuda.md,
# pipeline-cpu.md and results.tgz (every file the benchmark wrote, job logs included).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
home="${FUSION_GPU_HOME:-$HOME/fusion-gpu}"
bundle="$home/fusion-gpu"
out="${OUT:-$home/out}"
results="$home/results"
events=300000
batch1=60000
warmup=60000
if [[ "${1:-}" == --quick ]]; then
    events=60000
    batch1=15000
    warmup=15000
fi
# The large preset at the job's batch size and at batch size 1 (where the GPU pays a kernel launch
# per row); the other phases are left out: they need the shipped runs or preload large key spaces.
configs="${FUSION_GPU_CONFIGS:-preset-large,preset-large-batch-1}"
mkdir -p "$out" "$results"
java_run() {
    # The launcher's JVM options; the "Picked up JAVA_TOOL_OPTIONS" line of every JVM is noise.
    java -Xmx2g -XX:MaxDirectMemorySize=1g -Dlog4j2.configurationFile="$ROOT/config/log4j2-cli.properties" \
        @"$FUSION_GPU_JAVA_ARGS" "$@" 2>&1 | grep -v '^Picked up JAVA_TOOL_OPTIONS'
    return "${PIPESTATUS[0]}"
}
probe() { # name [--models DIR]
    local name="$1" rc
    shift
    java_run dev.fusion.bench.model.CudaProbe --device cuda "$@"
    rc=$?
    # 7: the models ran on CUDA but differ from the CPU beyond the probe's tolerance: measured
    # anyway, the difference is in the log. Anything else but 0: the CUDA path does not work.
    ((rc == 0 || rc == 7)) || echo "stop: the $name models do not run on CUDA (probe exit $rc)"
    ((rc == 0 || rc == 7))
}
step() { printf '\n== %s (%s)\n' "$*" "$(date -u +%T)"; }

main() {
    [[ -f "$bundle/env.sh" ]] || { echo "no bundle in $bundle: run receive.sh for every call first"; exit 1; }
    # shellcheck source=env.sh
    source "$bundle/env.sh"
    cd "$ROOT"

    step "machine"
    head -n 1 "$bundle/BUNDLE.txt"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi"
    echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB memory"

    step "libraries, with this machine's driver"
    # Not fatal: the probe below is what decides whether the CUDA path works on this machine.
    bash "$ROOT/benchmarks/gpu/check-libs.sh" "$bundle" || echo "warning: the library check failed (above)"

    step "the job's models on CUDA, compared with the CPU"
    probe "bundled" || exit 1
    probe "large" --models "$ROOT/benchmarks/models/large" || exit 1

    step "model-only ceiling (JMH), CPU and CUDA"
    java_run org.openjdk.jmh.Main 'dev.fusion.bench.model.ModelBenchmark.run' -p model=chain \
        -p batch=1,64,1024 -p device=cpu,cuda -p modelsDir="bundled,$ROOT/benchmarks/models/large" \
        -f 1 -wi 2 -w 1s -i 3 -r 1s -t 2 -foe true -rf csv -rff "$out/models.csv"
    echo "(rows per second = score x batch; two calling threads, one intra-op thread each)"

    for device in cuda cpu; do
        step "pipeline ($configs) on $device"
        java_run dev.fusion.bench.BenchMain --device "$device" --configs "$configs" --skip models,latency,checkpoints,keyspace \
            --trials 1 --events "$events" --scaling-events "$events" --batch1-events "$batch1" \
            --warmup-events "$warmup" --no-docs \
            --out "$results/pipeline-$device"
        cp "$results/pipeline-$device/summary.md" "$out/pipeline-$device.md" 2>/dev/null || true
    done

    step "results"
    tar -czf "$out/results.tgz" -C "$results" --exclude='*.jfr' .
    if (($(stat -c %s "$out/results.tgz") > (15 << 20))); then
        # The device tool brings back files of at most 16 MiB: keep the figures, drop the job logs.
        tar -czf "$out/results.tgz" -C "$results" --exclude='*.jfr' --exclude='*.log' .
    fi
    ls -la "$out"
}

# The log is written as it goes: what a run that hits the call's time limit printed still comes back.
main 2>&1 | tee "$out/gpu-run.log"
exit "${PIPESTATUS[0]}"
