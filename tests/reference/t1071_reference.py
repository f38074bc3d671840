#!/usr/bin/env python3
"""Independent reference computation of queries/t1071_005_pubsub.sumo.

Python 3 standard library only. This is NOT a Sumo interpreter: it re-states,
in plain Python, what the one shipped detection means under the language
contract (/work/shared/SPEC.md, sections 2, 3 and 5), so that sumoq's output
can be checked against an implementation that shares no code with it.

    python3 tests/reference/t1071_reference.py examples/network.ndjson
    python3 tests/reference/t1071_reference.py --source zeek  A.log B.log
    python3 tests/reference/t1071_reference.py --source suricata tests/data/suricata-sample-data-alerts/*.json
    python3 tests/reference/t1071_reference.py --source sysmon FILE.jsonl
    python3 tests/reference/t1071_reference.py --source nfstream FILE.jsonl

All files given form ONE run (one aggregation), read in the order given.
Output: one JSON object per result row, keys in the query's `fields` order,
compact separators (as serde_json writes them), ints as ints, null as null.

--source ndjson (default) reads records whose fields are already normalised
(src_ip, dest_ip, dest_port, action, bytes_in, bytes_out, process_name, a
time field, _sourceCategory). The other sources apply a small mapping that
mirrors queries/fer/{zeek_conn,suricata_eve,sysmon_network}.sumo, and set
_sourceCategory=network (as `--set _sourceCategory=network` would) unless the
record carries its own:

  zeek      Zeek TSV log, records with an id.resp_h: id.orig_h->src_ip,
            id.resp_h->dest_ip, id.resp_p->dest_port (int, as sumoq types
            Zeek `port`/`count` columns), orig_bytes->bytes_out,
            resp_bytes->bytes_in (int; `-` is null), ts->_messageTime
            (epoch seconds, fraction truncated to ms from the decimal text).
  suricata  EVE JSON (NDJSON or a JSON array file), alert and flow events:
            src_ip/dest_ip/dest_port as they are,
            flow.bytes_toserver->bytes_out, flow.bytes_toclient->bytes_in,
            alert.action->action (null on flow events; replaces any
            top-level `action`, as the FER's eval does),
            timestamp->_messageTime (offsets such as -0600 honoured; no
            offset = UTC).
  sysmon    Sysmon JSON lines: only EventID=3 records are mapped:
            SourceIp->src_ip, DestinationIp->dest_ip,
            DestinationPort->dest_port (kept as the string Sysmon writes),
            file name of Image (after the last \\ or /)->process_name,
            UtcTime (UTC)->_messageTime. Other events pass through unmapped.
  nfstream  NFStream flow JSON: src_ip, dst_ip->dest_ip, dst_port->dest_port,
            src2dst_bytes->bytes_out, dst2src_bytes->bytes_in,
            bidirectional_first_seen_ms->_messageTime.

Semantics implemented (each one is a line of the query):
  search    _sourceCategory (record's own, else --category) matches one of
            network, firewall, pan, cisco/asa: case-insensitive, whole value,
            `*`/`?` wildcards. A missing category never matches.
  lookup    a field is found by exact name first, else the first key equal
            ignoring ASCII case. Missing and JSON null are both null.
            The query's `Protocol` and `IsExternal` are computed here and never
            read from the record (a record's own `protocol`/`Protocol` is
            ignored).
  in / =    total equality: null = null only; number vs number by value;
            number vs numeric string as numbers ("1883" = 1883); two strings
            as text, case-sensitive; anything else unequal.
  action    "allowed" or "permit" (case-sensitive) or null passes.
  external  !starts_with(dest_ip, "10."/"192.168."/"127.") and
            !matches(dest_ip, 172\\.(1[6-9]|2[0-9]|3[01])\\..*) where
            starts_with/matches on null are false (so a missing dest_ip is
            external) and matches is a WHOLE-value match (8.172.16.1 is
            external).
  group by  the TEXT of src_ip, dest_ip, dest_port, Protocol, IsExternal,
            process_name; null is its own key. A group shows the first value
            seen for each key (dest_port 5222 vs "5222" share a group; the
            first record decides how it prints). Groups keep first-appearance
            order.
  count     records; sum(bytes_*) skips null, converts numeric strings, skips
            other values; int when all ints (float on i64 overflow or when any
            float is summed); null when nothing was summed.
  min/max   of _messageTime (epoch ms int): the record's own _messageTime if
            present, else the FIRST PRESENT of @timestamp, timestamp, time,
            ts, _time, UtcTime, eventTime (looked up like any field), read as
            RFC 3339/ISO 8601 text (UTC when no zone; `T` or space; +hh:mm,
            +hhmm, +hh, Z) or an epoch number (seconds < 1e11 <= ms < 1e14 <=
            us < 1e17 <= ns, by absolute magnitude), truncated to whole ms from
            the exact decimal text. Null when the first present one does not
            parse.
  then      where ConnectionCount > 1; Suspicion if-chain; keep high/medium;
            sort Suspicion ascending (text), ConnectionCount descending,
            stable.
"""

import argparse
import calendar
import json
import re
import sys
from decimal import Decimal, InvalidOperation

PUBSUB_PORTS = [1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614]
CATEGORIES = ["network", "firewall", "pan", "cisco/asa"]
TIME_FIELDS = ["@timestamp", "timestamp", "time", "ts", "_time", "UtcTime", "eventTime"]
FIELDS = ["LastSeen", "FirstSeen", "src_ip", "dest_ip", "Protocol", "dest_port",
          "process_name", "ConnectionCount", "BytesSent", "BytesReceived", "Suspicion"]
I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1

# The query's regex literals after string-escape processing (SPEC 1: `\.` is
# kept as written, `\\.` becomes `\.`), anchored as the function form requires.
RE_PRIVATE_172 = re.compile(r"172\.(1[6-9]|2[0-9]|3[01])\..*")
RE_MOSQUITTO = re.compile(r"(?i)mosquitto.*")
RE_NUMERIC = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
RE_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?")


# ---------------------------------------------------------------- values ---
# JSON is parsed with parse_float=Decimal so that a float keeps its exact
# decimal text (needed for _messageTime truncation); a Decimal is a "float".

def is_number(v):
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def numeric_string(s):
    """The number a numeric string stands for (SPEC 3), else None."""
    t = s.strip()
    m = RE_NUMERIC.fullmatch(t)
    if not m:
        return None
    if m.group(1) is None and m.group(2) is None:
        n = int(t)
        if I64_MIN <= n <= I64_MAX:
            return n
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def as_number(v):
    if is_number(v):
        return v
    if isinstance(v, str):
        return numeric_string(v)
    return None


def float_text(f):
    """Close to serde_json's shortest round-trip float text (500.0, 3.5, 1e30)."""
    r = repr(float(f))
    if "e" in r:
        mant, exp = r.split("e")
        if mant.endswith(".0"):
            mant = mant[:-2]
        r = "%se%d" % (mant, int(exp))
    return r


def text(v):
    """Text of a value (SPEC 3); None for null."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return float_text(v)
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=float)


def eq(a, b):
    """Total equality of SPEC 3."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if is_number(a) or is_number(b):
        na, nb = as_number(a), as_number(b)
        if na is None or nb is None:
            return False
        return na == nb
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    return type(a) is type(b) and a == b


def starts_with(v, prefix):
    t = text(v)
    return t is not None and t.startswith(prefix)


def matches_whole(v, regex):
    t = text(v)
    return t is not None and regex.fullmatch(t) is not None


def lookup(rec, name):
    """Exact key first, else the first key equal ignoring ASCII case."""
    if name in rec:
        return rec[name]
    low = name.lower()
    for k in rec:
        if k.lower() == low:
            return rec[k]
    return None


def wildcard_match(pattern, value):
    t = text(value)
    if t is None:
        return False
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, t, re.IGNORECASE | re.DOTALL) is not None


# ------------------------------------------------------------------ time ---

def epoch_ms_from_number(d):
    """d: int or Decimal (exact). Unit by magnitude, truncated toward zero."""
    d = Decimal(d)
    a = abs(d)
    if a < Decimal(10) ** 11:
        ms = d * 1000
    elif a < Decimal(10) ** 14:
        ms = d
    elif a < Decimal(10) ** 17:
        ms = d / 1000
    else:
        ms = d / 1000000
    return int(ms)  # int(Decimal) truncates toward zero, exactly


def epoch_ms_from_text(s):
    n = numeric_string(s)
    if n is not None:
        return epoch_ms_from_number(n)
    m = RE_DATETIME.fullmatch(s.strip())
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7) or ""
    ms = int((frac + "000")[:3])
    try:
        secs = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 23 and mi <= 59 and sec <= 60):
        return None
    offset_min = 0
    if m.group(9):
        offset_min = int(m.group(10)) * 60 + int(m.group(11) or 0)
        if m.group(9) == "-":
            offset_min = -offset_min
    return secs * 1000 + ms - offset_min * 60000


def to_epoch_ms(v):
    if v is None or isinstance(v, bool):
        return None
    if is_number(v):
        return epoch_ms_from_number(v)
    if isinstance(v, str):
        return epoch_ms_from_text(v)
    return None


def message_time(rec):
    own = lookup(rec, "_messageTime")
    if own is not None:  # already epoch ms (a FER's value wins)
        n = None if isinstance(own, bool) else as_number(own)
        return int(n) if n is not None else to_epoch_ms(own)
    for f in TIME_FIELDS:
        v = lookup(rec, f)
        if v is not None:
            return to_epoch_ms(v)
    return None


# ------------------------------------------------------------ detection ---

class Sum:
    """Adds in input order: exact i64 while every value is an int; from the
    first float (or the first i64 overflow) on, f64 arithmetic."""

    def __init__(self):
        self.total = None  # int, or float once float arithmetic started
        self.skipped = 0

    def add(self, v):
        if v is None:
            return
        n = None if isinstance(v, bool) else as_number(v)
        if n is None:
            self.skipped += 1
            return
        if self.total is None:
            self.total = float(n) if isinstance(n, Decimal) else n
            return
        if isinstance(self.total, int) and isinstance(n, int):
            t = self.total + n
            self.total = t if I64_MIN <= t <= I64_MAX else float(self.total) + float(n)
        else:
            self.total = float(self.total) + float(n)

    def value(self):
        return self.total


def protocol_of(port):
    if eq(port, 1883) or eq(port, 8883):
        return "MQTT"
    if eq(port, 5222) or eq(port, 5223) or eq(port, 5269):
        return "XMPP"
    if eq(port, 5672) or eq(port, 5671):
        return "AMQP"
    if eq(port, 61613) or eq(port, 61614):
        return "STOMP"
    return "Unknown"


def is_external(dest_ip):
    ok = (not starts_with(dest_ip, "10.")
          and not starts_with(dest_ip, "192.168.")
          and not starts_with(dest_ip, "127.")
          and not matches_whole(dest_ip, RE_PRIVATE_172))
    return "yes" if ok else "no"


def run(records, default_category=None):
    groups = {}  # insertion order = first appearance
    skipped = 0
    for rec in records:
        cat = lookup(rec, "_sourceCategory")
        if cat is None:
            cat = default_category
        if not any(wildcard_match(c, cat) for c in CATEGORIES):
            continue
        port = lookup(rec, "dest_port")
        if not any(eq(port, p) for p in PUBSUB_PORTS):
            continue
        action = lookup(rec, "action")
        if not (eq(action, "allowed") or eq(action, "permit") or action is None):
            continue
        protocol = protocol_of(port)
        dest_ip = lookup(rec, "dest_ip")
        external = is_external(dest_ip)
        if external != "yes":
            continue
        keyvals = [lookup(rec, "src_ip"), dest_ip, port, protocol, external,
                   lookup(rec, "process_name")]
        key = tuple(text(v) for v in keyvals)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"keys": keyvals, "count": 0, "out": Sum(), "in": Sum(),
                               "min": None, "max": None}
        g["count"] += 1
        g["out"].add(lookup(rec, "bytes_out"))
        g["in"].add(lookup(rec, "bytes_in"))
        t = message_time(rec)
        if t is not None:
            g["min"] = t if g["min"] is None else min(g["min"], t)
            g["max"] = t if g["max"] is None else max(g["max"], t)

    rows = []
    for g in groups.values():
        skipped += g["out"].skipped + g["in"].skipped
        if not g["count"] > 1:
            continue
        src_ip, dest_ip, dest_port, protocol, _external, process_name = g["keys"]
        if protocol in ("XMPP", "STOMP"):
            suspicion = "high"
        elif protocol == "MQTT" and not matches_whole(process_name, RE_MOSQUITTO):
            suspicion = "high"
        elif protocol == "AMQP":
            suspicion = "medium"
        else:
            suspicion = "low"
        if suspicion not in ("high", "medium"):
            continue
        rows.append({
            "LastSeen": g["max"], "FirstSeen": g["min"], "src_ip": src_ip,
            "dest_ip": dest_ip, "Protocol": protocol, "dest_port": dest_port,
            "process_name": process_name, "ConnectionCount": g["count"],
            "BytesSent": g["out"].value(), "BytesReceived": g["in"].value(),
            "Suspicion": suspicion,
        })
    # Suspicion ascending (text), then ConnectionCount descending; stable.
    rows.sort(key=lambda r: (r["Suspicion"], -r["ConnectionCount"]))
    if skipped:
        print("warning: %d non-numeric bytes values skipped" % skipped, file=sys.stderr)
    return rows


# --------------------------------------------------------------- readers ---

def loads(s):
    return json.loads(s, parse_float=Decimal)


def read_records(path):
    """Format by content (SPEC 2): Zeek TSV, JSON array, or lines."""
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
        data = f.read()
    first_line = data.split("\n", 1)[0]
    if first_line.startswith("#separator") or first_line.startswith("#fields"):
        yield from read_zeek(data)
        return
    if data.lstrip()[:1] == "[":
        for r in loads(data):
            yield r if isinstance(r, dict) else {"_raw": json.dumps(r)}
        return
    for line in data.splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                r = loads(line)
            except ValueError:
                print("warning: %s: malformed JSON line" % path, file=sys.stderr)
                yield {"_raw": line}
                continue
            yield r if isinstance(r, dict) else {"_raw": line}
        else:
            yield {"_raw": line}


ZEEK_INT_TYPES = {"port", "count", "int"}


def read_zeek(data):
    sep, unset, empty = "\t", "-", "(empty)"
    fields, types = None, None
    for line in data.split("\n"):
        line = line.rstrip("\r")
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#separator"):
                sep = line.split(" ", 1)[1].encode().decode("unicode_escape")
            else:
                parts = line.split(sep)
                tag = parts[0]
                if tag == "#fields":
                    fields = parts[1:]
                elif tag == "#types":
                    types = parts[1:]
                elif tag == "#unset_field":
                    unset = parts[1]
                elif tag == "#empty_field":
                    empty = parts[1]
            continue
        vals = line.split(sep)
        rec = {}
        for i, name in enumerate(fields):
            raw = vals[i] if i < len(vals) else unset
            ty = types[i] if types and i < len(types) else "string"
            if raw == unset:
                v = None
            elif raw == empty:
                v = ""
            elif ty in ZEEK_INT_TYPES:
                v = int(raw)
            else:
                v = raw  # time/interval/double kept as exact decimal text
            rec[name] = v
        yield rec


# -------------------------------------------------------------- mappings ---

def get_path(rec, dotted):
    cur = rec
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def map_zeek(rec):
    if rec.get("id.resp_h") is None:  # the FER's scope: %"id.resp_h"=*
        return rec
    rec["src_ip"] = rec.get("id.orig_h")
    rec["dest_ip"] = rec.get("id.resp_h")
    rec["dest_port"] = rec.get("id.resp_p")
    rec["bytes_out"] = rec.get("orig_bytes")
    rec["bytes_in"] = rec.get("resp_bytes")
    rec["_messageTime"] = to_epoch_ms(rec.get("ts"))
    return rec


def map_suricata(rec):
    et = lookup(rec, "event_type")  # the FER's scope: event_type=alert OR event_type=flow
    if not (wildcard_match("alert", et) or wildcard_match("flow", et)):
        return rec
    rec["bytes_out"] = get_path(rec, "flow.bytes_toserver")
    rec["bytes_in"] = get_path(rec, "flow.bytes_toclient")
    # as the FER does: `eval action = alert.action`, null on flow events,
    # and it replaces any top-level `action` the event carried
    rec["action"] = get_path(rec, "alert.action")
    rec["_messageTime"] = to_epoch_ms(rec.get("timestamp"))
    return rec


def map_sysmon(rec):
    if not wildcard_match("3", lookup(rec, "EventID")):  # the FER's scope: EventID=3
        return rec
    rec["src_ip"] = rec.get("SourceIp")
    rec["dest_ip"] = rec.get("DestinationIp")
    rec["dest_port"] = rec.get("DestinationPort")
    image = rec.get("Image")
    rec["process_name"] = re.sub(r"^.*[\\/]", "", image) if isinstance(image, str) else None
    rec["_messageTime"] = to_epoch_ms(rec.get("UtcTime"))
    return rec


def map_nfstream(rec):
    rec["dest_ip"] = rec.get("dst_ip")
    rec["dest_port"] = rec.get("dst_port")
    rec["bytes_out"] = rec.get("src2dst_bytes")
    rec["bytes_in"] = rec.get("dst2src_bytes")
    rec["_messageTime"] = rec.get("bidirectional_first_seen_ms")
    return rec


MAPPINGS = {"ndjson": None, "zeek": map_zeek, "suricata": map_suricata,
            "sysmon": map_sysmon, "nfstream": map_nfstream}


def json_value(v):
    """One value as sumoq's JSON output writes it (SPEC 7)."""
    if isinstance(v, (float, Decimal)) and not isinstance(v, bool):
        f = float(v)
        if f != f:
            return '"NaN"'
        if f in (float("inf"), float("-inf")):
            return '"Infinity"' if f > 0 else '"-Infinity"'
        return float_text(f)
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=float)


def dump(row):
    return "{" + ",".join(json.dumps(k) + ":" + json_value(row[k]) for k in FIELDS) + "}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--source", choices=sorted(MAPPINGS), default="ndjson")
    ap.add_argument("--category", default=None,
                    help="_sourceCategory for records without one "
                         "(default: none for ndjson, network for other sources)")
    args = ap.parse_args(argv)
    category = args.category
    if category is None and args.source != "ndjson":
        category = "network"
    mapper = MAPPINGS[args.source]

    def records():
        for path in args.files:
            for rec in read_records(path):
                yield mapper(rec) if mapper else rec

    out = sys.stdout
    for row in run(records(), category):
        out.write(dump(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
