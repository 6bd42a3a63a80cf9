# SMP: the CPUs Linux brought up (PSCI CPU_ON through KVM), work running on
# each, and CPU hotplug (PSCI CPU_OFF, then CPU_ON again) of the last one.
. /tests/lib.sh
say "online $(cat /sys/devices/system/cpu/online) nproc $(nproc)"
n=$(nproc)
last=$((n - 1))
# One busy process pinned to each CPU; each reports the CPU it ran on.
for c in $(seq 0 $last); do
    taskset -c "$c" sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i + 1)); done; \
        echo "cpu $(cut -d" " -f39 /proc/self/stat)"' > "/tmp/ran.$c" &
done
wait
say "pinned work ran on: $(cat /tmp/ran.* | sort | tr '\n' ' ')"
[ "$last" -gt 0 ] || exit 0
f=/sys/devices/system/cpu/cpu$last/online
echo 0 > "$f" && say "cpu$last offline: online now $(cat /sys/devices/system/cpu/online)"
echo 1 > "$f" && say "cpu$last back online: online now $(cat /sys/devices/system/cpu/online)"
