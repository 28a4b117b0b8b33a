#!/usr/bin/env bash
# The adversarial campaign of issue 21, kept so that its figures can be re-checked:
# kill -9 during every kind of write (sync too), parallel writers, signature and trust attacks,
# truncated imports, all against the release binary. Prints a table per part and a
# summary; exit 1 if anything broke (each failure is printed).
#
#   scripts/adversarial.sh [SCALE] [-- options of scripts/adversarial.py]
#
# SCALE 1 (default) is the size of the original campaign: about 1,500 kills, 600
# concurrent writes, 600 attacks and 7,000 truncated imports (roughly 35 minutes on
# two cores). SCALE 0.05 is a two-minute smoke run. Needs age, age-keygen, ssh-keygen,
# qpdf and keepassxc-cli (the same tools the tests need). The scratch directory is
# $ADVERSARIAL_DIR or a new one under /tmp, removed afterwards unless it is kept with
# KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
for tool in age age-keygen ssh-keygen qpdf keepassxc-cli python3; do
    command -v "$tool" >/dev/null || { echo "adversarial.sh: $tool is not installed" >&2; exit 2; }
done
bin=${HANDOVER_BIN:-target/release/handover}
if [ -z "${HANDOVER_BIN:-}" ]; then
    ${CARGO:-cargo} build --release --locked --quiet
fi
dir=${ADVERSARIAL_DIR:-$(mktemp -d /tmp/handover-adversarial.XXXXXX)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
python3 scripts/adversarial.py --bin "$(realpath "$bin")" --scale "$scale" --dir "$dir" "$@"
