#!/bin/sh
# Self-check of syndrome-oracle: on a tiny assembled image and hand-written
# kvm_guest_fault traces whose ESRs were measured in the nested host, the tool
# must pass the true trace and fail every doctored one: each single-bit flip
# of an ESR outside the fault-level bits, a missing required form, an empty
# trace, a wrong load address, an instruction that is no load/store.
# usage: run.sh ORACLE WORKDIR   (CROSS defaults to aarch64-linux-gnu-)
set -eu
OR=$1
W=$2
CROSS=${CROSS-aarch64-linux-gnu-}
D=$(dirname "$0")
mkdir -p "$W"
fails=0
LOAD=0x40000000

"${CROSS}as" -o "$W/image.o" "$D/image.S"
"${CROSS}ld" -e _start -Ttext=0 -o "$W/image.elf" "$W/image.o"
addr() { "${CROSS}nm" "$W/image.elf" | awk -v s="$1" '$3 == s { print $1 }'; }

# label ESR (real ESR_EL2 values seen in the nested host for these instructions)
cat >"$W/esrs" <<'T'
insn_ldrsb_w1 0x93210005
insn_ldrsw_x4 0x93a48005
insn_str_w5 0x93850045
insn_ldp_w2 0x92000005
insn_str_xzr 0x93df8045
insn_stp_x9 0x92000045
insn_ldxr_x9 0x92000005
T
REQ=$(awk '{ printf "%s%s", sep, $1; sep = "," }' "$W/esrs")

# line PC ESR [IPA]: one tracefs line, formatted as Linux 6.1 prints it
line() {
    printf '           isv-231     [001] d..1.    31.%06d: kvm_guest_fault: ipa %s, hsr %s, hxfar 0xb000010, pc %#016x\n' \
        "$n" "${3:-0xb000000}" "$2" "$1"
    n=$((n + 1))
}
pc_of() { printf '0x%x' $((LOAD + 0x$(addr "$1"))); }

# The true trace, with what a real one also holds: header, other text, the
# first instruction fetch (instruction abort) and a RAM fault, both skipped.
n=0
{
    echo '# entries-in-buffer/entries-written: 10/10   #P:2'
    echo 'isv guest: forms: 28 ok, 0 wrong, 0 aborted'
    line $LOAD 0x82000006 $LOAD
    while read -r sym esr; do line "$(pc_of "$sym")" "$esr"; line "$(pc_of "$sym")" "$esr"; done <"$W/esrs"
    line "$(pc_of insn_str_w5)" 0x93850047 0x40001000
} >"$W/good.trace"

# check NAME WANT_RC PATTERN TRACE [ARGS...]: run, check status and an output line
check() {
    name=$1 want=$2 pat=$3 trace=$4
    shift 4
    rc=0
    "$OR" --load $LOAD --require "$REQ" "$@" "$W/image.elf" "$trace" >"$W/$name.out" 2>&1 || rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $name: exit status $rc, expected $want"; tail -n 5 "$W/$name.out"; fails=$((fails + 1))
    elif ! grep -Eq -- "$pat" "$W/$name.out"; then
        echo "FAIL $name: output lacks /$pat/"; tail -n 5 "$W/$name.out"; fails=$((fails + 1))
    else
        [ -n "${quiet:-}" ] || echo "ok   $name"
    fi
}

check good 0 'PASS: 14 MMIO traps at 7 distinct \(pc, ESR\): 7 match, 0 mismatch; required 7/7 present; skipped 1 RAM faults, 1 other exceptions' "$W/good.trace"
check good-row 0 '^insn_ldrsw_x4 +- +2  ldrsw x4, \[x0\] +0x93a48005 .* match$' "$W/good.trace"
check good-lib 0 '^insn_str_w5 +lib +2 ' "$W/good.trace"
# DFSC bits [1:0] are the translation level: KVM's tables decide it, the instruction does not.
for dfsc in 4 6 7; do
    sed "s/hsr 0x93a48005/hsr 0x93a4800$dfsc/" "$W/good.trace" >"$W/level.trace"
    check "level-$dfsc" 0 'PASS' "$W/level.trace"
done

# Every single-bit flip of bits [35:2] of one ISV=1 and one ISV=0 ESR must fail.
quiet=1
for esr in 0x93a48005 0x92000045; do
    caught=0
    for bit in $(seq 2 35); do
        bad=$(printf '0x%x' $((esr ^ (1 << bit))))
        sed "s/hsr $esr,/hsr $bad,/" "$W/good.trace" >"$W/flip.trace"
        before=$fails
        check "flip-$esr-bit$bit" 1 'FAIL: ' "$W/flip.trace"
        [ "$fails" != "$before" ] || caught=$((caught + 1))
    done
    echo "ok   flip $esr: $caught of 34 single-bit flips caught"
done
quiet=
# ... and the verdict names the field.
flip() { sed "s/hsr $1,/hsr $2,/" "$W/good.trace" >"$W/$3.trace"; }
flip 0x93210005 0x93010005 sse;  check flip-sse 1 '^insn_ldrsb_w1 .*MISMATCH: SSE real 0 predicted 1$' "$W/sse.trace"
flip 0x93a48005 0x93a40005 sf;   check flip-sf 1 'MISMATCH: SF real 0 predicted 1$' "$W/sf.trace"
flip 0x93850045 0x93840045 srt;  check flip-srt 1 'MISMATCH: SRT real 4 predicted 5$' "$W/srt.trace"
flip 0x93850045 0x93c50045 sas;  check flip-sas 1 'MISMATCH: SAS real 3 predicted 2$' "$W/sas.trace"
flip 0x93850045 0x93850005 wnr1; check flip-wnr-isv1 1 'MISMATCH: WnR real 0 predicted 1$' "$W/wnr1.trace"
flip 0x92000045 0x92000005 wnr0; check flip-wnr-isv0 1 '^insn_stp_x9 .*MISMATCH: WnR real 0 predicted 1$' "$W/wnr0.trace"
flip 0x92000045 0x93000045 isv;  check flip-isv 1 'MISMATCH: ISV real 1 predicted 0$' "$W/isv.trace"
flip 0x93df8045 0x92df8045 isv0; check flip-isv-lost 1 '^insn_str_xzr .*MISMATCH: ISV real 0 predicted 1; ISS\[23:14\] 0x37e with ISV=0' "$W/isv0.trace"
flip 0x93a48005 0x93a4800d perm; check flip-dfsc 1 'DFSC 0x0d \(permission fault\), predicted a translation fault' "$W/perm.trace"
flip 0x93a48005 0x93a48085 ptw;  check flip-s1ptw 1 'MISMATCH: S1PTW real 1 predicted 0' "$W/ptw.trace"

# A required form with no trap, an empty trace, nothing but skipped lines.
grep -v "pc $(printf '%#016x' "$(pc_of insn_ldxr_x9)")\$" "$W/good.trace" >"$W/missing.trace"
check missing 1 "^MISSING insn_ldxr_x9 \\($(pc_of insn_ldxr_x9)\\): no MMIO trap" "$W/missing.trace"
check missing-final 1 'FAIL: 12 MMIO traps .* required 6/7 present' "$W/missing.trace"
: >"$W/empty.trace"
check empty 1 'FAIL: 0 MMIO traps .* required 0/7 present' "$W/empty.trace"
grep -v 'hsr 0x9[23]' "$W/good.trace" >"$W/none.trace"
"$OR" --load $LOAD "$W/image.elf" "$W/none.trace" >"$W/none.out" 2>&1 && rc=0 || rc=$?
if [ "$rc" = 1 ] && grep -q 'FAIL: 0 MMIO traps' "$W/none.out"; then echo "ok   no-traps"
else echo "FAIL no-traps: status $rc"; fails=$((fails + 1)); fi
# --require-prefix adds every matching symbol (insn_nop never traps); one
# that matches nothing is a usage error, not a vacuous pass.
check prefix 1 "^MISSING insn_nop \\($(pc_of insn_nop)\\): no MMIO trap" "$W/good.trace" --require-prefix insn_
check prefix-final 1 'required 7/8 present' "$W/good.trace" --require-prefix insn_
check bad-prefix 2 'no such symbol' "$W/good.trace" --require-prefix no_such_

# The instruction at pc must be the one that trapped; code without a label
# on it is named function+offset.
n=0; line "$(pc_of insn_nop)" 0x93a48005 >"$W/nop.trace"
check nop 1 '^insn_nop .*MISMATCH: the decoder says this instruction makes no data access' "$W/nop.trace"
n=0; line "$(printf '0x%x' $((LOAD + 0x$(addr _start) + 4)))" 0x93c98005 >"$W/func.trace"
REQ=
check func-offset 0 '^_start\+0x4 +- +1  ldr x9, \[x0\] +0x93c98005 .* match$' "$W/func.trace"
check wrong-load 1 "pc is not in the ELF's .text" "$W/func.trace" --load 0x40100000

if [ "$fails" != 0 ]; then echo "check-oracle: $fails failed"; exit 1; fi
echo "check-oracle: all passed"
