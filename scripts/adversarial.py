#!/usr/bin/env python3
"""The adversarial campaign of issue 21, kept: run by scripts/adversarial.sh.

Four parts against the release binary, each on stores in a scratch directory:

  kills     kill -9 at a random moment during each kind of write, sync included (a
            second machine and a bare repository on disk); afterwards every
            part the write touches is either as before or as after a complete run, the
            store still verifies, the next write succeeds and removes every `.tmp-*`
            the killed one left, and keeps what the killed one had finished.
  writers   N parallel `add`s of different entries to one client; a lost update is an
            `add` that exited 0 and whose entry is not in the vault afterwards.
  attacks   forged, unsigned, swapped, rolled-back and misplaced vaults and bundles,
            a planted `allowed_signers` key, a tampered signer list and pin file: each
            must be refused by every command tried, and stay refused after `sign --yes`.
  truncate  each import fixture, and a database keepassxc-cli writes, cut at many
            lengths: an import either fails and leaves the vault byte for byte as it
            was, or succeeds and adds exactly the entries it reports.

A failure is printed with what to reproduce it from; the exit status is 1 if any
figure is not what it must be.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

PW = b"Adversarial-Passw0rd!"


class Env:
    """One store, identity and HOME under `root`, driven through the binary."""

    def __init__(self, binary, root):
        self.binary = binary
        self.root = Path(root)
        self.store = self.root / "store"
        env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
        env.update(
            HOME=str(self.root),
            HANDOVER_STORE=str(self.store),
            HANDOVER_IDENTITY=str(self.root / "identity.txt"),
            EDITOR="false",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=str(self.root / "gitconfig"),
            GIT_AUTHOR_NAME="adversarial",
            GIT_AUTHOR_EMAIL="adversarial@example.org",
            GIT_COMMITTER_NAME="adversarial",
            GIT_COMMITTER_EMAIL="adversarial@example.org",
        )
        self.env = env

    def git(self, args):
        return sh(["git", "-C", str(self.store), *args], env=self.env).stdout.decode().strip()

    def run(self, args, stdin=b"", timeout=120):
        return subprocess.run(
            [self.binary, *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            timeout=timeout,
        )

    def ok(self, args, stdin=b""):
        out = self.run(args, stdin)
        if out.returncode != 0:
            raise SystemExit(
                f"setup: handover {' '.join(args)} failed ({out.returncode}): {out.stderr.decode(errors='replace')}"
            )
        return out.stdout.decode()

    def json(self, args):
        out = self.run(args)
        if out.returncode != 0:
            return None
        try:
            return json.loads(out.stdout)
        except ValueError:
            return None

    def popen(self, args, stdin=b""):
        p = subprocess.Popen(
            [self.binary, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        try:
            p.stdin.write(stdin)
            p.stdin.close()
        except BrokenPipeError:
            pass
        return p


def sh(args, stdin=b"", check=True, env=None):
    out = subprocess.run(args, input=stdin, capture_output=True, env=env)
    if check and out.returncode != 0:
        raise SystemExit(f"setup: {' '.join(map(str, args))} failed: {out.stderr.decode(errors='replace')}")
    return out


def restore(snapshot, work):
    """Puts the snapshot back at the one path the pin file knows the store by."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(snapshot, work, symlinks=True)


def temps(root):
    """Every `.tmp-*` file or directory under root."""
    return sorted(str(p) for p in Path(root).rglob(".tmp-*"))


def digest(b):
    return hashlib.sha256(b).hexdigest()[:16]


def entries_json(prefix, n, start=0):
    return json.dumps(
        [
            {
                "path": f"{prefix}/{i:04d}",
                "kind": "login",
                "username": f"user{i}@example.org",
                "url": f"https://host{i}.example.org",
                "password": f"Pw-{i:04d}-{random.randrange(10**9)}-Xy!",
                "notes": "Notiz " * 20,
            }
            for i in range(start, start + n)
        ]
    ).encode()


# ---------------------------------------------------------------- baseline


def build_baseline(binary, work, size):
    """A store with three clients: acme (`size` entries, a document, an older PDF),
    beta (small), legacy (unsigned, as from before signed vaults), and what the
    attacks need: an attacker key, an older signed revision of acme, a bundle."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    e = Env(binary, work)
    e.ok(["init", "--provider-name", "Adversarial IT"])
    for cid, name in [("acme", "Acme GmbH"), ("beta", "Beta KG"), ("legacy", "Legacy AG")]:
        e.ok(["client", "new", cid, "--name", name])
        e.ok(["client", "edit", cid, "--add-contact", "Jutta Müller", "--role", "GF", "--phone", "0761 555"])
    (work / "acme.json").write_bytes(entries_json("e", size))
    e.ok(["import", "acme", "--format", "json", str(work / "acme.json")])
    (work / "beta.json").write_bytes(entries_json("b", 5))
    e.ok(["import", "beta", "--format", "json", str(work / "beta.json")])
    e.ok(["doc", "add", "acme", "plan", "--kind", "first-hour-plan", "--stdin"], b"# Die erste Stunde\n\nAlt.\n")
    older = work / "older"
    older.mkdir()
    for suffix in ["", ".sig"]:
        shutil.copy2(e.store / "clients" / f"acme.age{suffix}", older / f"acme.age{suffix}")
    e.ok(["add", "acme", "later/one", "--username", "x", "--password-stdin"], PW)
    (work / "out").mkdir()
    e.ok(["dossier", "acme", "-o", str(work / "out" / "acme.pdf")])
    # keys for the successor, a teammate and the attacker
    sh(["age-keygen", "-o", str(work / "succ.key")])
    sh(["age-keygen", "-o", str(work / "anna.key")])
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "anna", "-f", str(work / "anna.ssh")])
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mallory", "-f", str(work / "mallory.ssh")])
    own = own_recipient(work)
    e.ok(["export", "acme", "--format", "bundle", "-o", str(work / "bundle.age"), "--recipient", own])
    # an import file for the import kill
    (work / "more.json").write_bytes(entries_json("imp", 20))
    return e


def own_recipient(work):
    for line in (work / "identity.txt").read_text().splitlines():
        if line.startswith("# public key:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit("setup: no public key line in identity.txt")


def recipients_of(plain):
    return json.loads(plain)["recipients"]


def decrypt(work, path):
    return sh(["age", "-d", "-i", str(work / "identity.txt"), str(path)]).stdout


def encrypt(plain, recipients, path):
    args = ["age", "-o", str(path)]
    for r in recipients:
        args += ["-r", r]
    sh(args, plain)


def make_legacy(e):
    """legacy: an unsigned vault of revision 0 this machine has never seen signed, as a
    store from before signed vaults has; `sign` is the write that signs it."""
    vault = e.store / "clients" / "legacy.age"
    doc = json.loads(decrypt(e.root, vault))
    doc.pop("revision", None)
    encrypt(json.dumps(doc).encode(), doc["recipients"], vault)
    (e.store / "clients" / "legacy.age.sig").unlink()
    pins = e.root / "identity.trust.json"
    trust = json.loads(pins.read_text())
    for store in trust["stores"].values():
        store.get("revisions", {}).pop("legacy", None)
    pins.write_text(json.dumps(trust))


# ---------------------------------------------------------------- probes


def paths(e, cid):
    j = e.json(["list", cid, "--json"])
    return None if j is None else tuple(sorted(x["path"] for x in j))


def field(e, cid, path, name):
    j = e.json(["show", cid, path, "--reveal", "--json"])
    return None if j is None else j.get(name)


def client_ids(e):
    out = e.run(["client", "list", "--json"])
    if out.returncode != 0:
        return None
    try:
        return tuple(sorted(c["id"] for c in json.loads(out.stdout)))
    except (ValueError, KeyError, TypeError):
        return None


def dossier_count(e, cid):
    j = e.json(["log", cid, "--json"])
    if j is None:
        return None
    return sum(1 for ev in j if "dossier" in json.dumps(ev).lower())


def pdf_state(path, old):
    if not path.exists():
        return "absent"
    b = path.read_bytes()
    if old is not None and digest(b) == old:
        return "old"
    ok = subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    return "complete" if ok else "BROKEN"


def recips(e, cid):
    j = e.json(["client", "show", cid, "--json"])
    return None if j is None else tuple(sorted(j.get("recipients", [])))


def signer_names(e):
    j = e.json(["signers", "list", "--json"])
    if j is None:
        return None
    items = j if isinstance(j, list) else j.get("signers", [])
    return tuple(sorted(s.get("name", "") for s in items))


def kill_kinds(work):
    """name -> (command, stdin, probe, finish, prepare). probe returns a dict of parts;
    each must be as before or as after. finish (optional) completes the write the way
    a user would, before the next-write check; prepare (optional) runs before it."""
    out_pdf = work / "out" / "acme.pdf"
    old_pdf = digest(out_pdf.read_bytes())
    succ = own_recipient_of(work / "succ.key")
    anna = own_recipient_of(work / "anna.key")
    doc_new = b"# Die erste Stunde\n\n" + b"Neu: Firewall zuerst. " * 2000 + b"\n"
    return {
        "add": (["add", "acme", "k/new", "--username", "u", "--password-stdin"], PW,
                lambda e: {"entries": paths(e, "acme")}, None),
        "rotate": (["rotate", "acme", "e/0001", "--password-stdin"], b"Rotated-Passw0rd-1!",
                   lambda e: {"password": field(e, "acme", "e/0001", "password")}, None),
        "edit": (["edit", "acme", "e/0002", "--username", "changed@example.org"], b"",
                 lambda e: {"username": field(e, "acme", "e/0002", "username")}, None),
        "import": (["import", "acme", "--format", "json", str(work / "more.json")], b"",
                   lambda e: {"entries": paths(e, "acme")}, None),
        "sign": (["sign", "--yes"], b"",
                 lambda e: {"legacy": (e.run(["list", "legacy"]).returncode, paths_any(e, "legacy"))},
                 None, make_legacy),
        "dossier": (["dossier", "acme", "-o", str(out_pdf), "--force"], b"",
                    lambda e: {"recorded": dossier_count(e, "acme"),
                               "pdf": pdf_state(out_pdf, old_pdf)},
                    ["dossier", "acme", "-o", str(out_pdf), "--force"]),
        "doc-edit": (["doc", "edit", "acme", "plan", "--stdin"], doc_new,
                     lambda e: {"doc": digest(e.run(["doc", "show", "acme", "plan"]).stdout)}, None),
        "doc-add": (["doc", "add", "acme", "plan2", "--kind", "note", "--stdin"], doc_new,
                    lambda e: {"doc": e.run(["doc", "show", "acme", "plan2"]).returncode == 0 and
                               digest(e.run(["doc", "show", "acme", "plan2"]).stdout)}, None),
        "client-new": (["client", "new", "gamma", "--name", "Gamma"], b"",
                       lambda e: {"clients": client_ids(e),
                                  "gamma": e.run(["client", "show", "gamma"]).returncode}, None),
        "offboard": (["offboard", "acme", "--successor", succ, "--successor-name", "Nachfolger",
                      "--out", str(work / "off"), "--yes", "--accept-blocking", "--force"], b"",
                     lambda e: offboard_state(e, work),
                     ["offboard", "acme", "--successor", succ, "--successor-name", "Nachfolger",
                      "--out", str(work / "off"), "--yes", "--accept-blocking", "--force"]),
        "team-add": (["team", "add", "anna", "--recipient", anna, "--signing-key",
                      str(work / "anna.ssh.pub")], b"",
                     lambda e: {"signers": signer_names(e), **{f"recipients:{c}": recips(e, c) for c in ["acme", "beta"]}},
                     None),
    }


def paths_any(e, cid):
    """The entries of a vault as the stock age reads it: the content, signed or not."""
    out = subprocess.run(["age", "-d", "-i", str(e.root / "identity.txt"),
                          str(e.store / "clients" / f"{cid}.age")], capture_output=True)
    if out.returncode != 0:
        return "UNREADABLE"
    return digest(json.dumps(sorted(x["path"] for x in json.loads(out.stdout)["entries"])).encode())


def own_recipient_of(keyfile):
    for line in keyfile.read_text().splitlines():
        if line.startswith("# public key:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"setup: no public key in {keyfile}")


def offboard_state(e, work):
    """Before: acme in the store. After: acme gone and the bundle (stock age opens it
    with the successor's key), its signature and a checked PDF in the out directory.
    Never: acme gone without a complete bundle."""
    present = e.run(["list", "acme"]).returncode == 0
    off = work / "off"
    bundle = off / "acme-bundle.age"
    complete = (
        bundle.exists()
        and (off / "acme-bundle.age.sig").exists()
        and subprocess.run(["age", "-d", "-i", str(work / "succ.key"), str(bundle)],
                           capture_output=True).returncode == 0
        and pdf_state(off / "acme-dossier.pdf", None) == "complete"
    )
    gone = not (e.store / "clients" / "acme.age").exists()
    if present:
        return {"acme": "in store"}
    if gone and complete:
        return {"acme": "handed over"}
    return {"acme": f"BROKEN (present={present} gone={gone} complete={complete})"}


# ---------------------------------------------------------------- part (a)


def part_kills(binary, snapshot, work, trials, rng, failures, only=None):
    restore(snapshot, work)
    # Built on the working copy: commands and probes name its paths.
    kinds = kill_kinds(work)
    e = Env(binary, work)
    per_kind = {}
    for name, (cmd, stdin, probe, fin, *prep) in kinds.items():
        if only and name not in only:
            continue
        prepare = prep[0] if prep else (lambda e: None)
        restore(snapshot, work)
        prepare(e)
        old = probe(e)
        # The kill falls anywhere in a run's typical duration: the median of three
        # (one slow run, under load, would put most kills after the end).
        runs = []
        for i in range(3):
            if i:
                restore(snapshot, work)
                prepare(e)
            t0 = time.monotonic()
            out = e.run(cmd, stdin)
            runs.append(time.monotonic() - t0)
            if out.returncode != 0:
                raise SystemExit(f"kills: {name} fails even without a kill: {out.stderr.decode(errors='replace')}")
        took = sorted(runs)[1]
        new = probe(e)
        stats = dict(kills=0, during=0, broken=0, unverified=0, blocked=0, temps=0, lost=0, ms=round(took * 1000))
        for _ in range(trials):
            restore(snapshot, work)
            prepare(e)
            delay = rng.uniform(0, took * 1.05)
            p = e.popen(cmd, stdin)
            time.sleep(delay)
            if p.poll() is None:
                stats["during"] += 1
            p.send_signal(signal.SIGKILL)
            p.wait()
            stats["kills"] += 1
            problem = check_after_kill(e, work, probe, old, new, fin, stats, name)
            if problem:
                failures.append(f"kill {name} after {delay * 1000:.1f} ms: {problem}")
        per_kind[name] = stats
    return per_kind


def check_after_kill(e, work, probe, old, new, finish, stats, name, other="beta"):
    state = probe(e)
    bad = [k for k in state if state[k] not in (old[k], new[k])]
    if bad:
        stats["broken"] += 1
        return f"{bad} neither before nor after: {state} (before {old}, after {new})"
    if name != "sign" and e.run(["client", "list"]).returncode != 0:
        stats["unverified"] += 1
        return "client list refuses the store after the kill"
    e.finished = None
    if finish:
        e.finished = e.run(finish)
    nxt = e.run(["add", other, "next/write", "--username", "n", "--password-stdin"], PW)
    if nxt.returncode != 0:
        stats["blocked"] += 1
        return f"the next write failed: {nxt.stderr.decode(errors='replace').strip()}"
    left = temps(work)
    if left:
        stats["temps"] += 1
        return f"temp files survived the next write: {left}"
    after = probe(e)
    if finish is None and after != state:
        stats["lost"] += 1
        return f"the next write changed what the killed one left: {state} -> {after}"
    if "next/write" not in (paths(e, other) or ()):
        stats["lost"] += 1
        return "the next write's entry is missing"
    return None


# A sync is the one write with a second party: a bare repository on disk, two
# machines (identities) sharing acme. Its baseline is built once, beside the main one.


def build_sync_baseline(binary, root):
    """`a` shares its store into a bare repository, adds `b` to the team, both sync;
    then each changes another entry of acme and `a` syncs. What is killed is `b`'s
    sync: fetch, merge entry by entry, commit, push."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    sh(["git", "init", "-q", "--bare", str(root / "remote.git")])
    a, b = Env(binary, root / "a"), Env(binary, root / "b")
    for peer in (a, b):
        peer.root.mkdir()
    a.ok(["init", "--provider-name", "Adversarial IT"])
    # b's identity and signing key come from a store of its own, as on a second machine.
    b.env["HANDOVER_STORE"] = str(b.root / "own")
    b.ok(["init", "--provider-name", "Adversarial IT"])
    b.env["HANDOVER_STORE"] = str(b.store)
    a.ok(["client", "new", "acme", "--name", "Acme GmbH"])
    (root / "acme.json").write_bytes(entries_json("e", 100))
    a.ok(["import", "acme", "--format", "json", str(root / "acme.json")])
    a.ok(["sync", "init", str(root / "remote.git")])
    b_ssh = b.root / "identity.signing-key.pub"
    a.ok(["team", "add", "bob", "--recipient", own_recipient_of(b.root / "identity.txt"),
          "--signing-key", str(b_ssh)])
    a.ok(["sync"])
    b.ok(["sync", "init", str(root / "remote.git")])
    b.ok(["signers", "pin", "--yes"])
    b.ok(["sync"])
    a.ok(["rotate", "acme", "e/0001", "--password-stdin"], b"From-A-Passw0rd!")
    a.ok(["sync"])
    b.ok(["rotate", "acme", "e/0002", "--password-stdin"], b"From-B-Passw0rd!")
    return b


def part_kill_sync(binary, scratch, trials, rng, failures):
    """kill -9 during `b`'s sync. Before: b has its own change only; after: both. The
    next sync completes what the killed one left (a merge in progress, an unpushed
    commit; run twice if the first fails), and b's next write keeps what it merged."""
    root, snap = scratch / "sync", scratch / "sync-snapshot"
    build_sync_baseline(binary, root)
    shutil.rmtree(snap, ignore_errors=True)
    shutil.copytree(root, snap, symlinks=True)
    b = Env(binary, root / "b")

    def probe(e):
        return {"e/0001": field(e, "acme", "e/0001", "password"),
                "e/0002": field(e, "acme", "e/0002", "password")}

    restore(snap, root)
    old = probe(b)
    runs = []
    for i in range(3):
        if i:
            restore(snap, root)
        t0 = time.monotonic()
        out = b.run(["sync"])
        runs.append(time.monotonic() - t0)
        if out.returncode != 0:
            raise SystemExit(f"kills: sync fails even without a kill: {out.stderr.decode(errors='replace')}")
    took = sorted(runs)[1]
    new = probe(b)
    if new["e/0001"] != "From-A-Passw0rd!" or new["e/0002"] != "From-B-Passw0rd!":
        raise SystemExit(f"kills: the sync control did not merge: {new}")
    stats = dict(kills=0, during=0, broken=0, unverified=0, blocked=0, temps=0, lost=0, retried=0,
                 ms=round(took * 1000))
    for trial in range(trials):
        restore(snap, root)
        delay = rng.uniform(0, took * 1.05)
        p = b.popen(["sync"])
        time.sleep(delay)
        if p.poll() is None:
            stats["during"] += 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        stats["kills"] += 1
        # Half the time the next command is a write, not a sync: it must not conclude
        # a merge the killed sync left in progress.
        finish = ["sync"] if trial % 2 == 0 else None
        problem = check_after_kill(b, root, probe, old, new, finish, stats, "sync", other="acme")
        # The sync after the kill may fail (git's index.lock still held by a git the
        # killed sync started, which kill -9 leaves running): a person runs it again.
        # Then both sides' changes and the write in between are there, all committed.
        if b.finished is not None and b.finished.returncode != 0:
            stats["retried"] += 1
        if not problem:
            again = b.run(["sync"])
            if again.returncode != 0:
                stats["blocked"] += 1
                problem = f"sync fails twice after the kill: {again.stderr.decode(errors='replace').strip()}"
            elif probe(b) != new or "next/write" not in (paths(b, "acme") or ()):
                stats["lost"] += 1
                said = b.finished.stderr.decode(errors="replace").strip() if b.finished else "-"
                problem = f"a change is lost: {probe(b)} (the first sync after the kill said {said!r})"
            elif b.git(["status", "--porcelain"]):
                stats["lost"] += 1
                problem = f"uncommitted after two syncs: {b.git(['status', '--porcelain'])}"
        if problem:
            failures.append(f"kill sync after {delay * 1000:.1f} ms: {problem}")
    return stats


# ---------------------------------------------------------------- part (b)


def part_writers(binary, snapshot, work, rounds, width, failures):
    restore(snapshot, work)
    e = Env(binary, work)
    stats = dict(writes=0, exit0=0, failed=0, lost=0, phantom=0)
    for r in range(rounds):
        procs = []
        for i in range(width):
            path = f"c/r{r:03d}/w{i:02d}"
            procs.append((path, e.popen(["add", "beta", path, "--username", "c", "--password-stdin"], PW)))
        codes = {path: p.wait() for path, p in procs}
        have = set(paths(e, "beta") or ())
        for path, code in codes.items():
            stats["writes"] += 1
            if code == 0:
                stats["exit0"] += 1
                if path not in have:
                    stats["lost"] += 1
                    failures.append(f"writers: round {r}: {path} exited 0 but is not in the vault")
            else:
                stats["failed"] += 1
                if path in have:
                    stats["phantom"] += 1
                    failures.append(f"writers: round {r}: {path} failed ({code}) but is in the vault")
    if temps(work):
        failures.append(f"writers: temp files left: {temps(work)}")
    return stats


# ---------------------------------------------------------------- part (c)


def ssh_sign(key, namespace, path):
    sig = Path(f"{path}.sig")
    sig.unlink(missing_ok=True)
    sh(["ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f", str(key), str(path)])


def forge(work, rng, recipients=None):
    """A vault an attacker makes with stock age and the public recipients alone: the
    recipients are public (the vault's header names none, but every signed bundle and
    dossier does), the JSON layout is documented. A random change: another password, an
    extra recipient (the attacker's), or an extra entry."""
    plain = json.loads(decrypt(work, work / "store" / "clients" / "acme.age"))
    choice = rng.randrange(3)
    if choice == 0:
        plain["entries"][0]["password"] = "attacker-knows-this"
    elif choice == 1:
        plain["recipients"].append(own_recipient_of(work / "anna.key"))
    else:
        plain["entries"].append({"id": "99999999-9999-4999-8999-999999999999", "path": "evil/new",
                                 "kind": "login", "username": "evil", "password": "x",
                                 "created": plain["created"], "updated": plain["updated"]})
    plain["revision"] = plain.get("revision", 0) + rng.randrange(1, 5)
    vault = work / "store" / "clients" / "acme.age"
    encrypt(json.dumps(plain).encode(), recipients or plain["recipients"], vault)
    return vault


def attack_kinds():
    def forged(w, rng):
        forge(w, rng)

    def forged_unsigned(w, rng):
        forge(w, rng)
        (w / "store/clients/acme.age.sig").unlink()

    def deleted_sig(w, rng):
        (w / "store/clients/acme.age.sig").unlink()

    def swapped_sig(w, rng):
        c = w / "store/clients"
        a, b = (c / "acme.age.sig").read_bytes(), (c / "beta.age.sig").read_bytes()
        (c / "acme.age.sig").write_bytes(b)
        (c / "beta.age.sig").write_bytes(a)

    def swapped_vault(w, rng):
        c = w / "store/clients"
        for s in ["", ".sig"]:
            shutil.copy2(c / f"beta.age{s}", c / f"acme.age{s}")

    def rollback(w, rng):
        for s in ["", ".sig"]:
            shutil.copy2(w / "older" / f"acme.age{s}", w / "store/clients" / f"acme.age{s}")

    def bundle_as_vault(w, rng):
        for s in ["", ".sig"]:
            shutil.copy2(w / f"bundle.age{s}", w / "store/clients" / f"acme.age{s}")

    def planted_allowed_signers(w, rng):
        pub = (w / "mallory.ssh.pub").read_text().split()
        with open(w / "store/allowed_signers", "a") as f:
            f.write(f'provider namespaces="handover" {pub[0]} {pub[1]}\n')
        ssh_sign(w / "mallory.ssh", "handover", forge(w, rng))

    def tampered_signers(w, rng):
        lst = json.loads((w / "store/signers.json").read_text())
        pub = (w / "mallory.ssh.pub").read_text().split()
        lst["signers"].append({"name": "mallory", "key": f"{pub[0]} {pub[1]}", "added": "2026-01-01T00:00:00Z"})
        if rng.randrange(2):
            lst["version"] += 1
        (w / "store/signers.json").write_text(json.dumps(lst))
        if rng.randrange(2):
            ssh_sign(w / "mallory.ssh", "handover-signers", w / "store/signers.json")
        ssh_sign(w / "mallory.ssh", "handover", forge(w, rng))

    def tampered_pins(w, rng):
        pins = w / "identity.trust.json"
        trust = json.loads(pins.read_text())
        pub = (w / "mallory.ssh.pub").read_text().split()
        for s in trust["stores"].values():
            s["signers"]["signers"].append({"name": "mallory", "key": f"{pub[0]} {pub[1]}",
                                            "added": "2026-01-01T00:00:00Z"})
        pins.write_text(json.dumps(trust))
        ssh_sign(w / "mallory.ssh", "handover", forge(w, rng))

    def mallory_signed(w, rng):
        ssh_sign(w / "mallory.ssh", "handover", forge(w, rng))

    # name -> (mutation, what must refuse)
    reads = [["list", "acme"], ["show", "acme", "e/0000", "--reveal"], ["client", "show", "acme"],
             ["add", "acme", "x/y", "--username", "u", "--password-stdin"],
             ["dossier", "acme", "-o", "{work}/out/forged.pdf"],
             ["export", "acme", "--format", "bundle", "-o", "{work}/out/forged.age", "--recipient", "{succ}"]]
    return {
        "forged vault (stock age -r)": (forged, reads),
        "forged vault, .sig deleted": (forged_unsigned, reads),
        "forged vault signed by an unknown key": (mallory_signed, reads),
        "genuine vault, .sig deleted": (deleted_sig, reads),
        "swapped .sig between clients": (swapped_sig, reads),
        "another client's vault and .sig": (swapped_vault, reads),
        "rollback to an older signed revision": (rollback, reads),
        "bundle presented as vault": (bundle_as_vault, reads),
        "vault presented as bundle": (None, [["import", "newc", "--format", "bundle", "{work}/store/clients/acme.age"],
                                             ["takeover", "{work}/store/clients/acme.age", "--yes", "--client", "newc"]]),
        "planted key in <store>/allowed_signers": (planted_allowed_signers, reads),
        "tampered signer list (+ forgery)": (tampered_signers, reads),
        "tampered pin file (+ forgery)": (tampered_pins, reads),
    }


def part_attacks(binary, snapshot, work, per_kind, rng, failures):
    e = Env(binary, work)
    table = {}
    for name, (mutate, cmds) in attack_kinds().items():
        control(e, snapshot, work, name, mutate, cmds)
        stats = dict(attacks=0, refused=0, accepted=0, panics=0)
        for _ in range(per_kind):
            restore(snapshot, work)
            if mutate:
                mutate(work, rng)
            stats["attacks"] += 1
            accepted = []
            for cmd in cmds:
                cmd = [a.replace("{work}", str(work)).replace("{succ}", own_recipient_of(work / "succ.key")) for a in cmd]
                out = e.run(cmd, PW)
                if out.returncode == 101:
                    stats["panics"] += 1
                if out.returncode == 0:
                    accepted.append(" ".join(cmd[:2]))
            if mutate:
                # Refused once is not enough: `sign --yes` must not make it acceptable.
                e.run(["sign", "--yes"])
                if e.run(["list", "acme"]).returncode == 0:
                    accepted.append("list after sign --yes")
            if accepted:
                stats["accepted"] += 1
                failures.append(f"attack {name}: accepted by {accepted}")
            else:
                stats["refused"] += 1
        table[name] = stats
    return table


def control(e, snapshot, work, name, mutate, cmds):
    """Every command of an attack succeeds on the untouched store (with the genuine
    bundle where the attack presents a vault as one), so that a refusal is the
    attack's doing and not a mistyped command's."""
    restore(snapshot, work)
    for cmd in cmds:
        cmd = [a.replace("{work}", str(work)).replace("{succ}", own_recipient_of(work / "succ.key")) for a in cmd]
        if not mutate:
            cmd = [a.replace("store/clients/acme.age", "bundle.age") for a in cmd]
        out = e.run(cmd, PW)
        if out.returncode != 0:
            raise SystemExit(f"attacks: control for {name!r}: {' '.join(cmd)} fails on the genuine store: "
                             f"{out.stderr.decode(errors='replace')}")
        if cmd[0] in ("import", "takeover"):
            restore(snapshot, work)


# ---------------------------------------------------------------- part (d)


def keepassxc_db(work):
    db = work / "made.kdbx"
    pw = "Kdbx-Passw0rd"
    if db.exists():
        return db, pw

    def kx(args, stdin):
        sh(["keepassxc-cli", *args], stdin.encode())

    kx(["db-create", "-q", "-p", "-t", "100", str(db)], f"{pw}\n{pw}\n")
    kx(["mkdir", "-q", str(db), "Kunden"], f"{pw}\n")
    for i in range(6):
        kx(["add", "-q", "-u", f"chef{i}", "--url", f"https://k{i}.example", "-p", str(db), f"Kunden/Kasse-{i}"],
           f"{pw}\nGeheim-{i}-äöü\n")
    return db, pw


def fixtures(shared, work):
    out = []
    formats = {"1password.csv": "1password-csv", "bitwarden-unencrypted.json": "bitwarden-json",
               "excel-de-cp1252.csv": "csv", "keepassxc-2.7.4.csv": "keepassxc-csv",
               "keepassxc-2.7.4.xml": "keepass-xml"}
    for name, fmt in formats.items():
        p = shared / name
        if p.exists():
            out.append((name, fmt, p.read_bytes(), None))
    db, pw = keepassxc_db(work)
    out.append(("keepassxc-cli.kdbx", "kdbx", db.read_bytes(), pw))
    return out


def part_truncate(binary, snapshot, work, shared, cap, rng, failures):
    e = Env(binary, work)
    table = {}
    restore(snapshot, work)
    files = fixtures(shared, snapshot)
    vault = work / "store/clients/beta.age"
    for name, fmt, data, pw in files:
        restore(snapshot, work)
        lengths = list(range(len(data)))
        if len(lengths) > cap:
            lengths = sorted(rng.sample(lengths, cap))
        # The whole file last, as the control: it must import.
        lengths.append(len(data))
        stats = dict(cuts=0, refused=0, imported=0, partial=0, panics=0)
        cut = work / "cut.bin"
        for n in lengths:
            cut.write_bytes(data[:n])
            before_vault = vault.read_bytes()
            before = paths(e, "beta")
            args = ["import", "beta", "--format", fmt, str(cut), "--on-conflict", "rename"]
            if pw:
                args.append("--password-stdin")
            out = e.run(args, (pw + "\n").encode() if pw else b"")
            stats["cuts"] += 1
            said = None
            if out.returncode == 101:
                stats["panics"] += 1
                failures.append(f"truncate {name} at {n}: panic: {out.stderr.decode(errors='replace')[:300]}")
            if out.returncode != 0:
                stats["refused"] += 1
                if vault.read_bytes() != before_vault or temps(work / "store"):
                    stats["partial"] += 1
                    failures.append(f"truncate {name} at {n}: refused, yet the vault changed")
                continue
            stats["imported"] += 1
            after = paths(e, "beta")
            added = len(after) - len(before)
            said = reported_count((out.stdout + out.stderr).decode(errors="replace"))
            if said is not None and said != added:
                stats["partial"] += 1
                failures.append(f"truncate {name} at {n}: said {said} imported, vault gained {added}")
            if added > 0:
                restore(snapshot, work)
        if stats["imported"] == 0 or said is None:
            raise SystemExit(f"truncate: the whole {name} does not import, or its count is not understood")
        table[name] = stats
    return table


def reported_count(text):
    """New entries as `Imported: N added, R replaced, S skipped, M renamed.` says."""
    import re
    m = re.search(r"Imported: (\d+) added, \d+ replaced, \d+ skipped, (\d+) renamed", text)
    return int(m.group(1)) + int(m.group(2)) if m else None


# ---------------------------------------------------------------- main


def table(title, rows, cols):
    print(f"\n{title}")
    widths = [max(len(str(c)), *(len(str(r.get(c, ""))) for r in rows.values())) for c in cols]
    name_w = max(len(n) for n in rows) if rows else 4
    print("  " + " " * name_w + "  " + "  ".join(str(c).rjust(w) for c, w in zip(cols, widths)))
    for n, r in rows.items():
        print("  " + n.ljust(name_w) + "  " + "  ".join(str(r.get(c, "")).rjust(w) for c, w in zip(cols, widths)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="1.0: about 1,500 kills, 600 concurrent writes, 600 attacks, 7,000 truncations")
    ap.add_argument("--dir", required=True, help="scratch directory (emptied)")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--parts", default="kills,writers,attacks,truncate")
    ap.add_argument("--kinds", default="", help="only these kinds of write for the kills (comma-separated)")
    ap.add_argument("--entries", type=int, default=300, help="entries in the client the kills write to")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    random.seed(seed)
    scratch = Path(a.dir).resolve()
    work, snapshot = scratch / "w", scratch / "snapshot"
    print(f"adversarial: {a.bin}, scale {a.scale}, seed {seed}, scratch {scratch}")
    t0 = time.monotonic()
    build_baseline(a.bin, work, a.entries)
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(work, snapshot, symlinks=True)
    failures = []
    parts = a.parts.split(",")
    summary = {}
    s = a.scale
    if "kills" in parts:
        t = time.monotonic()
        per = max(1, round(136 * s))
        only = a.kinds.split(",") if a.kinds else None
        rows = part_kills(a.bin, snapshot, work, per, rng, failures, only)
        if not only or "sync" in only:
            rows["sync"] = part_kill_sync(a.bin, scratch, per, rng, failures)
        table(f"(a) kill -9 during writes ({per} per kind, {time.monotonic() - t:.0f} s)", rows,
              ["ms", "kills", "during", "broken", "unverified", "blocked", "temps", "lost", "retried"])
        summary["kill -9 runs"] = (sum(r["kills"] for r in rows.values()),
                                   sum(r["broken"] + r["unverified"] + r["blocked"] + r["temps"] + r["lost"] for r in rows.values()))
    if "writers" in parts:
        t = time.monotonic()
        rounds, width = max(1, round(30 * s)), 20
        r = part_writers(a.bin, snapshot, work, rounds, width, failures)
        table(f"(b) {width} parallel writers x {rounds} rounds ({time.monotonic() - t:.0f} s)", {"add": r},
              ["writes", "exit0", "failed", "lost", "phantom"])
        summary["concurrent writes"] = (r["writes"], r["lost"] + r["phantom"])
    if "attacks" in parts:
        t = time.monotonic()
        per = max(1, round(50 * s))
        rows = part_attacks(a.bin, snapshot, work, per, rng, failures)
        table(f"(c) signature and trust attacks ({per} per kind, {time.monotonic() - t:.0f} s)", rows,
              ["attacks", "refused", "accepted", "panics"])
        summary["attacks"] = (sum(r["attacks"] for r in rows.values()),
                              sum(r["accepted"] + r["panics"] for r in rows.values()))
    if "truncate" in parts:
        t = time.monotonic()
        cap = max(10, round(2100 * s))
        rows = part_truncate(a.bin, snapshot, work, Path(a.shared), cap, rng, failures)
        table(f"(d) truncated imports (up to {cap} lengths per file, {time.monotonic() - t:.0f} s)", rows,
              ["cuts", "refused", "imported", "partial", "panics"])
        summary["truncated imports"] = (sum(r["cuts"] for r in rows.values()),
                                        sum(r["partial"] + r["panics"] for r in rows.values()))
    print(f"\nsummary (seed {seed}, {time.monotonic() - t0:.0f} s)")
    for k, (n, bad) in summary.items():
        print(f"  {k:<20} {n:>6}   failures {bad}")
    for f in failures[:50]:
        print(f"FAIL {f}")
    if len(failures) > 50:
        print(f"... and {len(failures) - 50} more")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
