# Helpers for the guest's test scripts (sourced).
say() { echo "isv-linux: $*"; }
# wait_for PATH [SECONDS]: a device node that appears when a driver probes.
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ "$i" -lt "${2:-10}0" ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ] || { say "$1 did not appear"; return 1; }
}
