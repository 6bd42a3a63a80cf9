#!/usr/bin/env bash
# `make bench`: the cost of one MMIO exit through isv's full path (decode,
# bus, device), against
#   floor  build/aarch64/kvm-floor, a bare KVM_RUN loop answering the same
#          exits with nothing else (tools/kvm-floor.c), and
#   qemu   Debian's arm64 qemu-system-aarch64 in its own KVM mode
#          (-accel kvm -cpu host -M virt), bundled by fetch-qemu-arm64.sh,
# plus isv with --sext-fix off (no KVM_GET_ONE_REG per read) and isv with
# --trace-mmio to a file in the nested host's tmpfs (a line per exit), all running the
# same guest (isv.test=bench, guest/bench.c: N reads of virtio-mmio slot 0's
# DeviceID, N writes of 0 to its QueueSel; virtio-rng sits in slot 0 under
# isv and QEMU, the floor answers 0). Every run goes through bench-run
# (tools/bench-run.c) for boot-to-first-byte time and peak RSS.
#
# One nested-host boot: a warm-up run of each, then ROUNDS rounds of all five,
# the order rotated each round so that no VMM always follows the same one
# (interleaved: slow drift of the shared machine hits all of them alike).
# The table (scripts/bench-summary.py) goes to stdout and
# build/bench/results.txt; the raw log is build/bench/host.log.
#
# usage: bench.sh [--build DIR] [--n N] [--rounds R]
set -euo pipefail
build=build n=2000 rounds=8
while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ $n =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --n and --rounds take positive counts" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
a64=$build/aarch64
out=$build/bench
for f in "$a64/isv" "$a64/kvm-floor" "$a64/bench-run" "$a64/guest-gcc/Image" "$build/linux/initramfs.cpio.gz"; do
    [ -e "$f" ] || { echo "bench.sh: $f is missing (make build-all)" >&2; exit 2; }
done

"$here/fetch-qemu-arm64.sh" "$build/cache/arm64-qemu"
qemu_ver=$(cut -d, -f1 "$build/cache/arm64-qemu/.complete")

mkdir -p "$out"
extra=$out/stage-extra
rm -rf "$extra"
mkdir -p "$extra/bin" "$extra/qemu"
cp "$a64/kvm-floor" "$a64/bench-run" "$extra/bin/"
cp -a "$build/cache/arm64-qemu/bundle/." "$extra/qemu/"

# QEMU from the bundle, through the arm64 dynamic loader, in its KVM mode with
# one vCPU and no default devices (every QEMU command below starts so).
QEMU_BASE="qemu/lib/ld-linux-aarch64.so.1 --library-path qemu/lib qemu/bin/qemu-system-aarch64"
QEMU_BASE+=" -nodefaults -display none -monitor none -no-reboot"
QEMU_BASE+=" -M virt,gic-version=3 -accel kvm -cpu host -smp 1"
QEMU_KVM="$QEMU_BASE -serial stdio"

# The four commands (run in the stage dir). Same guest, same bootargs, 128 MiB, one vCPU.
cmd_for() { # VARIANT N
    local a="isv.test=bench isv.bench.n=$2" img=guest/gcc/Image
    case $1 in
    isv) echo "bin/isv --device virtio-rng --append '$a' $img" ;;
    isv-nosext) echo "bin/isv --sext-fix off --device virtio-rng --append '$a' $img" ;;
    isv-trace) echo "bin/isv --trace-mmio /tmp/bench-trace.txt --device virtio-rng --append '$a' $img" ;;
    floor) echo "bin/kvm-floor --append '$a' $img" ;;
    qemu) echo "$QEMU_KVM -m 128M" \
               "-global virtio-mmio.force-legacy=false -device virtio-rng-device,bus=virtio-mmio-bus.0" \
               "-kernel $img -append '$a'" ;;
    esac
}
variants=(isv floor qemu isv-nosext isv-trace)
cases=$out/cases
: > "$cases"
limit=0
run_for() { # VARIANT N: the case's command (the trace's line count shows it traced)
    local c="bin/bench-run -- $(cmd_for "$1" "$2")"
    [ "$1" = isv-trace ] && c="rm -f /tmp/bench-trace.txt; $c; s=\$?; echo \"bench: trace lines \$(wc -l < /tmp/bench-trace.txt)\"; exit \$s"
    echo "$c"
}
add() { # NAME TIMEOUT CMD
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$cases"
    limit=$((limit + $2))
}
per_run=$((60 + n * 4 / 1000)) # ~1 ms per exit at worst, plus QEMU's start
for v in "${variants[@]}"; do
    add "warm-$v" "$per_run" "$(run_for "$v" 100)"
done
for ((r = 1; r <= rounds; r++)); do
    for ((k = 0; k < ${#variants[@]}; k++)); do
        v=${variants[$(((r - 1 + k) % ${#variants[@]}))]}
        add "$v@$r" "$per_run" "$(run_for "$v" "$n")"
    done
done
# SMP: isv with 2 vCPUs (isv.test=bench-smp): vCPU 0 alone, then both at
# once, exits per second of each phase in the same boot, one run per round.
smp_cmd() { echo "bin/isv --cpus 2 --device virtio-rng --append 'isv.test=bench-smp isv.bench.n=$1' guest/gcc/Image"; }
add "warm-smp2" "$per_run" "$(smp_cmd 100)"
for ((r = 1; r <= rounds; r++)); do
    add "smp2@$r" "$((per_run * 2))" "$(smp_cmd "$n")"
done
# Linux (Debian's cloud kernel, the project's initramfs, 1 vCPU, 256 MiB), isv
# against QEMU -accel kvm with the same kernel, initramfs and command line:
#   lxboot    quiet boot: VMM start -> "isv-linux: init started" (the first
#             line /init prints) and -> the VMM's exit after poweroff
#   lxverbose the same with loglevel=7 (what printing costs)
#   lxio      a 64 MiB virtio-blk disk and a virtio console: lxbench's
#             sequential 1 MiB and random 4 KiB direct I/O, then 64 KiB
#             written to ttyAMA0 and to hvc0 (guest/linux/tests/bench-*.sh)
#   rss       the default `make run` devices on the project's guest
# bench-run reports the VMM's own peak RSS with guest RAM left out.
LX_ARGS="console=ttyAMA0 panic=-1"
lx_cmd() { # VMM ARGS EXTRA-DEVICES(yes|no)
    local initrd=linux/initramfs.cpio.gz kernel=linux/vmlinuz
    case $1 in
    isv) echo "bin/isv --mem 256M --initrd $initrd" \
              "$([ "$3" = yes ] && echo "--device virtio-blk,file=/tmp/lxb.img --device virtio-console,file=/tmp/hvc.out")" \
              "--append '$2' $kernel" ;;
    qemu) echo "$QEMU_KVM -m 256M" \
               "$([ "$3" = yes ] && echo "-global virtio-mmio.force-legacy=false" \
                   "-drive if=none,id=d0,file=/tmp/lxb.img,format=raw -device virtio-blk-device,drive=d0" \
                   "-device virtio-serial-device -chardev file,id=hc,path=/tmp/hvc.out -device virtconsole,chardev=hc")" \
               "-kernel $kernel -initrd $initrd -append '$2'" ;;
    esac
}
lx_run() { # VMM ARGS DEVICES
    echo "rm -f /tmp/lxb.img /tmp/hvc.out; truncate -s 64M /tmp/lxb.img; bin/bench-run --mark 'isv-linux: init started'" \
         "--ram-mib 256 -- $(lx_cmd "$@"); echo \"bench: hvc file \$(wc -c < /tmp/hvc.out 2>/dev/null) bytes\""
}
rss_cmd() { # VMM
    case $1 in
    isv) echo "bin/isv --device virtio-blk,file=/tmp/run.img --device virtio-rng --device virtio-console,file=/dev/stdout guest/gcc/Image" ;;
    qemu) echo "$QEMU_KVM -m 128M -global virtio-mmio.force-legacy=false" \
               "-drive if=none,id=d0,file=/tmp/run.img,format=raw -device virtio-blk-device,drive=d0" \
               "-device virtio-rng-device -device virtio-serial-device -chardev file,id=hc,path=/dev/stdout -device virtconsole,chardev=hc" \
               "-kernel guest/gcc/Image" ;;
    esac
}
lx_secs=${BENCH_LX_SECS:-3}
lx_rounds=${BENCH_LX_ROUNDS:-3}
lx_limit=300
for ((r = 1; r <= lx_rounds; r++)); do
    order=(isv qemu) # each goes first in every other round
    [ $((r % 2)) = 0 ] && order=(qemu isv)
    for v in "${order[@]}"; do
        add "lxboot-$v@$r" "$lx_limit" "$(lx_run "$v" "$LX_ARGS quiet isv.linux=boot" no)"
        add "lxverbose-$v@$r" "$lx_limit" "$(lx_run "$v" "$LX_ARGS loglevel=7 isv.linux=boot" no)"
        add "lxio-$v@$r" "$lx_limit" "$(lx_run "$v" "$LX_ARGS quiet isv.linux=bench-blk,bench-tty isv.bench.secs=$lx_secs" yes)"
        add "rss-$v@$r" "$per_run" "truncate -s 1M /tmp/run.img; bin/bench-run --ram-mib 128 -- $(rss_cmd "$v")"
    done
done
# Firmware: Debian's EDK2 (QEMU_EFI.fd, 512 MiB, volatile variables) from VMM
# start to the shell's "Press ESC" countdown and, with ESC typed, to Shell>
# (fw-drive.sh types: isv's console and QEMU's -serial stdio on a FIFO and a file).
efi=$build/cache/arm64/root/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
mkdir -p "$extra/efi"
cp "$efi" "$extra/efi/"
cp "$here/../tests/integration/fw-drive.sh" "$extra/"
printf 'wait 120 Press .*ESC.* to skip\nsend \\033\nwait 60 Shell>\nsend reset -s\\r\n' > "$extra/fw-shell.steps"
fw_cmd() { # VMM
    case $1 in
    isv) echo "sh fw-drive.sh fw-shell.steps bin/isv --mem 512M --bios efi/QEMU_EFI.fd" ;;
    qemu) echo "sh fw-drive.sh --qemu fw-shell.steps $QEMU_BASE -m 512M -bios efi/QEMU_EFI.fd" ;;
    esac
}
fw_rounds=${BENCH_FW_ROUNDS:-$lx_rounds}
for ((r = 1; r <= fw_rounds; r++)); do
    order=(isv qemu)
    [ $((r % 2)) = 0 ] && order=(qemu isv)
    for v in "${order[@]}"; do
        add "fwshell-$v@$r" 180 "$(fw_cmd "$v")"
    done
done
# Where isv's Linux boot and console time goes: --stats per device.
add "profile-lxboot-isv" "$lx_limit" "$(lx_run isv "$LX_ARGS loglevel=7 isv.linux=boot" no | sed 's/bin\/isv /bin\/isv --stats /')"
add "profile-lxio-isv" "$lx_limit" "$(lx_run isv "$LX_ARGS quiet isv.linux=bench-tty" yes | sed 's/bin\/isv /bin\/isv --stats /')"
# One profiled run: where isv's time per exit goes (--stats), outside the rounds.
add "profile-isv" "$per_run" "$(cmd_for isv "$n" | sed 's/^bin\/isv /bin\/isv --stats /')"

echo "bench: ${#variants[@]} VMMs x $rounds rounds, N=$n reads + N writes per run, one nested boot"
"$here/vm-run.sh" --build "$build" --timeout $((limit / 2 + 120)) --log "$out/host.log" \
    --stage-extra "$extra" --initramfs "$out/initramfs.cpio.gz" --cases "$cases" |
    grep -E --line-buffered '^(isv: (path|nested host timed|the host|cases finished)|@@ISV-END)' ||
    echo "bench: the nested run did not complete; summarizing what ran (log: $out/host.log)"
# The summary fails (and so does make bench) when a VMM has no complete run.
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
    python3 "$here/bench-summary.py" --n "$n" --rounds "$rounds" --qemu "$qemu_ver" "$out/host.log"
} | tee "$out/results.txt"
