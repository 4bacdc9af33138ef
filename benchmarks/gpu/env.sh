# Sourced (bash) from an unpacked GPU bundle: puts its JRE first on the PATH, its CUDA and ONNX
# Runtime libraries first on the library path, and writes java.args, the class path argument file
# of the benchmarks (an argument file keeps command lines short: see PLATFORM.md's ONNX Runtime
# crash). Run java as: java @"$FUSION_GPU_JAVA_ARGS" MAIN_CLASS ...
FUSION_GPU_BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FUSION_GPU_BUNDLE
export JAVA_HOME="$FUSION_GPU_BUNDLE/jre"
export PATH="$JAVA_HOME/bin:$PATH"
# The provider links cuBLAS/cudart by name and dlopens cuDNN: both are found here first; the
# driver's libcuda.so.1 comes from the machine.
case ":${LD_LIBRARY_PATH:-}:" in
    *":$FUSION_GPU_BUNDLE/cuda:"*) ;;
    *) export LD_LIBRARY_PATH="$FUSION_GPU_BUNDLE/cuda:$FUSION_GPU_BUNDLE/native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
esac
# Every JVM started from here, JMH forks and the pipeline's child JVMs too, loads ONNX Runtime's
# natives from native/ instead of extracting 650 MB from the jar into a temporary folder.
case " ${JAVA_TOOL_OPTIONS:-} " in
    *" -Donnxruntime.native.path="*) ;;
    *) export JAVA_TOOL_OPTIONS="-Donnxruntime.native.path=$FUSION_GPU_BUNDLE/native${JAVA_TOOL_OPTIONS:+ $JAVA_TOOL_OPTIONS}" ;;
esac
export ORT_DISABLE_TELEMETRY=1
export FUSION_GPU_JAVA_ARGS="$FUSION_GPU_BUNDLE/java.args"
{
    printf -- '-cp\n'
    cat "$FUSION_GPU_BUNDLE/lib/classpath.app" "$FUSION_GPU_BUNDLE/lib/classpath.base" |
        sed "s|^|$FUSION_GPU_BUNDLE/lib/|" | paste -sd: -
} >"$FUSION_GPU_JAVA_ARGS"
