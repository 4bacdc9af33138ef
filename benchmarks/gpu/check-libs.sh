#!/usr/bin/env bash
# Checks that every shared library of an unpacked GPU bundle resolves, with the bundle's library
# path: the ONNX Runtime natives and their CUDA provider, the CUDA and cuDNN libraries, the JRE.
# Each dependency must be found inside the bundle or on the host (its C/C++ runtime, zlib); with
# --allow-driver, the driver's libcuda.so.1 and libnvidia-* may be missing (a machine without a
# GPU has none): that is the CPU-side check. Without it nothing may be missing (the GPU machine).
# ldd -r also resolves symbols, so a library too old for the provider fails here too; for that
# the CPU-side check passes --stub-driver DIR, a folder with a stand-in libcuda.so.1, since a
# library whose dependency is missing is not relocated at all.
set -euo pipefail

allow_driver=0
stub=""
while [[ "${1:-}" == --* ]]; do
    case "$1" in
        --allow-driver) allow_driver=1 ;;
        --stub-driver) stub="$(cd "${2:?}" && pwd)"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
bundle="$(cd "${1:?usage: check-libs.sh [--allow-driver] [--stub-driver DIR] UNPACKED_BUNDLE_DIR}" && pwd)"
# shellcheck source=env.sh
source "$bundle/env.sh"
say() { printf '[libs] %s\n' "$*"; }
command -v readelf >/dev/null || { say "readelf (binutils) is needed"; exit 1; }

# Loaded by name at run time, not linked: they must be there even though no NEEDED entry says so.
required=(native/libonnxruntime.so native/libonnxruntime4j_jni.so native/libonnxruntime_providers_shared.so
    native/libonnxruntime_providers_cuda.so cuda/libcudart.so.12 cuda/libcublas.so.12 cuda/libcublasLt.so.12
    cuda/libcurand.so.10 cuda/libcudnn.so.9 cuda/libcudnn_graph.so.9 cuda/libcudnn_ops.so.9 jre/bin/java)
failed=0
for f in "${required[@]}"; do
    [[ -f "$bundle/$f" ]] || { say "MISSING $f"; failed=1; }
done

# Whether an unresolved dependency is the driver's, which only a GPU machine has.
driver_library() {
    [[ "$1" == libcuda.so.1 || "$1" == libnvidia-* ]]
}

# The JRE's desktop libraries (AWT, fonts, sound, images) are only loaded by graphical code.
mapfile -t elves < <(cd "$bundle" && find native cuda jre/lib jre/bin -type f \( -name '*.so*' -o -path 'jre/bin/*' \) |
    grep -v -E '/lib(awt|awt_xawt|awt_headless|fontmanager|jawt|jsound|splashscreen|lcms|javajpeg|mlib_image)\.so$' | sort)
# Inside a process, a library the process has already loaded satisfies a dependency on its
# SONAME: ONNX Runtime's Java loads libonnxruntime.so (SONAME libonnxruntime.so.1) before its JNI
# library, and the JVM's own libraries find libjvm.so because java loaded it. ldd runs each file
# alone, so it gets those links and folders on its path, and nothing else.
links="$(mktemp -d -t fusion-gpu-sonames.XXXXXX)"
trap 'rm -rf "$links"' EXIT
for f in "${elves[@]}"; do
    soname="$(readelf -d "$bundle/$f" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
    [[ -n "$soname" && "$soname" != "$(basename "$f")" ]] && ln -sf "$bundle/$f" "$links/$soname"
done
ldd_path="$LD_LIBRARY_PATH:$links:$bundle/jre/lib/server:$bundle/jre/lib${stub:+:$stub}"
declare -A host_libs=()
checked=0
for f in "${elves[@]}"; do
    [[ "$(head -c 4 "$bundle/$f" | od -An -tx1 | tr -d ' \n')" == 7f454c46 ]] || continue # ELF
    checked=$((checked + 1))
    # ldd -r: dependencies and symbols. "not found" lines name what the loader could not find.
    preload=""
    # ONNX Runtime loads libonnxruntime_providers_shared.so globally before any provider, which
    # takes Provider_GetHost from it.
    [[ "$f" == native/libonnxruntime_providers_* ]] && preload="$bundle/native/libonnxruntime_providers_shared.so"
    out="$(LD_PRELOAD="$preload" LD_LIBRARY_PATH="$ldd_path" ldd -r "$bundle/$f" 2>&1 || true)"
    unresolved="$(grep '=> not found' <<<"$out" | awk '{print $1}' | sort -u || true)"
    undefined="$(grep -c 'undefined symbol:' <<<"$out" || true)"
    lacking=""
    for dep in $unresolved; do
        if ((allow_driver)) && driver_library "$dep"; then
            continue
        fi
        lacking+=" $dep"
    done
    if [[ -n "$lacking" ]]; then
        say "UNRESOLVED $f needs$lacking"
        failed=1
    elif ((undefined > 0)) && ! { ((allow_driver)) && [[ -z "$stub" ]] && grep -q 'libcuda.so.1 => not found' <<<"$out"; }; then
        # Without a driver (or its stand-in) the provider is not relocated, so this test needs one.
        say "UNDEFINED $f: $undefined symbols, e.g. $(grep -m 3 -o $'undefined symbol: [^ ,\t]*' <<<"$out" |
            sed 's/undefined symbol: //' | paste -sd' ' -)"
        failed=1
    fi
    while read -r dep _ path _; do
        [[ "$path" == /* && "$path" != "$bundle"/* && "$path" != "$links"/* && "$path" != "${stub:-/nonexistent}"/* ]] &&
            host_libs["$dep"]=1
    done < <(grep '=> /' <<<"$out" || true)
done
# The host must have a C library at least as new as the newest symbol version any library uses.
glibc_needed="$(cd "$bundle" && for f in "${elves[@]}"; do readelf -V --wide "$f" 2>/dev/null; done |
    grep -o 'GLIBC_[0-9][0-9.]*' | sort -t. -k1,1 -k2,2n -k3,3n -u | tail -n 1)"
glibc_here="$(ldd --version 2>/dev/null | sed -n '1s/.* //p')"
say "$checked libraries and programs checked; from the host: $(printf '%s ' "${!host_libs[@]}" | tr ' ' '\n' | sort | paste -sd' ' -)"
say "newest C library symbol used: $glibc_needed; this machine's glibc: $glibc_here"
if [[ -n "$glibc_here" && "$(printf '%s\n%s\n' "${glibc_needed#GLIBC_}" "$glibc_here" | sort -V | tail -n 1)" != "$glibc_here" ]]; then
    say "this machine's glibc is older than the bundle needs"
    failed=1
fi
if ((failed)); then
    say "FAILED"
    exit 1
fi
if [[ -n "$stub" ]]; then
    say "OK: everything resolves inside the bundle or the host, with a stand-in for the driver's libcuda.so.1"
elif ((allow_driver)); then
    say "OK: everything resolves inside the bundle or the host, except the driver's libcuda.so.1"
else
    say "OK: everything resolves, the driver included"
fi
