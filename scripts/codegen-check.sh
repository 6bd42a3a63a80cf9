#!/usr/bin/env bash
# make check-codegen: the accessor library and every guest driver, built for
# aarch64 with gcc and clang at -O0, -O2 and -Os (the guest's flags otherwise),
# must contain no MMIO access a hypervisor cannot emulate.
#
# What counts as MMIO code (the rest of a driver is RAM code and not held to
# this rule):
#   1. every instruction recorded in .mmio_insns (the library's accessors);
#   2. in the functions the checked sources define, every load/store whose
#      source line (DWARF) performs a volatile access or holds inline asm,
#      as each compiler itself reports it (gcc: -fdump-tree-optimized-lineno
#      `={v}`/__asm__; clang: volatile or asm in its LLVM IR), plus any
#      load/store without a source line.
# C can only reach a device through a volatile access (the library's register
# types are volatile; casting volatile away is an error under -Wcast-qual
# -Werror, and clang's noderef rejects any use of an MMIO_PTR outside the
# library) or through inline asm. A non-volatile access is free for the
# compiler to merge, split, reorder or drop, so it is wrong on a device
# whatever instruction it becomes; it is out of scope here. Lines are the
# granularity: a RAM access sharing a line with a volatile one is checked too
# (conservative). SP-based accesses are skipped: SP always points at RAM.
#
# Rule 1 is `virtcheck --mmio-insns` on each linked PIE; rule 2 is `virtcheck
# --no-sp` on the objdump -dl listing filtered down to those lines. Findings
# print as "ADDR <func+off> reason: insn -- why (file:line)"; the bad-form
# accesses left out as RAM code are listed too ("not MMIO code"), so nothing is
# dropped silently.
#
# Then tests/codegen/bad_driver.c, built the same way, must be caught in every
# build, and each of its naive-C functions in at least one. Also the real
# guest images' .mmio_insns are checked. Prints one line per check and
# "N passed, N failed"; exits 1 on any failure.
#
# Environment (mk/codegen.mk sets it): VIRTCHECK, CODEGEN_CFLAGS, CC_gcc,
# CC_clang, FLAGS_gcc, FLAGS_clang, GUEST_LD, GUEST_ELFS, WORK.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
here=scripts/codegen
: "${VIRTCHECK:?}" "${CODEGEN_CFLAGS:?}" "${CC_gcc:?}" "${CC_clang:?}" "${GUEST_LD:?}" "${WORK:?}"
export OBJDUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}
NM=${NM:-aarch64-linux-gnu-nm}
SRCS=(guest/drivers/*.c tests/mmio-a64/*.c)
BAD=tests/codegen/bad_driver.c
STUBS=tests/codegen/stubs.c
BAD_C_FUNCS="bad_struct_copy bad_fifo_read bad_signed_read"

rm -rf "$WORK"
mkdir -p "$WORK"
passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
indent() { sed 's/^/     /'; }

# compile gcc|clang OPT SRC DIR: object DIR/NAME.o and its MMIO lines DIR/NAME.lines
compile() {
    local cc=$1 opt=$2 src=$3 dir=$4 base cmd ccvar=CC_$1 flagsvar=FLAGS_$1
    base=$dir/$(basename "$src" .c)
    cmd="${!ccvar} $CODEGEN_CFLAGS ${!flagsvar:-} $opt"
    if [ "$cc" = gcc ]; then
        $cmd -c "$src" -o "$base.o" -fdump-tree-optimized-lineno="$base.dump" || return 1
        awk -f $here/mmio-lines-gcc.awk "$base.dump" >"$base.raw"
    else
        $cmd -c "$src" -o "$base.o" || return 1
        $cmd -S -emit-llvm "$src" -o "$base.ll" || return 1
        awk -f $here/mmio-lines-clang.awk "$base.ll" "$base.ll" >"$base.raw"
    fi
    if grep -q '^?' "$base.raw"; then
        echo "$src: a volatile access or asm without a source location" >&2
        return 1
    fi
    # Paths as DWARF has them (absolute, normalized) for the listing filter.
    sort -u "$base.raw" | while IFS= read -r l; do
        echo "$(realpath -m -- "${l%:*}"):${l##*:}"
    done >"$base.lines"
}

# scan NAME ELF OBJS...: both rules on one linked set; leaves NAME.m1 (records),
# NAME.m2 (MMIO code), NAME.ram (bad forms in RAM code), each annotated.
scan() {
    local n=$1 elf=$2 re
    shift 2
    re=$(for o in "$@"; do "$NM" --defined-only "$o" | awk '$2 ~ /^[Tt]$/ { print $3 }'; done |
        sed 's/\./\\./g' | sort -u | paste -sd'|')
    cat "${@/%.o/.lines}" | sort -u >"$n.want"
    "$OBJDUMP" -dl "$elf" >"$n.full.lst" || return 2
    awk -v locs="$n.locs" -f $here/listing-filter.awk "$n.want" "$n.full.lst" >"$n.mmio.lst"
    local rc1=0 rc2=0 rc3=0
    "$VIRTCHECK" --mmio-insns "$elf" >"$n.m1.raw" 2>"$n.m1.err" || rc1=$?
    "$VIRTCHECK" --listing "$n.mmio.lst" --no-sp -f "^($re)\$" >"$n.m2.raw" 2>"$n.m2.err" || rc2=$?
    "$VIRTCHECK" --listing "$n.full.lst" --no-sp -f "^($re)\$" >"$n.all.raw" 2>/dev/null || rc3=$?
    [ $rc1 -le 1 ] && [ $rc2 -le 1 ] && [ $rc3 -le 1 ] || { cat "$n.m1.err" "$n.m2.err" >&2; return 2; }
    grep -vxF -f "$n.m2.raw" "$n.all.raw" >"$n.ram.raw" || true
    for k in m1 m2 ram; do
        awk 'FILENAME == ARGV[1] { loc[$1] = $2; next }
             { a = $1; sub(/^0x/, "", a); print $0 " (" ((a in loc) ? loc[a] : "?") ")" }' \
            "$n.locs" "$n.$k.raw" | sed "s|$PWD/||" >"$n.$k"
    done
    return 0
}

link() { # OUT OBJS...
    local out=$1
    shift
    $GUEST_LD -pie --no-dynamic-linker -z noexecstack --no-warn-rwx-segments -e 0 \
        -T guest/guest.ld -o "$out" "$@"
}

declare -A caught
for f in $BAD_C_FUNCS; do caught[$f]=0; done
for cc in gcc clang; do
    for opt in -O0 -O2 -Os; do
        label="$cc $opt"
        d=$WORK/$cc$opt
        mkdir -p "$d/drv" "$d/bad"
        ok=1
        for src in "${SRCS[@]}" "$STUBS"; do
            compile $cc $opt "$src" "$d/drv" 2>"$d/cc.err" || { ok=0; break; }
        done
        compile $cc $opt "$BAD" "$d/bad" 2>>"$d/cc.err" || ok=0
        if [ $ok = 0 ]; then
            fail "$label: does not compile"; indent <"$d/cc.err"; continue
        fi
        objs=()
        for src in "${SRCS[@]}"; do objs+=("$d/drv/$(basename "$src" .c).o"); done
        if ! link "$d/drivers.elf" "${objs[@]}" "$d/drv/stubs.o" 2>"$d/ld.err" ||
            ! link "$d/bad.elf" "$d/bad/bad_driver.o" 2>>"$d/ld.err"; then
            fail "$label: does not link"; indent <"$d/ld.err"; continue
        fi

        # The drivers and the library's own AArch64 tests: nothing may be flagged.
        if ! scan "$d/drivers" "$d/drivers.elf" "${objs[@]}"; then
            fail "$label drivers: virtcheck failed"; continue
        fi
        nrec=$(sed -n 's/^virtcheck: \([0-9]*\) .mmio_insns entries checked.*/\1/p' "$d/drivers.m1.err")
        nmm=$(sed -n 's/^virtcheck: \([0-9]*\) loads\/stores checked.*/\1/p' "$d/drivers.m2.err")
        # Every record is inline asm, so it must be MMIO code under rule 2 too:
        # this keeps the line mapping (paths, headers) from silently matching nothing.
        "$VIRTCHECK" -v --mmio-insns "$d/drivers.elf" 2>/dev/null |
            sed -n 's/^0x\([0-9a-f]*\) .*/\1/p' | sort -u >"$d/drivers.recaddrs"
        awk '/^ *[0-9a-f]+:\t/ { a = $1; sub(/:$/, "", a); print a }' "$d/drivers.mmio.lst" |
            sort -u >"$d/drivers.mmioaddrs"
        lost=$(comm -23 "$d/drivers.recaddrs" "$d/drivers.mmioaddrs" | wc -l)
        if [ -s "$d/drivers.m1" ] || [ -s "$d/drivers.m2" ] || [ "${nrec:-0}" = 0 ] || [ "$lost" != 0 ]; then
            fail "$label drivers: ${nrec:-0} .mmio_insns records ($lost not found as MMIO code), $nmm loads/stores in MMIO code"
            sed 's/^/     record: /' "$d/drivers.m1"
            sed 's/^/     MMIO code: /' "$d/drivers.m2"
        else
            pass "$label drivers: $nrec .mmio_insns records and $nmm loads/stores in MMIO code, all clean"
        fi
        sed 's/^/     not MMIO code: /' "$d/drivers.ram"

        # The known-bad driver: caught in both modes, every build.
        if ! scan "$d/bad" "$d/bad.elf" "$d/bad/bad_driver.o"; then
            fail "$label bad_driver: virtcheck failed"; continue
        fi
        why=()
        grep -q '<bad_asm_record+0x[0-9a-f]*> writeback: ldr ' "$d/bad.m1" ||
            why+=("the recorded post-indexed ldr is not flagged by the .mmio_insns check")
        grep -q '<bad_asm_pair+0x[0-9a-f]*> pair: stp ' "$d/bad.m2" ||
            why+=("the unrecorded stp in inline asm is not flagged by the MMIO-code scan")
        # The RAM store in bad_fifo_read is on a line of its own: not MMIO code.
        ! grep -q '<bad_fifo_read+0x[0-9a-f]*> [a-z-]*: str' "$d/bad.m2" ||
            why+=("a RAM-only line of bad_fifo_read was taken for MMIO code")
        for f in $BAD_C_FUNCS; do
            grep -q "<$f+" "$d/bad.m2" && caught[$f]=$((caught[$f] + 1))
        done
        if [ ${#why[@]} = 0 ]; then
            pass "$label bad_driver caught: $(cat "$d/bad.m1" "$d/bad.m2" | wc -l) findings"
        else
            fail "$label bad_driver: $(printf '%s; ' "${why[@]}")"
        fi
        sed 's/^/     record: /' "$d/bad.m1"
        sed 's/^/     MMIO code: /' "$d/bad.m2"
        sed 's/^/     not MMIO code: /' "$d/bad.ram"
    done
done

# Each naive-C bad construct must be caught by at least one compiler/level
# (which ones produce a bad form is the compilers' choice; see above).
for f in $BAD_C_FUNCS; do
    if [ "${caught[$f]}" -gt 0 ]; then pass "bad_driver $f caught in ${caught[$f]} of 6 builds"
    else fail "bad_driver $f caught in no build"; fi
done

# The real guest images (-O2): every accessor instance they contain.
for elf in ${GUEST_ELFS:-}; do
    if out=$("$VIRTCHECK" --mmio-insns "$elf" 2>&1); then
        pass "$elf: $(echo "$out" | sed -n 's/^virtcheck: \([0-9]*\) .*/\1/p') .mmio_insns records clean"
    else
        fail "$elf"; echo "$out" | indent
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
