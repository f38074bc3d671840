#!/usr/bin/env python3
"""Synthetic Cisco ASA syslog lines, for text-log benchmarks.

Deterministic for a given (--seed, --records) pair (stdlib only). Each line
is one syslog message as an ASA sends it, ~150-200 bytes:

  <166>Jan 01 2025 00:00:01 asa-fw01 : %ASA-6-302013: Built outbound TCP
      connection 12345 for outside:203.0.113.7/443 (203.0.113.7/443) to
      inside:10.1.2.3/51234 (198.51.100.9/51234)

Mix (approximate): 40% 302013 Built TCP, 30% 302014 Teardown TCP, 10%
302015 Built UDP, 12% 106023 Deny, 8% other (111008 commands, 710003
denied access). About 2% of the connections use the publish/subscribe
ports of the T1071.005 detection.

Usage:
  gen_asa.py --records 1000000 --seed 42 --out asa_1m.log
"""

import argparse
import random
import sys

MONTHS = ["Jan"]
PUBSUB_PORTS = [1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614]
COMMON_PORTS = [443, 443, 443, 80, 80, 53, 22, 123, 3389, 445, 8080, 8443]
HOSTS = ["asa-fw01", "asa-fw02", "asa-edge"]


def private_ip(r):
    k = r.random()
    if k < 0.5:
        return "10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255))
    if k < 0.8:
        return "192.168.%d.%d" % (r.randrange(256), r.randrange(1, 255))
    return "172.%d.%d.%d" % (r.randrange(16, 32), r.randrange(256), r.randrange(1, 255))


def public_ip(r):
    while True:
        a = r.randrange(1, 224)
        if a in (10, 127, 172, 192):
            continue
        return "%d.%d.%d.%d" % (a, r.randrange(256), r.randrange(256), r.randrange(1, 255))


def port(r):
    return r.choice(PUBSUB_PORTS) if r.random() < 0.02 else r.choice(COMMON_PORTS)


def message(r, conn):
    k = r.random()
    inside, outside = private_ip(r), public_ip(r)
    sport, dport = r.randrange(1024, 65536), port(r)
    if k < 0.40:
        return ("%%ASA-6-302013: Built outbound TCP connection %d for outside:%s/%d (%s/%d) "
                "to inside:%s/%d (%s/%d)" % (conn, outside, dport, outside, dport,
                                             inside, sport, public_ip(r), sport))
    if k < 0.70:
        return ("%%ASA-6-302014: Teardown TCP connection %d for outside:%s/%d to inside:%s/%d "
                "duration 0:%02d:%02d bytes %d TCP FINs" % (conn, outside, dport, inside, sport,
                                                           r.randrange(60), r.randrange(60),
                                                           int(r.lognormvariate(8, 1.5))))
    if k < 0.80:
        return ("%%ASA-6-302015: Built outbound UDP connection %d for outside:%s/%d (%s/%d) "
                "to inside:%s/%d (%s/%d)" % (conn, outside, 53, outside, 53,
                                             inside, sport, public_ip(r), sport))
    if k < 0.92:
        return ('%%ASA-4-106023: Deny tcp src outside:%s/%d dst inside:%s/%d by access-group '
                '"outside_access_in" [0x0, 0x0]' % (outside, sport, inside, dport))
    if k < 0.96:
        return "%%ASA-5-111008: User 'enable_15' executed the 'write memory' command."
    return "%%ASA-3-710003: TCP access denied by ACL from %s/%d to outside:%s/22" % (
        outside, sport, inside)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="-", help="output file ('-' = stdout)")
    args = ap.parse_args(argv)
    r = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="\n")
    secs = 0.0
    step = 86400.0 / max(args.records, 1)
    buf = []
    try:
        for i in range(args.records):
            secs += step * r.random() * 2.0
            s = int(secs)
            stamp = "Jan %02d 2025 %02d:%02d:%02d" % (1 + s // 86400, s // 3600 % 24, s // 60 % 60, s % 60)
            buf.append("<166>%s %s : %s" % (stamp, r.choice(HOSTS), message(r, 100000 + i)))
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
