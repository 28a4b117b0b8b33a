#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs: the import fixtures of tests/fixtures,
# every export format of the demo client, and the demo vault (plain JSON, and as an age
# file / bundle encrypted to the fuzz identity of src/lib.rs), the demo's pin file, signer
# list and signatures, and signatures by the fuzz signing key (fuzz-signing-key, public
# on purpose). Needs `age` and `ssh-keygen`.
# Run from anywhere; it builds the handover binary if needed (or uses $HANDOVER_BIN).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
fixtures="$root/tests/fixtures"
corpus="$here/corpus"
recipient=$(sed -n 's/^pub const FUZZ_RECIPIENT: &str = "\(age1[a-z0-9]*\)";$/\1/p' "$here/src/lib.rs")
[ -n "$recipient" ] || { echo "seed.sh: no FUZZ_RECIPIENT in src/lib.rs" >&2; exit 1; }

if [ -n "${HANDOVER_BIN:-}" ]; then
    handover=$HANDOVER_BIN
else
    (cd "$root" && cargo build --quiet)
    handover="$root/target/debug/handover"
fi
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

# Markdown for a document in the dossier.
mkdir -p "$corpus/dossier_markdown"
cat >"$corpus/dossier_markdown/sample.md" <<'MD'
# Wiederherstellung

Nach einem **Ausfall** des NAS *zuerst* die `USV` prüfen, dann:

1. Backup-Platte anschließen
2. Restore starten
   - nur die Freigabe `daten`
   - [Anleitung](https://example.com/restore)

> Achtung: nicht das ganze Volume!

| Gerät | IP |
|-------|----|
| NAS   | 192.168.10.5 |

```
rsync -a /mnt/backup/ /volume1/daten/
```

---
Überprüfen: ~~alt~~ neu, Zeile mit\
Umbruch.
MD
head -n 40 "$root/SECURITY.md" >"$corpus/dossier_markdown/security.md"

# Signatures, signer lists and pin files (see PINNED_SIGNERS, STORE_ROOT and
# SIGNED_MESSAGE in src/lib.rs).
cp "$here/fuzz-signing-key" "$work/key"
chmod 600 "$work/key"
sign() { # namespace file
    ssh-keygen -q -Y sign -f "$work/key" -n "$1" "$2" 2>/dev/null
}
printf 'handover fuzz\n' >"$work/message"
sign handover "$work/message"
mkdir -p "$corpus/ssh_signature"
cp "$work/message.sig" "$corpus/ssh_signature/handover.sig"
rm "$work/message.sig"
sign handover-signers "$work/message"
cp "$work/message.sig" "$corpus/ssh_signature/handover-signers.sig"
cat "$corpus/ssh_signature/handover.sig" "$work/message.sig" >"$corpus/ssh_signature/two.sig"
cp "$work/demo/store/clients/mueller-bau.age.sig" "$corpus/ssh_signature/vault.sig"

mkdir -p "$corpus/signer_list"
cp "$here/signers.json" "$corpus/signer_list/pinned.json"
sed 's/"version": 1,/"version": 2,/' "$here/signers.json" >"$work/signers-v2.json"
sign handover-signers "$work/signers-v2.json"
cat "$work/signers-v2.json" "$work/signers-v2.json.sig" >"$corpus/signer_list/signed-v2"
cat "$work/demo/store/signers.json" "$work/demo/store/signers.json.sig" \
    >"$corpus/signer_list/demo-signed"

mkdir -p "$corpus/pin_file"
store=$(cd "$work/demo/store" && pwd -P)
sed "s|\"$store\"|\"/nonexistent/handover-fuzz-store\"|" "$work/demo/identity.trust.json" \
    >"$corpus/pin_file/demo.json"
echo "seeded $(find "$corpus" -type f | wc -l) files in $corpus"
