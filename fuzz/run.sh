#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 1200, twenty minutes),
# one after another, with cargo-fuzz on the stable toolchain (no sanitizer:
# `-s none`; Rust's own checks, debug assertions and overflow checks are on).
#
#   fuzz/run.sh                  # every target, 20 minutes each
#   fuzz/run.sh 60               # a minute each
#   TARGETS="query" fuzz/run.sh  # only some targets
#   JOBS=2 fuzz/run.sh           # targets two at a time
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Seeds the corpora first
# (fuzz/seed.py). Each target's log goes to fuzz/logs/TARGET.log, its
# growing corpus stays in fuzz/corpus/TARGET and any crash in
# fuzz/artifacts/TARGET; the last lines print, per target, the executions,
# the corpus size and the crashes found. Never part of .ci/run.
set -euo pipefail

# The whole script is one function, read before it runs: editing this file
# while a long run goes on cannot change what the run does.
main() {

    ROOT=$(cd "$(dirname "$0")/.." && pwd)
    SECONDS_EACH=${1:-1200}
    TARGETS=${TARGETS:-"query input fastpath regex_gate"}
    JOBS=${JOBS:-1}
    cd "$ROOT"

    if ! cargo fuzz --version > /dev/null 2>&1; then
        echo "fuzz/run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
        exit 2
    fi
    python3 fuzz/seed.py
    cargo fuzz build -s none
    mkdir -p fuzz/logs

    run_one() {
        local t=$1
        mkdir -p "fuzz/artifacts/$t"
        # -timeout: one input taking over 10 s is a finding (a hang).
        # -rss_limit_mb: a run over 2 GB is a finding (runaway memory).
        cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- \
            -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 > "fuzz/logs/$t.log" 2>&1 || true
    }

    running=0
    for t in $TARGETS; do
        echo "fuzz/run.sh: $t for ${SECONDS_EACH}s" >&2
        run_one "$t" &
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then
            wait -n || true
            running=$((running - 1))
        fi
    done
    wait

    status=0
    for t in $TARGETS; do
        log=fuzz/logs/$t.log
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        secs=$(grep -o 'stat::slowest_unit_time_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
        crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
        printf '%s: %s executions in %ss, slowest input %ss, corpus %s, findings %s\n' \
            "$t" "$execs" "$SECONDS_EACH" "$secs" "$corpus" "$crashes"
        if [ "$crashes" -gt 0 ]; then
            status=1
            find "fuzz/artifacts/$t" -type f | sed 's/^/  /'
        fi
    done
    exit $status
}

main "$@"
exit $?
