#!/bin/sh
# Types at a guest's console as a person would: starts COMMAND with the PL011
# console on a FIFO (input) and a file (output), then follows STEPS, one per
# line:  wait SECONDS ERE   until the output matches (prints the time it took)
#        waitn SECONDS N ERE  until N lines of the output match
#        send TEXT          TEXT through printf %b (\r, \033 ...)
# A wait that times out says so and stops the guest. Runs under busybox sh in
# the nested host. Prints the console output (escape sequences removed) and
# exits with COMMAND's status. COMMAND is isv (its PL011 is given with
# --console) or, after --qemu, QEMU (-serial stdio on the FIFO and the file).
# usage: fw-drive.sh [--qemu] STEPS COMMAND...
qemu=
[ "$1" = --qemu ] && { qemu=1; shift; }
steps=${1:?usage: fw-drive.sh [--qemu] STEPS COMMAND...}
shift
fifo=/tmp/fw-in.$$ out=/tmp/fw-out.$$
rm -f "$fifo" "$out"
mkfifo "$fifo"
: > "$out" # waits may read it before the VMM opens it
exec 4<>"$fifo"
now() { cut -d' ' -f1 /proc/uptime; }
t0=$(now)
if [ -n "$qemu" ]; then
    "$@" -serial stdio < "$fifo" > "$out" & # (7.2's file chardev has no input-path)
else
    "$@" --console "file:in=$fifo,out=$out" &
fi
pid=$!
while read -r verb a b; do
    case $verb in
    wait|waitn)
        want=1
        if [ "$verb" = waitn ]; then want=${b%% *}; b=${b#* }; fi
        i=0
        while [ "$(tr -d '\033' < "$out" 2>/dev/null | grep -Ec -- "$b")" -lt "$want" ]; do
            if [ "$i" -ge $((a * 10)) ] || ! kill -0 "$pid" 2>/dev/null; then
                echo "isv-fw: gave up waiting for /$b/ after $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
                kill -TERM "$pid" 2>/dev/null
                break 2
            fi
            sleep 0.1
            i=$((i + 1))
        done
        echo "isv-fw: /$b/ at $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s" ;;
    send)
        printf '%b' "$a${b:+ $b}" >&4 ;;
    esac
done < "$steps"
wait "$pid"
rc=$?
# The console minus its ANSI sequences, so expectations read as text.
tr '\033' '~' < "$out" | sed 's/~\[[0-9;=?]*[A-Za-z]//g' | tr -d '\r'
rm -f "$fifo" "$out"
exit $rc
