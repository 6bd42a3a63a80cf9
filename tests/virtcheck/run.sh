#!/bin/sh
# Self-check of virtcheck: assemble known-good and known-bad code, assert the
# tool flags exactly the bad accesses with the right reasons.
# usage: run.sh VIRTCHECK WORKDIR   (CROSS defaults to aarch64-linux-gnu-)
set -eu
VC=$1
W=$2
CROSS=${CROSS-aarch64-linux-gnu-}
D=$(dirname "$0")
mkdir -p "$W"
fails=0

for s in cases good; do
    "${CROSS}as" -o "$W/$s.o" "$D/$s.S"
    "${CROSS}ld" -e _start -o "$W/$s.elf" "$W/$s.o"
done
export OBJDUMP="${CROSS}objdump"

# run NAME EXPECTED-STATUS EXPECTED-FILE ARGS...: compare "symbol tag" pairs
run() {
    name=$1 want_rc=$2 want=$3
    shift 3
    rc=0
    "$VC" "$@" >"$W/$name.out" 2>"$W/$name.err" || rc=$?
    sed -E 's/^0x[0-9a-f]+ <([^+>]*)\+0x[0-9a-f]+> ([a-z0-9-]+): .*/\1 \2/' "$W/$name.out" |
        sort >"$W/$name.got"
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name: exit status $rc, expected $want_rc"; cat "$W/$name.err"; fails=$((fails + 1))
    elif ! diff -u "$want" "$W/$name.got"; then
        echo "FAIL $name: findings differ (see above)"; fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}

run scan 1 "$D/expected-scan.txt" "$W/cases.elf"
grep -v '^stack_' "$D/expected-scan.txt" >"$W/nosp.want"
run no-sp 1 "$W/nosp.want" --no-sp "$W/cases.elf"
grep '^bad_ld' "$D/expected-scan.txt" >"$W/regex.want"
run regex 1 "$W/regex.want" -f '^bad_ld' "$W/cases.elf"
grep '^other_' "$D/expected-scan.txt" >"$W/section.want"
run section 1 "$W/section.want" -j .vc_other "$W/cases.elf"
run mmio 1 "$D/expected-mmio.txt" --mmio-insns "$W/cases.elf"
: >"$W/empty.want"
run good-scan 0 "$W/empty.want" "$W/good.elf"
run good-mmio 0 "$W/empty.want" --mmio-insns "$W/good.elf"
"${CROSS}objdump" -d "$W/cases.elf" >"$W/cases.lst"
run listing 1 "$D/expected-scan.txt" --listing "$W/cases.lst"
# every good mmio entry was really checked (5 entries)
grep -q '5 .mmio_insns entries checked, 0 flagged' "$W/good-mmio.err" ||
    { echo "FAIL good-mmio: wrong entry count"; cat "$W/good-mmio.err"; fails=$((fails + 1)); }

# bad input: not an ELF, truncated ELF, relocatable object -> status 2, no crash
printf 'garbage' >"$W/garbage.bin"
head -c 100 "$W/cases.elf" >"$W/trunc.elf"
for f in garbage.bin trunc.elf cases.o; do
    rc=0
    "$VC" --mmio-insns --listing "$W/cases.lst" "$W/$f" >/dev/null 2>"$W/bad.err" || rc=$?
    if [ "$rc" = 2 ]; then echo "ok   reject $f ($(cat "$W/bad.err"))"
    else echo "FAIL reject $f: status $rc"; fails=$((fails + 1)); fi
done

if [ "$fails" != 0 ]; then echo "check-virtcheck: $fails failed"; exit 1; fi
echo "check-virtcheck: all passed"
