/*
 * PL011 model: registers, widths, FIFOs, every interrupt condition, driven the
 * way the bus drives it (ops->read/write under dev->lock). Reception is fed
 * through pl011_receive/pl011_rx_idle for determinism; test_pl011_io.c covers
 * the same paths through real backends and threads.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdatomic.h>
#include <string.h>

#include <libfdt.h>

#include "../../devices/chardev.h"
#include "../../devices/pl011.h"
#include "../../devices/pl011_regs.h"
#include "fdt_node.h"
#include "serial_test_util.h"

#define BASE 0x9000000ull
#define SPI 1

static atomic_bool line;
static atomic_int irq_calls;
static atomic_int irq_bad_spi;

static void fake_set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    if (spi != SPI)
        atomic_fetch_add(&irq_bad_spi, 1);
    atomic_store(&line, level);
    atomic_fetch_add(&irq_calls, 1);
}

static struct device_host host = {.set_irq = fake_set_irq};
static struct device *dev;

static uint64_t rdw(uint64_t off, unsigned len)
{
    pthread_mutex_lock(&dev->lock);
    uint64_t v = dev->ops->read(dev, off, len);
    pthread_mutex_unlock(&dev->lock);
    return v;
}

static void wrw(uint64_t off, unsigned len, uint64_t v)
{
    pthread_mutex_lock(&dev->lock);
    dev->ops->write(dev, off, len, v);
    pthread_mutex_unlock(&dev->lock);
}

static uint32_t rd(uint32_t off) { return (uint32_t)rdw(off, 4); }
static void wr(uint32_t off, uint32_t v) { wrw(off, 4, v); }

static size_t rx(const char *s) { return pl011_receive(dev, (const uint8_t *)s, strlen(s)); }

static size_t rx_n(size_t n)
{
    uint8_t buf[64];
    cr_assert(n <= sizeof buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)('a' + i % 26);
    return pl011_receive(dev, buf, n);
}

static struct pl011_stats stats(void)
{
    struct pl011_stats st;
    pl011_get_stats(dev, &st);
    return st;
}

static void make(struct chardev *cd, enum pl011_boot boot)
{
    cr_redirect_stderr(); /* trace lines: asserted where they matter */
    atomic_store(&line, false);
    atomic_store(&irq_calls, 0);
    atomic_store(&irq_bad_spi, 0);
    dev = pl011_create(BASE, SPI, &host, cd);
    cr_assert_not_null(dev);
    pl011_set_boot(dev, boot);
}

static void setup_reset(void) { make(NULL, PL011_BOOT_RESET); }
static void setup_console(void) { make(NULL, PL011_BOOT_CONSOLE); }

static void teardown(void)
{
    if (dev)
        dev->ops->destroy(dev);
    dev = NULL;
    cr_expect_eq(atomic_load(&irq_bad_spi), 0, "set_irq called for a foreign SPI");
}

#define ENABLED (PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE)
#define FIFO8 (PL011_LCRH_FEN | PL011_LCRH_WLEN_8)

/* ---- registers ---- */

TestSuite(pl011_regs, .init = setup_reset, .fini = teardown);

Test(pl011_regs, trm_reset_values)
{
    cr_expect_eq(rd(PL011_DR), 0);
    cr_expect_eq(rd(PL011_RSR), 0);
    cr_expect_eq(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE | PL011_FR_CTS | PL011_FR_DSR |
                                   PL011_FR_DCD);
    cr_expect_eq(rd(PL011_ILPR), 0);
    cr_expect_eq(rd(PL011_IBRD), 0);
    cr_expect_eq(rd(PL011_FBRD), 0);
    cr_expect_eq(rd(PL011_LCR_H), 0);
    cr_expect_eq(rd(PL011_CR), 0x300);
    cr_expect_eq(rd(PL011_IFLS), 0x12);
    cr_expect_eq(rd(PL011_IMSC), 0);
    cr_expect_eq(rd(PL011_RIS), 0);
    cr_expect_eq(rd(PL011_MIS), 0);
    cr_expect_eq(rd(PL011_ICR), 0);
    cr_expect_eq(rd(PL011_DMACR), 0);
    cr_expect_eq(stats().divisor, 0);
    cr_expect_eq(stats().baud, 0);
    cr_expect_not(atomic_load(&line));
}

Test(pl011_regs, console_boot_state)
{
    pl011_set_boot(dev, PL011_BOOT_CONSOLE);
    cr_expect_eq(rd(PL011_CR), ENABLED);
    cr_expect_eq(rd(PL011_LCR_H), FIFO8);
    cr_expect_eq(rd(PL011_IBRD), 13);
    cr_expect_eq(rd(PL011_FBRD), 1);
    cr_expect_eq(stats().divisor, 13 * 64 + 1);
    cr_expect_eq(stats().baud, 24000000ull * 4 / (13 * 64 + 1)); /* ~115200 */
    cr_expect_eq(rd(PL011_IMSC), 0);
    cr_expect_eq(rd(PL011_IFLS), 0x12);
}

Test(pl011_regs, id_registers_all_widths)
{
    static const uint8_t id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    uint32_t pid = 0, cid = 0;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t off = PL011_PERIPHID0 + 4 * i;
        cr_expect_eq(rd(off), id[i], "id %u", i);
        cr_expect_eq(rdw(off, 2), id[i]);
        cr_expect_eq(rdw(off, 1), id[i]);
        if (i < 4)
            pid |= (uint32_t)id[i] << (8 * i);
        else
            cid |= (uint32_t)rd(off) << (8 * (i - 4));
        wr(off, 0x5a);
        cr_expect_eq(rd(off), id[i], "id %u writable", i);
    }
    cr_expect_eq(pid & 0x000fffff, 0x00041011, "amba-pl011 match");
    cr_expect_eq((pid >> 20) & 0xf, 3, "revision 3: Linux uses 32-entry FIFOs");
    cr_expect_eq(cid, 0xb105f00d);
    cr_expect_eq(stats().readonly_writes, 8);
}

static bool is_register(uint32_t off)
{
    static const uint32_t regs[] = {PL011_DR,   PL011_RSR,  PL011_FR,  PL011_ILPR, PL011_IBRD,
                                    PL011_FBRD, PL011_LCR_H, PL011_CR, PL011_IFLS, PL011_IMSC,
                                    PL011_RIS,  PL011_MIS,  PL011_ICR, PL011_DMACR};
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        if (off == regs[i])
            return true;
    return off >= PL011_PERIPHID0;
}

static void snapshot(uint32_t *s)
{
    static const uint32_t offs[] = {PL011_RSR,  PL011_FR,   PL011_ILPR, PL011_IBRD,
                                    PL011_FBRD, PL011_LCR_H, PL011_CR,  PL011_IFLS,
                                    PL011_IMSC, PL011_RIS,  PL011_MIS,  PL011_DMACR};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        s[i] = rd(offs[i]);
}

Test(pl011_regs, reserved_offsets_read_zero_ignore_and_count_writes)
{
    wr(PL011_IMSC, 0x7ff);
    wr(PL011_IBRD, 7);
    uint32_t before[12], after[12];
    snapshot(before);
    uint64_t n = 0;
    for (uint32_t off = 0; off < PL011_SIZE; off += 4) {
        if (is_register(off))
            continue;
        cr_expect_eq(rd(off), 0, "offset 0x%x", off);
        wr(off, 0xffffffff);
        cr_expect_eq(rd(off), 0, "offset 0x%x after write", off);
        n++;
    }
    snapshot(after);
    cr_expect_arr_eq(before, after, sizeof before);
    cr_expect_eq(n, 1024 - 14 - 8);
    cr_expect_eq(stats().reserved_writes, n);
    cr_expect_eq(stats().readonly_writes, 0);
}

Test(pl011_regs, read_only_registers_ignore_writes)
{
    uint32_t fr = rd(PL011_FR);
    wr(PL011_FR, 0);
    wr(PL011_RIS, 0x7ff);
    wr(PL011_MIS, 0x7ff);
    cr_expect_eq(rd(PL011_FR), fr);
    cr_expect_eq(rd(PL011_RIS), 0);
    cr_expect_eq(rd(PL011_MIS), 0);
    cr_expect_eq(stats().readonly_writes, 3);
    cr_expect_eq(stats().reserved_writes, 0);
}

Test(pl011_regs, writable_field_masks)
{
    wr(PL011_ILPR, 0xffffffff);
    wr(PL011_IBRD, 0xffffffff);
    wr(PL011_FBRD, 0xffffffff);
    wr(PL011_IFLS, 0xffffffff);
    wr(PL011_IMSC, 0xffffffff);
    wr(PL011_DMACR, 0xffffffff);
    wr(PL011_LCR_H, 0xffffff7f); /* all but SPS... */
    wr(PL011_LCR_H, 0xffffffff); /* ...then all: no BRK edge with LBE off */
    wr(PL011_CR, 0xffffffff);
    cr_expect_eq(rd(PL011_ILPR), 0xff);
    cr_expect_eq(rd(PL011_IBRD), 0xffff);
    cr_expect_eq(rd(PL011_FBRD), 0x3f);
    cr_expect_eq(rd(PL011_IFLS), 0x3f);
    cr_expect_eq(rd(PL011_IMSC), 0x7ff);
    cr_expect_eq(rd(PL011_DMACR), 0x7);
    cr_expect_eq(rd(PL011_LCR_H), 0xff);
    cr_expect_eq(rd(PL011_CR), 0xff87, "CR bits 6:3 are reserved");
}

Test(pl011_regs, baud_divisor_latched_by_lcr_h)
{
    wr(PL011_FBRD, 3);
    wr(PL011_IBRD, 26);
    cr_expect_eq(rd(PL011_IBRD), 26, "IBRD reads back at once");
    cr_expect_eq(stats().divisor, 0, "but takes effect only with LCR_H");
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(stats().divisor, 26 * 64 + 3);
    cr_expect_eq(stats().baud, 96000000u / (26 * 64 + 3));
    wr(PL011_IBRD, 1);
    wr(PL011_FBRD, 0);
    cr_expect_eq(stats().divisor, 26 * 64 + 3);
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(stats().divisor, 64);
    cr_expect_eq(stats().baud, 1500000);
    wr(PL011_IBRD, 0);
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(stats().baud, 0, "IBRD 0 is invalid");
}

Test(pl011_regs, icr_clears_only_written_bits_and_mis_is_ris_and_imsc)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8); /* FEN=0: one character raises RX */
    cr_expect_eq(rx("x"), 1);
    pl011_rx_idle(dev);
    cr_expect_eq(rd(PL011_RIS) & (PL011_INT_RX | PL011_INT_RT), PL011_INT_RX | PL011_INT_RT);
    cr_expect_eq(rd(PL011_MIS), 0);
    wr(PL011_IMSC, PL011_INT_RT);
    cr_expect_eq(rd(PL011_MIS), PL011_INT_RT);
    wr(PL011_ICR, PL011_INT_RT | PL011_INT_TX);
    cr_expect_eq(rd(PL011_RIS) & (PL011_INT_RX | PL011_INT_RT), PL011_INT_RX);
    cr_expect_eq(rd(PL011_MIS), 0);
    wr(PL011_ICR, 0xffff);
    cr_expect_eq(rd(PL011_RIS), 0);
}

Test(pl011_regs, dmacr_stored_without_dma)
{
    wr(PL011_DMACR, PL011_DMACR_TXDMAE | PL011_DMACR_RXDMAE);
    cr_expect_eq(rd(PL011_DMACR), 3);
    wr(PL011_CR, ENABLED);
    wr(PL011_DR, 'q');
    cr_expect_eq(stats().tx_bytes, 1, "PIO still works with DMA bits set");
}

/* ---- access widths ---- */

TestSuite(pl011_width, .init = setup_console, .fini = teardown);

Test(pl011_width, narrow_reads_return_low_bytes)
{
    cr_expect_eq(rdw(PL011_CR, 4), 0x301);
    cr_expect_eq(rdw(PL011_CR, 2), 0x301);
    cr_expect_eq(rdw(PL011_CR, 1), 0x01);
    uint32_t fr = rd(PL011_FR);
    cr_expect_eq(rdw(PL011_FR, 2), fr);
    cr_expect_eq(rdw(PL011_FR, 1), fr & 0xff);
    cr_expect_eq(stats().odd_accesses, 0);
}

Test(pl011_width, narrow_writes_are_zero_extended)
{
    wrw(PL011_IBRD, 2, 0x1234);
    cr_expect_eq(rd(PL011_IBRD), 0x1234);
    wrw(PL011_IBRD, 1, 0x56);
    cr_expect_eq(rd(PL011_IBRD), 0x56);
    wrw(PL011_CR, 1, 0x01);
    cr_expect_eq(rd(PL011_CR), 0x01, "an APB write drives the whole register");
    wrw(PL011_CR, 2, 0x301);
    cr_expect_eq(rd(PL011_CR), 0x301);
    cr_expect_eq(stats().odd_accesses, 0);
}

Test(pl011_width, byte_and_halfword_data_paths)
{
    wrw(PL011_DR, 1, 'a');  /* earlycon: writeb */
    wrw(PL011_DR, 2, 'b');  /* amba-pl011: writew */
    wrw(PL011_DR, 4, 0x163); /* bits above the byte are not data */
    cr_expect_eq(stats().tx_bytes, 3);
    cr_expect_eq(rx("xyz"), 3);
    cr_expect_eq(rdw(PL011_DR, 1), 'x');
    cr_expect_eq(rdw(PL011_DR, 2), 'y');
    cr_expect_eq(rdw(PL011_DR, 4), 'z');
}

/* Two adjacent registers in one 64-bit access, as QEMU's memory core splits it:
 * what a struct copy of a register block compiles to. */
Test(pl011_width, doubleword_is_two_words_and_is_counted)
{
    cr_expect_eq(rdw(PL011_IBRD, 8), 13 | 1ull << 32, "IBRD, then FBRD in the high word");
    wrw(PL011_IBRD, 8, 0x0000002a00000022ull);
    cr_expect_eq(rd(PL011_IBRD), 0x22);
    cr_expect_eq(rd(PL011_FBRD), 0x2a);
    cr_expect_eq(rdw(0xfe0, 8), 0x11 | 0x10ull << 32, "PeriphID0 and PeriphID1");
    cr_expect_eq(rdw(0xff8, 8), 0x05 | 0xb1ull << 32, "PCellID2 and PCellID3: the window's end");
    cr_expect_eq(stats().odd_accesses, 4);
}

Test(pl011_width, unaligned_reads_zero_ignore_writes_no_side_effects)
{
    cr_expect_eq(rx("Q"), 1);
    cr_expect_eq(rdw(PL011_DR + 1, 1), 0);
    cr_expect_eq(rdw(PL011_DR + 2, 2), 0);
    cr_expect_eq(rd(PL011_FR) & PL011_FR_RXFE, 0, "unaligned read did not pop");
    wrw(PL011_CR + 2, 2, 0);
    wrw(PL011_CR + 1, 1, 0);
    wrw(PL011_DR + 3, 1, 'x');
    cr_expect_eq(rd(PL011_CR), 0x301);
    cr_expect_eq(stats().tx_bytes, 0);
    cr_expect_eq(rdw(PL011_FR + 2, 4), 0);
    cr_expect_eq(rdw(PL011_CR, 3), 0, "a width the bus never sends");
    cr_expect_eq(rdw(PL011_SIZE, 4), 0, "outside the window");
    cr_expect_eq(stats().odd_accesses, 8);
    cr_expect_eq(rd(PL011_DR), 'Q');
}

static char *stderr_text(void)
{
    static char buf[4096];
    fflush(stderr);
    size_t n = fread(buf, 1, sizeof buf - 1, cr_get_redirected_stderr());
    buf[n] = '\0';
    return buf;
}

Test(pl011_width, odd_accesses_are_traced_then_only_counted)
{
    for (int i = 0; i < 20; i++)
        wrw(PL011_CR + 1, 1, 0);
    rdw(PL011_FR, 8);
    cr_expect_eq(stats().odd_accesses, 21);
    char *t = stderr_text();
    cr_expect_not_null(strstr(t, "pl011@9000000: 1-byte write at offset 0x31 is not a register "
                                 "access: ignored\n"), "%s", t);
    cr_expect_not_null(strstr(t, "(further ones are only counted)\n"), "%s", t);
    cr_expect_null(strstr(t, "8-byte"), "traced past the limit");
    int lines = 0;
    for (char *p = t; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 8, "a misbehaving guest cannot flood the log");
}

/* ---- transmit ---- */

TestSuite(pl011_tx, .init = setup_reset, .fini = teardown);

Test(pl011_tx, disabled_transmitter_holds_bytes_then_sends)
{
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_DR, 'a');
    wr(PL011_DR, 'b');
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_BUSY | PL011_FR_TXFE), PL011_FR_BUSY);
    cr_expect_eq(stats().tx_bytes, 0);
    wr(PL011_CR, PL011_CR_UARTEN | PL011_CR_RXE); /* TXE off */
    cr_expect_eq(stats().tx_bytes, 0);
    wr(PL011_CR, PL011_CR_TXE | PL011_CR_RXE); /* UARTEN off */
    cr_expect_eq(stats().tx_bytes, 0);
    wr(PL011_CR, ENABLED);
    cr_expect_eq(stats().tx_bytes, 2);
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_BUSY | PL011_FR_TXFE | PL011_FR_TXFF), PL011_FR_TXFE);
}

Test(pl011_tx, full_fifo_sets_txff_and_drops_counted)
{
    wr(PL011_LCR_H, FIFO8);
    for (int i = 0; i < PL011_FIFO_DEPTH; i++) {
        cr_expect_eq(rd(PL011_FR) & PL011_FR_TXFF, 0, "after %d", i);
        wr(PL011_DR, 'a');
    }
    cr_expect_neq(rd(PL011_FR) & PL011_FR_TXFF, 0);
    wr(PL011_DR, 'X');
    cr_expect_eq(stats().tx_dropped, 1);
    wr(PL011_CR, ENABLED);
    cr_expect_eq(stats().tx_bytes, PL011_FIFO_DEPTH);

    wr(PL011_CR, 0x300);
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8); /* holding register: one deep */
    wr(PL011_DR, 'a');
    cr_expect_neq(rd(PL011_FR) & PL011_FR_TXFF, 0);
    wr(PL011_DR, 'b');
    cr_expect_eq(stats().tx_dropped, 2);
}

Test(pl011_tx, interrupt_needs_a_transition_fen0)
{
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    wr(PL011_CR, ENABLED);
    wr(PL011_IMSC, PL011_INT_TX);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0, "unmasking alone does not raise TX");
    cr_expect_not(atomic_load(&line));
    wr(PL011_DR, 'a'); /* written, then it leaves the holding register */
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_TX, 0);
    cr_expect(atomic_load(&line));
    wr(PL011_ICR, PL011_INT_TX);
    cr_expect_not(atomic_load(&line));
    /* Disabled: the write fills the holding register (clearing TX); it raises
     * TX only when enabling lets the byte go. */
    wr(PL011_CR, 0x300);
    wr(PL011_DR, 'b');
    wr(PL011_ICR, PL011_INT_TX);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0);
    wr(PL011_CR, ENABLED);
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_TX, 0);
    cr_expect(atomic_load(&line));
}

Test(pl011_tx, interrupt_on_draining_through_every_level)
{
    static const unsigned level[5] = {4, 8, 16, 24, 28}; /* 1/8 .. 7/8 of 32 */
    for (unsigned sel = 0; sel < 8; sel++) {
        unsigned lv = sel < 5 ? level[sel] : 16; /* reserved: like 1/2 */
        wr(PL011_CR, 0x300);
        wr(PL011_LCR_H, FIFO8);
        wr(PL011_IFLS, sel);
        wr(PL011_IMSC, PL011_INT_TX);
        wr(PL011_ICR, PL011_INT_TX);
        for (unsigned i = 0; i < lv; i++)
            wr(PL011_DR, 'x');
        wr(PL011_CR, ENABLED); /* drains from the level: no transition through it */
        cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0, "sel %u: %u bytes", sel, lv);
        wr(PL011_CR, 0x300);
        for (unsigned i = 0; i < lv + 1; i++)
            wr(PL011_DR, 'x');
        cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0);
        wr(PL011_CR, ENABLED);
        cr_expect_neq(rd(PL011_RIS) & PL011_INT_TX, 0, "sel %u: %u bytes", sel, lv + 1);
        cr_expect(atomic_load(&line));
        /* Filling above the level clears it again. */
        wr(PL011_CR, 0x300);
        for (unsigned i = 0; i < lv; i++)
            wr(PL011_DR, 'x');
        cr_expect_neq(rd(PL011_RIS) & PL011_INT_TX, 0, "at the level: still set");
        wr(PL011_DR, 'x');
        cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0, "sel %u: above the level", sel);
        cr_expect_not(atomic_load(&line));
        wr(PL011_CR, ENABLED);
    }
}

Test(pl011_tx, single_writes_below_level_do_not_raise_tx)
{
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_CR, ENABLED);
    wr(PL011_IMSC, PL011_INT_TX);
    for (int i = 0; i < 100; i++)
        wr(PL011_DR, 'x');
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_TX, 0);
    cr_expect_eq(stats().tx_bytes, 100);
}

Test(pl011_tx, cts_flow_control_in_loopback)
{
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_CR, ENABLED | PL011_CR_LBE | PL011_CR_CTSEN); /* RTS off: CTS off */
    wr(PL011_DR, 'a');
    cr_expect_neq(rd(PL011_FR) & PL011_FR_BUSY, 0);
    cr_expect_eq(stats().tx_bytes, 0);
    wr(PL011_CR, ENABLED | PL011_CR_LBE | PL011_CR_CTSEN | PL011_CR_RTS);
    cr_expect_eq(stats().tx_bytes, 1);
    cr_expect_eq(rd(PL011_DR), 'a', "looped back");
}

Test(pl011_tx, reset_sends_pending_bytes_first)
{
    wr(PL011_DR, 'a');
    cr_expect_eq(stats().tx_bytes, 0);
    dev->ops->reset(dev);
    cr_expect_eq(stats().tx_bytes, 1);
    cr_expect_eq(stats().tx_dropped, 0);
    cr_expect_eq(rd(PL011_FR) & PL011_FR_TXFE, PL011_FR_TXFE);
}

/* ---- receive ---- */

TestSuite(pl011_rx, .init = setup_reset, .fini = teardown);

Test(pl011_rx, trigger_levels_fen1)
{
    static const unsigned trig[8] = {4, 8, 16, 24, 28, 16, 16, 16};
    wr(PL011_CR, ENABLED);
    wr(PL011_IMSC, PL011_INT_RX);
    for (unsigned sel = 0; sel < 8; sel++) {
        wr(PL011_LCR_H, FIFO8);
        wr(PL011_IFLS, sel << 3);
        for (unsigned i = 0; i + 1 < trig[sel]; i++)
            cr_assert_eq(rx_n(1), 1);
        cr_expect_eq(rd(PL011_RIS) & PL011_INT_RX, 0, "sel %u below trigger", sel);
        cr_expect_not(atomic_load(&line));
        cr_assert_eq(rx_n(1), 1);
        cr_expect_neq(rd(PL011_RIS) & PL011_INT_RX, 0, "sel %u at trigger %u", sel, trig[sel]);
        cr_expect(atomic_load(&line));
        rd(PL011_DR); /* one below the trigger: clears itself */
        cr_expect_eq(rd(PL011_RIS) & PL011_INT_RX, 0, "sel %u", sel);
        cr_expect_not(atomic_load(&line));
        while (!(rd(PL011_FR) & PL011_FR_RXFE))
            rd(PL011_DR);
    }
}

Test(pl011_rx, holding_register_fen0)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    wr(PL011_IMSC, PL011_INT_RX);
    cr_expect_eq(rx("ab"), 1, "one character fits");
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_RXFF | PL011_FR_RXFE), PL011_FR_RXFF);
    cr_expect(atomic_load(&line));
    cr_expect_eq(rd(PL011_DR), 'a');
    cr_expect_not(atomic_load(&line));
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_RXFF | PL011_FR_RXFE), PL011_FR_RXFE);
    cr_expect_eq(rx("b"), 1);
    cr_expect_eq(rd(PL011_DR), 'b');
}

Test(pl011_rx, full_fifo_refuses_the_rest)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(rx_n(40), PL011_FIFO_DEPTH);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFF, 0);
    cr_expect_eq(rx_n(1), 0);
    cr_expect_eq(stats().rx_bytes, PL011_FIFO_DEPTH);
    cr_expect_eq(stats().rx_overruns, 0, "the backend is flow-controlled, not overrun");
    for (int i = 0; i < PL011_FIFO_DEPTH; i++)
        cr_expect_eq(rd(PL011_DR), (uint32_t)('a' + i % 26), "entry %d", i);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFE, 0);
}

Test(pl011_rx, receiver_gated_by_cr)
{
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_CR, PL011_CR_TXE | PL011_CR_RXE);
    cr_expect_eq(rx("a"), 0, "UARTEN off");
    wr(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE);
    cr_expect_eq(rx("a"), 0, "RXE off");
    wr(PL011_CR, ENABLED | PL011_CR_LBE);
    cr_expect_eq(rx("a"), 0, "loopback: the line is our own transmitter");
    wr(PL011_CR, ENABLED);
    cr_expect_eq(rx("a"), 1);
}

Test(pl011_rx, receive_timeout)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_IMSC, PL011_INT_RT);
    pl011_rx_idle(dev);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_RT, 0, "empty FIFO: no timeout");
    cr_expect_eq(rx("abc"), 3);
    cr_expect_eq(rd(PL011_RIS) & (PL011_INT_RT | PL011_INT_RX), 0);
    pl011_rx_idle(dev);
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_RT, 0);
    cr_expect(atomic_load(&line));
    rd(PL011_DR);
    rd(PL011_DR);
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_RT, 0, "still data: RT stays");
    rd(PL011_DR);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_RT, 0, "empty: RT clears itself");
    cr_expect_not(atomic_load(&line));
    cr_expect_eq(rx("d"), 1);
    pl011_rx_idle(dev);
    wr(PL011_ICR, PL011_INT_RT);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_RT, 0, "ICR clears RT too");
}

Test(pl011_rx, rx_fires_on_reaching_the_trigger_only)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, FIFO8); /* trigger 16 */
    cr_expect_eq(rx_n(16), 16);
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_RX, 0);
    wr(PL011_ICR, PL011_INT_RX);
    cr_expect_eq(rx_n(4), 4);
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_RX, 0, "no new transition through the trigger");
    for (int i = 0; i < 5; i++)
        rd(PL011_DR); /* 15 left */
    cr_expect_eq(rx_n(1), 1);
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_RX, 0, "reached again");
}

Test(pl011_rx, empty_dr_read_is_zero_and_harmless)
{
    wr(PL011_CR, ENABLED);
    cr_expect_eq(rd(PL011_DR), 0);
    cr_expect_eq(rd(PL011_RSR), 0);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFE, 0);
}

Test(pl011_rx, word_length_masks_both_directions)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, PL011_LCRH_FEN | PL011_LCRH_WLEN_7);
    cr_expect_eq(pl011_receive(dev, (const uint8_t *)"\xc1", 1), 1);
    cr_expect_eq(rd(PL011_DR), 0x41);
    wr(PL011_LCR_H, PL011_LCRH_FEN | PL011_LCRH_WLEN_5);
    cr_expect_eq(pl011_receive(dev, (const uint8_t *)"\xff", 1), 1);
    cr_expect_eq(rd(PL011_DR), 0x1f);
    wr(PL011_CR, ENABLED | PL011_CR_LBE);
    wr(PL011_LCR_H, PL011_LCRH_FEN | PL011_LCRH_WLEN_6);
    wr(PL011_DR, 0xff);
    cr_expect_eq(rd(PL011_DR), 0x3f, "transmitted as 6 bits");
}

/* The sequence amba-pl011 uses at startup and in its interrupt handler. */
Test(pl011_rx, linux_startup_and_handler)
{
    pl011_set_boot(dev, PL011_BOOT_CONSOLE);
    uint32_t im = PL011_INT_RT | PL011_INT_RX;
    wr(PL011_IMSC, 0);
    wr(PL011_ICR, 0xffff);
    wr(PL011_ICR, PL011_INT_OE | PL011_INT_BE | PL011_INT_PE | PL011_INT_FE | im);
    wr(PL011_IFLS, 0x12);
    wr(PL011_CR, ENABLED);
    wr(PL011_ICR, im);
    for (int i = 0; i < 2 * PL011_FIFO_DEPTH && !(rd(PL011_FR) & PL011_FR_RXFE); i++)
        rd(PL011_DR);
    wr(PL011_IMSC, im);
    cr_expect_not(atomic_load(&line));

    cr_expect_eq(rx("ls\r"), 3); /* typed: below the trigger */
    cr_expect_not(atomic_load(&line));
    pl011_rx_idle(dev);
    cr_expect(atomic_load(&line), "RT delivers characters below the trigger");
    char got[8] = {0};
    int n = 0, passes = 0;
    uint32_t status;
    while ((status = rd(PL011_RIS) & im) && passes++ < 256) {
        wr(PL011_ICR, status & ~(uint32_t)(PL011_INT_TX | PL011_INT_RT | PL011_INT_RX));
        while (!(rd(PL011_FR) & PL011_FR_RXFE) && n < 7)
            got[n++] = (char)rd(PL011_DR);
    }
    cr_expect_str_eq(got, "ls\r");
    cr_expect_not(atomic_load(&line), "RX/RT cleared themselves by draining");
}

/* ---- receive errors ---- */

TestSuite(pl011_errors, .init = setup_reset, .fini = teardown);

Test(pl011_errors, loopback_overrun)
{
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8); /* FEN=0 */
    wr(PL011_CR, ENABLED | PL011_CR_LBE);
    wr(PL011_IMSC, PL011_INT_OE);
    wr(PL011_DR, 'A');
    cr_expect_eq(rd(PL011_RIS) & PL011_INT_OE, 0);
    wr(PL011_DR, 'B'); /* holding register full: B is lost */
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_OE, 0);
    cr_expect(atomic_load(&line));
    cr_expect_eq(rd(PL011_RSR), PL011_RSR_OE);
    cr_expect_eq(stats().rx_overruns, 1);
    cr_expect_eq(rd(PL011_DR), 'A', "the FIFO keeps its contents");
    wr(PL011_DR, 'C');
    cr_expect_eq(rd(PL011_DR), 'C' | PL011_DR_OE, "first character after the loss");
    wr(PL011_DR, 'D');
    cr_expect_eq(rd(PL011_DR), 'D');
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_OE, 0, "errors clear only through ICR");
    wr(PL011_ICR, PL011_INT_OE);
    cr_expect_not(atomic_load(&line));
    cr_expect_eq(rd(PL011_RSR), PL011_RSR_OE);
    wr(PL011_RSR, 0); /* ECR */
    cr_expect_eq(rd(PL011_RSR), 0);
}

Test(pl011_errors, loopback_break)
{
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_CR, ENABLED | PL011_CR_LBE);
    wr(PL011_IMSC, PL011_INT_BE);
    wr(PL011_LCR_H, FIFO8 | PL011_LCRH_BRK);
    wr(PL011_LCR_H, FIFO8 | PL011_LCRH_BRK); /* held: still one break */
    cr_expect(atomic_load(&line));
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_BE, 0);
    cr_expect_eq(rd(PL011_RSR), 0, "RSR follows DR reads");
    cr_expect_eq(rd(PL011_DR), PL011_DR_BE, "a NUL with BE");
    cr_expect_eq(rd(PL011_RSR), PL011_RSR_BE);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFE, 0);
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_LCR_H, FIFO8 | PL011_LCRH_BRK);
    cr_expect_eq(rd(PL011_DR), PL011_DR_BE);
    wr(PL011_ICR, PL011_INT_BE);
    cr_expect_not(atomic_load(&line));
}

Test(pl011_errors, no_break_without_loopback)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, FIFO8 | PL011_LCRH_BRK);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFE, 0);
    cr_expect_eq(rd(PL011_RIS), 0);
}

/* ---- modem status ---- */

TestSuite(pl011_modem, .init = setup_reset, .fini = teardown);

Test(pl011_modem, loopback_mirrors_outputs_with_interrupts)
{
    uint32_t ms = PL011_INT_CTSM | PL011_INT_DSRM | PL011_INT_DCDM | PL011_INT_RIM;
    wr(PL011_IMSC, ms);
    wr(PL011_CR, ENABLED | PL011_CR_LBE); /* outputs off: CTS, DSR, DCD drop */
    cr_expect_eq(rd(PL011_FR) & 0x107, 0);
    cr_expect_eq(rd(PL011_RIS) & ms, PL011_INT_CTSM | PL011_INT_DSRM | PL011_INT_DCDM);
    cr_expect(atomic_load(&line));
    wr(PL011_ICR, ms);
    cr_expect_not(atomic_load(&line));
    static const struct { uint32_t out, fr, irq; } map[] = {
        {PL011_CR_RTS, PL011_FR_CTS, PL011_INT_CTSM},
        {PL011_CR_DTR, PL011_FR_DSR, PL011_INT_DSRM},
        {PL011_CR_OUT1, PL011_FR_DCD, PL011_INT_DCDM},
        {PL011_CR_OUT2, PL011_FR_RI, PL011_INT_RIM},
    };
    for (size_t i = 0; i < 4; i++) {
        wr(PL011_CR, ENABLED | PL011_CR_LBE | map[i].out);
        cr_expect_eq(rd(PL011_FR) & 0x107, map[i].fr, "pair %zu", i);
        cr_expect_eq(rd(PL011_RIS) & ms, map[i].irq, "pair %zu", i);
        wr(PL011_CR, ENABLED | PL011_CR_LBE);
        wr(PL011_ICR, ms);
    }
    wr(PL011_CR, ENABLED); /* back to the terminal's lines */
    cr_expect_eq(rd(PL011_FR) & 0x107, PL011_FR_CTS | PL011_FR_DSR | PL011_FR_DCD);
    cr_expect_eq(rd(PL011_RIS) & ms, PL011_INT_CTSM | PL011_INT_DSRM | PL011_INT_DCDM);
}

Test(pl011_modem, outputs_do_not_change_inputs_without_loopback)
{
    wr(PL011_IMSC, PL011_INT_ALL);
    wr(PL011_CR, ENABLED | PL011_CR_RTS | PL011_CR_DTR | PL011_CR_OUT1 | PL011_CR_OUT2);
    wr(PL011_CR, ENABLED);
    cr_expect_eq(rd(PL011_RIS), 0);
    cr_expect_not(atomic_load(&line));
}

/* ---- FIFO enable transitions ---- */

TestSuite(pl011_fen, .init = setup_reset, .fini = teardown);

Test(pl011_fen, rx_contents_survive_fifo_disable)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(rx("hello"), 5);
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8); /* to the holding register */
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_RXFF | PL011_FR_RXFE), PL011_FR_RXFF);
    cr_expect_eq(rx("!"), 0, "full while more than one entry is held");
    char got[6] = {0};
    for (int i = 0; i < 5; i++)
        got[i] = (char)rd(PL011_DR);
    cr_expect_str_eq(got, "hello");
    cr_expect_eq(rx("xy"), 1, "one deep now");
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(rx("yz"), 2, "and 32 deep again");
    cr_expect_eq(rd(PL011_DR), 'x');
    cr_expect_eq(rd(PL011_DR), 'y');
    cr_expect_eq(rd(PL011_DR), 'z');
}

Test(pl011_fen, tx_contents_survive_fifo_disable)
{
    wr(PL011_LCR_H, FIFO8);
    for (int i = 0; i < 5; i++)
        wr(PL011_DR, 'a');
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_TXFF, 0);
    wr(PL011_DR, 'b');
    cr_expect_eq(stats().tx_dropped, 1);
    wr(PL011_CR, ENABLED);
    cr_expect_eq(stats().tx_bytes, 5);
    cr_expect_eq(rd(PL011_FR) & (PL011_FR_TXFE | PL011_FR_TXFF | PL011_FR_BUSY), PL011_FR_TXFE);
}

Test(pl011_fen, trigger_follows_fen)
{
    wr(PL011_CR, ENABLED);
    wr(PL011_IMSC, PL011_INT_RX);
    wr(PL011_LCR_H, FIFO8);
    cr_expect_eq(rx("a"), 1);
    cr_expect_not(atomic_load(&line), "FIFO mode: 1 < trigger 16");
    rd(PL011_DR);
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    cr_expect_eq(rx("a"), 1);
    cr_expect(atomic_load(&line), "character mode: every character");
}

/* ---- the interrupt line ---- */

TestSuite(pl011_irq, .init = setup_console, .fini = teardown);

Test(pl011_irq, level_follows_ris_and_imsc_on_every_access)
{
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    cr_expect_eq(rx("a"), 1);
    cr_expect_not(atomic_load(&line), "masked");
    wr(PL011_IMSC, PL011_INT_RX);
    cr_expect(atomic_load(&line));
    wr(PL011_IMSC, PL011_INT_TX);
    cr_expect_not(atomic_load(&line));
    wr(PL011_IMSC, PL011_INT_RX);
    cr_expect(atomic_load(&line));
    rd(PL011_DR);
    cr_expect_not(atomic_load(&line));
    cr_expect_eq(atomic_load(&irq_calls), 4, "set_irq once per change");
    for (int i = 0; i < 10; i++)
        rd(PL011_FR);
    cr_expect_eq(atomic_load(&irq_calls), 4, "no calls without a change");
    cr_expect_not(stats().irq);
}

Test(pl011_irq, every_condition_reaches_the_line)
{
    static const uint32_t conds[] = {PL011_INT_RX, PL011_INT_TX, PL011_INT_RT, PL011_INT_OE,
                                     PL011_INT_BE, PL011_INT_CTSM};
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        pl011_set_boot(dev, PL011_BOOT_CONSOLE);
        wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
        wr(PL011_IMSC, conds[i]);
        cr_expect_not(atomic_load(&line));
        switch (conds[i]) {
        case PL011_INT_RX: rx("a"); break;
        case PL011_INT_TX: wr(PL011_DR, 'a'); break;
        case PL011_INT_RT: rx("a"); pl011_rx_idle(dev); break;
        case PL011_INT_OE:
            wr(PL011_CR, ENABLED | PL011_CR_LBE | PL011_CR_RTS);
            wr(PL011_DR, 'a');
            wr(PL011_DR, 'b');
            break;
        case PL011_INT_BE:
            wr(PL011_CR, ENABLED | PL011_CR_LBE);
            wr(PL011_LCR_H, PL011_LCRH_WLEN_8 | PL011_LCRH_BRK);
            break;
        case PL011_INT_CTSM: wr(PL011_CR, ENABLED | PL011_CR_LBE); break;
        }
        cr_expect(atomic_load(&line), "condition 0x%x", conds[i]);
        cr_expect_eq(rd(PL011_MIS), conds[i], "condition 0x%x", conds[i]);
        wr(PL011_ICR, conds[i]);
        cr_expect_not(atomic_load(&line), "condition 0x%x", conds[i]);
    }
}

/* ---- device tree ---- */

Test(pl011_fdt, node)
{
    setup_console();
    char blob[4096];
    struct fdt_refs refs = {.gic = 1, .apb_pclk = 7};
    fdt_one_node(dev, &refs, blob, sizeof blob);
    int node = fdt_path_offset(blob, "/pl011@9000000");
    cr_assert_geq(node, 0);
    int len;
    const char *compat = fdt_getprop(blob, node, "compatible", &len);
    cr_expect_eq(len, 24);
    cr_expect_eq(memcmp(compat, "arm,pl011\0arm,primecell", 24), 0);
    const fdt32_t *reg = fdt_getprop(blob, node, "reg", &len);
    cr_expect_eq(len, 16);
    cr_expect_eq(fdt32_to_cpu(reg[1]), BASE);
    cr_expect_eq(fdt32_to_cpu(reg[3]), PL011_SIZE);
    const fdt32_t *irq = fdt_getprop(blob, node, "interrupts", &len);
    cr_expect_eq(len, 12);
    cr_expect_eq(fdt32_to_cpu(irq[0]), 0, "SPI");
    cr_expect_eq(fdt32_to_cpu(irq[1]), SPI);
    cr_expect_eq(fdt32_to_cpu(irq[2]), 4, "level-high");
    const fdt32_t *clk = fdt_getprop(blob, node, "clocks", &len);
    cr_expect_eq(len, 8);
    cr_expect_eq(fdt32_to_cpu(clk[0]), 7);
    cr_expect_eq(fdt32_to_cpu(clk[1]), 7);
    const char *names = fdt_getprop(blob, node, "clock-names", &len);
    cr_expect_eq(len, 17);
    cr_expect_eq(memcmp(names, "uartclk\0apb_pclk", 17), 0);
    teardown();
}

/* ---- a misbehaving guest ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random accesses anywhere in the window at any width, mixed with backend
 * events. The model must stay consistent: MIS = RIS & IMSC, the line equals
 * MIS != 0, FR agrees with itself, counters add up. */
Test(pl011_fuzz, random_accesses_keep_invariants, .init = setup_console, .fini = teardown)
{
    static const unsigned widths[] = {1, 2, 4, 8, 3};
    static const uint32_t hot[] = {PL011_DR, PL011_RSR, PL011_FR,   PL011_LCR_H, PL011_CR,
                                   PL011_IFLS, PL011_IMSC, PL011_ICR, PL011_IBRD, PL011_FBRD};
    uint64_t odd = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = rng();
        uint64_t off = r & 1 ? hot[(r >> 1) % 10] : (r >> 8) % PL011_SIZE;
        unsigned len = widths[(r >> 20) % 5];
        unsigned op = (r >> 24) % 8;
        if (op == 0) {
            pl011_receive(dev, (const uint8_t *)&r, (r >> 32) % 8);
        } else if (op == 1) {
            pl011_rx_idle(dev);
        } else {
            odd += (off & 3) || len == 8 || len == 3;
            if (op < 5)
                rdw(off, len);
            else
                wrw(off, len, rng());
        }
        /* One snapshot under one lock hold: between separate accesses the
         * backend's reader thread may report an idle period (RT, after a
         * loopback character), which made this flaky under make tsan. */
        pthread_mutex_lock(&dev->lock);
        uint32_t ris = (uint32_t)dev->ops->read(dev, PL011_RIS, 4);
        uint32_t imsc = (uint32_t)dev->ops->read(dev, PL011_IMSC, 4);
        uint32_t fr = (uint32_t)dev->ops->read(dev, PL011_FR, 4);
        uint32_t mis = (uint32_t)dev->ops->read(dev, PL011_MIS, 4);
        bool level = atomic_load(&line); /* set_irq runs under the lock */
        pthread_mutex_unlock(&dev->lock);
        cr_assert_eq(mis, ris & imsc, "step %d", i);
        cr_assert_eq(level, (ris & imsc) != 0, "step %d", i);
        cr_assert_eq(ris & ~(uint32_t)PL011_INT_ALL, 0);
        cr_assert(!((fr & PL011_FR_RXFE) && (fr & PL011_FR_RXFF)), "step %d", i);
        cr_assert(!((fr & PL011_FR_TXFE) && (fr & (PL011_FR_TXFF | PL011_FR_BUSY))), "step %d", i);
    }
    struct pl011_stats st = stats();
    cr_expect_eq(st.odd_accesses, odd);
    cr_expect_eq(atomic_load(&irq_bad_spi), 0);
}
