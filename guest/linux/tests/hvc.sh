# virtio-console: a line to the host through /dev/hvc0, and the line the host
# sent back in.
. /tests/lib.sh
wait_for /dev/hvc0 || exit 1
# One open for all of it: the tty's buffer (which holds the host's line once
# the port is open) is dropped at its last close.
exec 3<>/dev/hvc0
stty raw -echo <&3
echo "isv-linux: hello host, from hvc0" >&3
say "hvc0 open"   # the host types its line after this (before it, Linux drops input)
line=$(timeout 20 head -n1 <&3)
say "hvc0 got: $line"
