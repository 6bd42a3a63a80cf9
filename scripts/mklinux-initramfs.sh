#!/usr/bin/env bash
# Packs the Linux guest's initramfs from Debian packages only: busybox
# (busybox-static:arm64) as /init and every tool, the virtio modules of the
# kernel package (virtio_mmio, virtio_blk, virtio_console, virtio-rng and what
# they depend on, in load order), guest/linux (inittab, rc.sh, tests) and,
# when given, the benchmark program (tools/lxbench.c) as /bin/lxbench.
# Usage: mklinux-initramfs.sh SYSROOT OUT.cpio.gz [LXBENCH]
set -euo pipefail
sysroot=$1 out=$2 lxbench=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../guest/linux
kver=$(ls "$sysroot/lib/modules" | head -n1)
[ -n "$kver" ] || { echo "mklinux-initramfs: no kernel modules in $sysroot (run make deps)" >&2; exit 1; }
moddir=$sysroot/lib/modules/$kver
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,tmp,mnt,root,lib/modules,tests}
cp "$sysroot/bin/busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
ln -s bin/busybox "$tmp/init"
"$here/kmods.sh" --install "$tmp/lib/modules" "$moddir" virtio_mmio virtio_blk virtio_console virtio-rng >/dev/null
cp "$src/inittab" "$tmp/etc/inittab"
install -m 755 "$src/rc.sh" "$tmp/etc/rc.sh"
cp "$src"/tests/*.sh "$tmp/tests/"
[ -z "$lxbench" ] || install -m 755 "$lxbench" "$tmp/bin/lxbench"
mknod -m 600 "$tmp/dev/console" c 5 1 2>/dev/null || true
(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
