#!/usr/bin/env python3
"""Writes the fuzz harnesses' seed corpora: small inputs that reach deep (a
driver bring-up with valid descriptor chains for each virtio device, PL011
programs, page tables that translate, valid Images and gzip streams, valid
command lines), in each harness's input format (see the harness sources).

Usage: make-corpus.py DIR   (writes DIR/<harness>/<name>; deterministic)
"""
import gzip
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
seeds = {}


def seed(harness, name, data):
    seeds.setdefault(harness, {})[name] = bytes(data)


# ---- virtio (virtio_harness.c opcodes) ----
def op(kind, arg=0):
    return bytes([kind | arg << 4])


def u16(v): return struct.pack("<H", v & 0xffff)
def u32(v): return struct.pack("<I", v & 0xffffffff)
def u64(v): return struct.pack("<Q", v & 0xffffffffffffffff)


F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
DESC, AVAIL, USED, DATA = 0x1000, 0x2000, 0x3000, 0x8000


def v_write(off, val, width=4):
    w = {1: 0, 2: 1, 4: 2, 8: 3}[width]
    return op(0, w) + u16(off) + val.to_bytes(width, "little")


def v_read(off, width=4):
    return op(1, {1: 0, 2: 1, 4: 2, 8: 3}[width]) + u16(off)


def v_ram(off, data):
    return op(2) + u16(off) + bytes([len(data) - 1]) + data


def v_init(drop=0): return op(4) + u32(drop)


def v_queue(q, num=16, live=True, base=0):
    return op(5, q | (8 if live else 0)) + u16(num) + u16(DESC + base) + u16(AVAIL + base) + u16(USED + base)


def v_desc(q, i, addr, length, flags, nxt=0, table=None):
    head = op(6, q | (8 if table is not None else 0)) + (u16(table) if table is not None else b"")
    return head + bytes([i]) + u32(addr) + u32(length) + u16(flags) + u16(nxt)


def v_avail(q, head, notify=True): return op(7, q | (0 if notify else 8)) + u16(head)


def v_extra(data): return op(8) + bytes([len(data)]) + data


ack = v_read(0x60) + v_write(0x64, 3)

# virtio-rng: one buffer, a chain of two, an indirect table, a reset mid-way.
seed("virtio_rng", "one-buffer", b"\0" + v_init() + v_queue(0) + v_desc(0, 0, DATA, 64, F_WRITE) +
     v_avail(0, 0) + ack)
seed("virtio_rng", "chain", b"\0" + v_init() + v_queue(0) + v_desc(0, 0, DATA, 16, F_WRITE | F_NEXT, 1) +
     v_desc(0, 1, DATA + 16, 16, F_WRITE) + v_avail(0, 0) + v_avail(0, 0) + ack)
seed("virtio_rng", "indirect", b"\0" + v_init() + v_queue(0) + v_desc(0, 0, 0x5000, 32, F_INDIRECT) +
     v_desc(0, 0, DATA, 8, F_WRITE | F_NEXT, 1, table=0x5000) +
     v_desc(0, 1, DATA + 8, 8, F_WRITE, table=0x5000) + v_avail(0, 0) + ack)
seed("virtio_rng", "reset-and-again", b"\0" + v_init() + v_queue(0) + v_desc(0, 0, DATA, 64, F_WRITE) +
     v_avail(0, 0) + v_write(0x70, 0) + v_init() + v_queue(0, 8) + v_avail(0, 0) + ack)
seed("virtio_rng", "loop", b"\0" + v_init() + v_queue(0) + v_desc(0, 0, DATA, 8, F_WRITE | F_NEXT, 0) +
     v_avail(0, 0) + v_read(0x70) + ack)

# virtio-blk: header (16 readable bytes), data, status byte.
def blk_req(typ, sector, data_len, data_flags, head=0):
    hdr = u32(typ) + u32(0) + u64(sector)
    s = v_ram(0x7000, hdr)
    s += v_desc(0, head, 0x7000, 16, F_NEXT, head + 1)
    if data_len:
        s += v_desc(0, head + 1, DATA, data_len, data_flags | F_NEXT, head + 2)
        s += v_desc(0, head + 2, 0x7800, 1, F_WRITE)
    else:
        s += v_desc(0, head + 1, 0x7800, 1, F_WRITE)
    return s + v_avail(0, head)


cfg = v_read(0x100) + v_read(0x104) + v_read(0x10c) + v_read(0x100, 8) + v_read(0x114, 1)
seed("virtio_blk", "read", b"\0" + v_init() + v_queue(0) + blk_req(0, 1, 1024, F_WRITE) + ack + cfg)
seed("virtio_blk", "write-read", b"\0" + v_init() + v_queue(0) + v_ram(DATA, b"\xa5" * 200) +
     blk_req(1, 3, 512, 0) + blk_req(0, 3, 512, F_WRITE) + ack)
seed("virtio_blk", "flush-getid", b"\0" + v_init() + v_queue(0) + blk_req(4, 0, 0, 0) +
     blk_req(8, 0, 20, F_WRITE) + ack)
seed("virtio_blk", "nofluish-write", b"\0" + v_init(1 << 9) + v_queue(0) + blk_req(1, 127, 512, 0) + ack)
seed("virtio_blk", "readonly-write", b"\1" + v_init() + v_queue(0) + blk_req(1, 0, 512, 0) + ack)
seed("virtio_blk", "past-end", b"\0" + v_init() + v_queue(0) + blk_req(0, 128, 512, F_WRITE) +
     blk_req(7, 0, 0, 0) + ack)
seed("virtio_blk", "indirect-read", b"\0" + v_init() + v_queue(0) + v_ram(0x7000, u32(0) + u32(0) + u64(2)) +
     v_desc(0, 0, 0x5000, 48, F_INDIRECT) + v_desc(0, 0, 0x7000, 16, F_NEXT, 1, table=0x5000) +
     v_desc(0, 1, DATA, 512, F_WRITE | F_NEXT, 2, table=0x5000) +
     v_desc(0, 2, 0x7800, 1, F_WRITE, table=0x5000) + v_avail(0, 0) + ack)

# virtio-console: receiveq 0, transmitq 1, emergency write.
con_up = b"\0" + v_init() + v_queue(0, live=False) + v_queue(1, base=0x400)
seed("virtio_console", "tx", con_up + v_ram(DATA, b"hello\n") + v_desc(1, 0, DATA, 6, 0) + v_avail(1, 0) + ack)
seed("virtio_console", "rx", con_up + v_desc(0, 0, DATA, 64, F_WRITE) + v_avail(0, 0) +
     v_extra(b"typed input") + v_desc(0, 1, DATA + 64, 4, F_WRITE) + v_avail(0, 1) + ack)
seed("virtio_console", "rx-eof", con_up + v_extra(b"abc") + v_desc(0, 0, DATA, 2, F_WRITE) +
     v_avail(0, 0) + op(8) + b"\xff" + v_avail(0, 0) + ack)
seed("virtio_console", "emerg", b"\0" + v_write(0x108, ord("!")) + v_read(0x108) + v_read(0x100, 2))
seed("virtio_console", "no-input", b"\1" + v_init() + v_queue(0, live=False) + v_queue(1, base=0x400) +
     v_desc(0, 0, DATA, 64, F_WRITE) + v_avail(0, 0) + ack)


# ---- PL011 (fuzz_pl011.c opcodes) ----
def p_write(off, val, width=4):
    return bytes([0 | {1: 0, 2: 1, 4: 2, 8: 3}[width] << 4]) + u16(off) + val.to_bytes(width, "little")


def p_read(off, width=4):
    return bytes([1 | {1: 0, 2: 1, 4: 2, 8: 3}[width] << 4]) + u16(off)


def p_rx(data): return bytes([2]) + bytes([len(data)]) + data


DR, RSR, FR, IBRD, FBRD, LCRH, CR, IFLS, IMSC, RIS, MIS, ICR = 0, 4, 0x18, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0x44
seed("pl011", "console-echo", b"\0" + p_write(IMSC, 0x50) + p_rx(b"hello") + p_read(MIS) + p_read(DR) +
     p_read(DR, 1) + p_read(FR) + bytes([3]) + p_read(RIS) + p_write(DR, 0x41) + p_write(ICR, 0x7ff))
seed("pl011", "reset-program", b"\1" + p_write(CR, 0) + p_write(IBRD, 26) + p_write(FBRD, 3) +
     p_write(LCRH, 0x70) + p_write(IFLS, 0x09) + p_write(IMSC, 0x7f0) + p_write(CR, 0x301) +
     p_write(DR, 0x30) + p_write(DR, 0x31, 1) + p_read(FR) + p_read(0xfe0) + p_read(0xffc, 1))
seed("pl011", "loopback", b"\1" + p_write(CR, 0x381) + p_write(LCRH, 0x70) + p_write(DR, 0x55) +
     p_write(LCRH, 0x71) + p_read(DR) + p_read(RSR) + p_write(RSR, 0) + p_rx(b"xy") + p_read(FR))
seed("pl011", "wide-odd", b"\0" + p_write(DR, 0x4142434445464748, 8) + p_read(CR, 8) + p_read(0x31) +
     p_write(0x2, 5, 2) + p_write(0x80, 1) + p_write(RIS, 1) + p_read(0xff8, 8) + p_rx(bytes(40)))
seed("pl011", "fen-off", b"\0" + p_write(LCRH, 0x60) + p_rx(b"ab") + p_read(FR) + p_write(LCRH, 0x70) +
     p_rx(b"c" * 33) + p_read(DR) + bytes([3]))


# ---- CFI flash (fuzz_cfi_flash.c opcodes; sector 0 erased, sector 1 data) ----
def u24(v): return struct.pack("<I", v & 0xffffff)[:3]
def f_w(off, val, width=4): return bytes([0 | {1: 0, 2: 1, 4: 2, 8: 3}[width] << 3]) + u24(off) + val.to_bytes(width, "little")
def f_r(off, width=4): return bytes([1 | {1: 0, 2: 1, 4: 2, 8: 3}[width] << 3]) + u24(off)
def f_c(off, c): return bytes([2]) + u24(off) + bytes([c])
def f_burst(off, n, v): return bytes([3]) + u24(off) + bytes([n]) + u32(v)


SEC = 0x40000
f_status = f_c(0, 0x70) + f_r(0)
# VirtNorFlashDxe's sequences: lock status, unlock, erase, buffered program, word program.
seed("cfi_flash", "edk2", b"\1" + f_c(SEC + 8, 0x90) + f_r(SEC + 8) + f_c(SEC, 0x60) + f_c(SEC, 0xd0) +
     f_status + f_c(SEC, 0xff) + f_c(SEC, 0x20) + f_c(SEC, 0xd0) + f_status + f_c(0, 0xff) +
     f_c(SEC + 0x80, 0xe8) + f_r(SEC + 0x80) + f_c(SEC + 0x80, 31) + f_burst(SEC + 0x80, 32, 0x12345678) +
     f_c(0, 0xd0) + f_status + f_c(0, 0x50) + f_c(0, 0xff) + f_r(SEC + 0x80, 8) +
     f_c(0x100, 0x40) + f_w(0x100, 0x0f0f0f0f) + f_status + f_c(0, 0x50) + f_c(0, 0xff) + f_r(0x100))
seed("cfi_flash", "query-id", b"\0" + f_c(0x55 * 4, 0x98) + f_r(0x40) + f_r(0x44, 8) + f_r(0x9c) + f_r(0xb0, 2) +
     f_c(0, 0x90) + f_r(0) + f_r(4) + f_r(8, 1) + f_c(0, 0xf0) + f_r(0x10, 8))
seed("cfi_flash", "misuse", b"\3" + f_c(SEC, 0xe8) + f_c(SEC, 32) + f_status + f_c(0, 0x50) +
     f_c(SEC, 0xe8) + f_c(SEC, 1) + f_w(SEC, 0) + f_w(SEC + 128, 0) + f_status +
     f_c(SEC - 4, 0xe8) + f_c(SEC - 4, 0) + f_w(SEC - 2, 0) + f_c(0, 0x20) + f_c(0, 0xff) +
     f_c(0, 0x60) + f_c(0, 0x42) + f_c(0, 0x00) + f_c(SEC, 0xe8) + f_c(SEC, 0) + f_w(SEC, 0) + f_c(SEC, 0x70) +
     bytes([5]) + f_c(0, 0xff) + bytes([4]) + f_r(SEC))
seed("cfi_flash", "widths", b"\1" + f_w(1, 0x70, 1) + f_r(0, 1) + f_r(0, 2) + f_r(0, 8) +
     f_w(8, 0x00ff00ff00700070, 8) + f_c(0, 0x40) + f_w(SEC + 8, 0x0070007012345678, 8) + f_r(SEC + 8, 8) +
     f_c(0, 0x10) + f_w(SEC + 3, 0x5a, 1) + f_c(0, 0xff) + f_r(SEC + 2, 2) + bytes([5 | 1 << 5]) +
     f_c(0, 0x70) + f_c(0, 0xff) + bytes([4]))


# ---- NISV: ESR, A64, emulator, stage-1 walk (fuzz_nisv.c layout) ----
RAMB = 0x40000000


def nisv_input(regs, ram, pstate=0x3c5, sctlr=0, tcr=0, ttbr0=0, ttbr1=0, mair=0, esr_iss=0,
               ipa=0, pc=RAMB + 0x100, esr=0x92000046):
    x = list(regs) + [0] * (31 - len(regs))
    hdr = b"".join(u64(v) for v in x) + u64(0x40008000) + u64(pc) + u64(pstate)
    hdr += u64(sctlr) + u64(tcr) + u64(ttbr0) + u64(ttbr1) + u64(mair) + u64(esr) + u64(esr_iss) + u64(ipa)
    return hdr + ram


def ram_with(word, extra=None):
    b = bytearray(0x4000)
    b[0x100:0x104] = u32(word)
    for off, data in (extra or {}).items():
        b[off:off + len(data)] = data
    return bytes(b)


TD = 0x0b000000  # the test device
seed("nisv", "ldp-testdev", nisv_input([TD + 0x100], esr_iss=0x0, ipa=TD + 0x100, ram=ram_with(0xa9402809)))
seed("nisv", "stp-pre", nisv_input([TD + 0x100, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2], esr_iss=0x40,
                                   ipa=TD + 0x110, ram=ram_with(0xa9812809)))
seed("nisv", "ldr-post-ram", nisv_input([RAMB + 0x200], esr_iss=0, ipa=RAMB + 0x200,
                                        ram=ram_with(0xf8408409)))
seed("nisv", "ldpsw", nisv_input([TD + 0x100], ipa=TD + 0x100, ram=ram_with(0x69402809)))
seed("nisv", "ldxr-refused", nisv_input([TD], ipa=TD, ram=ram_with(0xc85f7c09)))
# MMU on, 4K granule, T0SZ=25 (39-bit VA: start at level 1), tables at RAM+0x1000.
tcr = 25 | (0 << 14) | (1 << 23)  # TG0 4K, EPD1
l1 = RAMB + 0x1000
l2 = RAMB + 0x2000
l3 = RAMB + 0x3000
def tdesc(pa): return u64(pa | 3)
def page(pa, attr=0): return u64(pa | 3 | (1 << 10) | attr)
ram = {0x1000 + 8 * 1: tdesc(l2),  # VA 0x40000000 -> level-2 table
       0x2000 + 0: tdesc(l3),      # VA 0x40000000..0x401fffff -> level-3
       0x3000 + 0: page(RAMB),     # VA page 0 -> RAM page 0 (code)
       0x2000 + 8 * 88: u64(TD | 1 | (1 << 10) | (1 << 2)),  # 2M block at VA 0x4b000000 -> testdev, attr 1
       }
seed("nisv", "mmu-ldp", nisv_input([0x4b000100], sctlr=1, tcr=tcr, ttbr0=l1,
                                   mair=0xff | (0x00 << 8), ipa=TD + 0x100, ram=ram_with(0xa9402809, ram)))
seed("nisv", "mmu-el0-stp", nisv_input([0x4b000100], pstate=0, sctlr=1, tcr=tcr, ttbr0=l1,
                                       mair=0xff, esr_iss=0x40, ipa=TD + 0x100, ram=ram_with(0xa9002809, ram)))
seed("nisv", "mmu-ldtr", nisv_input([0x4b000100], sctlr=1, tcr=tcr, ttbr0=l1,
                                    mair=0xff, ipa=TD + 0x100, ram=ram_with(0xb8400809, ram)))


# ---- loader (fuzz_loader.c layout: flags, ram_mib, initrd_kib:u16, layout params, kernel) ----
def image(text_offset=0, image_size=0x10000, flags=0x2, body=b"\x00" * 64):
    h = bytearray(64)
    h[0:4] = u32(0x14000010)  # b #64
    h[8:16] = u64(text_offset)
    h[16:24] = u64(image_size)
    h[24:32] = u64(flags)
    h[0x38:0x3c] = u32(0x644d5241)
    return bytes(h) + body


def loader(kernel, flags=0, ram_mib=16, initrd_kib=0, lbase=RAMB, lsize=16 << 20, lird=0):
    return bytes([flags, ram_mib]) + u16(initrd_kib) + u64(lbase) + u64(lsize) + u64(lird) + kernel


seed("loader", "image", loader(image()))
seed("loader", "image-initrd", loader(image(), flags=1, initrd_kib=64, lird=1 << 20))
seed("loader", "image-old", loader(image(text_offset=0x1234, image_size=0)))
seed("loader", "image-be", loader(image(flags=1)))
seed("loader", "raw", loader(b"\x1f\x20\x03\xd5" * 32, flags=1, initrd_kib=4))
seed("loader", "gzip-image", loader(gzip.compress(image(), mtime=0)))
seed("loader", "gzip-raw", loader(gzip.compress(b"raw kernel" * 50, mtime=0), flags=1, initrd_kib=1))
seed("loader", "gzip-truncated", loader(gzip.compress(image(), mtime=0)[:40]))
seed("loader", "gzip-trailing", loader(gzip.compress(b"x" * 100, mtime=0) + b"junk"))
seed("loader", "image-huge", loader(image(text_offset=1 << 62, image_size=1 << 63)))

# ---- CLI (fuzz_cli.c: NUL-separated arguments) ----
def cli(*args): return b"\0".join(a.encode() for a in args)


seed("cli", "full", cli("--mem", "256M", "--cpus", "4", "--append", "console=ttyAMA0", "--initrd", "i.bin",
                        "--console", "null", "--device", "virtio-blk,file=d.img,readonly", "--device",
                        "virtio-rng", "--device", "virtio-console,file=o.txt", "--nisv", "emulate",
                        "--sext-fix", "off", "--dump-dtb", "x.dtb", "--verbose", "--stats", "Image"))
seed("cli", "equals", cli("--mem=1G", "--cpus=123", "--nisv=inject", "--console=file:in=a,out=b",
                          "--device=testdev", "--", "-Image"))
seed("cli", "help", cli("-h", "--version", "--kvm-info"))
seed("cli", "errors", cli("--mem", "15", "--cpus", "0", "Image", "Other"))
seed("cli", "socket", cli("--console", "socket:/tmp/s,server", "--device", "virtio-console", "--mem", "16g", "k"))
seed("cli", "missing-value", cli("Image", "--append"))
seed("cli", "firmware", cli("--bios", "QEMU_EFI.fd", "--uefi-vars", "vars.fd", "--nisv=audit", "--symbols",
                            "fw.elf", "--trace-mmio", "t.txt", "--device", "virtio-blk,file=esp.img"))
seed("cli", "firmware-conflicts", cli("--bios", "f.fd", "--initrd", "i", "Image", "--uefi-vars"))
# A finding (check-fuzz, in CI's bare Debian root): the harness
# required a kernel, but --bios alone is a complete command line.
seed("cli", "finding-bios-alone", cli("--mem", "256M", "--bios", "4ole=uim."))

for h, files in seeds.items():
    d = os.path.join(out, h)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
print("make-corpus: %s" % ", ".join("%s %d" % (h, len(f)) for h, f in sorted(seeds.items())))
