#!/usr/bin/env bash
# make check-virt: the static verdict on the four guest images. Disassembles
# each image and runs the A64 decoder (virtcheck) over every load/store that
# can reach MMIO, listing each non-virtualizable (ISV=0: writeback, pair,
# SIMD/FP, exclusive, atomic) or mis-emulated (sign-extending) one with its
# address, symbol, disassembly, reason and source line.
#
# Which loads/stores can reach MMIO:
#   1. every access the <mmio.h> library made, i.e. every .mmio_insns record
#      (all builds: safe drivers, the GIC driver, the guest's testdev tests);
#   2. in a build whose drivers use plain volatile C (guest/naive), every
#      load/store in the functions those driver objects define (with what the
#      compiler inlined into them), except SP-based ones (SP is always RAM).
#      This over-approximates: C gives no way to tell, from the binary, a
#      register-block access from a RAM access in the same function, so RAM
#      accesses are listed too; the source line says which is which, and
#      tests/integration/suite-virt.sh checks the trapping PCs on real KVM.
# A safe driver (guest/drivers) reaches a device only through the library:
# register storage cannot be named, blocks cannot be copied or dereferenced
# (`unavailable` members, const storage, clang's noderef; both compilers build
# the same sources), so its device accesses are exactly its records (rule 1).
# Its other loads/stores are RAM; the flagged ones are printed as "ram:" so
# nothing is dropped silently. Code that is not a driver and not the library
# (libc, libfdt, the forms test's deliberately bad guest/form_insns.S) is out
# of scope.
#
# Verdicts: every build's records must be clean; a safe build must have no
# other device access; a naive build must be flagged, with the forms named in
# NAIVE_EXPECT (what gcc 12 and clang 14 really emit for guest/naive).
#
# usage: virt-check.sh KIND:CC:DIR...   (KIND safe|naive, DIR holds guest.elf
#        and the objects); environment: VIRTCHECK, OBJDUMP, NM, ADDR2LINE.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
: "${VIRTCHECK:?}"
export OBJDUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}
NM=${NM:-aarch64-linux-gnu-nm}
ADDR2LINE=${ADDR2LINE:-aarch64-linux-gnu-addr2line}

# Forms a naive build must show: "CC FUNCTION TAG INSN-REGEX", one per line.
NAIVE_EXPECT='gcc pl011_init pair ldp x[0-9]+, x[0-9]+, \[x[0-9]+
clang virtio_mmio_read_config writeback ldrb w[0-9]+, \[x[0-9]+\], #1
clang pl011_init sign-extend ldrsb w[0-9]+, \[x[0-9]+, #'

passed=0 failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }

# annotate ELF [PREFIX] < findings: each finding, then its source line
annotate() {
    local elf=$1 prefix=${2:-} line addr loc file n text
    while IFS= read -r line; do
        echo "   $prefix$line"
        addr=${line%% *}
        loc=$("$ADDR2LINE" -e "$elf" "$addr" | sed -e "s|^$PWD/||" -e 's/ (discriminator [0-9]*)//')
        file=${loc%:*} n=${loc##*:}
        text=""
        [ -f "$file" ] && [[ $n =~ ^[0-9]+$ ]] && text=$(sed -n "${n}{s/^[[:space:]]*//;p}" "$file")
        echo "        $loc: $text"
    done
}

for spec in "$@"; do
    IFS=: read -r kind cc dir <<<"$spec"
    elf=$dir/guest.elf name=$([ "$kind" = naive ] && echo "naive-$cc" || echo "$cc")
    srcdir=$([ "$kind" = naive ] && echo guest/naive || echo guest/drivers)
    echo "== $name: $elf (drivers: $srcdir)"

    # Rule 1: the library's records.
    rc=0
    "$VIRTCHECK" -v --mmio-insns "$elf" >"$dir/virt-records.txt" 2>"$dir/virt-records.err" || rc=$?
    nrec=$(sed -n 's/^virtcheck: \([0-9]*\) .mmio_insns entries checked.*/\1/p' "$dir/virt-records.err")
    if [ "$rc" = 0 ] && [ "${nrec:-0}" -gt 0 ]; then
        pass "$name: ${nrec} .mmio_insns records (library accesses), all ISV=1 single-register, none sign-extending"
    else
        fail "$name: .mmio_insns check (status $rc, ${nrec:-0} records)"
        grep -v ' ok: ' "$dir/virt-records.txt" | annotate "$elf"
        cat "$dir/virt-records.err"
    fi

    # The driver functions, each of which must be one unambiguous symbol.
    fns=$(for o in "$dir/$srcdir"/*.o; do "$NM" --defined-only "$o" | awk '$2 ~ /^[Tt]$/ { print $3 }'; done | sort -u)
    dups=$("$NM" --defined-only "$elf" | awk '$2 ~ /^[Tt]$/ { print $3 }' | sort | uniq -d |
        grep -xF -f <(echo "$fns") || true)
    if [ -z "$fns" ] || [ -n "$dups" ]; then
        fail "$name: cannot name the driver functions (none, or ambiguous: $dups)"
        continue
    fi
    re="^($(echo "$fns" | sed 's/\./\\./g' | paste -sd'|'))\$"
    rc=0
    "$VIRTCHECK" --no-sp -f "$re" "$elf" >"$dir/virt-drivers.txt" 2>"$dir/virt-drivers.err" || rc=$?
    [ "$rc" -le 1 ] || { fail "$name: virtcheck failed"; cat "$dir/virt-drivers.err"; continue; }
    nld=$(sed -n 's/^virtcheck: \([0-9]*\) loads\/stores checked.*/\1/p' "$dir/virt-drivers.err")
    nfl=$(wc -l <"$dir/virt-drivers.txt")
    nfn=$(echo "$fns" | wc -l)
    bytag=$(sed -E 's/^[^ ]+ <[^>]*> ([a-z-]+):.*/\1/' "$dir/virt-drivers.txt" | sort | uniq -c |
        awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')

    if [ "$kind" = safe ]; then
        # Rule 2 does not apply: device accesses are the records, checked above.
        # Show what else the drivers do that would be wrong on MMIO: all RAM.
        recaddrs=$(sed -n 's/^\(0x[0-9a-f]*\) .*/\1/p' "$dir/virt-records.txt")
        onmmio=$(grep -F -f <(echo "$recaddrs" | sed 's/$/ /') "$dir/virt-drivers.txt" || true)
        if [ -z "$onmmio" ]; then
            pass "$name: $nld loads/stores in $nfn driver functions; device accesses are the records only (library-only drivers)"
        else
            fail "$name: a recorded access is flagged"; echo "$onmmio" | annotate "$elf"
        fi
        [ "$nfl" = 0 ] || echo "   $nfl ISV=0 or sign-extending forms in driver code that touch RAM only ($bytag):"
        annotate "$elf" "ram: " <"$dir/virt-drivers.txt"
    else
        if [ "$nfl" -gt 0 ]; then
            pass "$name: flagged: $nld loads/stores in $nfn naive driver functions, $nfl can reach MMIO in a form KVM cannot emulate or mis-emulates ($bytag)"
        else
            fail "$name: nothing flagged in the naive drivers ($nld loads/stores)"
        fi
        annotate "$elf" <"$dir/virt-drivers.txt"
        while read -r ecc efn etag ere; do
            [ "$ecc" = "$cc" ] || continue
            if grep -Eq "^0x[0-9a-f]+ <$efn\+0x[0-9a-f]+> $etag: $ere" "$dir/virt-drivers.txt"; then
                pass "$name: $efn shows $etag /$ere/"
            else
                fail "$name: $efn does not show $etag /$ere/"
            fi
        done <<<"$NAIVE_EXPECT"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
