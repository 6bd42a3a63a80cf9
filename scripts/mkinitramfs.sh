#!/usr/bin/env bash
# Packs the nested host's initramfs: busybox (arm64, static), /init, the
# stage directory (VMM, guest images, case runner, cases) under /stage, and
# the kernel's virtio-blk modules (for the export disk).
# Usage: mkinitramfs.sh SYSROOT STAGE_DIR OUT.cpio.gz
set -euo pipefail
sysroot=$1 stage=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/stage"
cp "$sysroot/bin/busybox" "$tmp/bin/busybox"
cp "$(dirname "$0")/nested-init" "$tmp/init"
chmod +x "$tmp/init"
cp -a "$stage/." "$tmp/stage/"
# virtio-blk for the export disk (nested-init loads them when it exports).
# Without them only --export suffers (vm-run.sh says nothing came back).
mkdir -p "$tmp/lib/modules"
moddir=$(ls -d "$sysroot"/lib/modules/* 2>/dev/null | head -n1 || true)
if ! "$(dirname "$0")/kmods.sh" --install "$tmp/lib/modules" "$moddir" virtio_mmio virtio_blk >/dev/null; then
    echo "mkinitramfs: no virtio-blk modules for the export disk" >&2
    : > "$tmp/lib/modules/load-order"
fi
# /dev/console lets the kernel hand init a console before devtmpfs is mounted.
mknod -m 600 "$tmp/dev/console" c 5 1 2>/dev/null || true
(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
