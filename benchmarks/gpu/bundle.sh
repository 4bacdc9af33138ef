#!/usr/bin/env bash
# Assembles what a GPU machine without network needs to run the job's models and the benchmarks
# on CUDA (a JRE, the benchmarks' class path with onnxruntime_gpu, the CUDA 12 and cuDNN 9
# libraries its CUDA provider loads), compresses it and splits it into pieces that fit one call
# of the device tool each. docs/PERFORMANCE.md ("GPU run") says how a GPU session uses them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GPU_DIR="$ROOT/benchmarks/gpu"
CACHE="${FUSION_GPU_CACHE:-$HOME/.cache/fusion/gpu}"
OUT_DIR="$ROOT/.gpu-bundle"
# The device tool carries at most 64 MiB per call, the checkout's own files included.
CALL_LIMIT=$((64 << 20))
MARGIN=$((2 << 20))

# Where the CUDA libraries come from: Maven Central's JavaCPP redistributions. cuBLAS and cuDNN
# are not published for CUDA 12.9 there, so they come from 12.6 / 9.5; the provider needs four
# cudart symbols (cudaLibraryLoadData and friends) that cudart 12.6 lacks, so cudart is 12.9's.
CUDA126="org.bytedeco:cuda:12.6-9.5-1.5.11:jar:linux-x86_64-redist"
CUDA129="org.bytedeco:cuda-redist:12.9-9.10-1.5.12:jar:linux-x86_64"
LIBS_FROM_126=(libcublas.so.12 libcublasLt.so.12 libcurand.so.10)
LIBS_FROM_129=(libcudart.so.12)
# cuDNN 9's front library loads its sub-libraries with dlopen. The job's models (Gemm, Relu,
# Gather, LayerNormalization, ReduceSum/ReduceMax, Softmax, elementwise) reach cuDNN only through
# its legacy ops API (cudnnReduceTensor, cudnnSoftmaxForward, tensor descriptors): libcudnn_ops,
# which links libcudnn_graph. Convolution, RNN and attention engines (cnn, adv, heuristic,
# engines_*: 750 MB more) are only needed by other models: --cudnn all takes them too.
CUDNN_CORE=(libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9)
CUDNN_REST=(libcudnn_cnn.so.9 libcudnn_adv.so.9 libcudnn_heuristic.so.9
    libcudnn_engines_precompiled.so.9 libcudnn_engines_runtime_compiled.so.9)
# The Java SE modules plus the JDK modules the job, Kafka, Flink, JMH and the harness use
# (Unsafe, the OperatingSystemMXBean, JFR for --profile, an HTTP server for metrics, JAAS).
JRE_MODULES=java.se,jdk.unsupported,jdk.management,jdk.management.jfr,jdk.jfr,jdk.crypto.ec,jdk.zipfs,jdk.httpserver,jdk.attach,jdk.net,jdk.naming.dns,jdk.security.auth,jdk.security.jgss,jdk.charsets,jdk.jcmd

say() { printf '[gpu-bundle] %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

usage() {
    cat <<'USAGE'
Usage: benchmarks/gpu/bundle.sh [build] [--check] [--cudnn core|all] [--piece-mib N] [--out DIR]
       benchmarks/gpu/bundle.sh split [--piece-mib N] [--out DIR]
       benchmarks/gpu/bundle.sh check [--out DIR] [--no-smoke]

build (default)  downloads what is missing into ~/.cache/fusion/gpu (FUSION_GPU_CACHE), builds
                 the benchmarks' class path, assembles the bundle, compresses it (xz; again only
                 when its content changed) and splits it into OUT/call-NN/ folders, one per
                 device call. --check runs the check below afterwards.
split            only the last step: re-split the archives for this checkout (its size decides
                 the size of the last piece, see --piece-mib). Run it with lean-checkout.sh off.
check            the CPU-side check: unpacks the pieces as a GPU machine would, checks that every
                 library of the CUDA provider resolves inside the bundle (all but the driver's),
                 and runs the job's models on inference.device=cuda with the bundle's JRE, which
                 must fail at the driver, not at a missing library; then (unless --no-smoke) a
                 short CPU run of the JMH model benchmark with the bundle.

--cudnn core|all  cuDNN sub-libraries to take (core: what the job's models use) [core]
--piece-mib N     size of the pieces of the lean calls [64 MiB less receive.sh and a 2 MiB
                  margin]; the last call's piece fits beside the whole checkout
--out DIR         where the pieces go; a folder the repository ignores [.gpu-bundle]
USAGE
}

tree_bytes() {
    # What the device tool sends with every call: tracked and untracked, not ignored, files.
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null |
        awk '{s += $1} END {print s + 0}')
}

ort_version() {
    sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$ROOT/pom.xml" | head -n 1
}

maven_get() { # coordinates, local repository or "" for ~/.m2
    local repo=()
    [[ -n "$2" ]] && repo=("-Dmaven.repo.local=$2")
    mvn -B -ntp -q ${FUSION_MAVEN_OPTS:-} dependency:get -Dartifact="$1" -Dtransitive=false "${repo[@]}" \
        >&2 || die "could not download $1"
}

artifact_path() { # group:artifact:version:type[:classifier] repository
    local g a v t c
    IFS=: read -r g a v t c <<<"$1"
    printf '%s/%s/%s/%s/%s-%s%s.%s' "$2" "${g//.//}" "$a" "$v" "$a" "$v" "${c:+-$c}" "$t"
}

# Unzips the named entries of a JavaCPP jar into DIR once, flat.
extract_libs() { # jar dir lib...
    local jar="$1" dir="$2"
    shift 2
    mkdir -p "$dir"
    local want=()
    for lib in "$@"; do
        [[ -f "$dir/$lib" ]] || want+=("org/bytedeco/cuda/linux-x86_64/$lib")
    done
    ((${#want[@]})) || return 0
    say "extracting ${#want[@]} libraries from $(basename "$jar")"
    unzip -q -o -j "$jar" "${want[@]}" -d "$dir"
}

cmd_build() {
    local cudnn="core" check=0 split_args=()
    while (($#)); do
        case "$1" in
            --check) check=1 ;;
            --cudnn) cudnn="${2:?}"; shift ;;
            --piece-mib | --out) split_args+=("$1" "${2:?}"); shift ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
        shift
    done
    [[ "$cudnn" == core || "$cudnn" == all ]] || die "--cudnn takes core or all"
    for tool in mvn jlink unzip xz python3 sha256sum readelf; do
        command -v "$tool" >/dev/null || die "missing $tool"
    done
    mkdir -p "$CACHE"

    local ort ort_jar m2="$CACHE/m2"
    ort="$(ort_version)"
    [[ -n "$ort" ]] || die "no onnxruntime.version in pom.xml"
    ort_jar="$(artifact_path "com.microsoft.onnxruntime:onnxruntime_gpu:$ort:jar" "$HOME/.m2/repository")"
    # The same artifact the -Pgpu profile resolves, in the same local repository.
    [[ -f "$ort_jar" ]] || maven_get "com.microsoft.onnxruntime:onnxruntime_gpu:$ort" ""
    local jar126 jar129
    jar126="$(artifact_path "$CUDA126" "$m2")"
    jar129="$(artifact_path "$CUDA129" "$m2")"
    local cudnn_libs=("${CUDNN_CORE[@]}")
    [[ "$cudnn" == all ]] && cudnn_libs+=("${CUDNN_REST[@]}")
    local need126=0 lib
    for lib in "${LIBS_FROM_126[@]}" "${cudnn_libs[@]}"; do
        [[ -f "$CACHE/cuda-12.6-9.5/$lib" ]] || need126=1
    done
    if ((need126)); then
        [[ -f "$jar126" ]] || { say "downloading $CUDA126 (2.0 GB)"; maven_get "$CUDA126" "$m2"; }
        extract_libs "$jar126" "$CACHE/cuda-12.6-9.5" "${LIBS_FROM_126[@]}" "${cudnn_libs[@]}"
    fi
    if [[ ! -f "$CACHE/cuda-12.9/libcudart.so.12" ]]; then
        [[ -f "$jar129" ]] || { say "downloading $CUDA129 (362 MB)"; maven_get "$CUDA129" "$m2"; }
        extract_libs "$jar129" "$CACHE/cuda-12.9" "${LIBS_FROM_129[@]}"
    fi

    say "building the benchmarks' class path (mvn -Pbenchmarks -pl benchmarks -am package)"
    local log
    log="$(mktemp -t fusion-gpu-build.XXXXXX)"
    if ! mvn -B -ntp -f "$ROOT/pom.xml" ${FUSION_MAVEN_OPTS:-} -Pbenchmarks -pl benchmarks -am -DskipTests \
            package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
            -Dmdep.includeScope=runtime >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "build failed; full log: $log"
    fi
    rm -f "$log"

    local stage="$CACHE/stage"
    rm -rf "$stage"
    mkdir -p "$stage/base/fusion-gpu/lib" "$stage/base/fusion-gpu/native" "$stage/base/fusion-gpu/cuda" \
        "$stage/app/fusion-gpu/lib"
    local base="$stage/base/fusion-gpu" app="$stage/app/fusion-gpu"

    say "JRE: jlink of $(java -version 2>&1 | sed -n 1p)"
    jlink --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
        --output "$base/jre"

    # The class path of ./fusion bench, with the CPU-only onnxruntime jar swapped for
    # onnxruntime_gpu: the one artifact -Pgpu changes. Its natives go to native/ (loaded from
    # there through onnxruntime.native.path), so the jar keeps only its classes.
    local order="$base/lib/classpath.base" app_order="$app/lib/classpath.app" entry name swapped=0
    : >"$order"
    : >"$app_order"
    for entry in "$ROOT/benchmarks/target/fusion-benchmarks-0.1.0-SNAPSHOT.jar" \
        $(tr ':' ' ' <"$ROOT/benchmarks/target/classpath.txt"); do
        name="$(basename "$entry")"
        if [[ "$name" == "onnxruntime-$ort.jar" ]]; then
            name="onnxruntime_gpu-$ort-classes.jar"
            python3 - "$ort_jar" "$base/lib/$name" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        if not info.filename.startswith("ai/onnxruntime/native/"):
            dst.writestr(info, src.read(info))
PY
            echo "$name" >>"$order"
            swapped=1
        elif [[ "$entry" == "$ROOT"/* ]]; then
            # This checkout's own modules: a small archive of their own, re-sent when they change.
            [[ -e "$app/lib/$name" ]] && die "two class path entries named $name"
            cp "$entry" "$app/lib/$name"
            echo "$name" >>"$app_order"
        else
            [[ -e "$base/lib/$name" ]] && die "two class path entries named $name"
            cp "$entry" "$base/lib/$name"
            echo "$name" >>"$order"
        fi
    done
    ((swapped)) || die "onnxruntime-$ort.jar is not on the benchmarks' class path"
    unzip -q -o -j "$ort_jar" "ai/onnxruntime/native/linux-x64/libonnxruntime.so" \
        "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so" \
        "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_shared.so" \
        "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so" -d "$base/native"
    for lib in "${LIBS_FROM_126[@]}" "${cudnn_libs[@]}"; do
        cp "$CACHE/cuda-12.6-9.5/$lib" "$base/cuda/"
    done
    for lib in "${LIBS_FROM_129[@]}"; do
        cp "$CACHE/cuda-12.9/$lib" "$base/cuda/"
    done
    cp "$GPU_DIR/env.sh" "$app/env.sh"
    {
        echo "fusion GPU bundle, assembled $(date -u +%FT%TZ) from $(cd "$ROOT" && git rev-parse --short HEAD)"
        echo "JRE: jlink ($JRE_MODULES) of $(java -version 2>&1 | sed -n 1p)"
        echo "ONNX Runtime: com.microsoft.onnxruntime:onnxruntime_gpu:$ort (natives in native/)"
        echo "CUDA: ${LIBS_FROM_129[*]} from $CUDA129; ${LIBS_FROM_126[*]} from $CUDA126"
        echo "cuDNN ($cudnn): ${cudnn_libs[*]} from $CUDA126"
    } >"$app/BUNDLE.txt"

    compress base "$stage/base"
    compress app "$stage/app"
    say "uncompressed: base $(du -sb "$stage/base" | cut -f1) bytes, app $(du -sb "$stage/app" | cut -f1) bytes"
    rm -rf "$stage"
    cmd_split "${split_args[@]}"
    if ((check)); then
        cmd_check
    fi
}

# Compresses one part into CACHE/fusion-gpu-NAME.tar.xz, unless the same content already is.
compress() { # name dir
    local name="$1" dir="$2" sum archive="$CACHE/fusion-gpu-$1.tar.xz"
    # Content only (names, modes, bytes), not times: a rebuilt but equal bundle is not recompressed.
    sum="$(cd "$dir" && find . -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n %a %s' | sha256sum | cut -c1-16)-$(cd "$dir" &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
    # An archive of the same content is kept, whatever its preset, unless a preset is asked for.
    if [[ -f "$archive" && "$(cat "$archive.content" 2>/dev/null)" == "$sum" &&
        "${FUSION_GPU_XZ_PRESET:-$(cat "$archive.preset" 2>/dev/null)}" == "$(cat "$archive.preset" 2>/dev/null)" ]]; then
        say "$name: unchanged, keeping $(basename "$archive")"
        return
    fi
    local preset="${FUSION_GPU_XZ_PRESET:-6}"
    say "$name: compressing (xz preset $preset with the x86 filter, one thread; ~15 minutes for the base)"
    # Blocks of 256 MiB let the GPU machine decompress on several cores; one thread here. On the
    # whole base, preset 6 came out 16 % smaller than preset 1 (698 against 830 MB: 4 device
    # calls fewer) in 15 minutes against 12 on a busy 2-core machine; much of cuBLAS and of the
    # provider is compressed already. FUSION_GPU_XZ_PRESET=1 when time matters more.
    tar -C "$dir" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - fusion-gpu |
        xz -T1 --block-size=256MiB --x86 --lzma2=preset="$preset" >"$archive.tmp"
    mv "$archive.tmp" "$archive"
    echo "$sum" >"$archive.content"
    echo "$preset" >"$archive.preset"
    say "$name: $(stat -c %s "$archive") bytes compressed"
}

# Splits the archives into OUT/call-NN/ folders that each fit one device call.
cmd_split() {
    local piece=0
    while (($#)); do
        case "$1" in
            --piece-mib) piece=$(($2 << 20)); shift ;;
            --out) OUT_DIR="$(realpath -m "$2")"; shift ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
        shift
    done
    local base="$CACHE/fusion-gpu-base.tar.xz" app="$CACHE/fusion-gpu-app.tar.xz"
    [[ -f "$base" && -f "$app" ]] || die "no archives in $CACHE: run the build first"
    (cd "$ROOT" && git check-ignore -q "$OUT_DIR/x") || die "$OUT_DIR is not ignored by the repository"
    [[ -e "$(cd "$ROOT" && git rev-parse --absolute-git-dir)/fusion-lean-exclude" ]] &&
        die "lean-checkout.sh is on: the split measures the whole checkout, turn it off first"
    # Every call but the last sends only receive.sh beside its piece (lean-checkout.sh on); the
    # last one sends the whole checkout, which runs the benchmarks, so its piece is smaller.
    local tree lean last_room
    tree="$(tree_bytes)"
    lean="$(stat -c %s "$GPU_DIR/receive.sh")"
    ((piece == 0)) && piece=$((CALL_LIMIT - lean - MARGIN))
    last_room=$((CALL_LIMIT - tree - MARGIN))
    ((last_room >= (1 << 20))) || die "the checkout sends $tree bytes per call: no room for the last piece"
    rm -rf "$OUT_DIR"
    mkdir -p "$OUT_DIR"
    local work="$OUT_DIR/.split"
    mkdir -p "$work"
    # The app archive is small: it goes first, the base fills the rest of each call.
    local app_size first
    app_size="$(stat -c %s "$app")"
    ((app_size < piece - (64 << 10))) || die "the app archive ($app_size bytes) exceeds a piece"
    cp "$app" "$work/fusion-gpu-app.tar.xz.000"
    first=$((piece - app_size - (64 << 10)))
    head -c "$first" "$base" >"$work/fusion-gpu-base.tar.xz.000"
    tail -c +"$((first + 1))" "$base" | split -b "$piece" -d -a 3 --numeric-suffixes=1 - "$work/fusion-gpu-base.tar.xz."
    local parts=("$work"/fusion-gpu-base.tar.xz.*) last size
    last="${parts[-1]}"
    size="$(stat -c %s "$last")"
    if ((${#parts[@]} > 1 && size > last_room)); then
        # The tail of the last piece becomes a piece of its own, small enough for the last call.
        tail -c "$last_room" "$last" >"$(printf '%s.%03d' "${last%.*}" $((10#${last##*.} + 1)))"
        truncate -s $((size - last_room)) "$last"
    fi
    (cd "$work" && sha256sum fusion-gpu-*.tar.xz.* >SHA256SUMS.pieces)
    {
        printf '%s  %s\n' "$(sha256sum <"$app" | cut -d' ' -f1)" fusion-gpu-app.tar.xz
        printf '%s  %s\n' "$(sha256sum <"$base" | cut -d' ' -f1)" fusion-gpu-base.tar.xz
    } >"$work/SHA256SUMS.archives"
    local n=0 f call
    for f in "$work"/fusion-gpu-base.tar.xz.*; do
        n=$((n + 1))
        call="$(printf '%s/call-%02d' "$OUT_DIR" "$n")"
        mkdir -p "$call"
        mv "$f" "$call/"
        ((n == 1)) && mv "$work/fusion-gpu-app.tar.xz.000" "$call/"
        # Every call brings the sums, so each piece is checked on arrival, whatever the order.
        cp "$work/SHA256SUMS.pieces" "$work/SHA256SUMS.archives" "$call/"
    done
    rm -rf "$work"
    say "pieces: $n calls of at most $piece bytes beside receive.sh; the last, beside the whole checkout ($tree bytes), at most $last_room"
    say "archives: base $(stat -c %s "$base") bytes, app $app_size bytes; pieces in $OUT_DIR"
    local i
    echo "before call 1: benchmarks/gpu/lean-checkout.sh on"
    for ((i = 1; i < n; i++)); do
        printf 'call %2d of %d: carry [".gpu-bundle/call-%02d"]  command: bash benchmarks/gpu/receive.sh .gpu-bundle/call-%02d\n' \
            "$i" "$n" "$i" "$i"
    done
    echo "before call $n: benchmarks/gpu/lean-checkout.sh off"
    printf 'call %2d of %d: carry [".gpu-bundle/call-%02d"]  command: bash benchmarks/gpu/receive.sh .gpu-bundle/call-%02d && bash benchmarks/gpu/run-gpu.sh\n' \
        "$n" "$n" "$n" "$n"
}

cmd_check() {
    local smoke=1
    while (($#)); do
        case "$1" in
            --no-smoke) smoke=0 ;;
            --out) OUT_DIR="$(realpath -m "$2")"; shift ;;
            *) die "unknown option $1 (see --help)" ;;
        esac
        shift
    done
    local tmp
    tmp="$(mktemp -d -t fusion-gpu-check.XXXXXX)"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    say "check: receiving and unpacking the pieces as the GPU machine would, into $tmp"
    local call
    for call in "$OUT_DIR"/call-*; do
        FUSION_GPU_HOME="$tmp" bash "$GPU_DIR/receive.sh" --copy "$call" >&2
    done
    local home="$tmp/fusion-gpu"
    [[ -f "$home/env.sh" ]] || die "check: the pieces did not unpack into $home"
    # Without a driver the provider stops at libcuda.so.1, the driver's own library. A stand-in
    # that answers "no device" to every call shows that everything after it loads and links
    # (and lets ldd relocate the provider, so a missing symbol shows too). Never in the bundle.
    local stub="$tmp/stub-driver"
    mkdir -p "$stub"
    cat >"$stub/cuda-stub.c" <<'C'
/* Stand-in for the NVIDIA driver's libcuda.so.1 for the CPU-side check only: every entry point
   the CUDA runtime looks up first answers CUDA_ERROR_NO_DEVICE (100). */
int cuInit(unsigned int flags) { (void) flags; return 100; }
int cuDriverGetVersion(int *version) { (void) version; return 100; }
int cuGetProcAddress(const char *s, void **p, int v, unsigned long long f) {
    (void) s; (void) p; (void) v; (void) f; return 100; }
int cuGetProcAddress_v2(const char *s, void **p, int v, unsigned long long f, void *st) {
    (void) s; (void) p; (void) v; (void) f; (void) st; return 100; }
C
    gcc -shared -fPIC -O2 -Wl,-soname,libcuda.so.1 -o "$stub/libcuda.so.1" "$stub/cuda-stub.c" ||
        die "check: gcc is needed for the stand-in driver"

    bash "$GPU_DIR/check-libs.sh" --allow-driver "$home"
    bash "$GPU_DIR/check-libs.sh" --allow-driver --stub-driver "$stub" "$home"

    local rc
    say "check: the job's models on inference.device=cuda with the bundle, no driver at all"
    set +e
    (source "$home/env.sh" && java @"$FUSION_GPU_JAVA_ARGS" dev.fusion.bench.model.CudaProbe --device cuda) \
        >"$tmp/probe-nodriver.log" 2>&1
    rc=$?
    set -e
    sed 's/^/    /' "$tmp/probe-nodriver.log" | grep -v '^    Picked up JAVA_TOOL_OPTIONS' >&2
    ((rc == 3)) && grep -q 'libcuda.so.1: cannot open shared object file' "$tmp/probe-nodriver.log" ||
        die "check: expected the provider to miss only libcuda.so.1 (exit 3), got exit $rc"

    say "check: the same with the stand-in driver: it must fail at the driver, not at a library"
    set +e
    (source "$home/env.sh" && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$stub" &&
        java @"$FUSION_GPU_JAVA_ARGS" dev.fusion.bench.model.CudaProbe --device cuda) >"$tmp/probe-stub.log" 2>&1
    rc=$?
    set -e
    sed 's/^/    /' "$tmp/probe-stub.log" | grep -v '^    Picked up JAVA_TOOL_OPTIONS' >&2
    ((rc == 4)) || die "check: expected a CUDA no-device/no-driver error (exit 4), got exit $rc"

    if ((smoke)); then
        say "check: smoke run of the JMH model benchmark on the CPU with the bundle's JRE and jars"
        (cd "$ROOT" && source "$home/env.sh" && java @"$FUSION_GPU_JAVA_ARGS" org.openjdk.jmh.Main \
            'dev.fusion.bench.model.ModelBenchmark.run' -p model=chain -p batch=64 -p device=cpu \
            -f 1 -wi 1 -w 1s -i 1 -r 1s -t 1 -foe true 2>&1 | grep -v 'Picked up JAVA_TOOL_OPTIONS' |
            tail -n 4 >&2) || die "check: the JMH smoke run failed"
    fi
    say "check: passed"
}

main() {
    local command="build"
    case "${1:-}" in
        build | split | check) command="$1"; shift ;;
        -h | --help | help) usage; exit 0 ;;
    esac
    "cmd_$command" "$@"
}

main "$@"
