# Kernel formats and the initrd, with the project's own guest as the kernel:
# the same Image raw (its magic cleared), gzip-compressed, and both; the layout
# --verbose prints; bad files of each kind as one line and exit 1.
# (Sourced by run.sh.)

img=build/aarch64/guest-gcc/Image
python3 - "$img" "$STAGE_EXTRA" <<'PY'
import gzip, sys
img, out = sys.argv[1], sys.argv[2]
data = open(img, 'rb').read()
raw = bytearray(data); raw[0x38:0x3c] = b'\0\0\0\0'   # no "ARM\x64": a raw binary
open(out + '/guest-raw.bin', 'wb').write(raw)
open(out + '/guest-Image.gz', 'wb').write(gzip.compress(data, 9))
open(out + '/guest-raw.gz', 'wb').write(gzip.compress(bytes(raw), 9))
open(out + '/bomb.gz', 'wb').write(gzip.compress(bytes(300 << 20), 1))      # 300 MiB of zeros
z = gzip.compress(data, 9); open(out + '/truncated.gz', 'wb').write(z[:len(z) // 2])
bad = bytearray(z); bad[len(bad) // 2] ^= 0xff; bad[len(bad) // 2 + 1] ^= 0xff
open(out + '/corrupt.gz', 'wb').write(bad)
be = bytearray(data[:64]); be[0x18] |= 1                                    # big-endian flag
open(out + '/bigendian.img', 'wb').write(be)
open(out + '/initrd.bin', 'wb').write(bytes(range(256)) * 1024)              # 256 KiB
open(out + '/empty', 'wb').close()
open(out + '/big-initrd.bin', 'wb').write(bytes(20 << 20))
PY

n=load-raw
vmm_case $n 30 "bin/isv --verbose guest-raw.bin"
expect_rc $n 0
expect_out $n "^isv: boot: kernel 'guest-raw.bin': raw binary$"
expect_out $n '^isv: boot:   kernel 0x040080000-.* entry 0x40080000$'
expect_out $n 'Hello from the isv guest: .* device tree at 0x44000000$'

n=load-gzip-image
vmm_case $n 30 "bin/isv --verbose guest-Image.gz"
expect_rc $n 0
expect_out $n "^isv: boot: kernel 'guest-Image.gz': gzip-compressed arm64 Image$"
expect_out $n '^Hello from the isv guest'

n=load-gzip-raw
vmm_case $n 30 "bin/isv --verbose guest-raw.gz"
expect_rc $n 0
expect_out $n "^isv: boot: kernel 'guest-raw.gz': gzip-compressed raw binary$"
expect_out $n 'Hello from the isv guest: .* device tree at 0x44000000$'

# The initrd goes in the 2 MiB block after the device tree's; raw: at RAM + 64 MiB.
n=load-initrd
vmm_case $n 30 "bin/isv --verbose --initrd initrd.bin guest/gcc/Image && bin/isv --verbose --initrd initrd.bin guest-raw.bin"
expect_rc $n 0
expect_out $n "^isv: boot:   initrd 0x040400000-0x040440000 \(256 KiB\) 'initrd.bin'$"
expect_out $n "^isv: boot:   initrd 0x044000000-0x044040000 \(256 KiB\) 'initrd.bin'$"
expect_out $n '^isv: boot:   dtb    0x044200000-'

# Bad input: one line, exit 1, nothing run.
bad_load() { # NAME COMMAND ERE
    vmm_case "$1" 20 "$2"
    expect_rc "$1" 1
    expect_out "$1" "$3"
    expect_lines "$1" 1
}
bad_load bad-gzip-bomb "bin/isv --mem 256M bomb.gz" "^isv: error: kernel 'bomb.gz': inflates to more than 256 MiB \(the RAM size\); not loaded$"
bad_load bad-gzip-truncated "bin/isv truncated.gz" "^isv: error: kernel 'truncated.gz': gzip stream ends early \(truncated file\)$"
bad_load bad-gzip-corrupt "bin/isv corrupt.gz" "^isv: error: kernel 'corrupt.gz': (corrupt gzip stream: .*|gzip stream ends early .*)$"
bad_load bad-bigendian-image "bin/isv bigendian.img" "^isv: error: kernel 'bigendian.img': big-endian Image \(header flags bit 0\) is not supported$"
bad_load bad-empty-kernel "bin/isv empty" "^isv: error: kernel 'empty': empty file$"
bad_load bad-initrd-missing "bin/isv --initrd /no/such/initrd guest/gcc/Image" "^isv: error: initrd '/no/such/initrd': No such file or directory$"
bad_load bad-initrd-empty "bin/isv --initrd empty guest/gcc/Image" "^isv: error: initrd 'empty': empty file$"
bad_load bad-initrd-too-big "bin/isv --mem 16M --initrd big-initrd.bin guest/gcc/Image" "^isv: error: initrd 'big-initrd.bin' \(20 MiB\) does not fit beside the kernel and the device tree in 16 MiB of RAM \(give more --mem\)$"
bad_load bad-initrd-dir "bin/isv --initrd /tmp guest/gcc/Image" "^isv: error: initrd '/tmp': not a regular file$"

# The generated device tree (PL031 and /chosen included) passes dtc's checks.
n=dtb-dtc-clean
vmm_case $n 30 "bin/isv --initrd initrd.bin --device virtio-rng --device testdev --dump-dtb export/isv.dtb guest/gcc/Image >/dev/null"
expect_rc $n 0
expect_cmd $n 'out=$(dtc -I dtb -O dts -o "$EXPORT/isv.dts" "$EXPORT/isv.dtb" 2>&1); [ -z "$out" ] || { echo "$out" | head -n 3; exit 1; }'
expect_cmd $n 'grep -q "linux,initrd-start" "$EXPORT/isv.dts" && grep -q "rng-seed" "$EXPORT/isv.dts" && grep -q "pl031@9010000" "$EXPORT/isv.dts"'
