#!/usr/bin/env bash
# Prints, dependencies first, the paths (relative to MODDIR) of the kernel
# modules NAME... need, to load with insmod in that order. The Debian kernel
# package ships no modules.dep (depmod writes it at install time), so this
# reads what depmod reads: each module's own "depends=" in its .modinfo.
# Names match with '-' and '_' alike, as modprobe does.
# Usage: kmods.sh [--install DEST] MODDIR NAME...      (MODDIR: .../lib/modules/VERSION)
#   --install DEST: also copy them to DEST/PATH and write the list to DEST/load-order
#   (nothing is written when a module is missing)
set -euo pipefail
dest=""
if [ "${1:-}" = --install ]; then dest=${2:?usage: kmods.sh --install DEST MODDIR NAME...}; shift 2; fi
dir=${1:?usage: kmods.sh [--install DEST] MODDIR NAME...}
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
order=$(for m in "$@"; do visit "$m" ""; done)
if [ -n "$dest" ]; then
    while read -r m; do
        mkdir -p "$dest/$(dirname "$m")" && cp "$dir/$m" "$dest/$m"
    done <<< "$order"
    echo "$order" > "$dest/load-order"
fi
echo "$order"
