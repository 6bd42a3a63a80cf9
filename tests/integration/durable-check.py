#!/usr/bin/env python3
"""Check a disk image the guest's isv.test=durable / durable-noflush wrote
before its VMM was killed, against what the guest saw complete.

  durable-check.py [--mode flush|noflush] [--min-writes N] LOG IMAGE

LOG is the guest's console output (guest/durability.c documents it): a
header line with the geometry, "@w SEQ" when write SEQ completed and
"@f SEQ" when a flush sent after write SEQ completed came back OK. Only
whole lines count (the kill may cut the last one).

Every sector of the slot a completed write went to must hold that write or
a later one to the same slot (the guest reuses the disk as a ring), never
older data, zeros or garbage:
  - writes covered by a completed flush (mode flush), and every completed
    write (mode noflush, where the spec requires write-through), are what
    virtio 1.2 section 5.2.6.2 requires to be stable;
  - isv promises more for a kill of the VMM: every completed write, flushed
    or not, was pwritev'd into the host's page cache before it was
    completed, so it survives the process. Checked too, reported apart.
Any sector that is neither zero nor a well-formed record of its own slot
fails. Exit status 0 only if nothing is missing; otherwise one line per
problem (the first 20) and a summary, loudly.
"""
import re
import struct
import sys
import zlib

SECTOR = 512
MAGIC = 0x42525544
FLUSH = 1 << 9  # VIRTIO_BLK_F_FLUSH
HEADER = re.compile(r"^isv guest: durable: mode (flush|noflush), seed (\d+), capacity (\d+) sectors, "
                    r"(\d+) sectors per write, (\d+) slots, depth (\d+), flush every (\d+), gap (\d+) ms$")


def fail(msg):
    sys.exit(f"durable-check: FAIL: {msg}")


def parse_log(path):
    text = open(path, "rb").read().decode("utf-8", "replace").replace("\r", "")
    lines = text.split("\n")[:-1]  # the part after the last newline is cut
    geo, acked, flushed, flushes, features = None, -1, -1, 0, None
    for ln in lines:
        if "FAILED" in ln:
            fail(f"{path}: the guest reported: {ln}")
        m = re.match(r"^isv guest: virtio-mmio at 0x[0-9a-f]+: features offered 0x([0-9a-f]+), "
                     r"accepted 0x([0-9a-f]+)$", ln)
        if m:
            features = (int(m[1], 16), int(m[2], 16))
            continue
        m = HEADER.match(ln)
        if m:
            if geo:
                fail(f"{path}: two header lines")
            geo = dict(mode=m[1], seed=int(m[2]), capacity=int(m[3]), w=int(m[4]),
                       slots=int(m[5]), depth=int(m[6]), every=int(m[7]), gap=int(m[8]))
            continue
        m = re.fullmatch(r"@([wf]) (\d+)", ln)
        if not m:
            continue
        if not geo:
            fail(f"{path}: '{ln}' before the header line")
        seq = int(m[2])
        if m[1] == "w":
            if seq != acked + 1:
                fail(f"{path}: completion of write {seq} after write {acked}: not in order")
            acked = seq
        else:
            if geo["mode"] != "flush":
                fail(f"{path}: a flush in mode noflush")
            if seq > acked or seq < flushed:
                fail(f"{path}: flush covering write {seq} (last completed {acked}, last flushed {flushed})")
            flushed, flushes = seq, flushes + 1
    if not geo or not features:
        fail(f"{path}: no header or no features line (did the guest start?)")
    # Write-through is required when FLUSH was offered and not accepted
    # (section 5.2.6.2, case 1); flush mode must have accepted it.
    if not features[0] & FLUSH:
        fail(f"{path}: the device did not offer VIRTIO_BLK_F_FLUSH (features 0x{features[0]:x})")
    if bool(features[1] & FLUSH) != (geo["mode"] == "flush"):
        fail(f"{path}: mode {geo['mode']} but accepted features 0x{features[1]:x}")
    return geo, acked, flushed, flushes


def record(data, s, geo):
    """The sequence number sector s holds, None for zeros; exits on garbage."""
    b = data[s * SECTOR:(s + 1) * SECTOR]
    if b == bytes(SECTOR):
        return None
    w = struct.unpack("<128I", b)
    slot = s // geo["w"]
    why = None
    if w[0] != MAGIC:
        why = f"magic 0x{w[0]:08x}"
    elif w[127] != zlib.crc32(b[:SECTOR - 4]):
        why = "bad CRC (torn or corrupt)"
    elif w[2] != s & 0xFFFFFFFF:
        why = f"a record of sector {w[2]}"
    elif w[3] != geo["seed"]:
        why = f"seed {w[3]}, not {geo['seed']}"
    elif w[1] % geo["slots"] != slot:
        why = f"write {w[1]}, which belongs to slot {w[1] % geo['slots']}"
    if why:
        fail(f"sector {s} (slot {slot}): garbage: {why}; first words {' '.join(f'{x:08x}' for x in w[:4])}")
    return w[1]


def main(argv):
    mode, min_writes = None, 1
    while argv and argv[0].startswith("--"):
        if argv[0] == "--mode":
            mode, argv = argv[1], argv[2:]
        elif argv[0] == "--min-writes":
            min_writes, argv = int(argv[1]), argv[2:]
        else:
            sys.exit(__doc__)
    if len(argv) != 2:
        sys.exit(__doc__)
    log, image = argv
    geo, acked, flushed, flushes = parse_log(log)
    if mode and geo["mode"] != mode:
        fail(f"{log}: mode {geo['mode']}, expected {mode}")
    if acked + 1 < min_writes:
        fail(f"{log}: {acked + 1} writes completed before the kill, fewer than {min_writes}")
    # A flush is sent after every `every` completions and is used within
    # `depth` more: past that, one must have completed.
    if geo["mode"] == "flush" and acked + 1 > geo["every"] + geo["depth"] and flushes == 0:
        fail(f"{log}: {acked + 1} writes and no flush completed")
    data = open(image, "rb").read()
    if len(data) != geo["capacity"] * SECTOR:
        fail(f"{image}: {len(data)} bytes, the guest saw {geo['capacity']} sectors")
    # Which writes must be there: stable ones (what the spec requires) and
    # all completed ones (what isv promises for a kill of the VMM).
    stable = flushed if geo["mode"] == "flush" else acked
    slots, w = geo["slots"], geo["w"]
    problems, lost_stable, lost_completed, newer = [], 0, 0, 0
    for slot in range(slots):
        # The newest completed write to this slot, and the newest stable one.
        want = acked - (acked - slot) % slots if acked >= slot else None
        want_stable = stable - (stable - slot) % slots if stable >= slot else None
        held, n_stable = [], 0
        for s in range(slot * w, (slot + 1) * w):
            got = record(data, s, geo)
            newer += got is not None and got > acked  # in flight, or its line died with the VMM
            if want is not None and (got is None or got < want):
                held.append("zeros" if got is None else f"write {got}")
                n_stable += want_stable is not None and (got is None or got < want_stable)
        if not held:
            continue
        lost_stable += n_stable
        lost_completed += len(held) - n_stable
        if n_stable:
            why = ("(write-through: it had to be stable)" if geo["mode"] == "noflush"
                   else "and been flushed" if want_stable == want
                   else f"and write {want_stable}, older data of this slot, had been flushed")
        else:
            why = "(not flushed yet: the spec allows losing it, isv promises it survives a VMM kill)"
        problems.append(f"slot {slot} (sectors {slot * w}..{slot * w + w - 1}): {len(held)} of {w} "
                        f"sectors hold {', '.join(sorted(set(held)))}, but write {want} had completed {why}")
    name = f"{image}: mode {geo['mode']}, depth {geo['depth']}, gap {geo['gap']} ms, {acked + 1} writes completed"
    if geo["mode"] == "flush":
        name += f", {flushes} flushes (up to write {flushed})" if flushes else ", no flush yet"
    if problems:
        for p in problems[:20]:
            print(f"durable-check: LOST: {p}")
        fail(f"{name}: writes lost from {len(problems)} slots: {lost_stable} sectors the spec "
             f"requires stable, {lost_completed} completed but unflushed")
    print(f"durable-check: ok: {name}; every completed write on the image "
          f"({min(acked + 1, slots)} slots checked, {newer} sectors of later writes too)")


if __name__ == "__main__":
    main(sys.argv[1:])
