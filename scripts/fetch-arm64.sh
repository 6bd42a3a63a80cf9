#!/usr/bin/env bash
# Fetches the arm64 pieces isv needs and unpacks them into a cache under build/
# (never installed system-wide: libfdt-dev for two architectures conflicts):
#   - the current Debian arm64 cloud kernel, resolved through the
#     linux-image-cloud-arm64 metapackage (KVM built in), for the nested host;
#   - libfdt-dev:arm64 (static libfdt.a for the cross-linked VMM and guest);
#   - zlib1g-dev:arm64 (static libz.a: the VMM inflates gzip kernels);
#   - busybox-static:arm64 (the nested host's shell and tools);
#   - qemu-efi-aarch64 (Architecture: all): Debian's EDK2 for QEMU virt,
#     QEMU_EFI.fd and the AAVMF_VARS.fd variable-store template (--bios).
# Usage: fetch-arm64.sh CACHE_DIR   (idempotent: a stamp records what is there)
set -euo pipefail
cache=${1:?usage: fetch-arm64.sh CACHE_DIR}
mkdir -p "$cache/debs" "$cache/root"
cache=$(cd "$cache" && pwd)
stamp="$cache/.complete"
# What the cache holds besides the kernel; a stamp that names other packages is stale.
libs="libfdt-dev libfdt1 zlib1g-dev busybox-static"
indep="qemu-efi-aarch64" # Architecture: all, so no :arm64
if [ -f "$stamp" ] && [ "$(cut -d' ' -f2- "$stamp")" = "$libs $indep" ]; then
    echo "arm64: cached in $cache ($(cat "$stamp"))"
    exit 0
fi
rm -rf "$cache/root"
mkdir -p "$cache/root"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "arm64: dpkg --add-architecture arm64 (package lists only; nothing arm64 is installed)"
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -q
fi
# The metapackage names the current kernel package; resolve it instead of hard-coding a version.
if ! kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}') \
   || [ -z "$kpkg" ]; then
    $sudo apt-get update -q
    kpkg=$(apt-cache depends linux-image-cloud-arm64:arm64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
[ -n "$kpkg" ] || { echo "arm64: cannot resolve the kernel behind linux-image-cloud-arm64" >&2; exit 1; }
kpkg=${kpkg%:arm64}
want=("$kpkg:arm64")
for p in $libs; do want+=("$p:arm64"); done
for p in $indep; do want+=("$p"); done
cd "$cache/debs"
rm -f ./*.deb
for p in "${want[@]}"; do
    echo "arm64: apt-get download $p"
    if ! apt-get download -q "$p" >/dev/null 2>"$cache/download.err"; then
        echo "arm64: download of $p failed: $(tail -n1 "$cache/download.err")" >&2
        exit 1
    fi
done
for d in ./*.deb; do
    dpkg-deb -x "$d" "$cache/root"
done
vmlinuz=$(ls "$cache"/root/boot/vmlinuz-* | head -n1)
ln -sf "$vmlinuz" "$cache/vmlinuz"
[ -f "$cache/root/usr/lib/aarch64-linux-gnu/libfdt.a" ] || { echo "arm64: libfdt.a missing from libfdt-dev:arm64" >&2; exit 1; }
[ -f "$cache/root/usr/lib/aarch64-linux-gnu/libz.a" ] || { echo "arm64: libz.a missing from zlib1g-dev:arm64" >&2; exit 1; }
[ -x "$cache/root/bin/busybox" ] || { echo "arm64: busybox missing from busybox-static:arm64" >&2; exit 1; }
for f in usr/share/qemu-efi-aarch64/QEMU_EFI.fd usr/share/AAVMF/AAVMF_VARS.fd; do
    [ -f "$cache/root/$f" ] || { echo "arm64: $f missing from qemu-efi-aarch64" >&2; exit 1; }
done
echo "$kpkg $libs $indep" > "$stamp"
echo "arm64: kernel $kpkg, libfdt, zlib, busybox and EDK2 unpacked into $cache"
