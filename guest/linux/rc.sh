#!/bin/sh
# Bring-up of the Linux guest (run by busybox init): filesystems, the virtio
# modules of the Debian kernel, then the tests named on the kernel command
# line (isv.linux=NAME,NAME...: /tests/NAME.sh, each between BEGIN and END
# lines) and power off; with no tests, init starts a shell on the console.
/bin/busybox --install -s   # the applets as links (the initramfs root is writable)
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1   # whatever console init was given, this one
echo "isv-linux: init started"         # the first line userspace prints (make bench times it)
mkdir -p /dev/pts /tmp /mnt
mount -t tmpfs tmpfs /tmp
for m in $(cat /lib/modules/load-order); do
    insmod "/lib/modules/$m" || echo "isv-linux: insmod $m failed"
done
echo "isv-linux: userspace up at $(cut -d' ' -f1 /proc/uptime) s (kernel $(uname -r))"
tests=$(sed -n 's/.*isv\.linux=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$tests" ] || exit 0
for t in $(echo "$tests" | tr ',' ' '); do
    echo "isv-linux: BEGIN $t"
    if [ -f "/tests/$t.sh" ]; then
        sh "/tests/$t.sh"
        echo "isv-linux: END $t rc=$?"
    else
        echo "isv-linux: END $t rc=127 (no such test)"
    fi
done
poweroff -f
