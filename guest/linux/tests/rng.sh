# virtio-rng: the kernel picks it as the hardware RNG; 4 KiB from /dev/hwrng.
. /tests/lib.sh
wait_for /dev/hwrng || exit 1
say "rng_current $(cat /sys/class/misc/hw_random/rng_current)"
n=$(dd if=/dev/hwrng bs=4096 count=1 2>/dev/null | wc -c)
distinct=$(dd if=/dev/hwrng bs=4096 count=1 2>/dev/null | od -An -v -tu1 | tr -s ' ' '\n' | sed '/^$/d' | sort -u | wc -l)
say "hwrng read $n bytes, $distinct distinct byte values"
