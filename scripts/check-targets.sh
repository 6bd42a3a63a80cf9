#!/usr/bin/env bash
# Every documented make target works on its own from a clean tree: each runs
# in a fresh copy of the repository's files (what git tracks, plus untracked
# files it does not ignore, as a commit of this tree would have them, with no
# build/), so a target that leans on something another target happened to
# build first fails here.
#
#   scripts/check-targets.sh [--jobs N] [--all] [TARGET...]
#
# Default targets: every `make X` that README.md names (in backquotes or a command block) plus every `make test`
# check (the CHECKS list), less those that boot the nested host (`test`,
# `run`, `bench`, `integration`: minutes each) and `fuzz` (a minute per
# harness; check-fuzz builds and runs the same harnesses); --all keeps them. `run-linux`
# waits for a person at its shell, so it is never in the list: the same boot
# driven through the console is the integration case linux-shell; `install`
# writes outside the tree (check-install runs it into a scratch DESTDIR). The arm64
# downloads (build/cache) are shared by hard links when this tree has them:
# fetching is `make deps`, which is in the list. Ends with "N passed, N failed".
set -uo pipefail
jobs=2 all=0 targets=()
while [ $# -gt 0 ]; do
    case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --all) all=1; shift ;;
    -*) echo "check-targets: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <({ grep -oE '(`|^)make [a-z][a-z0-9-]*' README.md | cut -d' ' -f2
                             make -s --no-print-directory print-checks ISV_DEPS_DONE=1; } |
                           tr ' ' '\n' | sed '/^$/d' | sort -u)
    if [ "$all" = 0 ]; then
        mapfile -t targets < <(printf '%s\n' "${targets[@]}" | grep -vxE 'test|run|bench|integration|fuzz')
    fi
    mapfile -t targets < <(printf '%s\n' "${targets[@]}" | grep -vxE 'check-targets|run-linux|install')
fi
[ ${#targets[@]} -gt 0 ] || { echo "check-targets: no targets"; echo "0 passed, 1 failed"; exit 1; }

work=$repo/build/check-targets
rm -rf "$work"
mkdir -p "$work"
git ls-files -z -co --exclude-standard > "$work/files" || { echo "check-targets: not a git checkout" >&2; exit 2; }

# one TARGET: fresh copy, `make TARGET`, rc file
one() {
    local t=$1 d=$work/$1
    mkdir -p "$d/tree"
    tar -C "$repo" --null -T "$work/files" -cf - | tar -C "$d/tree" -xf -
    if [ -d "$repo/build/cache" ]; then
        mkdir -p "$d/tree/build" && cp -al "$repo/build/cache" "$d/tree/build/cache"
    fi
    local s=$(date +%s)
    # Nothing of the calling make (MAKEFLAGS carries ISV_DEPS_DONE) reaches it.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$d/tree" --no-print-directory "$t" \
        </dev/null > "$d/log" 2>&1
    echo "$? $(( $(date +%s) - s ))" > "$d/rc"
}
export -f one
export work repo
echo "== check-targets: ${#targets[@]} targets, each alone in a fresh copy ($jobs at a time): ${targets[*]} =="
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'one {}'

pass=0 fail=0
for t in "${targets[@]}"; do
    read -r rc secs < "$work/$t/rc" 2>/dev/null || { rc=255 secs=0; }
    if [ "$rc" = 0 ]; then
        echo "PASS make $t (${secs}s)"
        pass=$((pass + 1))
        rm -rf "$work/$t/tree"
    else
        echo "FAIL make $t: exit $rc after ${secs}s; last lines of $work/$t/log:"
        tail -n 5 "$work/$t/log" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
