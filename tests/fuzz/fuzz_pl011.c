/*
 * libFuzzer harness: the PL011 register file through the real MMIO bus, with
 * received bytes and receive timeouts interleaved as the backend delivers
 * them (pl011_receive, pl011_rx_idle: the entry points the chardev calls).
 *
 * Input: flags (bit 0: the TRM reset state instead of the console boot
 * state), then opcodes, kind = low 2 bits, arg = high 4 bits:
 *   0 WRITE  off:u16 val:width   width = 1 << (arg & 3), any offset in the
 *                                4 KiB window (the bus refuses what leaves it)
 *   1 READ   off:u16
 *   2 RX     n:u8 bytes          offered to the receiver (it takes what fits)
 *   3 IDLE                       a receive-timeout period passed
 * Checked after every opcode and at the end: the interrupt line is high
 * exactly when MIS != 0.
 *
 * One UART (on the null backend) serves every input: creation starts backend
 * threads, and a reset (pl011_set_boot, what the VMM does) gives the
 * register state back; only the counters carry over.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "../../devices/pl011.h"
#include "../../devices/pl011_regs.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"
#include "fuzz_input.h"

static atomic_int line = -1;

static void set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    if (spi != PL011_SPI)
        abort();
    atomic_store(&line, level);
}

static struct device_host host = {.set_irq = set_irq};
static struct device *dev;
static struct bus bus;

/* Compared under dev->lock, as every set_irq call is made: the backend's
 * receive-timeout thread may change the line as soon as the lock drops. */
static void check_line(void)
{
    pthread_mutex_lock(&dev->lock);
    uint64_t mis = dev->ops->read(dev, PL011_MIS, 4);
    bool bad = (atomic_load(&line) == 1) != (mis != 0);
    pthread_mutex_unlock(&dev->lock);
    if (bad)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dev) {
        if (!(dev = pl011_create(PL011_BASE, PL011_SPI, &host, NULL)))
            abort();
        bus_init(&bus);
        if (bus_add(&bus, dev))
            abort();
    }
    struct fz f = {data, size};
    pl011_set_boot(dev, fz_u8(&f) & 1 ? PL011_BOOT_RESET : PL011_BOOT_CONSOLE);

    while (!fz_done(&f)) {
        uint8_t op = fz_u8(&f);
        unsigned len = fz_width(op >> 4);
        uint64_t v = 0;
        const uint8_t *p;
        switch (op & 3) {
        case 0: {
            uint64_t off = fz_u16(&f) % PL011_SIZE;
            v = fz_uint(&f, len);
            bus_access(&bus, PL011_BASE + off, len, true, &v, NULL);
            break;
        }
        case 1:
            bus_access(&bus, PL011_BASE + fz_u16(&f) % PL011_SIZE, len, false, &v, NULL);
            break;
        case 2: {
            size_t n = fz_bytes(&f, fz_u8(&f), &p);
            if (n && pl011_receive(dev, p, n) > n)
                abort();
            break;
        }
        case 3:
            pl011_rx_idle(dev);
            break;
        }
        check_line();
    }
    check_line();
    return 0;
}
