#!/usr/bin/env bash
# The dynamic audit against the static verdict (make check-virt): every line
# of an --nisv=audit listing names its PC with --symbols, and that PC (the
# guest runs at RAM base, its ELF is linked at 0) is a finding virtcheck makes
# in the ELF, with the same symbol+offset, reason and instruction. Each
# FUNC:TAG given must be among the lines.
#
# usage: audit-check.sh VIRTCHECK ELF OUT [FUNC:TAG...]
set -uo pipefail
export LC_ALL=C
vc=$1 elf=$2 out=$3
shift 3
load=0x40000000

static=$("$vc" --no-sp "$elf" 2>/dev/null)
[ -n "$static" ] || { echo "audit-check: virtcheck found nothing in $elf"; exit 1; }
lines=$(grep '^isv: audit: pc ' "$out")
[ -n "$lines" ] || { echo "audit-check: no audit lines in $out"; exit 1; }

re='^isv: audit: pc (0x[0-9a-f]+) <([^>]+)>: [0-9]+ access(es)?, [^,]+, [^:]+: [0-9a-f]{8} ([^;]+); why: ([a-z-]+)[:+]'
while IFS= read -r l; do
    [[ $l =~ $re ]] || { echo "audit-check: unnamed or malformed: $l"; exit 1; }
    pc=${BASH_REMATCH[1]} sym=${BASH_REMATCH[2]} insn=${BASH_REMATCH[4]} tag=${BASH_REMATCH[5]}
    addr=$(printf '0x%x' $((pc - load)))
    want="$addr <$sym> $tag: $insn -- "
    grep -qF -- "$want" <<<"$static" ||
        { echo "audit-check: $pc <$sym> $tag ($insn) is not a static finding ('$want')"; exit 1; }
done <<<"$lines"

for ft in "$@"; do
    f=${ft%%:*} t=${ft#*:}
    grep -Eq "^isv: audit: pc 0x[0-9a-f]+ <$f\+0x[0-9a-f]+>: .*; why: $t[:+]" <<<"$lines" ||
        { echo "audit-check: no audit line at $f with $t"; exit 1; }
done
echo "audit-check: $(wc -l <<<"$lines") audit lines, each a static finding"
