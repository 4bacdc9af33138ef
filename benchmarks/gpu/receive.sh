#!/usr/bin/env bash
# On the GPU machine, once per device call: takes the pieces the call carried (a
# .gpu-bundle/call-NN folder), checks each against its sha256 sum, and once all have come,
# reassembles the archives, checks them whole and unpacks them into $FUSION_GPU_HOME/fusion-gpu
# (default ~/fusion-gpu). The pieces are moved out of the repository's copy, so that nothing a
# later call sends can remove them. --copy copies instead (the CPU-side check uses it).
set -euo pipefail

copy=0
if [[ "${1:-}" == --copy ]]; then
    copy=1
    shift
fi
src="${1:?usage: receive.sh [--copy] .gpu-bundle/call-NN}"
home="${FUSION_GPU_HOME:-$HOME/fusion-gpu}"
pieces="$home/pieces"
say() { printf '[receive] %s\n' "$*"; }

mkdir -p "$pieces"
shopt -s nullglob
for f in "$src"/*; do
    if ((copy)); then
        cp "$f" "$pieces/"
    else
        mv -f "$f" "$pieces/"
    fi
done
cd "$pieces"
[[ -f SHA256SUMS.pieces && -f SHA256SUMS.archives ]] || { say "no SHA256SUMS in $src"; exit 1; }

if ! sha256sum -c --ignore-missing --quiet SHA256SUMS.pieces; then
    say "damaged pieces (listed above) were removed: carry their calls again"
    sha256sum -c --ignore-missing SHA256SUMS.pieces 2>/dev/null | sed -n 's/: FAILED.*//p' | xargs -r rm -f
    exit 1
fi
missing=()
while read -r _ name; do
    [[ -f "$name" ]] || missing+=("$name")
done <SHA256SUMS.pieces
total="$(wc -l <SHA256SUMS.pieces)"
if ((${#missing[@]})); then
    say "$((total - ${#missing[@]})) of $total pieces here, checked; ${#missing[@]} still to carry, from ${missing[0]}"
    exit 0
fi

marker="$home/fusion-gpu/.unpacked-$(sha256sum SHA256SUMS.archives | cut -c1-16)"
if [[ -f "$marker" ]]; then
    say "all $total pieces here; already unpacked in $home/fusion-gpu"
    exit 0
fi
for archive in fusion-gpu-app.tar.xz fusion-gpu-base.tar.xz; do
    want="$(awk -v a="$archive" '$2 == a {print $1}' SHA256SUMS.archives)"
    have="$(cat "$archive".??? | sha256sum | cut -d' ' -f1)"
    [[ "$want" == "$have" ]] || { say "$archive reassembled with the wrong sum"; exit 1; }
done
say "all $total pieces here and both archives check; unpacking into $home"
rm -rf "$home/fusion-gpu"
for archive in fusion-gpu-base.tar.xz fusion-gpu-app.tar.xz; do
    # xz decompresses the archive's blocks on every core; python3's lzma is the fallback.
    if command -v xz >/dev/null 2>&1 && [[ -z "${FUSION_GPU_NO_XZ:-}" ]]; then
        cat "$archive".??? | xz -dc -T0 | tar -x -C "$home"
    else
        python3 - "$home" "$archive".??? <<'PY'
import io, sys, tarfile

class Pieces(io.RawIOBase):
    """The pieces, read one after the other as one stream."""
    def __init__(self, names):
        self.names, self.f = list(names), None
    def readable(self):
        return True
    def readinto(self, buffer):
        while True:
            if self.f is None:
                if not self.names:
                    return 0
                self.f = open(self.names.pop(0), "rb")
            n = self.f.readinto(buffer)
            if n:
                return n
            self.f.close()
            self.f = None

with tarfile.open(fileobj=io.BufferedReader(Pieces(sys.argv[2:]), 1 << 20), mode="r|xz") as t:
    t.extractall(sys.argv[1], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
PY
    fi
done
touch "$marker"
say "unpacked: $(du -sh "$home/fusion-gpu" | cut -f1) in $home/fusion-gpu"
