#!/usr/bin/env bash
# Runs VMM commands on real KVM: natively on an arm64 host with a usable
# /dev/kvm, otherwise inside a nested host (qemu-system-aarch64 TCG with
# virtualization=on booting Debian's arm64 cloud kernel, KVM built in).
#
#   vm-run.sh --build DIR [--timeout S] [--log FILE] [--stage-extra DIR] [--initramfs F] -- CMD...
#       one case; prints its output live; exits with its exit status
#   vm-run.sh --build DIR [--timeout S] [--log FILE] [--stage-extra DIR] [--initramfs F] --cases FILE
#       many cases in one boot (format: scripts/run-cases.sh); the log holds
#       the parseable markers; exits 0 if the host ran to the end
#   --interactive (one case): the terminal is the case's stdin, output unfiltered
#   --export DIR: what the cases leave in export/ (in the stage dir) is copied
#       to DIR afterwards (from the nested host: as a tar on a scratch disk)
# Commands run in the stage directory: bin/isv and guest/NAME/Image for every
# build/aarch64/guest-NAME (gcc, clang, naive-gcc, naive-clang).
# --initramfs: where the nested host's initramfs is packed (default
# DIR/nested/initramfs.cpio.gz; `make bench` keeps its bigger one apart).
set -euo pipefail

build=build timeout_s=120 log="" cases="" extra="" initrd="" interactive=0 export=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --stage-extra) extra=$2; shift 2 ;;
    --initramfs) initrd=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --export) export=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "vm-run.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
stage=$build/stage
a64=$build/aarch64
sysroot=$build/cache/arm64/root

# ---- stage ----
rm -rf "$stage"
mkdir -p "$stage/bin"
cp "$a64/isv" "$stage/bin/isv"
for img in "$a64"/guest-*/Image; do
    g=$(basename "$(dirname "$img")")
    mkdir -p "$stage/guest/${g#guest-}"
    cp "$img" "$stage/guest/${g#guest-}/Image"
done
cp "$here/run-cases.sh" "$stage/run-cases.sh"
[ -z "$extra" ] || cp -a "$extra/." "$stage/"
single=0 case=run
if [ -z "$cases" ]; then
    [ $# -gt 0 ] || { echo "vm-run.sh: no command given" >&2; exit 2; }
    single=1
    [ "$interactive" = 0 ] || case=interactive   # run-cases.sh: stdin stays the console
    printf '%s\t%s\t%s\n' "$case" "$timeout_s" "$*" > "$stage/cases"
else
    cp "$cases" "$stage/cases"
fi
# The Linux guest (kernel and its initramfs), for the cases that boot it.
if grep -q 'linux/' "$stage/cases" && [ -f "$build/linux/initramfs.cpio.gz" ]; then
    mkdir -p "$stage/linux"
    cp -L "$build/cache/arm64/vmlinuz" "$stage/linux/vmlinuz"
    cp "$build/linux/initramfs.cpio.gz" "$stage/linux/initramfs.cpio.gz"
fi
[ -z "$export" ] || mkdir -p "$stage/export"
[ -n "$log" ] || log=$build/vm-run.log

# ---- native or nested ----
native=0
if [ "$(uname -m)" = aarch64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    native=1
fi
# Filter: show the cases' output live (markers hidden in single mode), keep a log.
# Interactive: unfiltered (a prompt has no newline for a line filter to wait for).
show() {
    if [ "$interactive" = 1 ]; then tee "$log"; return; fi
    awk -v single="$single" -v logf="$log" '
        { sub(/\r+$/, ""); print > logf; fflush(logf) }
        /^@@ISV-HOST/ { sub(/^@@ISV-HOST /, ""); print "isv: path: " $0; fflush(); next }
        /^@@ISV-FATAL/ { print "isv: " $0; fflush(); next }
        /^@@ISV-BEGIN/ { inside = 1; if (!single) { print; fflush() } next }
        /^@@ISV-END/ { inside = 0; if (!single) { print; fflush() } next }
        /^@@ISV-DONE/ { next }
        inside { print; fflush() }'
}

start=$(date +%s)
if [ "$native" = 1 ]; then
    echo "isv: path: native arm64 host, /dev/kvm ($(uname -r))"
    (cd "$stage" && echo "@@ISV-HOST native kernel=$(uname -r)" && sh ./run-cases.sh ./cases) 2>&1 | show
    [ -z "$export" ] || { mkdir -p "$export" && cp -a "$stage/export/." "$export/"; }
else
    kernel=$build/cache/arm64/vmlinuz
    [ -e "$kernel" ] || { echo "vm-run.sh: no arm64 kernel in $build/cache (run make deps)" >&2; exit 2; }
    [ -n "$initrd" ] || initrd=$build/nested/initramfs.cpio.gz
    mkdir -p "$(dirname "$initrd")"
    "$here/mkinitramfs.sh" "$sysroot" "$stage" "$initrd"
    echo "isv: path: nested host: qemu-system-aarch64 (TCG, virtualization=on, gic-version=3) booting $(basename "$(readlink -f "$kernel")"), timeout ${timeout_s}s"
    disk=()
    if [ -n "$export" ]; then
        scratch=$build/nested/export.img
        mkdir -p "$build/nested" && rm -f "$scratch" && truncate -s 1G "$scratch"
        disk=(-drive "if=none,id=export,file=$scratch,format=raw" -device virtio-blk-device,drive=export)
    fi
    stdin=/dev/null fg=()
    [ "$interactive" = 0 ] || { stdin=/dev/stdin; fg=(--foreground); } # QEMU reads the terminal
    set +e
    timeout -k 5 "${fg[@]}" "$timeout_s" qemu-system-aarch64 \
        -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2048 \
        -nographic -nic none -no-reboot -monitor none -serial stdio "${disk[@]}" \
        -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyAMA0 quiet loglevel=1 rdinit=/init panic=-1" <"$stdin" 2>&1 | show
    qrc=${PIPESTATUS[0]}
    set -e
    if [ -n "$export" ]; then
        mkdir -p "$export"
        # An untouched disk reads as an empty tar: the nested host's marker tells.
        tar -xf "$scratch" -C "$export" 2>/dev/null
        [ -f "$export/.isv-exported" ] || echo "isv: nothing exported from the nested host" >&2
        rm -f "$scratch" "$export/.isv-exported"
    fi
    if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
        echo "isv: nested host timed out after ${timeout_s}s and was killed" >&2
        exit 124
    fi
fi
elapsed=$(( $(date +%s) - start ))

grep -q '^@@ISV-DONE' "$log" || { echo "isv: the host did not finish the cases (see $log)" >&2; exit 125; }
if [ "$single" = 1 ]; then
    rc=$(sed -n "s/^@@ISV-END $case rc=\([0-9]*\).*/\1/p" "$log" | tr -d '\r')
    echo "isv: exit status $rc (${elapsed}s in all)"
    exit "${rc:-125}"
fi
echo "isv: cases finished in ${elapsed}s"
