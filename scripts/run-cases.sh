#!/bin/sh
# Runs VMM commands one after another and reports each on the console in a
# parseable form. Runs under busybox sh inside the nested host, or natively.
#   cases file: one case per line, "NAME<TAB>TIMEOUT_SECONDS<TAB>SHELL COMMAND"
# Output: "@@ISV-BEGIN NAME", the command's stdout+stderr, "@@ISV-END NAME rc=N"
# (rc 124 = the case exceeded its timeout and was killed).
cases=${1:?usage: run-cases.sh CASES}
tab=$(printf '\t')
exec 3<&0   # the runner's own stdin (the console), for the interactive case
while IFS="$tab" read -r name limit cmd; do
    [ -n "$name" ] || continue
    echo "@@ISV-BEGIN $name"
    if [ "$name" = interactive ]; then   # vm-run.sh --interactive: the console is stdin
        timeout -s KILL "$limit" sh -c "$cmd" <&3 2>&1
    else
        timeout -s KILL "$limit" sh -c "$cmd" </dev/null 3<&- 2>&1
    fi
    rc=$?
    [ "$rc" -eq 137 ] && rc=124
    # A case killed at its limit takes the VMMs it started in the background
    # along (in the nested host, where nothing else runs them).
    if [ "$rc" -eq 124 ] && [ -n "${ISV_NESTED:-}" ]; then
        for d in /proc/[0-9]*; do   # (busybox here has no pkill)
            [ "$(cat "$d/comm" 2>/dev/null)" = isv ] && kill -KILL "${d#/proc/}" 2>/dev/null
        done
    fi
    echo "@@ISV-END $name rc=$rc"
done < "$cases"
echo "@@ISV-DONE"
