#!/usr/bin/env bash
# Benchmark of the cross-client views (issue 25): builds a store of N clients (default
# 300) with 20 entries each (scripts/bench-data.py) and a vendor contract each, then
# times `handover status` and `handover due` (each decrypts every vault once) and
# prints one Markdown table row per command: wall and CPU time, peak RSS, and the
# instructions valgrind counts. Target: under 2 s CPU for 300 clients.
#
# Usage: bash scripts/bench-status.sh [CLIENTS]
#   BIN=PATH   benchmark this binary instead of building target/release/handover
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/handover
fi
n=${1:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
"$BIN" init >/dev/null 2>&1
python3 scripts/bench-data.py 20 > "$work/entries.json"
for i in $(seq 1 "$n"); do
  id=client-$i
  "$BIN" client new "$id" --name "Kunde $i GmbH" >/dev/null 2>&1
  "$BIN" import "$id" --format json "$work/entries.json" >/dev/null 2>&1
  "$BIN" vendor add "$id" "Telekom" --hotline "0800 1" \
    --term-end "2027-0$(( i % 9 + 1 ))-28" --renews-months 12 --notice-months 3 >/dev/null 2>&1
done
"$BIN" status --within 365 | tail -1 >&2
echo "| command ($n clients) | wall | CPU | peak RSS | instructions |"
echo "|---|---|---|---|---|"
for cmd in status due; do
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    "$BIN" "$cmd" --within 365 >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  read -r wall user sys rss_kb < "$work/time.txt"
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$BIN" "$cmd" --within 365 >/dev/null 2>"$work/vg.txt" || { cat "$work/vg.txt"; exit 1; }
  refs=$(awk '/I *refs:/ {gsub(",", "", $NF); print $NF}' "$work/vg.txt")
  instructions=$(awk -v r="$refs" 'BEGIN { if (r >= 1e9) printf "%.2f G", r / 1e9; else printf "%.0f M", r / 1e6 }')
  awk -v c="$cmd" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" -v i="$instructions" \
    'BEGIN { printf "| %s | %.2f s | %.2f s | %.0f MiB | %s |\n", c, w, u + s, m / 1024, i }'
done
