#!/usr/bin/env bash
# virt-trace-check.sh safe|naive GUEST_DIR OUTPUT: hold the MMIO traps that
# virt-trace.sh saw on KVM (lines "virt-trap pc=... esr=... n=..." in OUTPUT)
# against the static verdict (scripts/virt-check.sh) for the image in
# GUEST_DIR (build/aarch64/guest-NAME):
#   safe:  every trapping instruction is a .mmio_insns record, and each trap
#          had a valid syndrome (ISV=1) and no sign extension (SSE=0);
#   naive: every trapping instruction is a record or lies in a naive driver
#          function (the static candidates), and each one that trapped
#          without a syndrome (ISV=0) or sign-extending (SSE=1) is one
#          virtcheck flags, with the matching reason.
# So the static candidate set covered every device access that really
# happened. The guest image is loaded at RAM base 0x40000000 (text_offset 0),
# so a PC is that plus the ELF address. Environment: VIRTCHECK, NM.
set -uo pipefail
export LC_ALL=C
kind=$1 dir=$2 out=$3
elf=$dir/guest.elf
: "${VIRTCHECK:?}"
NM=${NM:-aarch64-linux-gnu-nm}
LOAD=$((0x40000000))

ranges="" flagged=""
recs=$("$VIRTCHECK" -v --mmio-insns "$elf" 2>/dev/null | sed -n 's/^0x\([0-9a-f]*\) .*/\1/p')
if [ "$kind" = naive ]; then
    fns=$(for o in "$dir"/guest/naive/*.o; do "$NM" --defined-only "$o" | awk '$2 ~ /^[Tt]$/ { print $3 }'; done | sort -u)
    # "start end name" of each naive driver function, from the image
    while read -r addr size type name; do
        [[ $type == [Tt] ]] && grep -qxF "$name" <<<"$fns" &&
            ranges+="$((0x$addr)) $((0x$addr + 0x$size)) $name"$'\n'
    done < <("$NM" -S --defined-only "$elf")
    re="^($(echo "$fns" | paste -sd'|'))\$"
    flagged=$("$VIRTCHECK" --no-sp -f "$re" "$elf" 2>/dev/null | sed -E 's/^0x([0-9a-f]+) <[^>]*> ([a-z-]+):.*/\1 \2/')
fi

bad=0 insns=0 traps=0 nrec=0 ndrv=0 nnisv=0 nsext=0
while read -r pc esr n; do
    pc=${pc#pc=} esr=${esr#esr=} n=${n#n=}
    a=$(( pc - LOAD ))
    hex=$(printf '%x' "$a")
    isv=$(( (esr >> 24) & 1 )) sse=$(( (esr >> 21) & 1 ))
    insns=$((insns + 1)) traps=$((traps + n))
    where=""
    if grep -qx "$hex" <<<"$recs"; then
        where=record nrec=$((nrec + 1))
    elif [ "$kind" = naive ]; then
        where=$(awk -v a="$a" '$1 <= a && a < $2 { print $3; exit }' <<<"$ranges")
        [ -z "$where" ] || ndrv=$((ndrv + 1))
    fi
    why=""
    if [ -z "$where" ]; then
        why="not a static candidate (not a .mmio_insns record${ranges:+, not in a naive driver function})"
    elif [ "$kind" = safe ] && { [ $isv = 0 ] || [ $sse = 1 ]; }; then
        why="a library access trapped with ISV=$isv SSE=$sse"
    elif [ $isv = 0 ] || [ $sse = 1 ]; then
        tag=$(awk -v h="$hex" '$1 == h { print $2 }' <<<"$flagged")
        if [ $isv = 0 ]; then nnisv=$((nnisv + 1)); else nsext=$((nsext + 1)); fi
        if [ -z "$tag" ]; then why="trapped with ISV=$isv SSE=$sse but virtcheck does not flag it"
        elif [ $isv = 1 ] && [ "$tag" != sign-extend ]; then why="sign-extending trap, flagged as $tag"
        elif [ $isv = 0 ] && [ "$tag" = sign-extend ]; then why="trapped without ISV, flagged only as sign-extend"
        fi
    fi
    if [ -n "$why" ]; then
        echo "0x$hex (pc $pc, esr $esr, $n traps, ${where:-?}): $why"
        bad=$((bad + 1))
    elif [ $isv = 0 ] || [ $sse = 1 ]; then
        echo "trapped: 0x$hex <$where> $tag (ISV=$isv SSE=$sse, $n traps)"
    fi
done < <(grep -o 'pc=0x[0-9a-f]* esr=0x[0-9a-f]* n=[0-9]*' "$out")

if [ "$insns" = 0 ]; then echo "no traps recorded in $out"; exit 1; fi
summary="$insns trapping instructions ($traps traps): $nrec .mmio_insns records"
[ "$kind" = safe ] || summary+=", $ndrv in naive driver functions ($nnisv without ISV, $nsext sign-extending)"
if [ "$bad" = 0 ]; then echo "trace agrees with the static verdict: $summary"; else echo "$bad disagree; $summary"; exit 1; fi
