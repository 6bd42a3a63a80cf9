#!/bin/sh
# check-install: the virtcheck that `make install` put in place runs on its
# own (a release build, no sanitizer runtime) over an outside arm64 binary,
# Debian's static busybox, and reports as documented: one line per finding,
# a summary on stderr, exit status 1 when something was flagged.
# usage: run.sh INSTALLED-VIRTCHECK ELF
VC=$1 ELF=$2
fails=0 n=0
check() { # NAME CONDITION...
    name=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "PASS $name"; else echo "FAIL $name"; fails=$((fails + 1)); fi
}
out=$(mktemp) err=$(mktemp)
rc=0
"$VC" -S "$ELF" >"$out" 2>"$err" || rc=$?
check "installed virtcheck is executable" test -x "$VC"
check "exit status 1 (flagged), got $rc" test "$rc" = 1
check "every line is ADDR <SYM+OFF> TAG: DISASM -- REASON" \
    sh -c "! grep -Ev '^0x[0-9a-f]+ <[^>]+\+0x[0-9a-f]+> [a-z0-9-]+: .+ -- .+' '$out' | grep -q ."
check "summary: $(cat "$err")" grep -Eq '^virtcheck: [1-9][0-9]* loads/stores checked, [1-9][0-9]* flagged$' "$err"
flagged=$(sed -n 's/.* checked, \([0-9]*\) flagged$/\1/p' "$err")
check "one line per flagged access" test "$(wc -l <"$out")" = "$flagged"
check "pairs and sign-extending loads among them" sh -c "grep -q ' pair: ' '$out' && grep -q ' sign-extend: ' '$out'"
rc=0
"$VC" -S -f '^no_such_function$' "$ELF" >"$out" 2>"$err" || rc=$?
check "a filter that matches nothing: exit 0, nothing flagged" sh -c "[ $rc = 0 ] && grep -q ' 0 flagged$' '$err'"
rm -f "$out" "$err"
echo "install: $((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
