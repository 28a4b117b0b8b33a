#!/usr/bin/env python3
"""Realistic entries for the benchmarks, as handover's JSON import reads them: 10% with
TOTP and recovery codes, 2% with an SSH key, notes of 0 to 200 characters.

Usage: python3 scripts/bench-data.py ENTRIES > FILE.json"""
import json, sys
n = int(sys.argv[1])
kinds = ["login", "server", "network-device", "wifi", "email", "api-key", "database"]
words = ("Hinweis: Wartungsfenster samstags, Zugang nur über VPN. Ansprechpartner "
         "vor Ort fragen; Passwort nach jedem Einsatz ändern. Backup läuft nachts "
         "um 02:00 Uhr, Ticket im Portal anlegen. ") * 2
out = []
for i in range(n):
    e = {"path": f"gruppe-{i % 25:02d}/eintrag-{i:05d}", "title": f"Zugang Nr. {i} – Über Größe",
         "kind": kinds[i % len(kinds)], "url": f"https://host{i}.example/login",
         "username": f"benutzer{i}@firma.example", "password": f"Pässwört-{i:05d}-€|lI1O0"}
    # Notes of 0 to 200 characters, spread evenly.
    length = (i * 37) % 201
    if length:
        e["notes"] = words[:length].strip()
    if i % 10 == 0:
        # Each secret differs, so every QR code is a different one.
        secret = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(i * 7 + k * 13) % 32] for k in range(32))
        e["totp"] = f"otpauth://totp/Firma:u{i}?secret={secret}&issuer=Firma"
        e["recovery_codes"] = [f"{i:04d}-{j:04d}" for j in range(5)]
    if i % 50 == 25:
        e["kind"] = "ssh-key"
        e["fields"] = [{"name": "private key", "secret": True,
                        "value": "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                 + ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" + "\n") * 6
                                 + "-----END OPENSSH PRIVATE KEY-----"}]
    out.append(e)
json.dump(out, sys.stdout)
