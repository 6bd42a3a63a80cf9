#!/usr/bin/env bash
# Packs the nested host's initramfs: busybox (arm64, static), /init, and the
# stage directory (VMM, guest images, case runner, cases) under /stage.
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
# /dev/console lets the kernel hand init a console before devtmpfs is mounted.
mknod -m 600 "$tmp/dev/console" c 5 1 2>/dev/null || true
(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
