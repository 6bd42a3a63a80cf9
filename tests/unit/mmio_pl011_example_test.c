/*
 * The PL011 worked example from include/README.md (mmio_pl011_example.h):
 * its polled putc/getc, an ID probe through a shared pointer and a CR
 * read-modify-write, driven against a fake PL011 behind the recording
 * backend. The tests check the exact access sequence the driver makes.
 */
#define MMIO_BACKEND_RECORD 1

#include <criterion/criterion.h>
#include <string.h>

#include "mmio_pl011_example.h"

#define UART_PA 0x09000000u
static const mmio_phys uart0 = MMIO_PHYS(struct pl011_regs, UART_PA);

/* Fake PL011: TX FIFO full for `busy` more FR polls, an RX FIFO, CR, IDs. */
struct fake_pl011 {
    unsigned busy;
    uint8_t rx[8];
    unsigned rx_len;
    char tx[16];
    unsigned tx_len;
    uint32_t cr;
    unsigned bad_width;
};

static uint64_t fake_read(void *ctx, uintptr_t addr, unsigned width)
{
    static const uint8_t cid[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
    struct fake_pl011 *d = ctx;
    uintptr_t off = addr - UART_PA;
    if (width != 4)
        d->bad_width++;
    if (off == 0x018) {
        uint32_t fr = d->rx_len ? 0 : PL011_FR_RXFE;
        if (d->busy) {
            d->busy--;
            fr |= PL011_FR_TXFF;
        }
        return fr;
    }
    if (off == 0x000 && d->rx_len) {
        uint8_t c = d->rx[0];
        memmove(d->rx, d->rx + 1, --d->rx_len);
        return c;
    }
    if (off == 0x030)
        return d->cr;
    if (off >= 0xff0)
        return 0xffffff00u | cid[(off - 0xff0) / 4]; /* junk above the ID byte */
    return 0;
}

static void fake_write(void *ctx, uintptr_t addr, unsigned width, uint64_t value)
{
    struct fake_pl011 *d = ctx;
    uintptr_t off = addr - UART_PA;
    if (width != 4)
        d->bad_width++;
    if (off == 0x000 && d->tx_len < sizeof(d->tx))
        d->tx[d->tx_len++] = (char)value;
    if (off == 0x030)
        d->cr = (uint32_t)value;
}

static struct mmio_recorder rec;
static struct fake_pl011 dev;
static struct pl011_regs MMIO_PTR *uart;

static void setup(void)
{
    memset(&dev, 0, sizeof(dev));
    memset(&rec, 0, sizeof(rec));
    rec.read = fake_read;
    rec.write = fake_write;
    rec.ctx = &dev;
    /* Identity-mapped: the claim takes the token's physical address as VA. */
    uart = mmio_claim(struct pl011_regs, (uintptr_t)uart0.pa);
    mmio_record_start(&rec);
}

static void teardown(void) { mmio_record_stop(); }

TestSuite(mmio_pl011_example, .init = setup, .fini = teardown);

static void expect(size_t i, enum mmio_event_kind kind, uintptr_t off, uint64_t value)
{
    cr_assert_lt(i, rec.count, "event %zu missing: only %zu recorded", i, rec.count);
    cr_expect_eq(rec.ev[i].kind, kind, "event %zu kind", i);
    cr_expect_eq(rec.ev[i].addr, UART_PA + off, "event %zu at %#lx, expected %#lx", i,
                 (unsigned long)(rec.ev[i].addr - UART_PA), (unsigned long)off);
    cr_expect_eq(rec.ev[i].width, 4, "event %zu width", i);
    cr_expect_eq(rec.ev[i].value, value, "event %zu value %#llx, expected %#llx", i,
                 (unsigned long long)rec.ev[i].value, (unsigned long long)value);
}

Test(mmio_pl011_example, token_describes_the_uart)
{
    cr_expect_eq(uart0.pa, UART_PA);
    cr_expect_eq(uart0.size, 0x1000);
    cr_expect_eq(uart0.align, 4);
}

Test(mmio_pl011_example, putc_polls_fr_until_tx_fifo_has_room)
{
    dev.busy = 2;
    pl011_putc(uart, 'A');
    cr_assert_eq(rec.count, 4);
    expect(0, MMIO_EV_READ, 0x018, PL011_FR_RXFE | PL011_FR_TXFF);
    expect(1, MMIO_EV_READ, 0x018, PL011_FR_RXFE | PL011_FR_TXFF);
    expect(2, MMIO_EV_READ, 0x018, PL011_FR_RXFE);
    expect(3, MMIO_EV_WRITE, 0x000, 'A');
    cr_expect_eq(dev.tx_len, 1);
    cr_expect_eq(dev.tx[0], 'A');
    cr_expect_eq(dev.bad_width, 0);
}

Test(mmio_pl011_example, getc_pops_each_byte_once_then_reports_empty)
{
    memcpy(dev.rx, "hi", 2);
    dev.rx_len = 2;
    uint8_t c[3] = { 0 };
    cr_expect(pl011_getc(uart, &c[0]));
    cr_expect(pl011_getc(uart, &c[1]));
    cr_expect_not(pl011_getc(uart, &c[2]));
    cr_expect_eq(c[0], 'h');
    cr_expect_eq(c[1], 'i');
    cr_assert_eq(rec.count, 5);
    expect(0, MMIO_EV_READ, 0x018, 0);
    expect(1, MMIO_EV_READ, 0x000, 'h');
    expect(2, MMIO_EV_READ, 0x018, 0);
    expect(3, MMIO_EV_READ, 0x000, 'i');
    expect(4, MMIO_EV_READ, 0x018, PL011_FR_RXFE); /* DR not read when empty */
}

Test(mmio_pl011_example, cell_id_through_a_shared_pointer)
{
    const struct pl011_regs MMIO_PTR *shared = uart;
    cr_expect_eq(pl011_cell_id(shared), 0xb105f00du);
    cr_assert_eq(rec.count, 4);
    for (unsigned i = 0; i < 4; i++)
        cr_expect_eq(rec.ev[i].addr, UART_PA + 0xff0 + 4 * i);
}

Test(mmio_pl011_example, enable_is_read_modify_write_of_cr)
{
    dev.cr = 0x0300; /* reset value: TXE | RXE */
    pl011_enable(uart);
    cr_assert_eq(rec.count, 2);
    expect(0, MMIO_EV_READ, 0x030, 0x0300);
    expect(1, MMIO_EV_WRITE, 0x030, 0x0301);
    cr_expect_eq(dev.cr, 0x0301);
}
