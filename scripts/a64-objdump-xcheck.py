#!/usr/bin/env python3
"""Hold the A64 load/store decoder (vmm/arm64/a64.c) against binutils.

Random words of the A64 "Loads and Stores" group (op0 = x1x0) go through
`objdump -D -b binary -m aarch64` and through build/host/a64-decode. Fails on:
  - a word binutils disassembles that our decoder calls unallocated;
  - a different mnemonic where both decode the word;
  - a word only our decoder knows, unless its mnemonic is listed below with
    the reason (extensions newer than binutils 2.40, and encodings the Arm ARM
    makes CONSTRAINED UNPREDICTABLE that binutils rejects outright).
Prints the counts and a final "N passed, N failed" line.
Usage: a64-objdump-xcheck.py A64_DECODE [OBJDUMP] [COUNT] [SEED]
"""
import collections, os, random, re, struct, subprocess, sys, tempfile

NEWER = "newer than binutils 2.40"
UNPRED = "CONSTRAINED UNPREDICTABLE operands; binutils rejects, the Arm ARM allows"
ONLY_OURS = {
    **{m: NEWER + " (FEAT_LSUI)" for m in (
        "ldtp", "sttp", "ldtnp", "sttnp", "ldtxr", "sttxr", "ldatxr", "stltxr", "cast", "caslt",
        "casalt", "casat", "casp", "caspt", "caspat", "casplt", "caspalt", "atomic-unpriv",
        "swpt", "swpat", "swplt", "swpalt")},
    "ldfatomic": NEWER + " (FEAT_LSFE)",
    "gcsstr": NEWER + " (FEAT_GCS)",
    "gcssttr": NEWER + " (FEAT_GCS)",
    "atomic128": NEWER + " (FEAT_LSE128)",
    **{m: NEWER + " (FEAT_THE)" for m in (
        "rcwcas", "rcwcasa", "rcwcasl", "rcwcasal", "rcwcasp", "rcwcaspa", "rcwcaspl", "rcwcaspal",
        "rcwscas", "rcwscasa", "rcwscasl", "rcwscasal", "rcwscasp", "rcwscaspa", "rcwscaspl",
        "rcwscaspal")},
    **{m: NEWER + " (FEAT_THE)" for s in ("clr", "set", "swp", "sclr", "sset", "sswp")
       for m in ("rcw" + s, "rcw" + s + "a", "rcw" + s + "l", "rcw" + s + "al")},
    **{m: NEWER + " (FEAT_LRCPC3)" for m in ("ldapur", "stlur", "ldiapp", "stilp", "ldapr", "stlr",
                                             "ldap1", "stl1")},
    **{m: UNPRED for m in ("ldar", "ldarb", "ldarh", "ldlar", "ldlarb", "ldlarh", "stlr", "stlrb",
                           "stlrh", "stllr", "stllrb", "stllrh", "ldpsw", "ldp", "stp", "ldxp",
                           "ldaxp", "ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrsw", "str", "strb",
                           "strh", "ldnp", "stnp", "ldaprb", "ldaprh")},
}
# FEAT_MOPS CPY*/SET*: overlapping registers are CONSTRAINED UNPREDICTABLE.
ONLY_OURS_PREFIX = {"cpy": UNPRED + " (MOPS register overlap)", "set": UNPRED + " (MOPS register overlap)"}


def only_ours_reason(mn):
    if mn in ONLY_OURS:
        return ONLY_OURS[mn]
    return next((r for p, r in ONLY_OURS_PREFIX.items() if mn.startswith(p)), None)


def same_mnemonic(ours, theirs):
    """LD<op> with a zero destination is printed by binutils as its ST<op> alias."""
    return ours == theirs or (ours.startswith("ld") and theirs == "st" + ours[2:])

def main():
    tool = sys.argv[1]
    objdump = sys.argv[2] if len(sys.argv) > 2 else "aarch64-linux-gnu-objdump"
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    words = [(rng.getrandbits(32) & ~0x02000000) | 0x08000000 for _ in range(count)]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "words.bin")
        with open(path, "wb") as f:
            f.write(b"".join(struct.pack("<I", w) for w in words))
        od = subprocess.run([objdump, "-D", "-b", "binary", "-m", "aarch64", path],
                            capture_output=True, text=True, check=True).stdout
    theirs = {}
    for line in od.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$", line)
        if m:
            theirs[int(m.group(1), 16) // 4] = m.group(3)
    ours = subprocess.run([tool], input="\n".join("%08x" % w for w in words),
                          capture_output=True, text=True, check=True).stdout.splitlines()
    if len(ours) != count or len(theirs) != count:
        print(f"a64-objdump-xcheck: {len(ours)} decoded, {len(theirs)} disassembled of {count}")
        print("0 passed, 1 failed")
        return 1
    counts, bad = collections.Counter(), collections.OrderedDict()
    for i, w in enumerate(words):
        t, o = theirs[i], ours[i].split("\t")[1]
        t_undef = "undefined" in t or t.startswith(".inst")
        o_undef = o.startswith(".inst")
        if t_undef and o_undef:
            counts["both unallocated"] += 1
        elif o_undef:
            bad.setdefault(("binutils decodes, we do not", t.split()[0]), (w, o, t))
        elif t_undef:
            mn = o.split()[0]
            why = only_ours_reason(mn)
            if why:
                counts[f"only ours: {why}"] += 1
            else:
                bad.setdefault(("only we decode, unlisted", mn), (w, o, t))
        elif same_mnemonic(o.split()[0], t.split()[0]):
            counts["same mnemonic"] += 1
        else:
            bad.setdefault(("different mnemonic", o.split()[0] + " vs " + t.split()[0]), (w, o, t))
    for k, v in counts.most_common():
        print(f"  {v:7d}  {k}")
    for (kind, what), (w, o, t) in bad.items():
        print(f"FAIL {kind}: {what}: 0x{w:08x} ours '{o}', binutils '{t}'")
    print(f"a64-objdump-xcheck: {count} words of the load/store group")
    print(f"{count if not bad else 0} passed, {len(bad)} failed")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
