#!/usr/bin/env bash
# The guest relocates itself at boot and handles only R_AARCH64_RELATIVE (NONE is padding):
# fail the link if anything else reached the dynamic relocation table.
set -euo pipefail
readelf=$1 elf=$2
bad=$("$readelf" -rW "$elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ R_AARCH64/ && $3 != "R_AARCH64_RELATIVE" && $3 != "R_AARCH64_NONE"')
if [ -n "$bad" ]; then
    echo "$elf: relocations the guest cannot apply at boot:" >&2
    echo "$bad" >&2
    exit 1
fi
