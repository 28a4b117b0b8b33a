#!/usr/bin/env python3
"""The house's shape, checked (issue 18).

Prints, for `src/`:
  - functions outside tests that run over 60 lines (the target is at most 35);
  - which files use the `age` and `ssh_key` crates (only `src/keys/` should);
  - arrows between top-level modules that run against the layering
    cli -> workflows -> (store, formats, dossier) -> keys -> model, and circles
    between files (one file's `use crate::...` naming another that names it back).

Exits 1 when a rule is broken, so CI or a person can run it:
    python3 scripts/house-check.py [--verbose]
"""
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
LIMIT_LINES = 60
LIMIT_COUNT = 35

# Lower number = lower layer. A module may use modules of its own or a lower layer.
LAYERS = {
    "model": 0, "error": 0, "prompt": 0, "process": 0, "totp": 1, "generate": 1,
    "fingerprint": 1, "fsutil": 1, "keys": 2, "vault": 3, "store": 3, "sync": 3, "paper": 3, "formats": 4, "dossier": 4,
    "workflows": 5, "cli": 6, "main": 6,
}


def rust_files():
    for dirpath, _, names in os.walk(ROOT):
        for n in sorted(names):
            if n.endswith(".rs"):
                yield os.path.join(dirpath, n)


def rel(path):
    return os.path.relpath(path, ROOT)


def strip_tests(text):
    """Drops `#[cfg(test)] mod ... { ... }` blocks (brace-matched)."""
    out = []
    i = 0
    pat = re.compile(r"#\[cfg\(test\)\]\s*(pub(\([a-z]+\))?\s+)?mod\s+\w+\s*\{")
    while True:
        m = pat.search(text, i)
        if not m:
            out.append(text[i:])
            break
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
            j += 1
        # Keep line count so line numbers stay meaningful.
        out.append("\n" * text[m.start():j].count("\n"))
        i = j
    return "".join(out)


def long_functions(path, text):
    lines = text.split("\n")
    fn_re = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")
    found = []
    for idx, line in enumerate(lines):
        m = fn_re.match(line)
        if not m:
            continue
        depth, started, end = 0, False, None
        for k in range(idx, len(lines)):
            code = re.sub(r'"(\\.|[^"\\])*"', '""', lines[k])
            code = re.sub(r"'(\\.|[^'\\])'", "''", code)
            code = code.split("//")[0]
            for ch in code:
                if ch == "{":
                    depth += 1
                    started = True
                elif ch == "}":
                    depth -= 1
                elif ch == ";" and not started and depth == 0:
                    end = k
                    break
            if end is not None or (started and depth == 0):
                end = k
                break
        if end is not None and started:
            n = end - idx + 1
            if n > LIMIT_LINES:
                found.append((n, f"{rel(path)}:{idx + 1} {m.group(6)}"))
    return found


def module_of(path):
    parts = rel(path).split(os.sep)
    return parts[0][:-3] if parts[0].endswith(".rs") else parts[0]


def used_modules(text):
    uses = set()
    for m in re.finditer(r"\bcrate::(\{[^}]*\}|\w+)", text):
        body = m.group(1)
        if body.startswith("{"):
            for part in re.split(r"[,\s]+", body[1:]):
                name = part.split("::")[0].strip("{} ")
                if name and name != "self":
                    uses.add(name)
        else:
            uses.add(body)
    for m in re.finditer(r"\bhandover::(\{[^}]*\}|\w+)", text):
        body = m.group(1)
        if body.startswith("{"):
            for part in re.split(r"[,\s]+", body[1:]):
                name = part.split("::")[0].strip("{} ")
                if name:
                    uses.add(name)
        else:
            uses.add(body)
    return uses


def file_targets(path, text):
    """Files of src/ that this file names through `crate::a::b` paths."""
    targets = set()
    for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)", text):
        segs = m.group(1).split("::")
        cand = None
        for k in range(len(segs), 0, -1):
            base = os.path.join(ROOT, *segs[:k])
            if os.path.isfile(base + ".rs"):
                cand = base + ".rs"
                break
            if os.path.isfile(os.path.join(base, "mod.rs")):
                cand = os.path.join(base, "mod.rs")
                break
        if cand and os.path.abspath(cand) != os.path.abspath(path):
            targets.add(rel(cand))
    return targets


def strongly_connected(graph):
    """Tarjan's algorithm: every group of files that reach each other."""
    index, low, stack, on, groups, counter = {}, {}, [], set(), [], [0]
    nodes = set(graph) | {t for ts in graph.values() for t in ts}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(groups)


def main():
    verbose = "--verbose" in sys.argv
    broken = False
    longs, crate_users, arrows = [], defaultdict(set), defaultdict(set)
    graph = defaultdict(set)
    for path in rust_files():
        with open(path, encoding="utf-8") as f:
            text = strip_tests(f.read())
        longs += long_functions(path, text)
        for crate in ("age", "ssh_key"):
            if re.search(rf"(^|[^\w:]){crate}::", text, re.M):
                crate_users[crate].add(rel(path))
        mod = module_of(path)
        for used in used_modules(text):
            if used in LAYERS and used != mod and LAYERS[used] > LAYERS.get(mod, 99):
                arrows[f"{mod} -> {used}"].add(rel(path))
        graph[rel(path)] |= file_targets(path, text)

    longs.sort(reverse=True)
    print(f"functions outside tests over {LIMIT_LINES} lines: {len(longs)} (target <= {LIMIT_COUNT})")
    for n, where in longs if verbose else longs[:10]:
        print(f"  {n:4} {where}")
    if len(longs) > LIMIT_COUNT:
        broken = True

    for crate, users in sorted(crate_users.items()):
        outside = sorted(u for u in users if not u.startswith("keys" + os.sep))
        print(f"`{crate}` used in: {', '.join(sorted(users))}")
        if outside:
            print(f"  outside src/keys/: {', '.join(outside)}")
            broken = True

    print(f"upward arrows between modules: {len(arrows)}")
    for a, files in sorted(arrows.items()):
        print(f"  {a}  ({', '.join(sorted(files))})")
        broken = True

    circles = strongly_connected(graph)
    print(f"circles between files: {len(circles)}")
    for files in circles:
        print(f"  {' <-> '.join(files)}")
        broken = True
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
