#!/usr/bin/env bash
# Integration tests: the real VMM on real KVM (natively on arm64, else in one
# nested-host boot for all cases), plus host-side runs (plain QEMU virt).
# Suites (tests/integration/suite-*.sh) declare cases and expectations:
#   vmm_case  NAME TIMEOUT 'COMMAND'   run in the stage dir on KVM (bin/isv, guest/gcc/Image, ...)
#   host_case NAME TIMEOUT 'COMMAND'   run on this machine from the repository root
#   expect_rc NAME N | expect_out NAME ERE | expect_not NAME ERE | expect_lines NAME N
#   expect_cmd NAME 'SHELL TEST'       run on the host after the boot, $OUT = the case's output file,
#                                      $EXPORT = what the cases copied to export/ (stage dir)
#   smp_twin NAME...                   also run these VMM cases with `--cpus 2` added to every
#                                      bin/isv, as NAME-smp2, under the same expectations
# Usage: run.sh [--build DIR] [--only REGEX]
set -uo pipefail
build=build only=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=$build/integration
rm -rf "$work"
mkdir -p "$work/out" "$work/stage-extra"
STAGE_EXTRA=$work/stage-extra   # suites may drop files here; they appear in the stage dir
EXPORT=$work/export             # and what VMM cases leave in export/ comes back here
cases_file=$work/cases
: > "$cases_file"
names=() kinds=() host_cmds=() host_limits=()
declare -A exp_rc exp_out exp_not exp_lines exp_cmd case_limit case_cmd
twins=()
total_limit=0

selected() { [ -z "$only" ] || [[ $1 =~ $only ]]; }
vmm_case() {
    selected "$1" || return 0
    names+=("$1"); kinds+=(vmm); host_cmds+=(""); host_limits+=(0)
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$cases_file"
    total_limit=$((total_limit + $2))
    case_limit[$1]=$2 case_cmd[$1]=$3
}
host_case() {
    selected "$1" || return 0
    names+=("$1"); kinds+=(host); host_cmds+=("$3"); host_limits+=("$2")
}
sep=$'\x1f'
expect_rc()    { exp_rc[$1]=$2; }
expect_out()   { exp_out[$1]+="$2$sep"; }
expect_not()   { exp_not[$1]+="$2$sep"; }
expect_lines() { exp_lines[$1]=$2; }
expect_cmd()   { exp_cmd[$1]+="$2$sep"; }
smp_twin()     { twins+=("$@"); }

for s in tests/integration/suite-*.sh; do
    # shellcheck source=/dev/null
    . "$s"
done
for n in ${twins[@]+"${twins[@]}"}; do
    [ -n "${case_cmd[$n]:-}" ] || continue   # not selected (--only)
    t=$n-smp2
    vmm_case "$t" "${case_limit[$n]}" "${case_cmd[$n]//bin\/isv /bin/isv --cpus 2 }"
    for a in exp_rc exp_out exp_not exp_lines exp_cmd; do
        declare -n arr=$a
        [ -z "${arr[$n]+x}" ] || arr[$t]=${arr[$n]}
        unset -n arr
    done
done
[ ${#names[@]} -gt 0 ] || { echo "run.sh: no case matches '$only'"; echo "0 passed, 1 failed"; exit 1; }

# ---- VMM cases: one boot ----
if [ -s "$cases_file" ]; then
    echo "== ${#names[@]} cases; VMM cases in one boot (limit $((total_limit + 90))s) =="
    scripts/vm-run.sh --build "$build" --timeout $((total_limit + 90)) --log "$work/host.log" \
        --stage-extra "$STAGE_EXTRA" --export "$EXPORT" --cases "$cases_file" | grep -E --line-buffered '^isv: (path|nested host timed|the host|cases finished)'
    # Split the log into per-case outputs and exit codes.
    awk -v dir="$work/out" '
        /^@@ISV-BEGIN / { name = $2; file = dir "/" name ".txt"; printf "" > file; next }
        /^@@ISV-END / { sub(/^rc=/, "", $3); print $3 > (dir "/" $2 ".rc"); close(dir "/" $2 ".rc"); close(file); name = ""; next }
        name != "" { print >> file }' "$work/host.log"
fi

# ---- host cases ----
for i in "${!names[@]}"; do
    [ "${kinds[$i]}" = host ] || continue
    n=${names[$i]}
    timeout -k 5 "${host_limits[$i]}" bash -c "${host_cmds[$i]}" </dev/null > "$work/out/$n.txt" 2>&1
    rc=$?
    [ $rc -eq 137 ] && rc=124
    sed -i 's/\r*$//' "$work/out/$n.txt"
    echo $rc > "$work/out/$n.rc"
done

# ---- verdicts ----
pass=0 fail=0
for n in "${names[@]}"; do
    out=$work/out/$n.txt
    why=()
    if [ ! -f "$work/out/$n.rc" ]; then
        why+=("no result: the host did not run this case to the end")
    else
        rc=$(cat "$work/out/$n.rc")
        if [ -n "${exp_rc[$n]:-}" ] && [ "$rc" != "${exp_rc[$n]}" ]; then
            why+=("exit status $rc, expected ${exp_rc[$n]}")
        fi
        IFS=$sep read -r -a pats <<< "${exp_out[$n]:-}"
        for p in "${pats[@]}"; do
            [ -z "$p" ] || grep -Eq -- "$p" "$out" || why+=("output lacks /$p/")
        done
        IFS=$sep read -r -a pats <<< "${exp_not[$n]:-}"
        for p in "${pats[@]}"; do
            [ -z "$p" ] || ! grep -Eq -- "$p" "$out" || why+=("output has /$p/")
        done
        if [ -n "${exp_lines[$n]:-}" ]; then
            l=$(wc -l < "$out")
            [ "$l" = "${exp_lines[$n]}" ] || why+=("$l output lines, expected ${exp_lines[$n]}")
        fi
        IFS=$sep read -r -a cmds <<< "${exp_cmd[$n]:-}"
        for c in "${cmds[@]}"; do
            [ -z "$c" ] || OUT=$out STAGE_EXTRA=$STAGE_EXTRA EXPORT=$EXPORT bash -c "$c" > "$work/check.txt" 2>&1 ||
                why+=("check failed: $c ($(tail -n1 "$work/check.txt"))")
        done
    fi
    if [ ${#why[@]} -eq 0 ]; then
        pass=$((pass + 1))
        echo "PASS $n"
    else
        fail=$((fail + 1))
        echo "FAIL $n"
        for w in "${why[@]}"; do echo "     - $w"; done
        if [ -f "$out" ]; then
            echo "     output (last 15 lines):"
            tail -n 15 "$out" | sed 's/^/       | /'
        fi
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
