# PL031: the time Linux read from rtc0 at boot, and an alarm that fires the
# RTC's interrupt (the count of its line in /proc/interrupts goes up).
. /tests/lib.sh
say "rtc0 name $(cat /sys/class/rtc/rtc0/name)"
say "date $(date +%s)"
irqs() { awk '/pl031|rtc/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s; exit }' /proc/interrupts; }
before=$(irqs)
echo 0 > /sys/class/rtc/rtc0/wakealarm
echo +2 > /sys/class/rtc/rtc0/wakealarm || say "cannot set wakealarm"
sleep 4
after=$(irqs)
say "rtc interrupts before ${before:-none} after ${after:-none}"
