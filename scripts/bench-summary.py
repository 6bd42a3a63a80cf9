#!/usr/bin/env python3
"""Table for `make bench` from the nested host's log (scripts/bench.sh).

Cases are named VARIANT@ROUND (warm-VARIANT and profile-isv are not counted).
Each prints the guest's "isv guest: bench: read|write N exits in T us (X
ns/exit)" lines and bench-run's "bench-run: first-byte-ms F total-ms T
maxrss-kib M status S" line.

Per VMM: the median over rounds [min..max] of ns per exit (reads, writes),
boot-to-first-byte and peak RSS. Ratios: in each round the VMMs ran back to
back, so each round gives one ratio; the table shows their median
[min..max]. Targets: isv/floor <= 1.05, isv/QEMU < 1.

Exit status: 0 when every VMM has at least one complete run, else 1.
"""
import argparse
import re
import statistics
import sys

VARIANTS = [
    ("isv", "isv"),
    ("isv-nosext", "isv --sext-fix off"),
    ("floor", "floor (bare KVM_RUN loop)"),
    ("qemu", "QEMU -accel kvm"),
    ("isv-trace", "isv --trace-mmio FILE"),
]
LABEL = dict(VARIANTS)
SHORT = {"isv": "isv", "isv-nosext": "isv --sext-fix off", "floor": "floor", "qemu": "QEMU",
         "isv-trace": "isv --trace-mmio"}
OPTIONAL = {"isv-trace"}  # logs from before it existed are still complete
OPS = ("read", "write", "all")

BENCH_RE = re.compile(r"^isv guest: bench: (read|write) (\d+) exits in (\d+) us \((\d+) ns/exit\)")
SMP_RE = re.compile(r"^isv guest: bench-smp: ([12]) cpus?: (\d+) exits in (\d+) us \((\d+) exits/s\)")
RUN_RE = re.compile(r"^bench-run: first-byte-ms (\S+) total-ms (\S+) maxrss-kib (\d+) status (\d+)")
HOST_RE = re.compile(r"^@@ISV-HOST (.*)")
MARK_RE = re.compile(r"^bench-run: mark 'isv-linux: init started' ms (\S+)")
VRSS_RE = re.compile(r"^bench-run: vmm-rss-kib (-?\d+) samples (\d+)")
SEQ_RE = re.compile(r"lxbench: seq \S+ write-mibps ([0-9.]+) read-mibps ([0-9.]+)")
RAND_RE = re.compile(r"lxbench: rand \S+ qd (\d+) iops (\d+)")
TRACE_RE = re.compile(r"^bench: trace lines (\d+)")
FW_RE = re.compile(r"^isv-fw: /(Press|Shell)[^/]*/ at ([0-9.]+) s$")
TTY_RE = re.compile(r"lxbench: tty /dev/(ttyAMA0|hvc0) bytes (\d+) seconds \S+ bps (\d+)")


def parse(lines):
    """{case name: {"rc": int, "read": ns, "write": ns, "first": ms, "rss": KiB, "lines": [...]}}"""
    cases, host, cur = {}, "", None
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = HOST_RE.match(line)
        if m:
            host = m.group(1)
            continue
        if line.startswith("@@ISV-BEGIN "):
            cur = {"lines": []}
            cases[line.split()[1]] = cur
            continue
        if line.startswith("@@ISV-END "):
            parts = line.split()
            if parts[1] in cases and len(parts) > 2 and parts[2].startswith("rc="):
                cases[parts[1]]["rc"] = int(parts[2][3:])
            cur = None
            continue
        if cur is None:
            continue
        cur["lines"].append(line)
        m = BENCH_RE.match(line)
        if m:
            cur[m.group(1)] = int(m.group(4))
            cur["n"] = int(m.group(2))
        m = SMP_RE.match(line)
        if m:
            cur["smp%s" % m.group(1)] = int(m.group(4))
        m = RUN_RE.match(line)
        if m:
            cur["first"] = float(m.group(1))
            cur["total"] = float(m.group(2))
            cur["rss"] = int(m.group(3))
        m = MARK_RE.match(line)
        if m and float(m.group(1)) >= 0:
            cur["init"] = float(m.group(1))
        m = VRSS_RE.match(line)
        if m and int(m.group(1)) > 0:
            cur["vrss"] = int(m.group(1))
        m = SEQ_RE.search(line)
        if m:
            cur["seqw"], cur["seqr"] = float(m.group(1)), float(m.group(2))
        m = RAND_RE.search(line)
        if m:
            cur["qd" + m.group(1)] = int(m.group(2))
        m = TRACE_RE.match(line)
        if m:
            cur["trace_lines"] = int(m.group(1))
        m = FW_RE.match(line)
        if m:
            cur["fw_" + m.group(1).lower()] = float(m.group(2)) * 1000
        m = TTY_RE.search(line)
        if m:
            cur[m.group(1)] = int(m.group(3))
    return host, cases


def complete(c):
    return c is not None and c.get("rc") == 0 and "read" in c and "write" in c and "first" in c


def value(c, op):
    return (c["read"] + c["write"]) / 2 if op == "all" else c[op]


def spread(xs, fmt):
    if not xs:
        return "-"
    return f"{fmt(statistics.median(xs))} [{fmt(min(xs))}..{fmt(max(xs))}]"


# Linux rows: (label, case kind, field, better, target). better "low": the
# ratio isv/QEMU must be <= target; "high": >= target.
LX_ROWS = [
    ("boot to userspace, quiet (ms)", "lxboot", "init", "low", 0.5),
    ("boot to VMM exit, quiet (ms)", "lxboot", "total", "low", 0.5),
    ("boot to userspace, loglevel=7 (ms)", "lxverbose", "init", "low", None),
    ("virtio-blk seq write 1M (MiB/s)", "lxio", "seqw", "high", 1.0),
    ("virtio-blk seq read 1M (MiB/s)", "lxio", "seqr", "high", 1.0),
    ("virtio-blk rand read 4K qd1 (IOPS)", "lxio", "qd1", "high", 1.0),
    ("virtio-blk rand read 4K qd16 (IOPS)", "lxio", "qd16", "high", 1.0),
    ("ttyAMA0 64 KiB (bytes/s)", "lxio", "ttyAMA0", "high", 1.0),
    ("hvc0 64 KiB (bytes/s)", "lxio", "hvc0", "high", 1.0),
    ("VMM RSS, make run devices (KiB)", "rss", "vrss", "low", None),
    ("VMM RSS, Linux with disk+console (KiB)", "lxio", "vrss", "low", None),
]


def by_kind(cases, kinds):
    """The complete runs of the KIND-VMM@ROUND cases: {(kind, vmm): {round: case}}."""
    by = {}
    for name, c in cases.items():
        m = re.fullmatch(r"(%s)-(isv|qemu)@(\d+)" % kinds, name)
        if m and c.get("rc") == 0:
            by.setdefault((m.group(1), m.group(2)), {})[int(m.group(3))] = c
    return by


def paired(a, b, field):
    """FIELD of isv's runs, of QEMU's, and their ratio per round both have."""
    va = [c[field] for c in a.values() if field in c]
    vb = [c[field] for c in b.values() if field in c]
    rs = [a[r][field] / b[r][field] for r in sorted(set(a) & set(b))
          if field in a[r] and field in b[r] and b[r][field]]
    return va, vb, rs


def linux_section(cases):
    """The Linux-guest table: per row the median [min..max] of each VMM and of
    the per-round ratio isv/QEMU, against its target."""
    by = by_kind(cases, "lxboot|lxverbose|lxio|rss")
    if not by:
        return []
    out = ["", "Linux guest: Debian's cloud kernel + the project's initramfs, 1 vCPU, 256 MiB, same "
           "command line; median [min..max] over rounds, ratio isv/QEMU per round"]
    hdr = f"{'what':<40} {'isv':<26} {'QEMU':<28} {'isv/QEMU':<22} {'target':<8} verdict"
    out += [hdr, "-" * len(hdr)]
    f0 = lambda x: f"{x:.0f}"
    for label, kind, field, better, target in LX_ROWS:
        va, vb, rs = paired(by.get((kind, "isv"), {}), by.get((kind, "qemu"), {}), field)
        if target is None:
            tgt, verdict = "(info)", ""
        elif not rs:
            tgt, verdict = f"{'<=' if better == 'low' else '>='} {target:g}", "NO DATA"
        else:
            tgt = f"{'<=' if better == 'low' else '>='} {target:g}"
            med = statistics.median(rs)
            verdict = "PASS" if (med <= target if better == "low" else med >= target) else "MISS"
        if label.startswith("VMM RSS, make run"):
            tgt, verdict = "isv<=2048", ("PASS" if va and statistics.median(va) <= 2048 else "MISS")
        out.append(f"{label:<40} {spread(va, f0):<26} {spread(vb, f0):<28} "
                   f"{spread(rs, lambda x: f'{x:.3f}'):<22} {tgt:<8} {verdict}")
    out.append("  (VMM RSS: peak resident memory of the VMM process from /proc/PID/smaps, leaving out "
               "mappings of at least the guest's RAM size, i.e. guest RAM)")
    # Where the time goes: printing, and isv's exits per device (--stats runs).
    for kind, what in (("profile-lxboot-isv", "isv, loglevel=7 boot, --stats"),
                       ("profile-lxio-isv", "isv, quiet boot + 64 KiB to ttyAMA0 and hvc0, --stats")):
        c = cases.get(kind)
        if not c or c.get("rc") != 0:
            continue
        out.append(f"  {what}:")
        # (bench-run relays the console, so a console line may run into stderr's)
        out += ["    " + l[l.index("isv: stats: ") + len("isv: stats: "):].strip() for l in c["lines"]
                if l.startswith("isv: stats:   device") or re.search(r"isv: stats: \d+ exits in ", l)]
        if kind == "profile-lxio-isv":
            dev = re.compile(r"^isv: stats: +device (pl011|virtio-console)@\S+ +reads (\d+), writes (\d+)")
            for l in c["lines"]:
                m = dev.match(l)
                if m:
                    out.append(f"    {m.group(1)} MMIO exits per console byte: "
                               f"{(int(m.group(2)) + int(m.group(3))) / 65536:.3f} "
                               "(whole run, over the 64 KiB written)")
    return out


def firmware_section(cases):
    """EDK2 to its shell: isv against QEMU, paired per round (fw-drive.sh's
    times from the VMM's start)."""
    by = by_kind(cases, "fwshell")
    if not by:
        return []
    out = ["", "Firmware: Debian's EDK2 (QEMU_EFI.fd, -bios), 1 vCPU, 512 MiB, volatile variables; "
           "median [min..max] over rounds, ratio isv/QEMU per round"]
    hdr = f"{'what':<40} {'isv':<26} {'QEMU':<28} isv/QEMU"
    out += [hdr, "-" * len(hdr)]
    a, b = by.get(("fwshell", "isv"), {}), by.get(("fwshell", "qemu"), {})
    for label, field in (("VMM start to 'Press ESC' (ms)", "fw_press"),
                         ("VMM start to Shell>, ESC typed (ms)", "fw_shell")):
        va, vb, rs = paired(a, b, field)
        out.append(f"{label:<40} {spread(va, lambda x: f'{x:.0f}'):<26} "
                   f"{spread(vb, lambda x: f'{x:.0f}'):<28} {spread(rs, lambda x: f'{x:.3f}')}")
    return out


def summarize(host, cases, n, rounds, qemu):
    out, ok = [], True
    runs = {v: [] for v, _ in VARIANTS}  # complete runs, with their round
    failed = []
    for name, c in cases.items():
        m = re.fullmatch(r"([a-z-]+)@(\d+)", name)
        if not m or m.group(1) not in runs:
            continue
        v, r = m.groups()
        if complete(c):
            runs[v].append((int(r), c))
        else:
            failed.append(f"{name} (rc {c.get('rc', 'missing')})")

    out.append("isv MMIO exit-cost benchmark")
    out.append(f"  where: {host or 'unknown host'}; QEMU {qemu or '?'}")
    out.append(f"  guest: isv.test=bench, N={n} reads of virtio-mmio slot 0 DeviceID + N writes of 0 "
               "to its QueueSel per run, timed with the guest's generic timer")
    out.append(f"  runs:  {rounds} rounds of the {len(VARIANTS)} VMMs back to back (order rotated each round) "
               "after one warm-up run each, all in one nested boot")
    out.append("")
    hdr = f"{'VMM':<27} {'read ns/exit':<26} {'write ns/exit':<26} {'boot->1st byte ms':<24} {'peak RSS KiB':<20} runs"
    out.append("cost per exit: median [min..max] over rounds")
    out.append(hdr)
    out.append("-" * len(hdr))
    ns = lambda x: f"{x:.0f}"
    for v, label in VARIANTS:
        cs = [c for _, c in runs[v]]
        if not cs and v not in OPTIONAL:
            ok = False
        out.append(f"{label:<27} {spread([c['read'] for c in cs], ns):<26} "
                   f"{spread([c['write'] for c in cs], ns):<26} "
                   f"{spread([c['first'] for c in cs], lambda x: f'{x:.1f}'):<24} "
                   f"{spread([c['rss'] for c in cs], ns):<20} {len(cs)}")
    out.append("")

    by_round = {v: dict(runs[v]) for v in runs}

    def ratios(a, b, op):
        common = sorted(set(by_round[a]) & set(by_round[b]))
        return [value(by_round[a][r], op) / value(by_round[b][r], op) for r in common]

    rows = [("isv", "floor", "<=", 1.05), ("isv", "qemu", "<", 1.0),
            ("isv-nosext", "floor", None, None), ("isv-nosext", "qemu", None, None),
            ("qemu", "floor", None, None), ("isv-trace", "isv", None, None)]
    hdr = f"{'ratio':<28} {'read':<22} {'write':<22} {'all exits':<22} {'target':<8} verdict"
    out.append("ratios: median [min..max] of the per-round ratios")
    out.append(hdr)
    out.append("-" * len(hdr))
    r3 = lambda x: f"{x:.3f}"
    for a, b, cmp, target in rows:
        cells, verdict, missed, straddle = [], "", [], []
        for op in OPS:
            rs = ratios(a, b, op)
            cells.append(spread(rs, r3))
            if target is None or not rs:
                continue
            med = statistics.median(rs)
            good = (lambda x: x <= target) if cmp == "<=" else (lambda x: x < target)
            if not good(med):
                missed.append(op)
            if good(min(rs)) != good(max(rs)):
                straddle.append(op)
        if target is not None:
            if cells[2] == "-":
                verdict = "NO DATA"
            else:
                verdict = "PASS" if not missed else "MISS (" + ", ".join(missed) + ")"
                if straddle:
                    verdict += "; range crosses target: " + ", ".join(straddle)
        tgt = f"{cmp} {target:g}" if target is not None else "(info)"
        name = f"{SHORT[a]} / {SHORT[b]}"
        out.append(f"{name:<28} {cells[0]:<22} {cells[1]:<22} {cells[2]:<22} {tgt:<8} {verdict}")
    out.append("")

    first = {v: statistics.median([c["first"] for _, c in runs[v]]) for v in runs if runs[v]}
    rss = {v: statistics.median([c["rss"] for _, c in runs[v]]) for v in runs if runs[v]}
    if "isv" in first and "qemu" in first:
        out.append(f"boot to first PL011 byte (fork of the VMM -> first byte on its stdout, median): "
                   f"isv {first['isv']:.1f} ms, QEMU {first['qemu']:.1f} ms "
                   f"(isv/QEMU {first['isv'] / first['qemu']:.3f})")
        out.append(f"peak RSS (ru_maxrss of the VMM process, median): isv {rss['isv']:.0f} KiB, "
                   f"QEMU {rss['qemu']:.0f} KiB (isv/QEMU {rss['isv'] / rss['qemu']:.3f})")

    # Profile: what isv adds to a bare exit. --stats times each MMIO exit from
    # KVM_RUN's return through the bus and device, but not the sign-extension
    # check that follows a read; isv minus isv --sext-fix off measures that.
    out.append("")
    out.append("where isv's extra time goes:")
    diffs = [by_round["isv"][r]["read"] - by_round["isv-nosext"][r]["read"]
             for r in sorted(set(by_round["isv"]) & set(by_round["isv-nosext"]))]
    if diffs:
        out.append(f"  sign-extension check per read (an ioctl for the PC, made only when the value's "
                   f"top bit is set), isv - isv --sext-fix off, per round: {spread(diffs, ns)} ns")
    prof = cases.get("profile-isv")
    if prof and prof.get("rc") == 0:
        dev_re = re.compile(r"^isv: stats: +device (virtio-\S+@a000000) +reads (\d+), writes (\d+), ([0-9.]+) ms")
        for l in prof["lines"]:
            m = dev_re.match(l)
            if m and int(m.group(2)) + int(m.group(3)):
                per = float(m.group(4)) * 1e6 / (int(m.group(2)) + int(m.group(3)))
                out.append(f"  decode + bus + device per slot-0 access ({m.group(1)}, --stats): {per:.0f} ns")
        out.append("  one extra run with --stats (VMM time from KVM_RUN's return to the end of the bus "
                   "access; excludes the sign-extension check):")
        out += ["  " + l[len("isv: stats: "):] for l in prof["lines"] if l.startswith("isv: stats: ")]
    # --trace-mmio's cost: the same run with a line per exit written to a
    # file, as exit throughput traced / untraced, paired per round.
    tr = [(1 / r) for r in ratios("isv-trace", "isv", "all")]
    if tr:
        lines = [c["trace_lines"] for _, c in runs["isv-trace"] if "trace_lines" in c]
        out.append("  --trace-mmio to a file (tmpfs): MMIO exit throughput traced / untraced, per round: "
                   f"read {spread([1 / r for r in ratios('isv-trace', 'isv', 'read')], r3)}, "
                   f"write {spread([1 / r for r in ratios('isv-trace', 'isv', 'write')], r3)}, "
                   f"all {spread(tr, r3)}"
                   + (f"; {statistics.median(lines):.0f} trace lines per run" if lines else ""))
    out += linux_section(cases)
    out += firmware_section(cases)

    # SMP: aggregate exits per second with two vCPUs exiting at once, over one
    # vCPU alone in the same boot (no target yet: the figure is the point).
    smp = [c for name, c in sorted(cases.items()) if name.startswith("smp2@")
           and c.get("rc") == 0 and "smp1" in c and "smp2" in c]
    if smp:
        out.append("")
        out.append(f"2 vCPUs making MMIO exits concurrently (isv --cpus 2, isv.test=bench-smp, "
                   f"{len(smp)} runs):")
        out.append(f"  1 vCPU alone: {spread([c['smp1'] for c in smp], lambda v: f'{v:.0f}')} exits/s")
        out.append(f"  2 vCPUs at once: {spread([c['smp2'] for c in smp], lambda v: f'{v:.0f}')} exits/s")
        out.append(f"  aggregate ratio 2 vCPUs / 1 vCPU, per run: "
                   f"{spread([c['smp2'] / c['smp1'] for c in smp], lambda v: f'{v:.2f}')}")
    failed += [name for name, c in sorted(cases.items())
               if name.startswith("smp2@") and c not in smp]
    failed += [f"{name} (rc {c.get('rc', 'missing')})" for name, c in sorted(cases.items())
               if re.fullmatch(r"(lxboot|lxverbose|lxio|rss|fwshell)-(isv|qemu)@\d+", name) and c.get("rc") != 0]
    if failed:
        out.append("")
        out.append("runs that failed or did not finish: " + ", ".join(failed))
    if not ok:
        out.append("")
        out.append("bench: INCOMPLETE: some VMM has no complete run (see build/bench/host.log)")
    return "\n".join(out) + "\n", ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--qemu", default="")
    a = ap.parse_args()
    with open(a.log, errors="replace") as f:
        host, cases = parse(f)
    text, ok = summarize(host, cases, a.n, a.rounds, a.qemu)
    sys.stdout.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
