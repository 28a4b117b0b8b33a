#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs: the import fixtures of tests/fixtures,
# every export format of the demo client, and the demo vault (plain JSON, and as an age
# file / bundle encrypted to the fuzz identity of src/lib.rs). Needs `age`.
# Run from anywhere; it builds the handover binary if needed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
fixtures="$root/tests/fixtures"
corpus="$here/corpus"
recipient=$(sed -n 's/^pub const FUZZ_RECIPIENT: &str = "\(age1[a-z0-9]*\)";$/\1/p' "$here/src/lib.rs")
[ -n "$recipient" ] || { echo "seed.sh: no FUZZ_RECIPIENT in src/lib.rs" >&2; exit 1; }

(cd "$root" && cargo build --quiet)
handover="$root/target/debug/handover"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seed() { # target file...
    target=$1
    shift
    mkdir -p "$corpus/$target"
    cp "$@" "$corpus/$target/"
}

# The demo: a store, an identity and a fictional client with every kind of entry.
"$handover" demo "$work/demo" >/dev/null 2>&1
export HANDOVER_STORE="$work/demo/store" HANDOVER_IDENTITY="$work/demo/identity.txt"
for format in json bitwarden-json keepass-xml csv; do
    "$handover" export mueller-bau --format "$format" -o "$work/demo.$format" >/dev/null 2>&1
done
"$handover" export mueller-bau --format bundle --recipient "$recipient" \
    -o "$work/bundle.age" >/dev/null 2>&1
age -d -i "$HANDOVER_IDENTITY" "$work/demo/store/clients/mueller-bau.age" >"$work/vault.json"

seed import_json "$work/demo.json"
seed import_bitwarden_json "$fixtures/bitwarden-unencrypted.json" "$work/demo.bitwarden-json"
seed import_keepass_xml "$fixtures/keepassxc-2.7.4.xml" "$work/demo.keepass-xml"
seed import_keepassxc_csv "$fixtures/keepassxc-2.7.4.csv"
seed import_1password_csv "$fixtures/1password.csv"
seed import_csv "$fixtures/excel-de-cp1252.csv" "$work/demo.csv"
# Bitwarden's CSV has no fixture; a small one in its layout.
mkdir -p "$corpus/import_bitwarden_csv"
printf '%s\n%s\n%s' \
    'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp' \
    'Kunden/A,1,login,Portal,"two\nlines","PIN: 12",0,"https://a.example,https://b.example",u,"p,""q""",JBSWY3DPEHPK3PXP' \
    ',,note,Alarm,1234#,,0,,,,' >"$corpus/import_bitwarden_csv/sample.csv"
seed vault_parse "$work/vault.json"
seed vault_decode "$work/bundle.age"
seed bundle_read "$work/bundle.age"
mkdir -p "$corpus/identity_parse"
cp "$HANDOVER_IDENTITY" "$corpus/identity_parse/identity.txt"
echo "seeded $(find "$corpus" -type f | wc -l) files in $corpus"
