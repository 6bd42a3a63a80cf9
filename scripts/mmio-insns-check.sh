#!/usr/bin/env bash
# Self-check of the MMIO library's AArch64 backend: build tests/mmio-a64/*.c
# with aarch64 gcc and clang at -O0, -O2 and -Os, then check in each object
# that every .mmio_insns record (a PREL32 offset to an access instruction)
#   - resolves to .text and to a distinct instruction,
#   - names exactly one of ldrb/ldrh/ldr/strb/strh/str with one general
#     register (wN/xN, or wzr/xzr for stores) and a bare base [xN]: no offset,
#     no writeback, no pair, no SIMD/FP, no sign-extending load,
#   - and, when the file says `// RECORDS: N`, that there are exactly N.
# This checks the library's own records; verifying a whole guest image
# against its records is the separate codegen checker's job.
#
# Prints one line per object and "N passed, N failed"; exits 1 on failure.
set -uo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
OBJDUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}
A64_GCC=${A64_GCC:-aarch64-linux-gnu-gcc}
A64_CLANG=${A64_CLANG:-clang --target=aarch64-linux-gnu}
FLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -Wcast-qual -Iinclude -ffreestanding -fpie -mgeneral-regs-only"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_object OBJ EXPECTED_COUNT(or empty): print problems, return nonzero on any.
check_object() {
    local obj=$1 want=$2
    # Record offsets into .text, one per line (hex, no 0x).
    "$OBJDUMP" -r -j .mmio_insns "$obj" >"$tmp/rel.txt" 2>&1 || { echo "no .mmio_insns section"; return 1; }
    awk '/R_AARCH64_/ { print $2, $3 }' "$tmp/rel.txt" >"$tmp/recs.txt"
    local n bad
    n=$(wc -l <"$tmp/recs.txt")
    bad=$(awk '$1 != "R_AARCH64_PREL32" || $2 !~ /^\.text(\+0x[0-9a-f]+)?$/' "$tmp/recs.txt" | head -n 1)
    if [ -n "$bad" ]; then echo "record not a PREL32 into .text: $bad"; return 1; fi
    # Every 4-byte entry of the section must be one of those relocations.
    local size
    size=$("$OBJDUMP" -h "$obj" | awk '$2 == ".mmio_insns" { print $3 }')
    size=$((16#${size:-0}))
    if [ "$((size / 4))" != "$n" ]; then echo "$((size / 4)) entries but $n relocations"; return 1; fi
    if [ "$n" -eq 0 ]; then echo "no records"; return 1; fi
    if [ -n "$want" ] && [ "$n" != "$want" ]; then echo "$n records, expected $want"; return 1; fi
    sed 's/.*\.text//; s/^+0x0*//; s/^$/0/' "$tmp/recs.txt" | sort | uniq -d >"$tmp/dups.txt"
    if [ -s "$tmp/dups.txt" ]; then echo "two records name .text+0x$(head -n 1 "$tmp/dups.txt")"; return 1; fi

    "$OBJDUMP" -d --no-show-raw-insn -j .text "$obj" >"$tmp/dis.txt"
    # Look each record up in the disassembly and check its form.
    awk '
        NR == FNR { sub(/.*\.text/, ""); sub(/^\+0x0*/, ""); if ($0 == "") $0 = "0"; want[$0] = 1; next }
        /^ *[0-9a-f]+:\t/ {
            split($0, f, "\t"); off = f[1]; sub(/^ */, "", off); sub(/:$/, "", off)
            sub(/^0+/, "", off); if (off == "") off = "0"
            if (!(off in want)) next
            seen[off] = 1; insn = f[2]; ops = f[3]; sub(/ *\/\/.*/, "", ops)
            ok = 0
            if (insn ~ /^(ldrb|ldrh)$/ && ops ~ /^w([0-9]+), \[x([0-9]+)\]$/) ok = 1
            if (insn == "ldr" && ops ~ /^[wx]([0-9]+), \[x([0-9]+)\]$/) ok = 1
            if (insn ~ /^(strb|strh)$/ && ops ~ /^w([0-9]+|zr), \[x([0-9]+)\]$/) ok = 1
            if (insn == "str" && ops ~ /^[wx]([0-9]+|zr), \[x([0-9]+)\]$/) ok = 1
            if (!ok) { printf "record at .text+0x%s is \"%s %s\"\n", off, insn, ops; bad = 1 }
        }
        END {
            for (o in want) if (!(o in seen)) { printf "record .text+0x%s is not an instruction\n", o; bad = 1 }
            exit bad
        }' "$tmp/recs.txt" "$tmp/dis.txt"
}

passed=0 failed=0
for src in tests/mmio-a64/*.c; do
    want=$(sed -n 's|^// RECORDS: *||p' "$src" | head -n 1)
    for cc in gcc clang; do
        if [ $cc = gcc ]; then cmd=$A64_GCC; else cmd=$A64_CLANG; fi
        for o in -O0 -O2 -Os; do
            label="$(basename "$src") $cc $o"
            obj="$tmp/$(basename "$src" .c)-$cc$o.o"
            if ! $cmd $FLAGS $o -c "$src" -o "$obj" 2>"$tmp/cc.txt"; then
                echo "FAIL $label: does not compile: $(grep -m1 error "$tmp/cc.txt")"
                failed=$((failed + 1))
                continue
            fi
            if msg=$(check_object "$obj" "$want"); then
                echo "PASS $label ($(wc -l <"$tmp/recs.txt") records)"
                passed=$((passed + 1))
            else
                echo "FAIL $label: $msg"
                failed=$((failed + 1))
            fi
        done
    done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
