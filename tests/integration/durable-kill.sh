#!/bin/sh
# Runs in the nested host's stage dir (busybox sh), for suite-durability.sh:
#   durable-kill.sh MODE MIB CC POINT...
# For each POINT, boots isv.test=durable (MODE flush) or durable-noflush
# (MODE noflush) of guest/CC/Image on a fresh zeroed MIB MiB image and stops
# it at that point:
#   wN  SIGKILL once N completions ("@w" lines) are in the console log
#   tUS SIGKILL US microseconds after the first completion (not after the
#       start, which would depend on how fast the nested host boots the guest)
#   eN  no kill: the guest stops after N writes and powers off
# A POINT may end in /ARG,ARG...: more guest arguments (isv.durable.depth=1).
# Run i leaves export/durable-MODE-i.img and .log for durable-check.py.
mode=$1 mib=$2 cc=$3
shift 3
test=durable
[ "$mode" = noflush ] && test=durable-noflush
mkdir -p export
i=0
for point in "$@"; do
    i=$((i + 1))
    img=/tmp/durable-$mode-$i.img log=/tmp/durable-$mode-$i.log
    rm -f "$img" && truncate -s "${mib}M" "$img" || exit 1
    args=
    case $point in */*) args=$(echo "${point#*/}" | tr , ' ') point=${point%%/*} ;; esac
    extra=$args
    case $point in e*) extra="$args isv.durable.writes=${point#e}" ;; esac
    # Its own process, not a subshell: $! is the VMM, and the kill is its.
    bin/isv --device "virtio-blk,file=$img" --append "isv.test=$test isv.seed=$i $extra" \
        "guest/$cc/Image" > "$log" 2>&1 &
    pid=$!
    case $point in w*) want=${point#w} ;; t*) want=1 ;; *) want=0 ;; esac
    while [ "$want" -gt 0 ] && kill -0 "$pid" 2>/dev/null && [ "$(grep -c '^@w ' "$log")" -lt "$want" ]; do
        usleep 20000
    done
    case $point in t*) usleep "${point#t}" ;; esac
    if [ "${point#e}" != "$point" ]; then
        wait "$pid"
        rc=$?
        how="ran to the end"
    elif kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        wait "$pid" 2>/dev/null # (no "Killed" from the shell)
        rc=$?
        how="killed with SIGKILL"
    else
        wait "$pid"
        rc=$?
        how="ended by itself before the kill"
    fi
    echo "durable-kill: $mode run $i ($point${args:+ $args}): $how, isv rc $rc, $(grep -c '^@w ' "$log") completions and $(grep -c '^@f ' "$log") flushes logged"
    cp "$img" "export/durable-$mode-$i.img" && cp "$log" "export/durable-$mode-$i.log" || exit 1
    rm -f "$img"
done
