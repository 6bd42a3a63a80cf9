/* PL031 RTC register by register, on a fake clock, through the bus. */
#include <criterion/criterion.h>
#include <time.h>
#include <unistd.h>

#include "../../devices/pl031.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"

#define NS 1000000000ull

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx) { (void)ctx; return fake_now; }
static bool irq_level;
static int irq_edges;
static void set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    cr_assert_eq(spi, PL031_SPI);
    if (level && !irq_level)
        irq_edges++;
    irq_level = level;
}
static struct device_host host = {.set_irq = set_irq};

static struct bus b;
static struct device *rtc;

static void setup(void)
{
    fake_now = 1700000000ull * NS + 250000000; /* mid-second */
    irq_level = false;
    irq_edges = 0;
    bus_init(&b);
    rtc = pl031_create(PL031_BASE, PL031_SPI, &host, fake_clock, NULL);
    cr_assert(rtc);
    cr_assert_eq(bus_add(&b, rtc), 0);
}
static void teardown(void)
{
    bus_free(&b);
    rtc->ops->destroy(rtc);
}

static uint64_t rd(uint64_t off, unsigned len)
{
    uint64_t v;
    cr_assert_eq(bus_access(&b, PL031_BASE + off, len, false, &v, NULL), BUS_OK);
    return v;
}
static void wr(uint64_t off, unsigned len, uint64_t v)
{
    cr_assert_eq(bus_access(&b, PL031_BASE + off, len, true, &v, NULL), BUS_OK);
}

TestSuite(pl031, .init = setup, .fini = teardown);

Test(pl031, primecell_ids)
{
    static const uint8_t ids[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (int i = 0; i < 8; i++)
        cr_assert_eq(rd(PL031_ID + 4 * i, 4), ids[i], "ID register %d", i);
    /* Linux's AMBA bus reads the four PeriphIDs as one 0x00141031-style ID. */
    uint32_t pid = 0;
    for (int i = 0; i < 4; i++)
        pid |= (uint32_t)rd(PL031_ID + 4 * i, 4) << (8 * i);
    cr_assert_eq(pid & 0x000fffff, 0x00041031, "what Linux's pl031 driver matches");
}

Test(pl031, counter_follows_the_clock_and_load)
{
    cr_assert_eq(rd(PL031_DR, 4), 1700000000u, "host time at reset");
    fake_now += 3 * NS;
    cr_assert_eq(rd(PL031_DR, 4), 1700000003u);
    wr(PL031_LR, 4, 1000);
    cr_assert_eq(rd(PL031_DR, 4), 1000);
    cr_assert_eq(rd(PL031_LR, 4), 1000, "LR reads the last value loaded");
    fake_now += 2 * NS;
    cr_assert_eq(rd(PL031_DR, 4), 1002);
    wr(PL031_DR, 4, 5); /* read-only */
    cr_assert_eq(rd(PL031_DR, 4), 1002);
    wr(PL031_LR, 4, 0xffffffffu);
    fake_now += NS;
    cr_assert_eq(rd(PL031_DR, 4), 0, "the counter wraps at 32 bits");
}

Test(pl031, control_start_is_sticky)
{
    cr_assert_eq(rd(PL031_CR, 4), 0);
    wr(PL031_CR, 4, 0xffffffffu);
    cr_assert_eq(rd(PL031_CR, 4), 1, "only bit 0");
    wr(PL031_CR, 4, 0);
    cr_assert_eq(rd(PL031_CR, 4), 1, "stays started until reset");
    rtc->ops->reset(rtc);
    cr_assert_eq(rd(PL031_CR, 4), 0);
}

Test(pl031, match_interrupt_mask_raw_masked_clear)
{
    wr(PL031_LR, 4, 100);
    wr(PL031_MR, 4, 102);
    cr_assert_eq(rd(PL031_MR, 4), 102);
    pl031_poll(rtc);
    cr_assert_eq(rd(PL031_RIS, 4), 0, "not yet");
    fake_now += NS;
    pl031_poll(rtc);
    cr_assert_eq(rd(PL031_RIS, 4), 0, "counter 101");
    fake_now += NS;
    pl031_poll(rtc);
    cr_assert_eq(rd(PL031_RIS, 4), 1, "counter 102 = MR");
    cr_assert_eq(rd(PL031_MIS, 4), 0, "masked");
    cr_assert_not(irq_level);
    wr(PL031_IMSC, 4, 3);
    cr_assert_eq(rd(PL031_IMSC, 4), 1);
    cr_assert_eq(rd(PL031_MIS, 4), 1);
    cr_assert(irq_level, "unmasking a pending match raises the line");
    wr(PL031_RIS, 4, 0); /* read-only */
    cr_assert_eq(rd(PL031_RIS, 4), 1);
    wr(PL031_ICR, 4, 1);
    cr_assert_eq(rd(PL031_RIS, 4), 0);
    cr_assert_not(irq_level, "clearing drops the level line");
    fake_now += 10 * NS;
    pl031_poll(rtc);
    cr_assert_eq(rd(PL031_RIS, 4), 0, "one match per MR write");
    cr_assert_eq(irq_edges, 1);
}

Test(pl031, match_now_fires_at_once_and_load_moves_it)
{
    wr(PL031_IMSC, 4, 1);
    wr(PL031_MR, 4, (uint32_t)rd(PL031_DR, 4));
    pl031_poll(rtc);
    cr_assert(irq_level, "MR = counter: the match is now");
    wr(PL031_ICR, 4, 1);
    wr(PL031_MR, 4, 5000);
    wr(PL031_LR, 4, 4999); /* the counter jumps to just before the match */
    pl031_poll(rtc);
    cr_assert_not(irq_level);
    fake_now += NS;
    pl031_poll(rtc);
    cr_assert(irq_level);
}

Test(pl031, widths_and_unmapped_offsets)
{
    wr(PL031_LR, 4, 0x11223344);
    cr_assert_eq(rd(PL031_LR, 1), 0x44);
    cr_assert_eq(rd(PL031_LR + 1, 1), 0x33);
    cr_assert_eq(rd(PL031_LR + 2, 2), 0x1122);
    wr(PL031_LR, 2, 0xffff); /* narrower writes are ignored */
    cr_assert_eq(rd(PL031_LR, 4), 0x11223344);
    wr(PL031_MR, 8, 0x0000000155667788ull); /* MR, then LR */
    cr_assert_eq(rd(PL031_MR, 4), 0x55667788);
    cr_assert_eq(rd(PL031_LR, 4), 1);
    cr_assert_eq(rd(PL031_MR, 8), 0x0000000155667788ull);
    cr_assert_eq(rd(0x020, 4), 0);
    cr_assert_eq(rd(0x800, 4), 0);
    wr(0x020, 4, 0xffffffff);
    cr_assert_eq(rd(0xffc, 4), 0xb1);
}

/* The real clock and the match thread: an alarm one second ahead fires. */
static int real_edges;
static void real_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    (void)spi;
    if (level)
        __atomic_add_fetch(&real_edges, 1, __ATOMIC_SEQ_CST);
}

Test(pl031_thread, host_clock_and_match_thread)
{
    struct device_host h = {.set_irq = real_irq};
    struct bus rb;
    bus_init(&rb);
    struct device *d = pl031_create(PL031_BASE, PL031_SPI, &h, NULL, NULL);
    cr_assert_eq(bus_add(&rb, d), 0);
    uint64_t v;
    cr_assert_eq(bus_access(&rb, PL031_BASE + PL031_DR, 4, false, &v, NULL), BUS_OK);
    cr_assert(v + 2 >= (uint64_t)time(NULL) && v <= (uint64_t)time(NULL), "host time");
    uint64_t one = 1, mr = v + 1;
    cr_assert_eq(bus_access(&rb, PL031_BASE + PL031_IMSC, 4, true, &one, NULL), BUS_OK);
    cr_assert_eq(bus_access(&rb, PL031_BASE + PL031_MR, 4, true, &mr, NULL), BUS_OK);
    for (int i = 0; i < 300 && !__atomic_load_n(&real_edges, __ATOMIC_SEQ_CST); i++)
        usleep(10000);
    cr_assert_eq(real_edges, 1, "the thread raised the match interrupt within 3 s");
    bus_free(&rb);
    d->ops->destroy(d);
}
