#!/usr/bin/env bash
# sumoq against what users would pick instead (DuckDB's CLI, angle-grinder,
# jq) on generated logs, side by side on this machine.
#
#   bench/compare.sh                 # 1M records, 5 runs (3 for ag and jq)
#   RECORDS=200000 RUNS=3 bench/compare.sh
#   TOOLS="sumoq duckdb" bench/compare.sh
#
# It generates the data (tools/gen_netlogs.py, tools/gen_asa.py), installs
# what is missing (duckdb-cli from PyPI into a virtual environment under
# bench/out, angle-grinder's `ag` crate 0.19.5 with cargo, jq from Debian),
# builds sumoq in release mode, warms the page cache, runs every tool on
# every query RUNS times in alternation, checks that the answers agree and
# prints the median wall time, the ratios and the peak memory
# (/usr/bin/time -v). It also checks that sumoq's output is byte-identical
# at --threads 1 and the default. Everything it writes goes to bench/out.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/bench/out}
RECORDS=${RECORDS:-1000000}
RUNS=${RUNS:-5}
SLOW_RUNS=${SLOW_RUNS:-3}
THREADS=${THREADS:-$(nproc)}
TOOLS=${TOOLS:-"sumoq duckdb ag jq"}
mkdir -p "$OUT/answers" "$OUT/q"
TIMES=$OUT/times.tsv
: > "$TIMES"

say() { printf '== %s\n' "$*" >&2; }
want() { [[ " $TOOLS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- tools --
SUMOQ=$ROOT/target/release/sumoq
say "building sumoq (release)"
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"

DUCKDB=$OUT/venv/bin/duckdb
if want duckdb && [ ! -x "$DUCKDB" ]; then
    say "installing duckdb-cli from PyPI into $OUT/venv"
    python3 -m venv "$OUT/venv"
    "$OUT/venv/bin/pip" install --quiet 'duckdb-cli>=1.5,<2'
fi

AG=$OUT/ag/bin/agrind
if want ag && [ ! -x "$AG" ]; then
    say "installing angle-grinder (crate ag 0.19.5) with cargo; this takes a while"
    cargo install ag --version 0.19.5 --locked --root "$OUT/ag" --target-dir "$OUT/ag-target"
fi

if want jq && ! command -v jq > /dev/null; then
    say "installing jq from Debian"
    apt-get install -y jq > /dev/null || sudo apt-get install -y jq > /dev/null
fi

# ----------------------------------------------------------------- data --
NET=$OUT/net_${RECORDS}.ndjson
ASA=$OUT/asa_${RECORDS}.log
if [ ! -s "$NET" ]; then
    say "generating $NET"
    python3 "$ROOT/tools/gen_netlogs.py" --records "$RECORDS" --seed 42 --out "$NET"
fi
if [ ! -s "$ASA" ]; then
    say "generating $ASA"
    python3 "$ROOT/tools/gen_asa.py" --records "$RECORDS" --seed 42 --out "$ASA"
fi
cat "$NET" "$ASA" > /dev/null   # into the page cache

# -------------------------------------------------------------- queries --
# Each query is one command line per tool, in $OUT/q/<query>.<tool>.
PORTS="1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614"
AG_PORTS=$(for p in ${PORTS//,/}; do printf ' || dest_port == %s' "$p"; done)
AG_PORTS=${AG_PORTS# || }

q() { printf '%s\n' "$3" > "$OUT/q/$1.$2"; }

# filter + count
q count sumoq "\"$SUMOQ\" run --format json -q '* | where dest_port in ($PORTS) | count' \"$NET\""
q count duckdb "\"$DUCKDB\" -json -c \"SET threads=$THREADS; SELECT count(*) AS _count FROM read_ndjson_auto('$NET') WHERE dest_port IN ($PORTS);\""
q count ag "\"$AG\" -o json '* | json | where $AG_PORTS | count' -f \"$NET\""
q count jq "jq -n -c '[reduce (inputs | select(.dest_port as \$p | [${PORTS// /}] | index(\$p) != null)) as \$x (0; . + 1) | {_count: .}][]' \"$NET\""

# count by dest_port, sorted
q by_port sumoq "\"$SUMOQ\" run --format json -q '* | count by dest_port | sort by _count' \"$NET\""
q by_port duckdb "\"$DUCKDB\" -json -c \"SET threads=$THREADS; SELECT dest_port, count(*) AS _count FROM read_ndjson_auto('$NET') GROUP BY dest_port ORDER BY _count DESC;\""
q by_port ag "\"$AG\" -o json '* | json | count by dest_port | sort by _count desc' -f \"$NET\""
q by_port jq "jq -n -c 'reduce inputs as \$x ({}; .[\$x.dest_port | tostring] += 1) | to_entries | sort_by(-.value) | .[] | {dest_port: (.key | tonumber), _count: .value}' \"$NET\""

# the shipped detection
q detection sumoq "\"$SUMOQ\" run --format json t1071_005_pubsub \"$NET\""
sed "s#DATA#$NET#" > "$OUT/q/detection.sql" <<'SQL'
SET threads=THREADS;
WITH base AS (
  SELECT _messageTime, src_ip, dest_ip, dest_port, process_name, bytes_in, bytes_out,
    CASE WHEN dest_port IN (1883, 8883) THEN 'MQTT'
         WHEN dest_port IN (5222, 5223, 5269) THEN 'XMPP'
         WHEN dest_port IN (5672, 5671) THEN 'AMQP'
         WHEN dest_port IN (61613, 61614) THEN 'STOMP' ELSE 'Unknown' END AS Protocol
  FROM read_ndjson_auto('DATA')
  WHERE lower(_sourceCategory) IN ('network', 'firewall', 'pan', 'cisco/asa')
    AND dest_port IN (1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614)
    AND (action IN ('allowed', 'permit') OR action IS NULL)
    AND NOT (starts_with(dest_ip, '10.') OR starts_with(dest_ip, '192.168.') OR starts_with(dest_ip, '127.')
             OR regexp_full_match(dest_ip, '172\.(1[6-9]|2[0-9]|3[01])\..*'))
), grouped AS (
  SELECT max(_messageTime) AS LastSeen, min(_messageTime) AS FirstSeen, src_ip, dest_ip, Protocol, dest_port,
    process_name, count(*) AS ConnectionCount, sum(bytes_out) AS BytesSent, sum(bytes_in) AS BytesReceived
  FROM base GROUP BY src_ip, dest_ip, dest_port, Protocol, process_name
  HAVING count(*) > 1
)
SELECT *, CASE WHEN Protocol IN ('XMPP', 'STOMP') THEN 'high'
               WHEN Protocol = 'MQTT' AND (process_name IS NULL OR NOT regexp_full_match(process_name, '(?i)mosquitto.*')) THEN 'high'
               WHEN Protocol = 'AMQP' THEN 'medium' ELSE 'low' END AS Suspicion
FROM grouped
WHERE Suspicion IN ('high', 'medium')
ORDER BY Suspicion ASC, ConnectionCount DESC;
SQL
sed -i "s/THREADS/$THREADS/" "$OUT/q/detection.sql"
q detection duckdb "\"$DUCKDB\" -json -f \"$OUT/q/detection.sql\""
# angle-grinder drops a row whose expression names a missing key, so the
# query cannot say "action is missing or allowed"; on this data (actions are
# allowed, permit, deny, drop or missing) the raw-text filter below is the
# same condition. Its substring() tests are the prefix tests.
P172=$(for i in $(seq 16 31); do printf ' && substring(dest_ip, 0, 7) != "172.%d."' "$i"; done)
cat > "$OUT/q/detection.agq" <<AGQ
NOT "\"action\":\"deny\"" AND NOT "\"action\":\"drop\"" | json
| where _sourceCategory == "network" || _sourceCategory == "firewall" || _sourceCategory == "pan" || _sourceCategory == "cisco/asa"
| where $AG_PORTS
| if(dest_port == 1883 || dest_port == 8883, "MQTT", if(dest_port == 5222 || dest_port == 5223 || dest_port == 5269, "XMPP", if(dest_port == 5672 || dest_port == 5671, "AMQP", "STOMP"))) as Protocol
| where substring(dest_ip, 0, 3) != "10." && substring(dest_ip, 0, 8) != "192.168." && substring(dest_ip, 0, 4) != "127."$P172
| count as ConnectionCount, sum(bytes_out) as BytesSent, sum(bytes_in) as BytesReceived, min(_messageTime) as FirstSeen, max(_messageTime) as LastSeen by src_ip, dest_ip, dest_port, Protocol, process_name
| where ConnectionCount > 1
| if(Protocol == "XMPP" || Protocol == "STOMP", "high", if(Protocol == "MQTT" && (isNull(process_name) || substring(toLowerCase(process_name), 0, 9) != "mosquitto"), "high", if(Protocol == "AMQP", "medium", "low"))) as Suspicion
| where Suspicion == "high" || Suspicion == "medium"
| sort by Suspicion, ConnectionCount desc
AGQ
q detection ag "\"$AG\" -o json \"\$(cat \"$OUT/q/detection.agq\")\" -f \"$NET\""
cat > "$OUT/q/detection.jqprog" <<'JQ'
def inset($s): . as $v | any($s[]; . == $v);
def internal: startswith("10.") or startswith("192.168.") or startswith("127.")
  or test("^172\\.(1[6-9]|2[0-9]|3[01])\\..*$");
reduce (inputs
  | select((._sourceCategory // "" | ascii_downcase) | inset(["network", "firewall", "pan", "cisco/asa"]))
  | select(.dest_port | inset([1883, 8883, 5222, 5223, 5269, 5672, 5671, 61613, 61614]))
  | select(.action == null or .action == "allowed" or .action == "permit")
  | select(.dest_ip | internal | not)
  | .Protocol = (if .dest_port | inset([1883, 8883]) then "MQTT"
                 elif .dest_port | inset([5222, 5223, 5269]) then "XMPP"
                 elif .dest_port | inset([5672, 5671]) then "AMQP" else "STOMP" end)
) as $r ({};
  ([$r.src_ip, $r.dest_ip, $r.dest_port, $r.Protocol, $r.process_name] | tojson) as $k
  | .[$k] |= (if . == null then {src_ip: $r.src_ip, dest_ip: $r.dest_ip, dest_port: $r.dest_port,
        Protocol: $r.Protocol, process_name: $r.process_name, ConnectionCount: 0, BytesSent: 0,
        BytesReceived: 0, FirstSeen: $r._messageTime, LastSeen: $r._messageTime} else . end)
  | .[$k].ConnectionCount += 1
  | .[$k].BytesSent += $r.bytes_out
  | .[$k].BytesReceived += $r.bytes_in
  | .[$k].FirstSeen = ([.[$k].FirstSeen, $r._messageTime] | min)
  | .[$k].LastSeen = ([.[$k].LastSeen, $r._messageTime] | max))
| [.[] | select(.ConnectionCount > 1)
  | .Suspicion = (if .Protocol == "XMPP" or .Protocol == "STOMP" then "high"
      elif .Protocol == "MQTT" and ((.process_name // "") | test("^(?i)mosquitto.*$") | not) then "high"
      elif .Protocol == "AMQP" then "medium" else "low" end)
  | select(.Suspicion == "high" or .Suspicion == "medium")]
| sort_by(.Suspicion, -.ConnectionCount) | .[]
JQ
q detection jq "jq -n -c -f \"$OUT/q/detection.jqprog\" \"$NET\""

# Text logs: Cisco ASA syslog lines. A keyword count runs with any sumoq;
# field extraction needs the parse stage and the ASA FER, which come from
# other branches: each is skipped, with a note, when this sumoq lacks it.
q asa_keyword sumoq "\"$SUMOQ\" run --format json -q '%ASA-4-106023 | count' \"$ASA\""
q asa_keyword ag "\"$AG\" -o json '\"%ASA-4-106023\" | count' -f \"$ASA\""
QUERIES="count by_port detection asa_keyword"
AG_ASA_PARSE="\"$AG\" -o json '\"%ASA-6-302013\" | parse \"for outside:*/* (\" as dest_ip, dest_port | count by dest_port | sort by _count desc' -f \"$ASA\""
ASA_PARSE='%ASA-6-302013 | parse "for outside:*/* (" as dest_ip, dest_port | count by dest_port | sort by _count'
if "$SUMOQ" run -q "$ASA_PARSE" /dev/null > /dev/null 2>&1; then
    q asa_parse sumoq "\"$SUMOQ\" run --format json -q '$ASA_PARSE' \"$ASA\""
    q asa_parse ag "$AG_ASA_PARSE"
    QUERIES="$QUERIES asa_parse"
else
    say "note: this sumoq has no parse stage yet; the ASA parse workload is skipped"
fi
# The ASA FER extracts every normalized field from every ASA line (six
# parse regex stages and a date); angle-grinder parses the one pattern the
# count needs, on the lines that have it. Same answer, different work.
if "$SUMOQ" run --fer cisco_asa -q '* | limit 1' /dev/null > /dev/null 2>&1; then
    q asa_fer sumoq "\"$SUMOQ\" run --format json --fer cisco_asa --set _sourceCategory=cisco/asa -q '%ASA-6-302013 | count by dest_port | sort by _count' \"$ASA\""
    q asa_fer ag "$AG_ASA_PARSE"
    QUERIES="$QUERIES asa_fer"
else
    say "note: this sumoq has no cisco_asa FER yet; the ASA FER workload is skipped"
fi

# ----------------------------------------------------------------- runs --
measure() { # query tool run
    local cmd rc start end
    cmd=$(cat "$OUT/q/$1.$2")
    start=$(date +%s.%N)
    rc=0
    /usr/bin/time -v -o "$OUT/time.txt" bash -c "$cmd" > "$OUT/answers/$1.$2" 2> "$OUT/answers/$1.$2.err" || rc=$?
    end=$(date +%s.%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(echo "$end - $start" | bc)" "$rss" "$rc" >> "$TIMES"
}

say "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((run = 1; run <= RUNS; run++)); do
    for query in $QUERIES; do
        for tool in $TOOLS; do
            [ -f "$OUT/q/$query.$tool" ] || continue
            if [[ $tool == ag || $tool == jq ]] && ((run > SLOW_RUNS)); then continue; fi
            say "run $run: $query with $tool"
            measure "$query" "$tool" "$run"
        done
    done
done
say "load after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# Byte-identical output at --threads 1 and the default.
SAME=yes
for query in $QUERIES; do
    [ -f "$OUT/q/$query.sumoq" ] || continue
    cmd=$(sed 's/ run / run --threads 1 /' "$OUT/q/$query.sumoq")
    bash -c "$cmd" > "$OUT/answers/$query.sumoq.t1" 2> "$OUT/answers/$query.sumoq.t1.err"
    if ! cmp -s "$OUT/answers/$query.sumoq.t1" "$OUT/answers/$query.sumoq"; then
        SAME=no
        say "DIFFERENT output at --threads 1: $query"
    fi
done

python3 "$ROOT/bench/summary.py" "$TIMES" "$OUT/answers" "$QUERIES" "$SAME" "$THREADS" "$RECORDS"
