#!/usr/bin/env bash
# Compile-fail suite for the MMIO library (tests/compile-fail/*.c).
#
# Each case holds exactly one misuse inside `#ifndef CONTROL` and its valid
# form in the `#else` branch, plus the diagnostic it must produce:
#   // EXPECT: <ERE>          for every compiler (or EXPECT-gcc / EXPECT-clang)
#   // ONLY: clang            optional: the misuse is only detectable there
#   // REJECT: <ERE>          selftest cases only: why the runner must reject it
# For every compiler configuration (gcc and clang, host and aarch64) a case
# passes when:
#   1. without CONTROL it fails to compile, an `error` line of its output
#      matches the expected regex, and the output points at a line of the
#      `#ifndef CONTROL` block (so it failed for the intended reason, there);
#   2. with -DCONTROL it compiles with no diagnostics at all: on the host at
#      -O2, for aarch64 at -O0, -O2 and -Os (exercising the inline asm).
# Controls are compiled for every configuration, ONLY cases included.
#
# Usage: scripts/compile-fail.sh [case.c ...]   (default: all cases)
#        scripts/compile-fail.sh --self-test    (the runner must reject every
#                                               deliberately broken case in
#                                               tests/compile-fail/selftest/)
# Prints one line per case and then "N passed, N failed" on stdout (details of
# failures go to stderr); exits 1 on failure.
set -uo pipefail
export LC_ALL=C # plain ASCII quotes in diagnostics

cd "$(dirname "$0")/.."
CASE_DIR=tests/compile-fail
JOBS=${JOBS:-2}
HOST_GCC=${HOST_GCC:-gcc}
HOST_CLANG=${HOST_CLANG:-clang}
A64_GCC=${A64_GCC:-aarch64-linux-gnu-gcc}
A64_CLANG=${A64_CLANG:-clang --target=aarch64-linux-gnu}

# The flags the rules rely on: -Werror (private storage, noderef, qualifier
# and pointer-type diagnostics) and -Wcast-qual (shared -> unique casts).
COMMON="-std=c11 -Wall -Wextra -Wpedantic -Werror -Wcast-qual -Iinclude -I$CASE_DIR"
A64_FLAGS="-ffreestanding -fpie -mgeneral-regs-only"

# name|family|compiler and flags|control optimisation levels
CONFIGS=(
    "host-gcc|gcc|$HOST_GCC|-O2"
    "host-clang|clang|$HOST_CLANG|-O2"
    "a64-gcc|gcc|$A64_GCC $A64_FLAGS|-O0 -O2 -Os"
    "a64-clang|clang|$A64_CLANG $A64_FLAGS|-O0 -O2 -Os"
)

# Directive value from a case file: directive FILE NAME (e.g. EXPECT-gcc).
directive() { sed -n "s|^// $2: ||p" "$1" | head -n 1; }

# Check one case; print its result line; return nonzero on failure.
check_case() {
    local f=$1 name tmp problems=()
    name=$(basename "$f" .c)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN

    local first last n_blocks
    n_blocks=$(grep -c '^#ifndef CONTROL$' "$f")
    first=$(grep -n '^#ifndef CONTROL$' "$f" | head -n 1 | cut -d: -f1)
    last=$(awk -v s="${first:-0}" 'NR > s && /^#else$/ { print NR - 1; exit }' "$f")
    if [ "$n_blocks" != 1 ] || [ -z "$last" ] || [ "$last" -le "$first" ]; then
        echo "FAIL $name: needs exactly one '#ifndef CONTROL' ... '#else' block"
        return 1
    fi
    local only
    only=$(directive "$f" ONLY)

    local cfg cname family cc olevels re o rc
    for cfg in "${CONFIGS[@]}"; do
        IFS='|' read -r cname family cc olevels <<<"$cfg"

        # 2. The control compiles cleanly at each optimisation level.
        for o in $olevels; do
            if ! $cc $COMMON $o -DCONTROL -c "$f" -o "$tmp/ok.o" >"$tmp/ok.txt" 2>&1 ||
                [ -s "$tmp/ok.txt" ]; then
                problems+=("$cname: control $o does not compile cleanly: $(grep -m1 -E 'error|warning' "$tmp/ok.txt")")
            fi
        done

        # 1. The misuse fails, for the expected reason, at the marked line.
        if [ -n "$only" ] && [ "$only" != "$family" ]; then
            continue
        fi
        re=$(directive "$f" "EXPECT-$family")
        [ -n "$re" ] || re=$(directive "$f" EXPECT)
        if [ -z "$re" ]; then
            problems+=("$cname: no EXPECT regex")
            continue
        fi
        $cc $COMMON -O2 -c "$f" -o "$tmp/bad.o" >"$tmp/bad.txt" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then
            problems+=("$cname: compiled, expected an error matching /$re/")
        elif ! grep 'error' "$tmp/bad.txt" | grep -qE -- "$re"; then
            problems+=("$cname: failed, but no error matches /$re/; first error: $(grep -m1 'error' "$tmp/bad.txt")")
        elif ! grep -oE "$name\.c:[0-9]+:" "$tmp/bad.txt" |
            awk -F: -v a="$first" -v b="$last" '$2 > a && $2 <= b { ok = 1 } END { exit !ok }'; then
            problems+=("$cname: diagnostic does not point into lines $((first + 1))-$last")
        fi
    done

    if [ ${#problems[@]} -eq 0 ]; then
        echo "PASS $name${only:+ (misuse detectable with $only only; control built everywhere)}"
        return 0
    fi
    echo "FAIL $name: ${problems[0]}${problems[1]:+ (+$((${#problems[@]} - 1)) more)}"
    printf '       %s\n' "${problems[@]}" >&2
    return 1
}

selftest=0
if [ "${1:-}" = --self-test ]; then
    selftest=1
    cases=("$CASE_DIR"/selftest/*.c)
elif [ $# -gt 0 ]; then
    cases=("$@")
else
    cases=("$CASE_DIR"/*.c)
fi
if [ ${#cases[@]} -eq 0 ] || [ ! -e "${cases[0]}" ]; then
    echo "no compile-fail cases found in $CASE_DIR"
    echo "0 passed, 1 failed"
    exit 1
fi

# Run cases JOBS at a time; print results in case order.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0
for f in "${cases[@]}"; do
    n=$(printf %04d $i)
    basename "$f" .c >"$out/$n.name"
    (check_case "$f" >"$out/$n.txt" 2>"$out/$n.err"; echo $? >"$out/$n.rc") &
    i=$((i + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait

passed=0 failed=0
for r in "$out"/*.txt; do
    rc=$(cat "${r%.txt}.rc")
    if [ $selftest = 1 ]; then
        # Inverted: a broken case the runner accepts is a runner bug.
        # Each must be rejected for the reason its `// REJECT:` line names.
        name=$(cat "${r%.txt}.name")
        why=$(directive "$CASE_DIR/selftest/$name.c" REJECT)
        if [ "$rc" = 0 ]; then
            echo "FAIL selftest $name: the runner accepted a broken case"
            failed=$((failed + 1))
        elif [ -z "$why" ] || ! grep -qE -- "$why" "$r" "${r%.txt}.err"; then
            echo "FAIL selftest $name: rejected, but not for /$why/"
            cat "$r" "${r%.txt}.err" >&2
            failed=$((failed + 1))
        else
            echo "PASS selftest $name: rejected ($(cat "$r" "${r%.txt}.err" | grep -m1 -E -- "$why" | sed 's/^ *//'))"
            passed=$((passed + 1))
        fi
        continue
    fi
    cat "$r"
    cat "${r%.txt}.err" >&2
    if [ "$rc" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
