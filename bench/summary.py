#!/usr/bin/env python3
"""Summarises a bench/compare.sh run: median wall time, ratios, peak memory,
and whether every tool's answer equals sumoq's (rows compared as sets, on
the columns the query asks for; tools order ties differently)."""

import json
import statistics
import sys
from collections import defaultdict

COLUMNS = {
    "count": ["_count"],
    "by_port": ["dest_port", "_count"],
    "detection": ["src_ip", "dest_ip", "dest_port", "Protocol", "process_name",
                  "ConnectionCount", "BytesSent", "BytesReceived", "FirstSeen",
                  "LastSeen", "Suspicion"],
    "asa_keyword": ["_count"],
    "asa_fer": ["dest_port", "_count"],
    "asa_parse": ["dest_port", "_count"],
}
TITLES = {
    "count": "filter + count",
    "by_port": "count by dest_port, sorted",
    "detection": "the detection pipeline",
    "asa_keyword": "ASA text: keyword count",
    "asa_fer": "ASA text: FER + count by port",
    "asa_parse": "ASA text: parse + count by port",
}


def rows_of(text):
    text = text.strip()
    if not text:
        return []
    try:
        doc = json.loads(text)
        if isinstance(doc, list):
            return doc
        if isinstance(doc, dict):
            return [doc]
    except json.JSONDecodeError:
        pass
    rows = []
    for line in text.splitlines():
        line = line.strip().rstrip(",")
        if not line or line in "[]":
            continue
        doc = json.loads(line.lstrip("["))
        rows.extend(doc if isinstance(doc, list) else [doc])
    return rows


def canon(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            f = float(v)
            return int(f) if f.is_integer() else f
        except ValueError:
            return v
    return v


def answer(path, query):
    try:
        with open(path, encoding="utf-8") as f:
            rows = rows_of(f.read())
    except (OSError, ValueError) as e:
        return None, str(e)
    cols = COLUMNS[query]
    return sorted((tuple(repr(canon(r.get(c))) for c in cols) for r in rows)), None


def main():
    times_path, answers, queries, same, threads, records = sys.argv[1:7]
    times = defaultdict(list)
    rss = defaultdict(int)
    failed = set()
    with open(times_path) as f:
        for line in f:
            q, tool, _run, wall, kb, rc = line.rstrip("\n").split("\t")
            times[(q, tool)].append(float(wall))
            rss[(q, tool)] = max(rss[(q, tool)], int(kb or 0))
            if rc != "0":
                failed.add((q, tool))
    print()
    print("sumoq vs DuckDB, angle-grinder and jq: %s records, %s threads for sumoq and DuckDB"
          % (records, threads))
    print()
    print("| query | tool | median wall (s) | vs sumoq | peak memory (MB) | answer |")
    print("|---|---|---:|---:|---:|---|")
    ok = True
    verdicts = []
    for q in queries.split():
        tools = [t for (qq, t) in times if qq == q]
        base = statistics.median(times[(q, "sumoq")]) if (q, "sumoq") in times else None
        want, _ = answer("%s/%s.sumoq" % (answers, q), q)
        for t in ["sumoq", "duckdb", "ag", "jq"]:
            if t not in tools:
                continue
            med = statistics.median(times[(q, t)])
            got, err = answer("%s/%s.%s" % (answers, q, t), q)
            if (q, t) in failed:
                verdict = "FAILED (see bench/out/answers/%s.%s.err)" % (q, t)
            elif err or got != want:
                verdict = "DIFFERENT"
            else:
                verdict = "same" if t != "sumoq" else "%d rows" % len(want or [])
            if t != "sumoq" and verdict != "same":
                ok = False
            ratio = "1.00" if t == "sumoq" else ("%.2fx" % (med / base) if base else "-")
            print("| %s | %s | %.2f | %s | %.0f | %s |"
                  % (TITLES.get(q, q), t, med, ratio, rss[(q, t)] / 1024, verdict))
            if t == "duckdb" and base:
                verdicts.append("%s: sumoq/DuckDB wall-time ratio %.2f (want < 1.0)"
                                % (TITLES.get(q, q), base / med))
            if t == "ag" and base:
                # The goal of 8x is for the JSON queries; the text-log
                # workloads are there for reference (angle-grinder's own
                # keyword filter and one inline pattern against sumoq's).
                goal = "" if q.startswith("asa") else " (want >= 8)"
                verdicts.append("%s: sumoq is %.1fx as fast as angle-grinder%s"
                                % (TITLES.get(q, q), med / base, goal))
        if (q, "sumoq") in rss:
            verdicts.append("%s: sumoq peak memory %.0f MB (want < 200)"
                            % (TITLES.get(q, q), rss[(q, "sumoq")] / 1024))
    print()
    for v in verdicts:
        print("- " + v)
    print("- answers agree: %s" % ("yes" if ok else "NO"))
    print("- sumoq output identical at --threads 1 and the default: %s" % same)
    return 0 if ok and same == "yes" else 1


if __name__ == "__main__":
    sys.exit(main())
