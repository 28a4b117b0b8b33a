#!/usr/bin/env bash
# Benchmark of the dossier export (issue 11): builds clients of realistic data in a
# temporary store (10% of entries with TOTP and recovery codes, 2% with an SSH key,
# notes of 0 to 200 characters), then runs `handover dossier` (decrypt + layout + PDF
# + atomic write + vault update) and prints one Markdown table row per size: pages,
# PDF size, wall and CPU time, peak RSS, and the instructions valgrind counts (on a
# second export, of a vault that by then records the first one).
#
# Targets: 50 entries <= 60 M instructions; 1,000 entries <= 0.6 G instructions, PDF
# <= 1.2 MB, peak RSS <= 40 MiB; 10,000 entries <= 6 G instructions, <= 100 MiB;
# 50,000 entries <= 400 MiB. Issue 24: 50 entries <= 40 M, 1,000 entries <= 0.45 G,
# 50,000 entries <= 150 MiB.
#
# Usage: bash scripts/bench-dossier.sh [ENTRIES...]      (default: 50 1000 10000)
#   COUNT_MAX=N   count instructions only for sizes up to N entries (default 10000;
#                 valgrind is ~50x slower than the run itself)
#   BIN=PATH      benchmark this binary instead of building target/release/handover
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/handover
fi
count_max=${COUNT_MAX:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
"$BIN" init >/dev/null 2>&1
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(50 1000 10000)
echo "| entries | pages | PDF | wall | CPU | peak RSS | instructions |"
echo "|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  id=bench-$n
  "$BIN" client new "$id" --name "Benchmark GmbH ($n Einträge)" >/dev/null 2>&1
  python3 scripts/bench-data.py "$n" > "$work/$id.json"
  "$BIN" import "$id" --format json "$work/$id.json" >/dev/null 2>&1
  pdf=$work/$id.pdf
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    "$BIN" dossier "$id" -o "$pdf" --force >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  read -r wall user sys rss_kb < "$work/time.txt"
  pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
  bytes=$(stat -c %s "$pdf")
  instructions="—"
  if (( n <= count_max )); then
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      "$BIN" dossier "$id" -o "$work/vg.pdf" --force >/dev/null 2>"$work/vg.txt" || { cat "$work/vg.txt"; exit 1; }
    refs=$(awk '/I *refs:/ {gsub(",", "", $NF); print $NF}' "$work/vg.txt")
    instructions=$(awk -v r="$refs" 'BEGIN { if (r >= 1e9) printf "%.2f G", r / 1e9; else printf "%.0f M", r / 1e6 }')
  fi
  awk -v n="$n" -v p="$pages" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" -v i="$instructions" \
    'BEGIN { printf "| %s | %s | %.2f MB | %.2f s | %.2f s | %.0f MiB | %s |\n", n, p, b / 1e6, w, u + s, m / 1024, i }'
done
