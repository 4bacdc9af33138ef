#!/usr/bin/env bash
# Switches what the device tool sends with each call: it sends the checkout's tracked and
# untracked, not ignored, files (about 33 MB) beside the carried piece, within 64 MiB a call.
#   on      only benchmarks/gpu/receive.sh is sent: the index holds that file alone and the
#           repository's local exclude file ignores everything else. The files themselves stay
#           as they are. A piece then fills almost the whole call (bundle.sh sizes them so).
#   off     the whole checkout again: the index is reset to HEAD, the exclude file restored.
#           The last call, which runs the benchmarks, needs it.
#   status  which of the two it is, and how many bytes a call sends besides its pieces.
# Staged changes would be lost by "off" (it resets the index), so "on" refuses them; while it is
# on, a commit would record the deletion of every other file, so commit nothing until "off".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
GIT_DIR="$(git rev-parse --absolute-git-dir)"
EXCLUDE="$GIT_DIR/info/exclude"
SAVED="$GIT_DIR/fusion-lean-exclude"
KEEP=benchmarks/gpu/receive.sh

say() { printf '[lean-checkout] %s\n' "$*"; }
die() {
    say "$*" >&2
    exit 1
}
sent_bytes() {
    git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null |
        awk '{s += $1} END {print s + 0}'
}

case "${1:-status}" in
    on)
        [[ -e "$SAVED" ]] && die "already on ('off' first)"
        git diff --cached --quiet || die "the index has staged changes: commit or unstage them first"
        mkdir -p "$GIT_DIR/info"
        touch "$EXCLUDE"
        cp "$EXCLUDE" "$SAVED"
        git rm -r -q --cached .
        echo '/*' >>"$EXCLUDE"
        git add -f "$KEEP"
        say "on: a call sends $(sent_bytes) bytes besides its pieces ($(git ls-files | paste -sd' ' -))"
        say "until 'off', commit nothing: the index holds only that file, a commit would delete the rest"
        ;;
    off)
        [[ -e "$SAVED" ]] || die "not on"
        mv "$SAVED" "$EXCLUDE"
        git reset -q
        say "off: a call sends the whole checkout, $(sent_bytes) bytes, besides its pieces"
        ;;
    status)
        if [[ -e "$SAVED" ]]; then
            say "on: a call sends $(sent_bytes) bytes besides its pieces"
        else
            say "off: a call sends the whole checkout, $(sent_bytes) bytes, besides its pieces"
        fi
        ;;
    *) die "usage: benchmarks/gpu/lean-checkout.sh on|off|status" ;;
esac
