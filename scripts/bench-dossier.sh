#!/usr/bin/env bash
# Benchmark of the dossier export: builds clients with 1,000 and 10,000 entries in a
# temporary store, then times `handover dossier` (decrypt + layout + PDF + atomic
# write + vault update) and reports wall time and peak memory (max RSS).
# Targets (issue 3): 1,000 entries < 1 s and < 150 MB; 10,000 entries < 10 s.
# Usage: bash scripts/bench-dossier.sh [ENTRIES...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/handover
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
"$bin" init 2>/dev/null
for n in "${@:-1000 10000}"; do
  for n1 in $n; do
    id=bench-$n1
    "$bin" client new "$id" --name "Benchmark GmbH ($n1 Einträge)" 2>/dev/null
    python3 - "$n1" > "$work/$id.json" <<'PY'
import json, sys
n = int(sys.argv[1])
kinds = ["login", "server", "network-device", "wifi", "email", "api-key", "ssh-key", "database"]
out = []
for i in range(n):
    e = {"path": f"gruppe-{i % 25:02d}/eintrag-{i:05d}", "title": f"Zugang Nr. {i} – Über Größe",
         "kind": kinds[i % len(kinds)], "url": f"https://host{i}.example/login",
         "username": f"benutzer{i}@firma.example", "password": f"Pässwört-{i:05d}-€|lI1O0",
         "notes": "Hinweis: Wartungsfenster samstags. " * 3}
    if i % 10 == 0:
        e["totp"] = f"otpauth://totp/Firma:u{i}?secret=JBSWY3DPEHPK3PXP&issuer=Firma"
        e["recovery_codes"] = [f"{i:04d}-{j:04d}" for j in range(5)]
    if i % 50 == 0:
        e["fields"] = [{"name": "private key", "secret": True,
                        "value": "-----BEGIN KEY-----\n" + ("QUJD" * 16 + "\n") * 6 + "-----END KEY-----"}]
    out.append(e)
json.dump(out, sys.stdout)
PY
    "$bin" import "$id" --format json "$work/$id.json" >/dev/null 2>&1
    for run in 1 2 3; do
      /usr/bin/time -f "$n1 entries, run $run: %e s wall, %M KB max RSS" \
        "$bin" dossier "$id" -o "$work/$id.pdf" --force >/dev/null 2>"$work/time.txt" || { cat "$work/time.txt"; exit 1; }
      tail -1 "$work/time.txt"
    done
    echo "  $(pdfinfo "$work/$id.pdf" 2>/dev/null | grep Pages || true), $(du -h "$work/$id.pdf" | cut -f1)"
  done
done
