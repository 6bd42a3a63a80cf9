#!/usr/bin/env bash
# Idempotent host dependency step: installs the Debian packages isv builds with,
# saying what it installs, and does nothing when they are all present.
set -euo pipefail

pkgs=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu clang qemu-system-arm
      libcriterion-dev libfdt-dev cpio make gcc python3)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: host packages present (${pkgs[*]})"
    exit 0
fi
echo "deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
