#!/usr/bin/env bash
# Writes the known-answer files of the current formats into tests/kat/v<N>/ with the
# release binary (build it first: cargo build --release --locked). Run once per format
# version and commit the output; tests/known_answers.rs checks that every later build
# still opens, verifies and fingerprints them exactly. Usage: scripts/make-kat.sh v2
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/make-kat.sh vN}
out=tests/kat/$version
bin=$PWD/target/release/handover
[ ! -e "$out" ] || { echo "$out exists: known answers are written once" >&2; exit 1; }
work=$(mktemp -d /tmp/handover-kat-XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME=$work HANDOVER_STORE=$work/store HANDOVER_IDENTITY=$work/identity.txt
unset XDG_DATA_HOME XDG_CONFIG_HOME
h() { "$bin" "$@" </dev/null; }

h init >/dev/null
h client new acme --name "Bäckerei Brandt GmbH" >/dev/null
printf 'Grüße-€-ß-pässwörd' | "$bin" add acme netz/wlan --ssid "Brandt-Gäste" --password-stdin >/dev/null
h add acme m365/admin --username "admin@brandt.example" --no-password >/dev/null
h system add acme "NAS Büro" --purpose "Ablage und Sicherung" >/dev/null
h decision add acme "Sicherung auf NAS" --date 2026-01-15 >/dev/null
h client key acme -o "$work/client-key.txt" >/dev/null 2>&1
fingerprint=$(h dossier acme -o "$work/d.pdf" 2>&1 | sed -n 's/^Fingerprint: //p')
h export acme --format bundle -o "$work/bundle.age" >/dev/null 2>&1

mkdir -p "$out"
cp "$work/identity.txt" "$work/identity.signing-key.pub" "$work/identity.trust.json" \
   "$work/client-key.txt" "$work/bundle.age" "$work/bundle.age.sig" "$out/"
cp "$work/store/clients/acme.age" "$work/store/clients/acme.age.sig" \
   "$work/store/signers.json" "$work/store/signers.json.sig" "$work/store/allowed_signers" "$out/"
age -d -i "$out/identity.txt" "$out/acme.age" > "$out/acme.json"
age -d -i "$out/client-key.txt" "$out/bundle.age" > "$out/bundle.json"
echo "$fingerprint" > "$out/fingerprint.txt"
# The store's path as the pin file names it, for the test's stand-in store.
echo "$work/store" > "$out/store-path.txt"
ls -l "$out"
