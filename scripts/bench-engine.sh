#!/usr/bin/env bash
# Benchmark of the engine (issue 24), on the data of scripts/bench-data.py:
#  1. steady state: a 1,000-entry vault's size after 1 and after 25 printed dossiers, and
#     what `show`, `add` and the next dossier cost at both points;
#  2. `show` of one entry of a 10,000-entry vault, paired against passage's `show`
#     (FiloSottile/passage: a bash script over `age -d` of one small file per entry);
#  3. the dossier at 50, 1,000 and 50,000 entries (scripts/bench-dossier.sh: instructions
#     up to 1,000, peak memory at all sizes);
#  4. (`trust`, not in the default) `show` of a 50-entry client with 1 and with 300
#     clients in the store.
# Instructions are valgrind's (`cachegrind --cache-sim=no`); wall and CPU time and peak
# RSS are GNU time's. Paired runs alternate the two commands and take the medians.
#
# Usage: bash scripts/bench-engine.sh [steady] [show] [dossier] [trust]   (default: the
#        first three)
#   BIN=PATH       benchmark this binary instead of building target/release/handover
#   PASSAGE=PATH   passage's src/password-store.sh (default: skip the pairing, time
#                  `age -d` of a one-entry file instead, which is what passage runs)
#   ROUNDS=N       paired rounds (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/handover
fi
parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(steady show dossier)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
"$BIN" init >/dev/null 2>&1

# A client of N generated entries.
client() {
  local id=$1 n=$2
  "$BIN" client new "$id" --name "Benchmark GmbH ($n Einträge)" >/dev/null 2>&1
  python3 scripts/bench-data.py "$n" > "$work/$id.json"
  "$BIN" import "$id" --format json "$work/$id.json" >/dev/null 2>&1
}

# Runs the command under valgrind and prints its instruction count.
instructions() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$@" >/dev/null 2>"$work/vg.txt" </dev/null || { cat "$work/vg.txt" >&2; exit 1; }
  awk '/I *refs:/ {gsub(",", "", $NF); r = $NF + 0}
       END { if (r >= 1e9) printf "%.2f G", r / 1e9; else printf "%.1f M", r / 1e6 }' "$work/vg.txt"
}

# Runs the command once and prints "wall | CPU | peak RSS".
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" </dev/null \
    || { cat "$work/err.txt" >&2; exit 1; }
  awk '{ printf "%.3f s | %.3f s | %.0f MiB", $1, $2 + $3, $4 / 1024 }' "$work/time.txt"
}

vault_size() {
  awk -v b="$(stat -c %s "$HANDOVER_STORE/clients/$1.age")" 'BEGIN { printf "%.2f MB", b / 1e6 }'
}

# One table row per command at the vault's current state.
steady_rows() {
  local id=$1 label=$2 k=$3
  echo "| $label | vault | $(vault_size "$id") | | | |"
  echo "| $label | show | $(instructions "$BIN" show "$id" gruppe-07/eintrag-00507) | $(timed "$BIN" show "$id" gruppe-07/eintrag-00507) |"
  echo "| $label | add | $(instructions "$BIN" add "$id" "neu/a-$k" --no-password) | $(timed "$BIN" add "$id" "neu/b-$k" --no-password) |"
  echo "| $label | next dossier | $(instructions "$BIN" dossier "$id" -o "$work/vg.pdf" --force) | $(timed "$BIN" dossier "$id" -o "$work/d.pdf" --force) |"
}

steady() {
  local id=steady
  client "$id" 1000
  "$BIN" dossier "$id" -o "$work/d.pdf" --force >/dev/null 2>&1
  echo "### Steady state, 1,000 entries"
  echo
  echo "| printings | what | instructions | wall | CPU | peak RSS |"
  echo "|---|---|---|---|---|---|"
  steady_rows "$id" 1 1
  # steady_rows printed two more; 25 in all before the second round.
  for _ in $(seq 4 25); do
    "$BIN" dossier "$id" -o "$work/d.pdf" --force >/dev/null 2>&1
  done
  steady_rows "$id" 25 25
  echo
}

# `show` of one entry at 10,000 entries against passage (or age -d), paired.
show_pair() {
  local id=show n=10000
  client "$id" $n
  local pstore=$work/passage
  mkdir -p "$pstore/gruppe-07"
  age-keygen -y "$HANDOVER_IDENTITY" > "$pstore/.age-recipients"
  printf 'Pässwört-00507-€|lI1O0\nlogin: benutzer507@firma.example\nurl: https://host507.example/login\n' \
    | age -R "$pstore/.age-recipients" -o "$pstore/gruppe-07/eintrag-00507.age"
  local other
  if [[ -n "${PASSAGE:-}" ]]; then
    other=(env PASSAGE_DIR="$pstore" PASSAGE_IDENTITIES_FILE="$HANDOVER_IDENTITY" bash "$PASSAGE" show gruppe-07/eintrag-00507)
    label="passage show"
  else
    other=(age -d -i "$HANDOVER_IDENTITY" "$pstore/gruppe-07/eintrag-00507.age")
    label="age -d (one-entry file)"
  fi
  echo "### show of one entry at $n entries, paired with $label (${ROUNDS:-15} rounds, medians)"
  echo
  python3 - "${ROUNDS:-15}" "$label" "${other[@]}" -- "$BIN" show "$id" gruppe-07/eintrag-00507 <<'PY'
import os, statistics, subprocess, sys, time
rounds, label = int(sys.argv[1]), sys.argv[2]
rest = sys.argv[3:]
cut = rest.index("--")
cmds = {"handover show": rest[cut + 1:], label: rest[:cut]}
results = {k: ([], []) for k in cmds}
for _ in range(rounds):
    for name, cmd in cmds.items():
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            sys.exit(f"{name} failed: {cmd}")
        results[name][0].append(wall)
        results[name][1].append(ru.ru_utime + ru.ru_stime)
print("| command | wall | CPU |")
print("|---|---|---|")
med = {k: (statistics.median(w), statistics.median(c)) for k, (w, c) in results.items()}
for name, (w, c) in med.items():
    print(f"| {name} | {w * 1000:.1f} ms | {c * 1000:.1f} ms |")
(hw, hc), (ow, oc) = med["handover show"], med[label]
print(f"| ratio handover / {label} | {hw / ow:.2f}x | {hc / oc if oc else float('nan'):.2f}x |")
PY
  echo
  echo "handover show instructions: $(instructions "$BIN" show "$id" gruppe-07/eintrag-00507)"
  echo
}

# `show` of one entry of a 50-entry client with 1 and with 300 clients in the store (each
# read once, so this machine has seen a revision of each).
trust_cost() {
  client t 50
  echo "### show (50 entries) and the number of clients"
  echo
  echo "| clients | show instructions | wall | CPU | peak RSS |"
  echo "|---|---|---|---|---|"
  echo "| 1 | $(instructions "$BIN" show t gruppe-07/eintrag-00007) | $(timed "$BIN" show t gruppe-07/eintrag-00007) |"
  for i in $(seq 1 299); do
    "$BIN" client new "c$i" --name "Kunde $i" >/dev/null 2>&1
  done
  echo "| 300 | $(instructions "$BIN" show t gruppe-07/eintrag-00007) | $(timed "$BIN" show t gruppe-07/eintrag-00007) |"
  echo
}

dossier() {
  echo "### Dossier"
  echo
  BIN=$BIN COUNT_MAX=1000 bash scripts/bench-dossier.sh 50 1000 50000
  echo
}

for part in "${parts[@]}"; do
  case $part in
    steady) steady ;;
    show) show_pair ;;
    dossier) dossier ;;
    trust) trust_cost ;;
    *) echo "unknown part $part (steady, show, dossier, trust)" >&2; exit 2 ;;
  esac
done
