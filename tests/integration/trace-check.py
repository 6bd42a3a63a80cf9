#!/usr/bin/env python3
"""Check an isv --trace-mmio file against the run that wrote it (vmm/trace.h).

usage: trace-check.py TRACE OUT [--ioeventfd DEV]... [--nisv N] [--vcpus N]
                      [--firmware TEXT]

OUT is the case's output: the guest's PL011 lines and the VMM's --stats.
Checks: the header; every line's grammar (digits per width, offset = IPA -
the device's base, vcpu/PC known for traps, unknown for ioeventfd); TIME
never decreases; the PL011 data-register writes spell exactly the guest's
PL011 lines in OUT; the mmio lines per direction and per device equal
--stats' counts; each DEV got ioeventfd lines at its QueueNotify and no
QueueNotify write trapped; with --nisv N (instructions the VMM emulated),
between N and 2N nisv lines (a pair is two), each with a PC; with --vcpus N,
mmio lines from each of cpu0..cpuN-1 and no other. With --firmware TEXT
(a --bios run, whose console OUT holds only after fw-drive.sh's rewriting):
PCs may also lie in flash bank 0, and the PL011 writes must spell TEXT
somewhere instead of OUT's guest lines.
Prints one summary line; exits 1 with the first problem found.
"""
import argparse
import re
import sys

HEADER = "# isv --trace-mmio: time_ns vcpu via dir width ipa device+offset value pc [xN]"
LINE = re.compile(r"^(\d+) (cpu\d+|-) (mmio|nisv|ioeventfd) ([RW]) (\d+) (0x[0-9a-f]+) "
                  r"(?:(\S+@([0-9a-f]+))\+(0x[0-9a-f]+)|(unmapped|bad-width)) (0x[0-9a-f]+|-) "
                  r"(0x[0-9a-f]+|-)(?: x(\d+))?$")
RAM = (0x40000000, 0x40000000 + (256 << 30))
FLASH0 = (0, 0x4000000)
STAT = re.compile(r"^isv: stats:   (mmio-read|mmio-write|mmio-unmapped) +(\d+) ")
DEV_STAT = re.compile(r"^isv: stats:   device (\S+) +reads (\d+), writes (\d+),")


def fail(msg):
    print(f"trace-check: {msg}")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("out")
    ap.add_argument("--ioeventfd", action="append", default=[])
    ap.add_argument("--nisv", type=int)
    ap.add_argument("--vcpus", type=int)
    ap.add_argument("--firmware", metavar="TEXT")
    a = ap.parse_args()
    lines = open(a.trace).read().split("\n")
    if lines[-1] != "":
        fail("the trace does not end in a whole line")
    lines.pop()
    if not lines or lines[0] != HEADER:
        fail(f"first line is not the header: {lines[:1]}")

    prev, text = 0, []
    mmio = {"R": 0, "W": 0}
    per_dev, notify, nisv, cpus = {}, {}, [], {}
    for n, l in enumerate(lines[1:], 2):
        m = LINE.match(l)
        if not m:
            fail(f"line {n} malformed: {l}")
        ns, cpu, via, d, width, ipa, dev, base, off, bad, val, pc, cnt = m.groups()
        ns, width, ipa = int(ns), int(width), int(ipa, 16)
        if ns < prev:
            fail(f"line {n}: TIME goes back: {l}")
        prev = ns
        if width not in (1, 2, 4, 8) and not bad:
            fail(f"line {n}: width {width}: {l}")
        if val != "-" and len(val) != 2 + 2 * min(width, 8):
            fail(f"line {n}: {len(val) - 2} value digits for width {width}: {l}")
        if dev and int(base, 16) + int(off, 16) != ipa:
            fail(f"line {n}: offset is not IPA - base: {l}")
        if via == "ioeventfd":
            if cpu != "-" or pc != "-" or d != "W" or off != "0x50" or not dev:
                fail(f"line {n}: an ioeventfd line has no vCPU or PC and is a QueueNotify write: {l}")
            notify.setdefault(dev, []).append(int(cnt or 1))
            continue
        in_code = lambda r: r[0] <= int(pc, 16) < r[1]
        if cnt or cpu == "-" or pc == "-" or not (in_code(RAM) or (a.firmware and in_code(FLASH0))):
            fail(f"line {n}: a trap has its vCPU and a PC in RAM{' or flash' if a.firmware else ''}: {l}")
        if via == "nisv":
            nisv.append(l)
            continue
        mmio[d] += 1
        cpus[cpu] = cpus.get(cpu, 0) + 1
        if dev:
            per_dev.setdefault(dev, [0, 0])[d == "W"] += 1
            if dev.startswith("virtio") and off == "0x50" and d == "W":
                fail(f"line {n}: a QueueNotify write trapped instead of going through its ioeventfd: {l}")
        if dev == "pl011@9000000" and off == "0x0" and d == "W":
            text.append(chr(int(val, 16) & 0xff))

    out = open(a.out, errors="replace").read().replace("\r", "").split("\n")
    guest = [l for l in out if l.startswith(("Hello from the isv guest", "isv guest:"))]
    spelled = [l for l in "".join(text).replace("\r", "").split("\n") if l]
    if a.firmware:
        if a.firmware not in "".join(text):
            fail(f"the PL011 writes never spell {a.firmware!r}")
        guest = spelled
    elif spelled != guest:
        for i, (x, y) in enumerate(zip(spelled, guest + [""] * len(spelled))):
            if x != y:
                fail(f"PL011 writes spell line {i + 1} as {x!r}, the guest printed {y!r}")
        fail(f"PL011 writes spell {len(spelled)} lines, the guest printed {len(guest)}")
    if not guest:
        fail("no guest output to compare with")

    stats = {m.group(1): int(m.group(2)) for m in map(STAT.match, out) if m}
    if not stats:
        fail("no --stats in the output")
    if (stats.get("mmio-read", 0), stats.get("mmio-write", 0)) != (mmio["R"], mmio["W"]):
        fail(f"mmio lines R {mmio['R']} W {mmio['W']}, --stats says read {stats.get('mmio-read', 0)} "
             f"write {stats.get('mmio-write', 0)}")
    for m in map(DEV_STAT.match, out):
        if m and per_dev.get(m.group(1), [0, 0]) != [int(m.group(2)), int(m.group(3))]:
            fail(f"{m.group(1)}: trace R/W {per_dev.get(m.group(1))}, --stats {m.group(2)}/{m.group(3)}")

    for dev in a.ioeventfd:
        if not notify.get(dev):
            fail(f"no ioeventfd line for {dev}")
    if a.nisv is not None and not (a.nisv <= len(nisv) <= 2 * a.nisv and a.nisv):
        fail(f"{len(nisv)} nisv lines for {a.nisv} emulated instructions")

    if a.vcpus is not None and sorted(cpus) != sorted(f"cpu{i}" for i in range(a.vcpus)):
        fail(f"mmio lines from {sorted(cpus)}, expected cpu0..cpu{a.vcpus - 1}")

    print(f"trace-check: ok: {len(lines) - 1} lines, mmio R {mmio['R']} W {mmio['W']} (= --stats), "
          f"{len(text)} PL011 bytes spell the guest's {len(guest)} lines, nisv {len(nisv)}, "
          f"by vCPU {' '.join(f'{c} {k}' for c, k in sorted(cpus.items()))}, "
          "ioeventfd " + (", ".join(f"{d} {len(c)} lines/{sum(c)} notifies" for d, c in sorted(notify.items()))
                          or "none"))


if __name__ == "__main__":
    main()
