#!/usr/bin/env python3
# Copied from the team's shared tools (/work/shared/tools/gen_netlogs.py) unchanged, apart from this line.
"""Synthetic normalized network/firewall logs as NDJSON.

Deterministic for a given (--seed, --records) pair (Python 3.11, stdlib only;
the _messageTime step depends on --records, so a small run is not a prefix of
a big one). Each line is one
JSON object, compact separators, ~350-450 bytes. Intended as benchmark and test
input for sumoq: it exercises the shape of a "pub/sub traffic to external
hosts" detection (category filter, port set, action allow/permit/missing,
port -> protocol mapping, external-IP test, multi-key aggregation).

Shape of the data (approximate, per 1M records):
  * _messageTime   epoch milliseconds, non-decreasing, ~24 h span
  * _sourceCategory network / firewall / pan / cisco/asa (~65% together) plus
                   unrelated app/web, app/db, os/linux, k8s/ingress and the
                   near-miss network/vpc (must NOT match an exact set test)
  * src_ip/dest_ip 10/8, 172.16/12 (with edge values 172.16.0.0,
                   172.31.255.255 and the public neighbours 172.15.x / 172.32.x,
                   192.169.x, 11.x, 100.64.x), 192.168/16, 127/8, public IPv4,
                   ~1% IPv6
  * dest_port      mostly 443/80/53/22/...; ~2% on pub/sub ports
                   1883 8883 5222 5223 5269 5672 5671 61613 61614
  * action         allowed / permit / deny / drop, or absent (~10%)
  * process_name   absent on ~30% of records
  * 8 noise fields (vendor, rule, zones, app, severity, packets, session id)

Pub/sub records mostly come from a fixed set of "device profiles" (same
src_ip, dest_ip, dest_port, process_name every time) so that a grouped
count>1 query returns a non-trivial number of groups; the rest are one-offs.

Usage:
  gen_netlogs.py --records 1000000 --seed 42 --out net_1m.ndjson
"""

import argparse
import json
import random
import sys

PUBSUB_PORTS = [1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614]
# ports for ordinary traffic, with weights
COMMON_PORTS = [
    (443, 40), (80, 14), (53, 14), (22, 4), (123, 3), (25, 1), (587, 1),
    (993, 1), (3389, 2), (445, 2), (8080, 3), (8443, 2), (3306, 1),
    (5432, 1), (6379, 1), (9200, 1), (389, 1), (636, 1), (161, 1),
    (514, 1), (21, 1),
]
CATEGORIES = [
    ("network", 22), ("firewall", 18), ("pan", 14), ("cisco/asa", 11),
    ("app/web", 15), ("app/db", 6), ("os/linux", 6), ("k8s/ingress", 5),
    ("network/vpc", 3),
]
ACTIONS = [("allowed", 38), ("permit", 30), ("deny", 12), ("drop", 10), (None, 10)]
PROCESSES = [
    ("chrome.exe", 25), ("curl", 10), ("python3", 12), ("java", 12),
    ("nc", 3), ("mosquitto_pub", 4), ("mosquitto_sub", 4), ("svchost.exe", 10),
    ("nginx", 8), ("sshd", 6), (None, 43),
]
PUBSUB_PROCESSES = [
    ("mosquitto_pub", 25), ("mosquitto_sub", 25), ("python3", 15),
    ("java", 15), ("nc", 3), (None, 17),
]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "oscar", "peggy", "svc_backup",
         "svc_iot", "SYSTEM", "root", "www-data"]
VENDORS = ["paloalto", "cisco", "fortinet", "juniper", "pfsense"]
ZONES = ["trust", "untrust", "dmz", "guest", "iot", "mgmt", "vpn"]
APPS = ["ssl", "web-browsing", "dns", "ssh", "mqtt", "xmpp", "amqp", "stomp",
        "ntp", "smtp", "rdp", "smb", "unknown-tcp", "unknown-udp", "incomplete"]
SEVERITIES = ["info", "low", "medium", "high", "critical"]
UDP_PORTS = {53, 123, 161, 514}


def weighted(rng, pairs):
    values = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return lambda: rng.choices(values, weights)[0]


class Gen:
    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        self.pick_port = weighted(rng, COMMON_PORTS)
        self.pick_cat = weighted(rng, CATEGORIES)
        self.pick_action = weighted(rng, ACTIONS)
        self.pick_proc = weighted(rng, PROCESSES)
        self.pick_pubsub_proc = weighted(rng, PUBSUB_PROCESSES)
        # fixed pools so that group-bys see repeated keys
        self.internal_hosts = [self.private_ip() for _ in range(3000)]
        self.public_servers = [self.public_ip() for _ in range(4000)]
        self.brokers = ([self.public_ip() for _ in range(50)]
                        + [self.edge_public_ip() for _ in range(6)]
                        + [self.ipv6() for _ in range(4)]
                        + [self.private_ip() for _ in range(30)])
        self.devices = []
        for _ in range(600):
            self.devices.append((
                rng.choice(self.internal_hosts),
                rng.choice(self.brokers),
                rng.choice(PUBSUB_PORTS),
                self.pick_pubsub_proc(),
            ))
        self.hostnames = ["%s-%03d" % (rng.choice(
            ["ws", "lt", "srv", "iot", "k8s", "db"]), i) for i in range(400)]

    # ---- address helpers -------------------------------------------------
    def private_ip(self):
        r = self.rng
        k = r.random()
        if k < 0.45:
            return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))
        if k < 0.75:
            return "192.168.%d.%d" % (r.randrange(256), r.randrange(1, 255))
        if k < 0.97:
            return "172.%d.%d.%d" % (r.randrange(16, 32), r.randrange(256), r.randrange(1, 255))
        # boundary values of 172.16.0.0/12 (still private)
        return r.choice(["172.16.0.0", "172.16.0.1", "172.31.255.255", "172.31.255.254"])

    def edge_public_ip(self):
        r = self.rng
        # public neighbours of private ranges: a naive prefix test gets these wrong
        return r.choice([
            "172.15.%d.%d" % (r.randrange(256), r.randrange(1, 255)),
            "172.32.%d.%d" % (r.randrange(256), r.randrange(1, 255)),
            "172.15.255.255", "172.32.0.0",
            "192.169.%d.%d" % (r.randrange(256), r.randrange(1, 255)),
            "11.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255)),
            "100.64.%d.%d" % (r.randrange(256), r.randrange(1, 255)),
        ])

    def public_ip(self):
        r = self.rng
        while True:
            a = r.randrange(1, 224)
            if a in (10, 127, 0):
                continue
            b = r.randrange(256)
            if a == 172 and 16 <= b <= 31:
                continue
            if a == 192 and b == 168:
                continue
            return "%d.%d.%d.%d" % (a, b, r.randrange(256), r.randrange(1, 255))

    def ipv6(self):
        r = self.rng
        pre = r.choice(["2606:4700", "2a00:1450", "2001:4860", "2620:fe", "fd00:1a2b"])
        return "%s::%x:%x" % (pre, r.randrange(0x10000), r.randrange(1, 0x10000))

    def loopback(self):
        r = self.rng
        return "127.%d.%d.%d" % (r.randrange(2), r.randrange(4), r.randrange(1, 8))

    def any_dest(self):
        r = self.rng
        k = r.random()
        if k < 0.50:
            return r.choice(self.public_servers)
        if k < 0.85:
            return r.choice(self.internal_hosts)
        if k < 0.90:
            return self.loopback()
        if k < 0.95:
            return self.edge_public_ip()
        if k < 0.99:
            return self.public_ip()
        return self.ipv6()

    def any_src(self):
        r = self.rng
        k = r.random()
        if k < 0.85:
            return r.choice(self.internal_hosts)
        if k < 0.88:
            return self.loopback()
        if k < 0.99:
            return self.public_ip()
        return self.ipv6()

    # ---- records ---------------------------------------------------------
    def record(self, t_ms):
        r = self.rng
        rec = {"_messageTime": t_ms, "_sourceCategory": self.pick_cat()}
        if r.random() < 0.02:
            if r.random() < 0.75:
                src, dst, port, proc = r.choice(self.devices)
            else:
                src = self.any_src()
                dst = r.choice(self.brokers) if r.random() < 0.5 else self.any_dest()
                port = r.choice(PUBSUB_PORTS)
                proc = self.pick_pubsub_proc()
            proto = "tcp"
            app = r.choice(["mqtt", "xmpp", "amqp", "stomp", "ssl", "unknown-tcp"])
        else:
            src = self.any_src()
            dst = self.any_dest()
            port = self.pick_port()
            proc = self.pick_proc()
            proto = "udp" if port in UDP_PORTS else "tcp"
            app = r.choice(APPS)
        rec["src_ip"] = src
        rec["dest_ip"] = dst
        rec["src_port"] = r.randrange(1024, 65536)
        rec["dest_port"] = port
        rec["protocol"] = proto
        action = self.pick_action()
        if action is not None:
            rec["action"] = action
        rec["bytes_in"] = int(r.lognormvariate(7.5, 1.6))
        rec["bytes_out"] = int(r.lognormvariate(6.8, 1.8))
        if proc is not None:
            rec["process_name"] = proc
        rec["user"] = r.choice(USERS)
        rec["host"] = r.choice(self.hostnames)
        # noise fields (short, like a normalizer's leftovers)
        rec["vendor"] = r.choice(VENDORS)
        rec["rule"] = "r%03d-%s" % (r.randrange(1, 400), r.choice(
            ["allow-out", "block-in", "default", "iot", "dns"]))
        rec["src_zone"] = r.choice(ZONES)
        rec["dest_zone"] = r.choice(ZONES)
        rec["app"] = app
        rec["severity"] = r.choice(SEVERITIES)
        rec["packets"] = r.randrange(1, 5000)
        rec["session_id"] = "%08x" % r.getrandbits(32)
        return rec


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="-", help="output file ('-' = stdout)")
    ap.add_argument("--start-ms", type=int, default=1735689600000,
                    help="first _messageTime (default 2025-01-01T00:00:00Z)")
    ap.add_argument("--span-hours", type=float, default=24.0)
    args = ap.parse_args(argv)

    g = Gen(args.seed)
    n = args.records
    step = (args.span_hours * 3600_000.0) / max(n, 1)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    buf = []
    t = float(args.start_ms)
    try:
        for i in range(n):
            t += step * g.rng.random() * 2.0
            buf.append(dumps(g.record(int(t))))
            if len(buf) >= 10000:
                buf.append("")
                out.write("\n".join(buf))
                buf = []
        if buf:
            buf.append("")
            out.write("\n".join(buf))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
