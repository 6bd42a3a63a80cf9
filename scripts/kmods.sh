#!/usr/bin/env bash
# Prints, dependencies first, the paths (relative to MODDIR) of the kernel
# modules NAME... need, to load with insmod in that order. The Debian kernel
# package ships no modules.dep (depmod writes it at install time), so this
# reads what depmod reads: each module's own "depends=" in its .modinfo.
# Names match with '-' and '_' alike, as modprobe does.
# Usage: kmods.sh MODDIR NAME...      (MODDIR: .../lib/modules/VERSION)
set -euo pipefail
dir=${1:?usage: kmods.sh MODDIR NAME...}
shift
declare -A path=() done=()
while IFS= read -r f; do
    n=$(basename "$f"); n=${n%%.ko*}; n=${n//-/_}
    path[$n]=${f#"$dir"/}
done < <(find "$dir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst')
[ ${#path[@]} -gt 0 ] || { echo "kmods: no modules under $dir" >&2; exit 1; }
visit() { # NAME CHAIN
    local n=${1//-/_} d
    [ -n "${done[$n]:-}" ] && return 0
    [ -n "${path[$n]:-}" ] || { echo "kmods: module '$1' not found under $dir${2:+ (needed by $2)}" >&2; exit 1; }
    case "${path[$n]}" in
    *.ko) ;;
    *) echo "kmods: ${path[$n]} is compressed; busybox insmod needs a plain .ko" >&2; exit 1 ;;
    esac
    done[$n]=1
    for d in $(tr '\0' '\n' < "$dir/${path[$n]}" | sed -n 's/^depends=//p' | tr ',' ' '); do
        visit "$d" "$n"
    done
    echo "${path[$n]}"
}
for m in "$@"; do visit "$m" ""; done
