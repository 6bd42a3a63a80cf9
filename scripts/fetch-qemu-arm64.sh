#!/usr/bin/env bash
# Fetches Debian's arm64 qemu-system-aarch64 for `make bench` (QEMU's own KVM
# mode inside the nested host) and bundles it with the shared libraries it
# loads. Nothing is installed: the .debs are downloaded with apt-get download
# and unpacked into the cache.
#   1. qemu-system-arm:arm64 and, recursively, every arm64 library package its
#      Depends name (read from the apt metadata; no versions written down here);
#   2. the bundle: the binary, the dynamic loader and the DT_NEEDED closure of
#      shared objects, flat in CACHE/bundle/{bin,lib}.
# Usage: fetch-qemu-arm64.sh CACHE_DIR   (idempotent: a stamp records the version)
# Run the result as: lib/ld-linux-aarch64.so.1 --library-path lib bin/qemu-system-aarch64 ...
set -euo pipefail
cache=${1:?usage: fetch-qemu-arm64.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
stamp=$cache/.complete
if [ -f "$stamp" ]; then
    echo "qemu-arm64: cached in $cache ($(cat "$stamp"))"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "qemu-arm64: dpkg --add-architecture arm64 (package lists only; nothing arm64 is installed)"
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -q
fi
apt-cache show qemu-system-arm:arm64 >/dev/null 2>&1 || $sudo apt-get update -q

# Arm64 packages a package Depends/Pre-Depends on: the first choice of each
# alternative group (apt prints alternatives after "|Depends:"), virtual
# packages (<...>) skipped, only library packages followed (qemu-system-arm's
# non-library dependencies hold data, helpers and maintainer-script tools).
deps_of() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "$1:arm64" 2>/dev/null |
        awk 'NR > 1 && /^  [|]?(Pre)?Depends: / {
                 alt = prev_alt; prev_alt = ($1 ~ /^[|]/)
                 if (alt) next
                 n = $2
                 if (n ~ /^</ || n !~ /:arm64$/) next
                 sub(/:arm64$/, "", n)
                 if (n ~ /^(lib|zlib1g)/) print n
             }'
}
declare -A seen=([qemu-system-arm]=1)
queue=(qemu-system-arm)
for ((i = 0; i < ${#queue[@]}; i++)); do
    for d in $(deps_of "${queue[$i]}"); do
        [ -n "${seen[$d]:-}" ] && continue
        seen[$d]=1
        queue+=("$d")
    done
done
echo "qemu-arm64: apt-get download qemu-system-arm:arm64 and $(( ${#queue[@]} - 1 )) library packages"
rm -rf "$cache/debs" "$cache/root" "$cache/bundle"
mkdir -p "$cache/debs" "$cache/root" "$cache/bundle/bin" "$cache/bundle/lib"
args=()
for p in "${queue[@]}"; do args+=("$p:arm64"); done
if ! (cd "$cache/debs" && apt-get download -q "${args[@]}" >/dev/null 2>"$cache/download.err"); then
    echo "qemu-arm64: download failed: $(tail -n1 "$cache/download.err")" >&2
    exit 1
fi
for d in "$cache"/debs/*.deb; do
    dpkg-deb -x "$d" "$cache/root"
done

# ---- the bundle: binary + loader + DT_NEEDED closure ----
root=$cache/root
bin=$root/usr/bin/qemu-system-aarch64
[ -x "$bin" ] || { echo "qemu-arm64: qemu-system-aarch64 missing from qemu-system-arm:arm64" >&2; exit 1; }
libdirs=("$root/lib/aarch64-linux-gnu" "$root/usr/lib/aarch64-linux-gnu" "$root/lib" "$root/usr/lib")
find_lib() {
    local d
    for d in "${libdirs[@]}"; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
cp -L "$bin" "$cache/bundle/bin/"
declare -A have=()
todo=("$bin")
missing=()
while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}
    todo=("${todo[@]:1}")
    for so in $(needed "$f"); do
        [ -n "${have[$so]:-}" ] && continue
        have[$so]=1
        if ! p=$(find_lib "$so"); then
            missing+=("$so")
            continue
        fi
        cp -L "$p" "$cache/bundle/lib/$so"
        todo+=("$p")
    done
done
[ ${#missing[@]} -eq 0 ] || { echo "qemu-arm64: shared objects not found in the downloaded packages: ${missing[*]}" >&2; exit 1; }
ld=$(find_lib ld-linux-aarch64.so.1) || { echo "qemu-arm64: no ld-linux-aarch64.so.1 (libc6:arm64)" >&2; exit 1; }
cp -L "$ld" "$cache/bundle/lib/ld-linux-aarch64.so.1"
ver=$(dpkg-deb -f "$(ls "$cache"/debs/qemu-system-arm_*.deb)" Version)
echo "qemu-system-arm $ver, $(ls "$cache/bundle/lib" | wc -l) shared objects, $(du -sh "$cache/bundle" | cut -f1)" > "$stamp"
echo "qemu-arm64: bundled $(cat "$stamp") in $cache/bundle"
