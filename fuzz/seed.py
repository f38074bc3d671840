#!/usr/bin/env python3
"""Seeds the fuzz corpora (fuzz/corpus/TARGET/) from the project's own
material: the queries and inputs of the golden cases, the shipped queries
and FERs, the example data, and ../shared/corpus/sumo-queries.jsonl when it
is there. Seeds are named by their content's hash, so re-running adds
nothing twice. Stdlib only."""

import hashlib
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
# libFuzzer's default -max_len is 4096; longer seeds are cut there.
MAX_LEN = 4096


def put(target: str, data: bytes) -> None:
    data = data[:MAX_LEN]
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    p = d / name
    if not p.exists():
        p.write_bytes(data)


def golden_sections(path: Path):
    """(header, body) of each `=== ...` section of a golden case."""
    header, body = None, []
    for line in path.read_bytes().split(b"\n"):
        if line.startswith(b"=== "):
            if header is not None:
                yield header, b"\n".join(body)
            header, body = line[4:].decode("utf-8", "replace"), []
        elif header is not None:
            body.append(line)
    if header is not None:
        yield header, b"\n".join(body)


def main() -> int:
    queries, inputs = [], []
    for case in sorted((ROOT / "tests" / "golden").rglob("*.case")):
        for header, body in golden_sections(case):
            if header == "query":
                queries.append(body.strip())
            elif header.startswith("input"):
                inputs.append(body + b"\n")
    for q in sorted((ROOT / "queries").rglob("*.sumo")):
        queries.append(q.read_bytes())
    for f in sorted((ROOT / "examples").iterdir()):
        if f.is_file():
            inputs.append(f.read_bytes())
    shared = ROOT.parent / "shared" / "corpus" / "sumo-queries.jsonl"
    if shared.is_file():
        for line in shared.read_text(encoding="utf-8").splitlines():
            try:
                queries.append(json.loads(line)["query"].encode())
            except (ValueError, KeyError):
                pass
    else:
        print(f"seed.py: {shared} absent; seeding from the project only", file=sys.stderr)
    for q in queries:
        put("query", q)
    for i, data in enumerate(inputs):
        put("input", data)
        # The fastpath target's first byte picks the query and chunk size.
        put("fastpath", bytes([i % 256]) + data)
    # regex_gate: each `parse regex "..."` pattern of the queries, a NUL,
    # then a line of an input.
    patterns = []
    for q in queries:
        for m in re.finditer(rb'regex\s+(?:field=\S+\s+)?"((?:[^"\\]|\\.)*)"', q):
            patterns.append(m.group(1).replace(b'\\\\', b'\\').replace(b'\\"', b'"'))
    lines = [l for data in inputs for l in data.split(b"\n") if l.strip()][:400]
    for i, p in enumerate(patterns):
        for l in lines[i % max(len(lines), 1):][:3]:
            put("regex_gate", p + b"\0" + l)
    for t in ("query", "input", "fastpath", "regex_gate"):
        print(f"seed.py: {t}: {len(os.listdir(CORPUS / t))} seeds", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
