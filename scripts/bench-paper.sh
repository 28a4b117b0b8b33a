#!/usr/bin/env bash
# Benchmark of data pages and `handover restore` (issue 22): builds clients of realistic
# data (the entries of scripts/bench-data.py, as bench-dossier.sh: 10% with TOTP and recovery codes, 2%
# with an SSH key, notes of 0 to 200 characters), prints each with --data-pages, and
# prints one Markdown table row per size: data pages, codes, PDF size and the dossier
# export's time (its self-test included); then, for sizes up to RESTORE_MAX, renders
# the data pages as 300-dpi PNG scans (poppler, greyscale) and restores them: wall and
# CPU time, CPU per page, peak RSS, and the instructions valgrind counts.
#
# Targets: restore under 1 s of CPU per page scanned, under 200 MiB.
#
# Usage: bash scripts/bench-paper.sh [ENTRIES...]       (default: 50 150 1000)
#   RESTORE_MAX=N  restore only sizes up to N entries (default 1000)
#   COUNT_MAX=N    count instructions only up to N entries (default 150)
#   BIN=PATH       benchmark this binary instead of building target/release/handover
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/handover
fi
restore_max=${RESTORE_MAX:-1000}
count_max=${COUNT_MAX:-150}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
"$BIN" init >/dev/null 2>&1
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(50 150 1000)
rows=()
echo "| entries | data pages | codes (data+parity) | PDF | dossier wall | dossier CPU |"
echo "|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  id=bench-$n
  "$BIN" client new "$id" --name "Benchmark GmbH ($n Einträge)" >/dev/null 2>&1
  "$BIN" client key "$id" -o "$work/$id-key.txt" >/dev/null 2>&1
  # The generator bench-dossier.sh uses.
  python3 scripts/bench-data.py "$n" > "$work/$id.json"
  "$BIN" import "$id" --format json "$work/$id.json" >/dev/null 2>&1
  pdf=$work/$id.pdf
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    "$BIN" dossier "$id" -o "$pdf" --force --data-pages >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  read -r wall user sys _ < "$work/time.txt"
  total=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  count=$(pdftotext -layout "$pdf" - | grep -o 'Datenseite 1 von [0-9]*' | awk '{print $4}')
  first=$((total - count + 1))
  # The labels under the codes, "D 0007/0023" and "P 0012/0012", say how many of each.
  labels=$(pdftotext -layout -f "$first" -l "$total" "$pdf" - | grep -o '[DP] [0-9]\{4\}/[0-9]\{4\}')
  data=$(grep '^D' <<<"$labels" | tail -1 | cut -d/ -f2 | sed 's/^0*//')
  parity=$(grep '^P' <<<"$labels" | tail -1 | cut -d/ -f2 | sed 's/^0*//')
  codes="$data + ${parity:-0}"
  bytes=$(stat -c %s "$pdf")
  awk -v n="$n" -v p="$count" -v c="$codes" -v b="$bytes" -v w="$wall" -v u="$user" -v s="$sys" \
    'BEGIN { printf "| %s | %s | %s | %.2f MB | %.2f s | %.2f s |\n", n, p, c, b / 1e6, w, u + s }'
  if (( n <= restore_max )); then
    mkdir -p "$work/scans-$n"
    pdftoppm -r 300 -gray -png -f "$first" -l "$total" "$pdf" "$work/scans-$n/scan"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
      "$BIN" restore "$work/scans-$n"/scan-*.png -o "$work/$id-restored.age" --force >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt"; exit 1; }
    read -r wall user sys rss_kb < "$work/time.txt"
    instructions="—"
    if (( n <= count_max )); then
      valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$BIN" restore "$work/scans-$n"/scan-*.png -o "$work/vg.age" --force >/dev/null 2>"$work/vg.txt" || { cat "$work/vg.txt"; exit 1; }
      refs=$(awk '/I *refs:/ {gsub(",", "", $NF); print $NF}' "$work/vg.txt")
      instructions=$(awk -v r="$refs" 'BEGIN { if (r >= 1e9) printf "%.2f G", r / 1e9; else printf "%.0f M", r / 1e6 }')
    fi
    rows+=("$(awk -v n="$n" -v p="$count" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss_kb" -v i="$instructions" \
      'BEGIN { printf "| %s | %s | %.2f s | %.2f s | %.2f s | %.0f MiB | %s |", n, p, w, u + s, (u + s) / p, m / 1024, i }')")
  fi
done
if (( ${#rows[@]} > 0 )); then
  echo
  echo "Restore from 300-dpi PNG scans:"
  echo
  echo "| entries | pages scanned | wall | CPU | CPU per page | peak RSS | instructions |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
fi
