#!/usr/bin/env bash
# Idempotent host dependency step: installs the Debian packages isv builds and
# tests with (saying what it installs), then checks that what the build relies
# on really works, not just that the packages are there:
#   - the aarch64 C compiler builds and statically links a program that
#     includes <fcntl.h> and <linux/kvm.h> (the VMM's own needs);
#   - clang compiles for aarch64 (the guest's second compiler);
#   - the host compiler links libfdt, zlib and Criterion with ASan+UBSan,
#     and builds and runs a threaded program with ThreadSanitizer (make tsan);
#   - clang links and runs a libFuzzer harness with ASan+UBSan (make fuzz);
#   - qemu-system-aarch64 starts the virt machine with the options we use.
# A failed check prints one line naming what is missing and the package that
# provides it, and exits 1. The checks run again only when a package version
# changes (their record: STAMP, default build/deps.ok).
# Usage: deps.sh [STAMP]
set -euo pipefail
stamp=${1:-build/deps.ok}

# Every package is named: apt runs without recommends, so nothing comes along
# unasked. Per host: on x86_64 the aarch64 toolchain is the cross one; on an
# arm64 host it is the native one.
case "$(uname -m)" in
aarch64)
    cross=""
    a64_pkgs=(gcc binutils libc6-dev linux-libc-dev) ;;
*)
    cross=aarch64-linux-gnu-
    a64_pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross) ;;
esac
# Tests also use: python3 (scripts), cpio (initramfs), device-tree-compiler
# (dtc -W on the generated DT), e2fsprogs (ext4 images for the Linux guest),
# libtsan2 (gcc's ThreadSanitizer runtime, for make tsan; gcc's own
# dependencies bring it today, it is named so that stays so), libclang-rt-dev
# (clang's libFuzzer and sanitizer runtimes, for make fuzz; clang only
# recommends it, and apt runs without recommends), dosfstools and mtools
# (the FAT EFI system partition the firmware tests boot Linux from).
pkgs=("${a64_pkgs[@]}" gcc libc6-dev clang qemu-system-arm libcriterion-dev libfdt-dev zlib1g-dev
      make cpio python3 device-tree-compiler e2fsprogs libtsan2 libclang-rt-dev dosfstools mtools)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${pkgs[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null
    if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" > /tmp/isv-deps-apt.log 2>&1; then
        echo "deps: apt-get install failed: $(grep -E '^E: ' /tmp/isv-deps-apt.log | tail -n1) (log /tmp/isv-deps-apt.log)" >&2
        exit 1
    fi
fi

versions=$(dpkg-query -W -f='${Package} ${Version}\n' "${pkgs[@]}" | sort)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$versions" ]; then
    echo "deps: host packages present and checked (${pkgs[*]})"
    exit 0
fi

# ---- functional checks ----
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deps: $1 (package: $2)" >&2; exit 1; }
first_error() { grep -m1 -E 'error|cannot find|not found|No such' "$1" || tail -n1 "$1"; }

cat > "$tmp/kvm.c" <<'EOF'
#include <fcntl.h>
#include <linux/kvm.h>
int main(void) { return open("/dev/kvm", O_RDWR) < 0 ? KVM_API_VERSION - 12 : 0; }
EOF
if ! "${cross}gcc" -static -o "$tmp/kvm" "$tmp/kvm.c" > "$tmp/log" 2>&1; then
    # a64_pkgs: compiler, binutils, C library, kernel headers
    case "$(first_error "$tmp/log")" in
    *linux/*|*asm/*) pkg=${a64_pkgs[3]} ;;
    *.h:*|*.h\ *|*crt*.o*|*-lc*) pkg=${a64_pkgs[2]} ;;
    *"${cross}as"*|*"${cross}ld"*|*collect2*) pkg=${a64_pkgs[1]} ;;
    *) pkg=${a64_pkgs[0]} ;;
    esac
    fail "${cross}gcc cannot build a static program with <fcntl.h> and <linux/kvm.h>: $(first_error "$tmp/log")" "$pkg"
fi

echo 'int f(int x) { return x + 1; }' > "$tmp/f.c"
clang --target=aarch64-linux-gnu -ffreestanding -c -o "$tmp/f.o" "$tmp/f.c" > "$tmp/log" 2>&1 ||
    fail "clang cannot compile for aarch64: $(first_error "$tmp/log")" clang

cat > "$tmp/host.c" <<'EOF'
#include <criterion/criterion.h>
#include <libfdt.h>
#include <zlib.h>
Test(deps, fdt) { char b[64]; cr_assert_eq(fdt_create(b, sizeof b), 0); cr_assert(zlibVersion()); }
EOF
gcc -fsanitize=address,undefined -o "$tmp/host" "$tmp/host.c" -lcriterion -lfdt -lz > "$tmp/log" 2>&1 || {
    grep -q criterion "$tmp/log" && fail "Criterion does not link for the host: $(first_error "$tmp/log")" libcriterion-dev
    grep -q fdt "$tmp/log" && fail "libfdt does not link for the host: $(first_error "$tmp/log")" libfdt-dev
    grep -qE 'zlib|-lz' "$tmp/log" && fail "zlib does not link for the host: $(first_error "$tmp/log")" zlib1g-dev
    fail "gcc cannot link an ASan+UBSan program: $(first_error "$tmp/log")" "gcc libc6-dev"
}

# make fuzz: clang links a libFuzzer harness with ASan+UBSan, and it runs.
cat > "$tmp/fuzz.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n > 1 && d[0] == 'x' ? d[1] - 'x' : 0; }
EOF
clang -fsanitize=fuzzer,address,undefined -o "$tmp/fuzz" "$tmp/fuzz.c" > "$tmp/log" 2>&1 ||
    fail "clang cannot link a libFuzzer harness: $(first_error "$tmp/log")" libclang-rt-dev
"$tmp/fuzz" -runs=100 > "$tmp/log" 2>&1 ||
    fail "a libFuzzer harness does not run: $(grep -m1 -E 'ERROR|FATAL|rror' "$tmp/log" || tail -n1 "$tmp/log")" libclang-rt-dev

# make tsan: a threaded program built with ThreadSanitizer must link and run
# clean (the runtime maps its shadow memory at start; it refuses some kernels'
# address-space layouts, and that is a line here rather than in make test).
cat > "$tmp/tsan.c" <<'EOF'
#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int n;
static void *add(void *a) { pthread_mutex_lock(&m); n++; pthread_mutex_unlock(&m); return a; }
int main(void)
{
    pthread_t t;
    if (pthread_create(&t, 0, add, 0)) return 1;
    add(0);
    pthread_join(t, 0);
    return n != 2;
}
EOF
gcc -fsanitize=thread -g -o "$tmp/tsan" "$tmp/tsan.c" -lpthread > "$tmp/log" 2>&1 || {
    grep -qE "ltsan|libtsan" "$tmp/log" && fail "gcc cannot link a ThreadSanitizer program: $(first_error "$tmp/log")" libtsan2
    fail "gcc cannot link a threaded program: $(first_error "$tmp/log")" "gcc libc6-dev"
}
TSAN_OPTIONS='halt_on_error=1 exitcode=66' "$tmp/tsan" > "$tmp/log" 2>&1 ||
    fail "a ThreadSanitizer program does not run: $(grep -m1 -E 'ThreadSanitizer|FATAL|rror' "$tmp/log" || tail -n1 "$tmp/log")" libtsan2

# Started paused and told to quit through its monitor: this is the machine
# and options every QEMU command line of ours uses (no NIC: -nic none).
echo quit | timeout 30 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -m 64 \
    -nic none -display none -serial none -monitor stdio -S > "$tmp/log" 2>&1 ||
    fail "qemu-system-aarch64 -M virt does not start: $(grep -m1 -v '^QEMU\|^(qemu)' "$tmp/log")" qemu-system-arm

mkdir -p "$(dirname "$stamp")"
echo "$versions" > "$stamp"
echo "deps: host packages present (${pkgs[*]}); compilers, libraries and QEMU checked"
