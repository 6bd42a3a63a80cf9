#!/usr/bin/env python3
"""Check a disk image the guest's isv.test=virtio-blk wrote.

  blk-pattern.py IMAGE SEED [GUEST-OUTPUT]   every sector holds the pattern for SEED;
                                             the guest's summary line (if given) names
                                             the same sector count and crc32
  blk-pattern.py --make IMAGE SEED           write that pattern (a known image for the
                                             read-only test)
  blk-pattern.py --crc IMAGE GUEST-OUTPUT    the guest's virtio-blk-ro read-back crc32
                                             matches the image

The pattern (guest/virtio_tests.c): 32-bit little-endian word i (0..127) of
sector s is lowbias32((s mod 2^32) * 0x9e3779b1 ^ seed * 0x85ebca77 ^ i * 0xc2b2ae3d).
"""
import re
import struct
import sys
import zlib

M = 0xFFFFFFFF
SECTOR = 512


def mix(x):
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M
    x ^= x >> 15
    x = (x * 0x846CA68B) & M
    x ^= x >> 16
    return x


def sector(s, seed):
    base = ((s & M) * 0x9E3779B1 & M) ^ (seed * 0x85EBCA77 & M)
    return struct.pack("<128I", *(mix(base ^ (i * 0xC2B2AE3D & M)) for i in range(128)))


def guest_line(path, regex):
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(regex, line)
            if m:
                return m
    sys.exit(f"no line matching /{regex}/ in {path}")


def check(image, seed, out):
    data = open(image, "rb").read()
    if len(data) % SECTOR:
        sys.exit(f"{image}: {len(data)} bytes, not whole sectors")
    n = len(data) // SECTOR
    for s in range(n):
        if data[s * SECTOR:(s + 1) * SECTOR] != sector(s, seed):
            sys.exit(f"{image}: sector {s} does not hold the pattern for seed {seed}")
    crc = zlib.crc32(data)
    if out:
        m = guest_line(out, r"virtio-blk: wrote and verified (\d+) sectors, seed (\d+), crc32 0x([0-9a-f]{8})")
        got = (int(m[1]), int(m[2]), int(m[3], 16))
        if got != (n, seed, crc):
            sys.exit(f"guest reported sectors/seed/crc32 {got}, image has {(n, seed, crc)}")
    print(f"pattern ok: {n} sectors, seed {seed}, crc32 0x{crc:08x}")


def main(argv):
    if len(argv) == 4 and argv[1] == "--make":
        image, seed = argv[2], int(argv[3], 0)
        size = len(open(image, "rb").read())
        with open(image, "wb") as f:
            for s in range(size // SECTOR):
                f.write(sector(s, seed))
        return
    if len(argv) == 4 and argv[1] == "--crc":
        crc = zlib.crc32(open(argv[2], "rb").read())
        m = guest_line(argv[3], r"virtio-blk-ro: read (\d+) sectors, crc32 0x([0-9a-f]{8})")
        if int(m[2], 16) != crc:
            sys.exit(f"guest read crc32 0x{m[2]}, image has 0x{crc:08x}")
        print(f"read-back crc32 matches: 0x{crc:08x}")
        return
    if len(argv) in (3, 4):
        check(argv[1], int(argv[2], 0), argv[3] if len(argv) == 4 else None)
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
