#!/usr/bin/env bash
# Benchmark of a team store (issue 23): builds a store of CLIENTS clients with
# ENTRIES entries each, shares it over git (a bare repository on disk), then measures
#   1. `handover team add` (trust a key, re-encrypt every vault to a new member),
#   2. `handover sync` merging one client changed on both sides (fetch, decrypt base,
#      ours and theirs, merge, re-encrypt, sign, commit, push),
#   3. `handover sync` with nothing to merge (git's own round trip, for comparison).
# Prints a Markdown table: wall and CPU time (user+sys, of handover and the git it
# runs); COUNT=1 runs each step under valgrind instead and prints the instructions
# handover itself executes (git's not included).
#
# Targets: team add over 300 x 50 under 10 s wall on two cores; the sync of one
# changed client under 1 s plus git's own time.
# Measured (2 shared cores, ext4): team add 14.8 s wall before its writes ran on 8
# threads (the time was fsync waits: 60 vaults took 3.6 s wall for 0.24 s CPU), 1.3 s
# after (3.09 G instructions); sync of one merged client 0.30 s wall (0.03 G).
#
# Usage: bash scripts/bench-sync.sh          CLIENTS=300 ENTRIES=50 COUNT=0 BIN=PATH
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN=$PWD/target/release/handover
fi
clients=${CLIENTS:-300}
entries=${ENTRIES:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
export HANDOVER_IDENTITY=$work/a/identity.txt
A=$work/a/store
B=$work/b/store
mkdir -p "$work/a" "$work/b"
git init -q --bare "$work/remote.git"
"$BIN" --store "$A" init >/dev/null 2>&1
python3 - "$entries" > "$work/entries.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps([{"path": f"gruppe-{i % 5}/zugang-{i:03d}", "kind": "login",
                   "username": f"benutzer{i}@firma.example", "password": f"Passwort-{i:05d}-x",
                   "url": f"https://host{i}.example", "notes": "Wartung samstags, nur per VPN."}
                  for i in range(n)]))
PY
for ((c = 0; c < clients; c++)); do
  id=$(printf 'kunde-%03d' "$c")
  "$BIN" --store "$A" client new "$id" --name "Kunde $c GmbH" >/dev/null
  "$BIN" --store "$A" import "$id" --format json "$work/entries.json" >/dev/null 2>&1
done
"$BIN" --store "$A" sync init "$work/remote.git" >/dev/null
# A second machine of the same person (same identity, its own clone and pins).
"$BIN" --store "$B" sync init "$work/remote.git" >/dev/null
"$BIN" --store "$B" signers pin --yes >/dev/null 2>&1
# The new member's keys.
HANDOVER_IDENTITY=$work/m/identity.txt "$BIN" --store "$work/m/store" init >/dev/null 2>&1
recipient=$(grep -o 'age1[0-9a-z]*' "$work/m/identity.txt" | head -1)

measure() { # label, command...
  local label=$1; shift
  if [[ "${COUNT:-0}" == 1 ]]; then
    # Instead of the timed run (each step runs once: a second run has nothing to do).
    local count
    count=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
      "$@" 2>&1 >/dev/null | awk '/I *refs/ {gsub(",", "", $4); printf "%.2f G", $4 / 1e9}')
    printf '| %s | - | - | %s |\n' "$label" "$count"
    return
  fi
  local t0 t1 cpu
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  t1=$(date +%s.%N)
  cpu=$(awk '{printf "%.2f s", $1 + $2}' "$work/time")
  printf '| %s | %.2f s | %s | - |\n' "$label" "$(echo "$t1 - $t0" | bc)" "$cpu"
}

echo "| step ($clients clients x $entries entries) | wall | CPU | instructions |"
echo "|---|---|---|---|"
measure "team add (re-encrypt $clients vaults)" \
  "$BIN" --store "$A" team add mia --recipient "$recipient" --signing-key "$work/m/identity.signing-key.pub"
"$BIN" --store "$A" sync >/dev/null
"$BIN" --store "$B" sync >/dev/null
# One client changed on both machines, in different entries.
printf 'neu-a\n' | "$BIN" --store "$A" edit kunde-007 gruppe-0/zugang-000 --password-stdin >/dev/null
printf 'neu-b\n' | "$BIN" --store "$B" edit kunde-007 gruppe-1/zugang-001 --password-stdin >/dev/null
"$BIN" --store "$B" sync >/dev/null
measure "sync, one client merged" "$BIN" --store "$A" sync
measure "sync, nothing to merge (git round trip)" "$BIN" --store "$A" sync
