#!/usr/bin/env bash
# scripts/deps.sh's checks, fed broken tools: each failure must be one line
# naming what is missing and the package that provides it, exit 1, and no
# stamp; with the real tools it passes, writes its stamp, and the next run
# skips the checks. Stubs shadow one tool at a time through PATH.
# Usage: run.sh WORKDIR   (the host packages must be installed: make deps)
set -uo pipefail
work=${1:?usage: run.sh WORKDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"; mkdir -p "$work"
case "$(uname -m)" in aarch64) cross="" ;; *) cross=aarch64-linux-gnu- ;; esac
pass=0 fail=0
ok()  { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# case NAME TOOL 'STUB BODY' ERE: TOOL replaced by the stub; stderr must be
# one line matching ERE, the exit status 1, and no stamp written.
case_stub() {
    local n=$1 tool=$2 body=$3 ere=$4 d=$work/$1
    mkdir -p "$d/bin"
    printf '#!/bin/sh\n%s\n' "$body" > "$d/bin/$tool"; chmod +x "$d/bin/$tool"
    PATH=$d/bin:$PATH "$root/scripts/deps.sh" "$d/stamp" > "$d/out" 2> "$d/err"
    local rc=$?
    if [ $rc -ne 1 ]; then bad "$n" "exit $rc, want 1"
    elif [ "$(wc -l < "$d/err")" -ne 1 ]; then bad "$n" "stderr has $(wc -l < "$d/err") lines, want 1: $(head -c 300 "$d/err")"
    elif ! grep -qE "$ere" "$d/err"; then bad "$n" "'$(cat "$d/err")' does not match /$ere/"
    elif [ -e "$d/stamp" ]; then bad "$n" "stamp written after a failed check"
    else ok "$n: $(cat "$d/err")"; fi
}
case_stub cross-libc "${cross}gcc" \
    'echo "/usr/include/features-time64.h:20:10: fatal error: bits/wordsize.h: No such file or directory" >&2; exit 1' \
    "^deps: ${cross}gcc cannot build a static program .*bits/wordsize.h.*\(package: libc6-dev[a-z0-9-]*\)$"
case_stub cross-kvm-h "${cross}gcc" \
    'echo "/tmp/kvm.c:2:10: fatal error: linux/kvm.h: No such file or directory" >&2; exit 1' \
    "^deps: ${cross}gcc cannot build a static program .*linux/kvm.h.*\(package: linux-libc-dev[a-z0-9-]*\)$"
case_stub clang-a64 clang \
    'echo "error: unable to create target: No available targets are compatible with triple" >&2; exit 1' \
    '^deps: clang cannot compile for aarch64: .*\(package: clang\)$'
case_stub host-criterion gcc \
    'case "$*" in *-lcriterion*) echo "/usr/bin/ld: cannot find -lcriterion: No such file or directory" >&2; exit 1;; esac; exec /usr/bin/gcc "$@"' \
    '^deps: Criterion does not link for the host: .*\(package: libcriterion-dev\)$'
case_stub host-tsan gcc \
    'case "$*" in *-fsanitize=thread*) echo "/usr/bin/ld: cannot find -ltsan: No such file or directory" >&2; exit 1;; esac; exec /usr/bin/gcc "$@"' \
    '^deps: gcc cannot link a ThreadSanitizer program: .*\(package: libtsan2\)$'
# The TSan program links but its runtime refuses the address-space layout.
case_stub host-tsan-run gcc \
    'case "$*" in *-fsanitize=thread*) prev=; for a; do [ "$prev" = -o ] && out=$a; prev=$a; done
printf "#!/bin/sh\necho \"FATAL: ThreadSanitizer: unexpected memory mapping 0x5e0000000000-0x5e0000001000\" >&2\nexit 66\n" > "$out"; chmod +x "$out"; exit 0;; esac; exec /usr/bin/gcc "$@"' \
    '^deps: a ThreadSanitizer program does not run: FATAL: ThreadSanitizer: unexpected memory mapping .*\(package: libtsan2\)$'
# clang without its runtimes: the aarch64 check passes, libFuzzer's library is missing.
case_stub clang-fuzzer clang \
    'case "$*" in *-fsanitize=fuzzer*) echo "/usr/bin/ld: cannot find /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a: No such file or directory" >&2; exit 1;; esac; exec /usr/bin/clang "$@"' \
    '^deps: clang cannot link a libFuzzer harness: .*libclang_rt.fuzzer.*\(package: libclang-rt-dev\)$'
case_stub qemu-rom qemu-system-aarch64 \
    'echo "qemu-system-aarch64: failed to find romfile \"efi-virtio.rom\"" >&2; exit 1' \
    '^deps: qemu-system-aarch64 -M virt does not start: .*efi-virtio.rom.*\(package: qemu-system-arm\)$'

# The real tools: pass, stamp, then the quick path.
d=$work/real; mkdir -p "$d"
if "$root/scripts/deps.sh" "$d/stamp" > "$d/out" 2>&1 && grep -q 'checked$' "$d/out" && [ -s "$d/stamp" ]; then
    ok "real-tools: $(tail -n1 "$d/out" | cut -c1-60)..."
else
    bad real-tools "$(tail -n2 "$d/out")"
fi
if "$root/scripts/deps.sh" "$d/stamp" > "$d/out2" 2>&1 && grep -q '^deps: host packages present and checked' "$d/out2"; then
    ok "stamp-skips-checks"
else
    bad stamp-skips-checks "$(tail -n2 "$d/out2")"
fi
# A changed package version (a stale stamp) makes the checks run again.
echo "clang 0-stale" > "$d/stamp"
if "$root/scripts/deps.sh" "$d/stamp" > "$d/out3" 2>&1 && grep -q 'checked$' "$d/out3"; then
    ok "stale-stamp-rechecks"
else
    bad stale-stamp-rechecks "$(tail -n2 "$d/out3")"
fi
# scripts/kmods.sh on the kernel package's modules: dependencies first, and a
# module that is not there is one line naming it.
moddir=$(ls -d "$root"/build/cache/arm64/root/lib/modules/* 2>/dev/null | head -n1)
if [ -n "$moddir" ]; then
    order=$("$root/scripts/kmods.sh" "$moddir" virtio_blk virtio-rng 2>&1 | xargs -n1 basename | tr '\n' ' ')
    if [ "$order" = "virtio_ring.ko virtio.ko virtio_blk.ko virtio-rng.ko " ]; then ok "kmods-order: $order"
    else bad kmods-order "got '$order'"; fi
    "$root/scripts/kmods.sh" "$moddir" virtio_blk no_such_mod > "$work/kmods.out" 2> "$work/kmods.err"
    rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l < "$work/kmods.err")" -eq 1 ] && grep -q "^kmods: module 'no_such_mod' not found under " "$work/kmods.err"; then
        ok "kmods-missing: $(cut -c1-60 "$work/kmods.err")..."
    else bad kmods-missing "exit $rc: $(cat "$work/kmods.err")"; fi
else
    echo "SKIP kmods (no arm64 kernel modules in build/cache: make deps)"
fi

# scripts/fresh-debian.sh: a root that cannot be built is one line, exit 2.
if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v debootstrap >/dev/null; then
    d=$work/fresh
    ISV_FRESH_DIR=$d ISV_FRESH_MIRROR=http://127.0.0.1:9/debian "$root/scripts/fresh-debian.sh" > "$d.out" 2> "$d.err"
    rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l < "$d.err")" -eq 1 ] && grep -q '^fresh-debian: debootstrap failed: .*127.0.0.1:9' "$d.err" \
       && ! ls "$d"/root-*.tar >/dev/null 2>&1; then
        ok "fresh-debian-no-mirror: $(cat "$d.err")"
    else
        bad fresh-debian-no-mirror "exit $rc, stderr: $(head -c 300 "$d.err")"
    fi
else
    echo "SKIP fresh-debian-no-mirror (needs root on Debian with debootstrap)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
