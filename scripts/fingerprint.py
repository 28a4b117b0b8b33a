#!/usr/bin/env python3
"""Computes a client's vault fingerprint from its decrypted JSON, without handover
(docs/FORMAT.md, "The vault fingerprint"): both versions, as a successor could check
a paper with nothing but `age -d` and Python.

Usage: age -d -i KEY clients/ID.age | python3 scripts/fingerprint.py
"""
import hashlib
import json
import sys

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def dumps(value):
    # serde_json's compact form: no spaces, non-ASCII as is.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def printed(digest):
    bits = "".join(f"{b:08b}" for b in digest)[:100]
    text = "".join(ALPHABET[int(bits[i:i + 5], 2)] for i in range(0, 100, 5))
    return "-".join(text[i:i + 4] for i in range(0, 20, 4))


def canonical(vault, entries):
    out = {"format_version": 1}
    for key in ["id", "name", "legal_name", "address", "contacts", "notes", "recipients"]:
        out[key] = vault.get(key, [] if key in ("contacts", "recipients") else None)
    out["entries"] = entries
    out["created"] = vault["created"]
    if vault.get("emergency_partner") is not None:
        out["emergency_partner"] = vault["emergency_partner"]
    for key in ["systems", "networks", "vendors", "documents", "decisions"]:
        items = sorted(vault.get(key) or [], key=lambda item: item["id"])
        if items:
            out[key] = [dict(sorted((k, v) for k, v in item.items() if k != "updated"))
                        for item in items]
    return out


def main():
    vault = json.loads(sys.stdin.read())
    entries = sorted(vault.get("entries", []), key=lambda e: e["id"])
    v1 = hashlib.sha256(b"handover-fingerprint-v1\n" + dumps(canonical(vault, entries)).encode())
    digests = [hashlib.sha256(b"handover-entry-v1\n" + dumps(e).encode()).hexdigest()
               for e in entries]
    v2 = hashlib.sha256(b"handover-fingerprint-v2\n" + dumps(canonical(vault, digests)).encode())
    print(f"version 2 (printed since December 2026): {printed(v2.digest())}")
    print(f"version 1 (printed before):              {printed(v1.digest())}")


if __name__ == "__main__":
    main()
