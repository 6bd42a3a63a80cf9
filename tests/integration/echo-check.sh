#!/usr/bin/env bash
# echo-check.sh OUTPUT INPUT: the bytes between the guest's "echo ready" line
# and its "echo done" report must equal INPUT exactly (CRs that terminals add
# are dropped; the input has none).
set -euo pipefail
out=$1 in=$2
got=$(mktemp)
trap 'rm -f "$got"' EXIT
# awk reads to the end: leaving early could kill tr with SIGPIPE, which
# pipefail turns into a silent failure.
tr -d '\r' < "$out" | awk '
    /^isv guest: echo done:/ { done = 1 }
    seen && !done { print }
    /^isv guest: echo ready/ { seen = 1 }' | head -c -1 > "$got"
# head drops the newline the guest prints before its report.
if cmp -s "$got" "$in"; then
    echo "echo matches: $(wc -c < "$in") bytes"
else
    echo "echo differs from the input: $(cmp "$got" "$in" 2>&1 | head -n1)" >&2
    exit 1
fi
