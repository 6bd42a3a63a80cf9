#!/usr/bin/env bash
# Runs libFuzzer harnesses one after another (the machine's cores are shared:
# each runs at nice 10, on one thread) and prints one line per harness from
# libFuzzer's own final statistics.
#
# Usage: run.sh long|check BINDIR WORKDIR HARNESS...
#   long:  from WORKDIR/corpus/H (seeded from tests/fuzz/corpus/H, keeps what
#          it finds) for FUZZ_SECONDS (default 60) or FUZZ_RUNS executions,
#          whichever ends first (FUZZ_RUNS default: no limit)
#   check: the committed corpus, then CHECK_RUNS (default 20000) mutations
#          with a fixed seed; nothing is added to tests/fuzz/corpus
# A crash, leak, UB report or timeout is a finding: its input is left in
# WORKDIR/artifacts/H/ (until the next run of H), its log in WORKDIR/H.log,
# and the exit status is 1.
set -uo pipefail
mode=${1:?usage: run.sh long|check BINDIR WORKDIR HARNESS...}
bin=${2:?}
work=${3:?}
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
seeds=$root/tests/fuzz/corpus

# Longest input per harness: a program of a few dozen accesses, a header
# plus a page-table RAM image, a small kernel, a command line.
max_len() {
    case $1 in
    virtio_*) echo 1024 ;;
    nisv) echo 17000 ;;
    loader) echo 2048 ;;
    *) echo 512 ;;
    esac
}

failed=0
for h in "$@"; do
    art=$work/artifacts/$h
    log=$work/$h.log
    rm -rf "$art"; mkdir -p "$art"
    common=(-max_len="$(max_len "$h")" -timeout=10 -close_fd_mask=2 -print_final_stats=1
            -artifact_prefix="$art/")
    if [ "$mode" = long ]; then
        corpus=$work/corpus/$h
        mkdir -p "$corpus"
        cp -n "$seeds/$h"/* "$corpus/" 2>/dev/null
        args=(-max_total_time="${FUZZ_SECONDS:-60}" "$corpus")
        [ -n "${FUZZ_RUNS:-}" ] && args=(-runs="$FUZZ_RUNS" "${args[@]}")
    else
        # New inputs go to a scratch directory, the committed ones stay as they are.
        corpus=$work/check/$h
        rm -rf "$corpus"; mkdir -p "$corpus"
        args=(-runs="${CHECK_RUNS:-20000}" -seed=1 "$corpus" "$seeds/$h")
    fi
    start=$(date +%s)
    nice -n 10 "$bin/fuzz_$h" "${common[@]}" "${args[@]}" > "$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    # "#N DONE cov: C ft: F corp: K/Sb ..." (or the last status line before a crash)
    last=$(grep -aE '^#[0-9]+' "$log" | tail -n1)
    execs=$(grep -aoE '^stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$')
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<< "$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<< "$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p' <<< "$last")
    findings=$(find "$art" -type f | wc -l)
    if [ $rc -ne 0 ] || [ "$findings" -ne 0 ]; then
        echo "fuzz: $h: FINDING (exit $rc): $(grep -a -m1 -E 'ERROR|SUMMARY|timeout|leak' "$log" || tail -n1 "$log")"
        echo "fuzz: $h:   input: $(find "$art" -type f | head -n1)   log: $log"
        failed=1
        continue
    fi
    echo "fuzz: $h: ${execs:-?} executions, cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}, 0 findings, ${secs}s"
done
exit $failed
