#!/usr/bin/env bash
# Runs make targets from a clean clone of this repository's committed HEAD in a
# bare Debian 12 (bookworm) root: debootstrap --variant=minbase plus only
# make, git and ca-certificates, as a new user's machine would be.
#
#   scripts/fresh-debian.sh [--keep] [TARGET...]     (default target: test)
#
# The root is built once and cached as a tarball under $ISV_FRESH_DIR
# (default /var/tmp/isv-fresh-debian), from the Debian apt sources this
# machine is configured with. Each run unpacks a fresh copy, clones HEAD into
# /root/isv, mounts proc, sys and dev, and runs `make TARGET...` in a chroot
# with a clean environment. Downloaded .debs are kept in a cache of our own
# beside the root (bind-mounted as the chroot's apt archive), so only the
# first run downloads them; apt still checks each one against its lists.
# --keep leaves the run's root in place (its path is printed).
# Exit status: make's, or 2 when the root cannot be built or entered.
set -euo pipefail

keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "fresh-debian: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || set -- test

die() { echo "fresh-debian: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mounts)"
[ -f /etc/debian_version ] && command -v apt-get >/dev/null || die "needs a Debian host with apt"
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null) || die "not inside a git checkout"
head=$(git -C "$repo" rev-parse --short HEAD)

dir=${ISV_FRESH_DIR:-/var/tmp/isv-fresh-debian}
suite=bookworm
extra=make,git,ca-certificates
mkdir -p "$dir/apt-archives/partial"
dir=$(cd "$dir" && pwd)

# ---- the Debian sources this machine uses (deb822 and one-line formats) ----
# Prints "URI SUITE COMPONENTS..." for each Debian entry (suites bookworm*).
host_sources() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'function flush() { if (types ~ /(^| )deb( |$)/ && uris != "")
                                    { n = split(uris, u, " "); m = split(suites, s, " ");
                                      for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print u[i], s[j], comps }
                                types = uris = suites = comps = "" }
             /^[ \t]*#/ { next }
             /^[ \t]*$/ { flush(); next }
             { key = tolower($1); sub(/^[^:]*:[ \t]*/, "") }
             key == "types:" { types = $0 } key == "uris:" { uris = $0 }
             key == "suites:" { suites = $0 } key == "components:" { comps = $0 }
             END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { $1 = ""; sub(/^ /, ""); print }'
    done
}
mapfile -t sources < <(host_sources | awk -v s="$suite" '$2 ~ "^" s "([-/]|$)"' | sort -u)
[ ${#sources[@]} -gt 0 ] || die "no Debian $suite entry in this machine's apt sources"
mirror=$(printf '%s\n' "${sources[@]}" | awk -v s="$suite" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "no '$suite' suite among this machine's Debian apt sources"
mirror=${ISV_FRESH_MIRROR:-$mirror}   # (tests point it at nothing)

# ---- the cached root ----
key=$(printf '%s\n' "$suite" "$extra" "$mirror" "${sources[@]}" | sha256sum | cut -c1-12)
tarball=$dir/root-$suite-$key.tar
if [ ! -f "$tarball" ]; then
    if ! command -v debootstrap >/dev/null; then
        echo "fresh-debian: installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null ||
            die "cannot install debootstrap (apt-get install debootstrap failed)"
    fi
    build=$(mktemp -d "$dir/build.XXXXXX")
    chmod 755 "$build"
    echo "fresh-debian: debootstrap --variant=minbase $suite from $mirror (+ $extra), once; log $dir/debootstrap.log"
    if ! debootstrap --variant=minbase --include="$extra" --cache-dir="$dir/apt-archives" \
            "$suite" "$build" "$mirror" > "$dir/debootstrap.log" 2>&1; then
        why=$(grep -E '^(E|W): ' "$dir/debootstrap.log" | tail -n1)
        rm -rf "$build"
        die "debootstrap failed: ${why:-see $dir/debootstrap.log}"
    fi
    printf 'deb %s\n' "${sources[@]}" > "$build/etc/apt/sources.list"
    rm -f "$build"/var/cache/apt/archives/*.deb
    tar -C "$build" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$build"
fi

# ---- one run ----
root=$(mktemp -d "$dir/run.XXXXXX")
chmod 755 "$root"   # a root's / is world-readable (apt's _apt user reads below it)
mounted=()
# Every process still running inside the root (a run cut short), by its root.
kill_inside() {
    local p r
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        [ "$r" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
    done
    return 0
}
cleanup() {
    local i
    kill_inside
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R -l "${mounted[$i]}" 2>/dev/null || true
    done
    if [ "$keep" = 1 ]; then
        echo "fresh-debian: root kept at $root"
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tar -C "$root" -xf "$tarball"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
git clone -q --no-hardlinks "$repo" "$root/root/isv"
git -C "$root/root/isv" checkout -q --detach "$head"
mnt() { mount "$@" && mounted+=("${@: -1}"); }
mnt -t proc proc "$root/proc"
mnt -t sysfs sys "$root/sys"
mnt --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
mnt --bind "$dir/apt-archives" "$root/var/cache/apt/archives"

echo "fresh-debian: bare Debian $(cat "$root/etc/debian_version") root, clone of $head, running: make $*"
start=$(date +%s)
set +e
# In the background, waited for: a signal to this script then ends the run at once.
env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM="${TERM:-dumb}" ${CI:+CI="$CI"} \
    chroot "$root" /bin/sh -c 'cd /root/isv && exec make "$@"' make "$@" </dev/null &
wait $!
rc=$?
set -e
echo "fresh-debian: make $* exited $rc after $(( $(date +%s) - start ))s"
exit $rc
