/*
 * PL011 model (Arm DDI0183 r1p5): registers, 32-entry FIFOs (1-entry holding
 * registers with FEN=0), the TRM's interrupt conditions and a level SPI. Host
 * I/O goes through a chardev (see pl011.h for the overall behaviour).
 *
 * Locking: every path that touches model state holds dev->lock -- the bus for
 * register accesses, the entry points below for backend events.
 */
#include "pl011.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libfdt.h>

#include "chardev.h"
#include "pl011_regs.h"

#define TRACE_LIMIT 8
#define CR_MASK 0xff87u /* bits 6:3 are reserved */
#define BOOT_IBRD 13u   /* 24 MHz / (16 * 115200) = 13.02: IBRD 13, FBRD 1 */
#define BOOT_FBRD 1u

static const uint8_t pl011_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

/* IFLS level encodings in eighths of the FIFO. 5-7 are reserved: they act like
 * the reset value, 1/2. */
static const uint8_t ifls_eighths[8] = {1, 2, 4, 6, 7, 4, 4, 4};

struct pl011 {
    struct device dev;
    struct chardev *cd;
    enum pl011_boot boot;
    uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
    uint32_t divisor; /* 64 * IBRD + FBRD as latched by the last LCR_H write */
    uint32_t modem;   /* FR modem-status bits as the inputs are now */
    uint16_t rx[PL011_FIFO_DEPTH]; /* data plus the DR error bits */
    unsigned rx_head, rx_count;
    uint8_t tx[PL011_FIFO_DEPTH];
    unsigned tx_head, tx_count;
    bool overrun;    /* characters were lost: the next one stored carries OE */
    bool rx_waiting; /* the backend holds input we refused */
    bool irq;        /* the level last sent to the interrupt controller */
    unsigned traces;
    struct pl011_stats st; /* counters; the derived fields are filled on read */
};

static struct pl011 *to_pl011(struct device *dev)
{
    return (struct pl011 *)dev;
}

static void trace(struct pl011 *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(struct pl011 *u, const char *fmt, ...)
{
    if (u->traces >= TRACE_LIMIT)
        return;
    u->traces++;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s%s\n", u->dev.name, msg,
            u->traces == TRACE_LIMIT ? " (further ones are only counted)" : "");
}

/* ---- derived state ---- */

static unsigned depth(const struct pl011 *u)
{
    return u->lcr_h & PL011_LCRH_FEN ? PL011_FIFO_DEPTH : 1;
}

/* RX fires when the fill reaches this. */
static unsigned rx_trigger(const struct pl011 *u)
{
    if (!(u->lcr_h & PL011_LCRH_FEN))
        return 1;
    return ifls_eighths[(u->ifls >> 3) & 7] * PL011_FIFO_DEPTH / 8;
}

/* TX fires when the fill drains to this or below. */
static unsigned tx_level(const struct pl011 *u)
{
    if (!(u->lcr_h & PL011_LCRH_FEN))
        return 0;
    return ifls_eighths[u->ifls & 7] * PL011_FIFO_DEPTH / 8;
}

static uint8_t word_mask(const struct pl011 *u)
{
    return (uint8_t)(0xff >> (3 - ((u->lcr_h >> 5) & 3)));
}

static bool receiver_on(const struct pl011 *u)
{
    return (u->cr & (PL011_CR_UARTEN | PL011_CR_RXE)) == (PL011_CR_UARTEN | PL011_CR_RXE);
}

/* In loopback the receiver listens to our own transmitter, not the backend. */
static bool backend_rx_open(const struct pl011 *u)
{
    return receiver_on(u) && !(u->cr & PL011_CR_LBE) && u->rx_count < depth(u);
}

static bool transmitter_on(const struct pl011 *u)
{
    if ((u->cr & (PL011_CR_UARTEN | PL011_CR_TXE)) != (PL011_CR_UARTEN | PL011_CR_TXE))
        return false;
    return !(u->cr & PL011_CR_CTSEN) || (u->modem & PL011_FR_CTS);
}

/* Modem inputs: a ready terminal (CTS, DSR, DCD asserted, no ring) -- or, in
 * loopback, our own outputs (RTS->CTS, DTR->DSR, Out1->DCD, Out2->RI). */
static uint32_t modem_inputs(const struct pl011 *u)
{
    if (!(u->cr & PL011_CR_LBE))
        return PL011_FR_CTS | PL011_FR_DSR | PL011_FR_DCD;
    uint32_t m = 0;
    m |= u->cr & PL011_CR_RTS ? PL011_FR_CTS : 0;
    m |= u->cr & PL011_CR_DTR ? PL011_FR_DSR : 0;
    m |= u->cr & PL011_CR_OUT1 ? PL011_FR_DCD : 0;
    m |= u->cr & PL011_CR_OUT2 ? PL011_FR_RI : 0;
    return m;
}

static void update_modem(struct pl011 *u)
{
    uint32_t m = modem_inputs(u), changed = m ^ u->modem;
    u->ris |= changed & PL011_FR_CTS ? PL011_INT_CTSM : 0;
    u->ris |= changed & PL011_FR_DSR ? PL011_INT_DSRM : 0;
    u->ris |= changed & PL011_FR_DCD ? PL011_INT_DCDM : 0;
    u->ris |= changed & PL011_FR_RI ? PL011_INT_RIM : 0;
    u->modem = m;
}

static uint32_t flags(const struct pl011 *u)
{
    uint32_t fr = u->modem;
    fr |= u->tx_count ? PL011_FR_BUSY : PL011_FR_TXFE;
    fr |= u->tx_count >= depth(u) ? PL011_FR_TXFF : 0;
    fr |= u->rx_count ? 0 : PL011_FR_RXFE;
    fr |= u->rx_count >= depth(u) ? PL011_FR_RXFF : 0;
    return fr;
}

static void update_irq(struct pl011 *u)
{
    bool level = (u->ris & u->imsc & PL011_INT_ALL) != 0;
    if (level != u->irq) {
        u->irq = level;
        device_set_irq(&u->dev, level);
    }
}

/* ---- receive ---- */

/* One character arrives at the receiver. A full FIFO keeps its contents and
 * the character is lost (overrun); the next one stored carries OE. */
static bool rx_store(struct pl011 *u, uint16_t entry)
{
    if (u->rx_count >= depth(u)) {
        u->rsr |= PL011_RSR_OE;
        u->ris |= PL011_INT_OE;
        u->overrun = true;
        u->st.rx_overruns++;
        return false;
    }
    if (u->overrun) {
        entry |= PL011_DR_OE;
        u->overrun = false;
    }
    u->rx[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = entry;
    u->rx_count++;
    u->ris |= entry & PL011_DR_FE ? PL011_INT_FE : 0;
    u->ris |= entry & PL011_DR_PE ? PL011_INT_PE : 0;
    u->ris |= entry & PL011_DR_BE ? PL011_INT_BE : 0;
    /* RX is raised when the fill *reaches* the trigger (TRM; Linux drains the
     * FIFO before unmasking because of this), so an ICR while above it holds. */
    if (u->rx_count == rx_trigger(u))
        u->ris |= PL011_INT_RX;
    return true;
}

static uint32_t rx_pop(struct pl011 *u)
{
    if (!u->rx_count)
        return 0;
    uint16_t e = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
    u->rx_count--;
    u->rsr |= (e >> 8) & 0xf; /* this character's errors, for an RSR read next */
    if (u->rx_count < rx_trigger(u))
        u->ris &= ~(uint32_t)PL011_INT_RX;
    if (!u->rx_count)
        u->ris &= ~(uint32_t)PL011_INT_RT;
    return e;
}

static void loopback_rx(struct pl011 *u, uint16_t entry)
{
    if (!receiver_on(u))
        return;
    rx_store(u, entry);
    chardev_restart_idle(u->cd); /* a character arrived: RT counts from now */
}

/* ---- transmit ---- */

static void tx_push(struct pl011 *u, uint8_t c)
{
    u->tx[(u->tx_head + u->tx_count) % PL011_FIFO_DEPTH] = c;
    u->tx_count++;
    if (u->tx_count > tx_level(u))
        u->ris &= ~(uint32_t)PL011_INT_TX;
}

/* Send what the TX FIFO holds while the transmitter runs (or unconditionally,
 * for flush and reset). Stops when the backend's ring is full; its writer then
 * calls sink_tx_space. TX is raised on the transition through the level. */
static void tx_pump(struct pl011 *u, bool force)
{
    while (u->tx_count && (force || transmitter_on(u))) {
        unsigned run = PL011_FIFO_DEPTH - u->tx_head;
        unsigned n = u->tx_count < run ? u->tx_count : run;
        unsigned k = (unsigned)chardev_write(u->cd, &u->tx[u->tx_head], n);
        if (!k)
            break;
        if (u->cr & PL011_CR_LBE)
            for (unsigned i = 0; i < k; i++)
                loopback_rx(u, u->tx[(u->tx_head + i) % PL011_FIFO_DEPTH]);
        unsigned before = u->tx_count;
        u->tx_head = (u->tx_head + k) % PL011_FIFO_DEPTH;
        u->tx_count -= k;
        u->st.tx_bytes += k;
        if (before > tx_level(u) && u->tx_count <= tx_level(u))
            u->ris |= PL011_INT_TX;
    }
}

/* After every access and backend event: move data, wake a back-pressured
 * reader, drive the line. */
static void settle(struct pl011 *u)
{
    tx_pump(u, false);
    if (u->rx_waiting && backend_rx_open(u)) {
        u->rx_waiting = false;
        chardev_rx_wake(u->cd);
    }
    update_irq(u);
}

/* ---- registers ---- */

/* LCR_H is the write strobe of the 30-bit {IBRD, FBRD, LCR_H} register: the
 * divisor takes effect here, not when IBRD/FBRD are written. */
static void write_lcr_h(struct pl011 *u, uint32_t v)
{
    uint32_t old = u->lcr_h;
    u->lcr_h = v & 0xff;
    u->divisor = u->ibrd << 6 | u->fbrd;
    if (u->ibrd) /* RT after 32 bit periods: 32 * divisor / (64 * UARTCLK / 16) s */
        chardev_set_idle_ns(u->cd, (uint64_t)u->divisor * 8 * 1000000000ull / PL011_UARTCLK_HZ);
    /* A break seen by our own receiver: one NUL character with BE. */
    if (!(old & PL011_LCRH_BRK) && (v & PL011_LCRH_BRK) && (u->cr & PL011_CR_LBE))
        loopback_rx(u, PL011_DR_BE);
    /* FEN changes keep both FIFOs' contents. The TRM's reprogramming sequence
     * clears FEN to flush the TX FIFO; we keep (and send) those bytes instead:
     * nothing is lost and no driver relies on the discard. A fill above the new
     * depth reads as full until it drains. */
}

static uint32_t reg_read(struct pl011 *u, uint32_t off)
{
    switch (off) {
    case PL011_DR: return rx_pop(u);
    case PL011_RSR: return u->rsr;
    case PL011_FR: return flags(u);
    case PL011_ILPR: return u->ilpr;
    case PL011_IBRD: return u->ibrd;
    case PL011_FBRD: return u->fbrd;
    case PL011_LCR_H: return u->lcr_h;
    case PL011_CR: return u->cr;
    case PL011_IFLS: return u->ifls;
    case PL011_IMSC: return u->imsc;
    case PL011_RIS: return u->ris;
    case PL011_MIS: return u->ris & u->imsc;
    case PL011_ICR: return 0; /* write-only */
    case PL011_DMACR: return u->dmacr;
    }
    if (off >= PL011_PERIPHID0)
        return pl011_id[(off - PL011_PERIPHID0) >> 2];
    return 0; /* reserved */
}

static void reg_write(struct pl011 *u, uint32_t off, uint32_t v)
{
    switch (off) {
    case PL011_DR:
        if (u->tx_count >= depth(u)) {
            u->st.tx_dropped++;
            trace(u, "DR write with the TX FIFO full: byte 0x%02x dropped", v & 0xff);
        } else {
            tx_push(u, (uint8_t)v & word_mask(u));
        }
        return;
    case PL011_RSR: u->rsr = 0; return; /* ECR: any write clears */
    case PL011_ILPR: u->ilpr = v & 0xff; return;
    case PL011_IBRD: u->ibrd = v & 0xffff; return;
    case PL011_FBRD: u->fbrd = v & 0x3f; return;
    case PL011_LCR_H: write_lcr_h(u, v); return;
    case PL011_CR:
        u->cr = v & CR_MASK;
        update_modem(u);
        return;
    case PL011_IFLS: u->ifls = v & 0x3f; return;
    case PL011_IMSC: u->imsc = v & PL011_INT_ALL; return;
    case PL011_ICR: u->ris &= ~(v & PL011_INT_ALL); return;
    case PL011_DMACR:
        u->dmacr = v & 7;
        if (u->dmacr & (PL011_DMACR_RXDMAE | PL011_DMACR_TXDMAE))
            trace(u, "DMACR 0x%x: no DMA controller is attached; requests are never made",
                  u->dmacr);
        return;
    case PL011_FR:
    case PL011_RIS:
    case PL011_MIS:
        break;
    default:
        if (off < PL011_PERIPHID0) {
            u->st.reserved_writes++;
            trace(u, "write 0x%x to reserved offset 0x%x ignored", v, off);
            return;
        }
    }
    u->st.readonly_writes++;
    trace(u, "write 0x%x to read-only register 0x%x ignored", v, off);
}

/* Registers are 32-bit words. Narrow accesses at a register's offset are
 * normal; anything else is counted and traced, with a defined result. */
static bool access_ok(struct pl011 *u, uint64_t off, unsigned len, bool write)
{
    if (off >= PL011_SIZE || (off & 3) || (len != 1 && len != 2 && len != 4 && len != 8)) {
        u->st.odd_accesses++;
        trace(u, "%u-byte %s at offset 0x%llx is not a register access: %s", len,
              write ? "write" : "read", (unsigned long long)off, write ? "ignored" : "reads 0");
        return false;
    }
    if (len == 8) {
        u->st.odd_accesses++;
        trace(u, "8-byte %s at offset 0x%llx: split into two 32-bit accesses",
              write ? "write" : "read", (unsigned long long)off);
    }
    return true;
}

static uint32_t width_mask(unsigned len)
{
    return len == 1 ? 0xffu : len == 2 ? 0xffffu : 0xffffffffu;
}

/* A 64-bit access (e.g. a struct copy of two registers) is served as two
 * 32-bit ones, low word first, as QEMU's memory core splits it for its PL011:
 * software built for QEMU virt sees the same values here. */
static uint64_t pl011_read(struct device *dev, uint64_t off, unsigned len)
{
    struct pl011 *u = to_pl011(dev);
    uint64_t v = 0;
    if (access_ok(u, off, len, false)) {
        v = reg_read(u, (uint32_t)off) & width_mask(len);
        if (len == 8 && off + 4 < PL011_SIZE)
            v |= (uint64_t)reg_read(u, (uint32_t)off + 4) << 32;
    }
    settle(u);
    return v;
}

static void pl011_write(struct device *dev, uint64_t off, unsigned len, uint64_t val)
{
    struct pl011 *u = to_pl011(dev);
    if (access_ok(u, off, len, true)) {
        reg_write(u, (uint32_t)off, (uint32_t)val & width_mask(len));
        if (len == 8 && off + 4 < PL011_SIZE)
            reg_write(u, (uint32_t)off + 4, (uint32_t)(val >> 32));
    }
    settle(u);
}

/* ---- reset ---- */

static void reset_locked(struct pl011 *u)
{
    tx_pump(u, true); /* a reset loses nothing the guest wrote, unless the ring is full */
    u->st.tx_dropped += u->tx_count;
    u->st.rx_flushed += u->rx_count;
    u->rsr = u->ilpr = u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->ris = u->dmacr = 0;
    u->divisor = 0;
    u->cr = PL011_CR_RXE | PL011_CR_TXE;
    u->ifls = 0x12;
    u->rx_head = u->rx_count = u->tx_head = u->tx_count = 0;
    u->overrun = false;
    u->modem = modem_inputs(u);
    if (u->boot == PL011_BOOT_CONSOLE) {
        u->ibrd = BOOT_IBRD;
        u->fbrd = BOOT_FBRD;
        write_lcr_h(u, PL011_LCRH_WLEN_8 | PL011_LCRH_FEN);
        u->cr |= PL011_CR_UARTEN;
    }
    settle(u);
}

/* Takes dev->lock itself: called by the VMM, not by the bus. */
static void pl011_reset(struct device *dev)
{
    pthread_mutex_lock(&dev->lock);
    reset_locked(to_pl011(dev));
    pthread_mutex_unlock(&dev->lock);
}

void pl011_set_boot(struct device *dev, enum pl011_boot boot)
{
    pthread_mutex_lock(&dev->lock);
    to_pl011(dev)->boot = boot;
    reset_locked(to_pl011(dev));
    pthread_mutex_unlock(&dev->lock);
}

/* ---- backend entry points ---- */

size_t pl011_receive(struct device *dev, const uint8_t *buf, size_t n)
{
    struct pl011 *u = to_pl011(dev);
    size_t k = 0;
    pthread_mutex_lock(&dev->lock);
    while (k < n && backend_rx_open(u))
        rx_store(u, buf[k++] & word_mask(u));
    if (k < n)
        u->rx_waiting = true; /* settle() wakes the backend when room appears */
    u->st.rx_bytes += k;
    update_irq(u);
    pthread_mutex_unlock(&dev->lock);
    return k;
}

void pl011_rx_idle(struct device *dev)
{
    struct pl011 *u = to_pl011(dev);
    pthread_mutex_lock(&dev->lock);
    if (u->rx_count)
        u->ris |= PL011_INT_RT;
    update_irq(u);
    pthread_mutex_unlock(&dev->lock);
}

static size_t sink_rx(void *ctx, const uint8_t *buf, size_t n)
{
    return pl011_receive(ctx, buf, n);
}

static void sink_rx_idle(void *ctx)
{
    pl011_rx_idle(ctx);
}

static void sink_tx_space(void *ctx)
{
    struct device *dev = ctx;
    pthread_mutex_lock(&dev->lock);
    settle(to_pl011(dev));
    pthread_mutex_unlock(&dev->lock);
}

/* ---- VMM interface ---- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool pl011_flush(struct device *dev, int timeout_ms)
{
    struct pl011 *u = to_pl011(dev);
    uint64_t end = now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        pthread_mutex_lock(&dev->lock);
        tx_pump(u, true);
        unsigned left = u->tx_count;
        update_irq(u);
        pthread_mutex_unlock(&dev->lock);
        if (!left)
            break;
        if (now_ms() >= end)
            return false;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL); /* the ring is full */
    }
    uint64_t now = now_ms();
    return chardev_flush(u->cd, now < end ? (int)(end - now) : 0);
}

void pl011_get_stats(struct device *dev, struct pl011_stats *st)
{
    struct pl011 *u = to_pl011(dev);
    pthread_mutex_lock(&dev->lock);
    *st = u->st;
    st->divisor = u->divisor;
    st->baud = u->divisor >= 64 ? (uint32_t)((uint64_t)PL011_UARTCLK_HZ * 4 / u->divisor) : 0;
    st->irq = u->irq;
    pthread_mutex_unlock(&dev->lock);
}

static int pl011_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    /* Named after the type: the builder's stdout-path is "/<type>@<base>". */
    int err = device_fdt_begin(dev, fdt, dev->ops->type);
    err |= fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell", sizeof "arm,pl011\0arm,primecell");
    fdt32_t clk[2] = {cpu_to_fdt32(refs->apb_pclk), cpu_to_fdt32(refs->apb_pclk)};
    err |= fdt_property(fdt, "clocks", clk, sizeof clk);
    err |= fdt_property(fdt, "clock-names", "uartclk\0apb_pclk", 17);
    err |= fdt_end_node(fdt);
    return err;
}

static void pl011_destroy(struct device *dev)
{
    struct pl011 *u = to_pl011(dev);
    pl011_flush(dev, CHARDEV_EXIT_FLUSH_MS);
    chardev_close(u->cd); /* stops the threads that call into us */
    device_fini(dev);
    free(u);
}

static const struct device_ops pl011_ops = {
    .type = "pl011",
    .read = pl011_read,
    .write = pl011_write,
    .reset = pl011_reset,
    .fdt = pl011_fdt,
    .destroy = pl011_destroy,
};

struct device *pl011_create(uint64_t base, int spi, struct device_host *host, struct chardev *cd)
{
    struct pl011 *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    bool own_null = !cd;
    if (!cd && !(cd = chardev_open("null", NULL, 0))) {
        free(u);
        return NULL;
    }
    device_init(&u->dev, &pl011_ops, base, PL011_SIZE, spi, host);
    u->cd = cd;
    u->boot = PL011_BOOT_CONSOLE;
    reset_locked(u); /* no thread runs yet */
    struct chardev_sink sink = {sink_rx, sink_rx_idle, sink_tx_space, &u->dev};
    if (chardev_attach(cd, &sink) < 0) {
        if (own_null)
            chardev_close(cd);
        device_fini(&u->dev);
        free(u);
        return NULL;
    }
    return &u->dev;
}
