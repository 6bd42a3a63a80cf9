/*
 * isv.test=hostile: the hostile-guest suite. The guest attacks the VMM and
 * its devices on purpose; every attack is named, states the outcome it
 * expects (architected behaviour, or a clear refusal), and after it every
 * device must still work. isv.hostile=GROUP picks the batch:
 *   main    (--nisv=emulate --cpus 2): virtqueues, registers, pairs, IRQs,
 *           the GIC, PSCI
 *   inject  (--nisv=inject): exclusives, atomics, SIMD and pairs on every
 *           device, each an external abort
 *   NAME    one attack of hostile_final_attacks, which ends the run
 * Devices: virtio-blk, two virtio-rng, virtio-console (in that slot order),
 * the test device, the PL011 and PL031, the vGIC. Output, one line each:
 *   isv guest: attack NAME: ok (expected: ...): what happened
 *   isv guest: hostile: N passed, M failed
 */
#include <libfdt.h>
#include <string.h>

#include "drivers/gic.h"
#include "drivers/timer.h"
#include "virtio_blk.h" /* guest/drivers or guest/naive: see guest.mk */
#include "virtio_console.h"
#include "virtio_rng.h"
#include "hostile.h"
#include "smp.h"

int strcmp(const char *a, const char *b);

struct hostile_env H;

bool hostile_say(char *got, size_t len, const char *fmt, ...)
{
    size_t n = strlen(got);
    if (n + 1 < len) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(got + n, len - n, fmt, ap);
        va_end(ap);
    }
    return false;
}

void hostile_delay(unsigned ms)
{
    uint64_t until = timer_deadline(ms);
    while (timer_now() < until)
        ;
}

/* ---- the device tree ---- */

static uint64_t node_base(const char *compatible)
{
    int node = fdt_node_offset_by_compatible(H.dtb, -1, compatible);
    uint64_t base, size;
    return node >= 0 && dt_reg(H.dtb, node, &base, &size) == 0 ? base : 0;
}

static void find_env(const void *dtb)
{
    memset(&H, 0, sizeof H);
    H.dtb = dtb;
    int node = fdt_node_offset_by_prop_value(dtb, -1, "device_type", "memory", sizeof "memory");
    uint64_t base, size;
    if (node >= 0 && dt_reg(dtb, node, &base, &size) == 0) {
        H.ram_base = base;
        H.ram_end = base + size;
    }
    H.pl011 = console_base();
    H.pl011_spi = console_node() >= 0 ? gic_dt_spi(dtb, console_node()) : -1;
    H.pl031 = node_base("arm,pl031");
    node = fdt_node_offset_by_compatible(dtb, -1, "arm,pl031");
    H.pl031_spi = node >= 0 ? gic_dt_spi(dtb, node) : -1;
    H.testdev = node_base("isv,testdev");
    node = fdt_node_offset_by_compatible(dtb, -1, "arm,gic-v3");
    int len;
    const fdt32_t *reg = node >= 0 ? fdt_getprop(dtb, node, "reg", &len) : NULL;
    if (reg && len >= 32) {
        H.gicd = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
        H.gicr = (uint64_t)fdt32_to_cpu(reg[4]) << 32 | fdt32_to_cpu(reg[5]);
    }
    int n = virtio_mmio_probe(dtb);
    for (int i = 0; i < n && H.nvirtio < 8; i++)
        H.virtio[H.nvirtio++] = virtio_mmio_dev(i);
    H.blk = virtio_mmio_find(VIRTIO_ID_BLOCK, 0);
    H.rng[0] = virtio_mmio_find(VIRTIO_ID_RNG, 0);
    H.rng[1] = virtio_mmio_find(VIRTIO_ID_RNG, 1);
    H.con = virtio_mmio_find(VIRTIO_ID_CONSOLE, 0);
    int cpus = smp_init(dtb);
    H.ncpus = cpus > 0 ? (unsigned)cpus : 1;
}

/* ---- the helper CPU (CPU 1): runs jobs for attacks that need two CPUs ---- */

static struct {
    hostile_job *fn;          /* posted by CPU 0, cleared by CPU 1 when done */
    void *arg;
    uint32_t stop, retire, up;
} hs;

static void helper_main(unsigned cpu, void *arg)
{
    (void)cpu;
    (void)arg;
    gic_init_cpu(); /* its CPU interface, for SGIs */
    __atomic_store_n(&hs.up, 1, __ATOMIC_RELEASE);
    for (;;) {
        hostile_job *fn;
        while (!(fn = __atomic_load_n(&hs.fn, __ATOMIC_ACQUIRE)) &&
               !__atomic_load_n(&hs.retire, __ATOMIC_ACQUIRE))
            __asm__ volatile("wfe" ::: "memory"); /* the event stream bounds it */
        if (!fn)
            return; /* retired: smp.c calls CPU_OFF */
        fn(hs.arg);
        __atomic_store_n(&hs.fn, NULL, __ATOMIC_RELEASE);
    }
}

bool hostile_helper_run(hostile_job *fn, void *arg)
{
    if (!__atomic_load_n(&hs.up, __ATOMIC_ACQUIRE) || hs.retire)
        return false;
    hs.arg = arg;
    __atomic_store_n(&hs.stop, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&hs.fn, fn, __ATOMIC_RELEASE);
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    return true;
}

bool hostile_helper_stopping(void)
{
    return __atomic_load_n(&hs.stop, __ATOMIC_ACQUIRE);
}

void hostile_helper_stop(void)
{
    __atomic_store_n(&hs.stop, 1, __ATOMIC_RELEASE);
    uint64_t until = timer_deadline(10000);
    while (__atomic_load_n(&hs.fn, __ATOMIC_ACQUIRE) && timer_now() < until)
        ;
}

bool hostile_helper_retire(void)
{
    if (!__atomic_load_n(&hs.up, __ATOMIC_ACQUIRE))
        return false;
    __atomic_store_n(&hs.retire, 1, __ATOMIC_RELEASE);
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    uint64_t until = timer_deadline(5000);
    while (smp_cpu_state(1) != 1)
        if (timer_now() > until)
            return false;
    hs.up = 0;
    return true;
}

static void helper_start(void)
{
    if (H.ncpus < 2 || smp_start(1, helper_main, NULL) != 0)
        return;
    uint64_t until = timer_deadline(10000);
    while (!__atomic_load_n(&hs.up, __ATOMIC_ACQUIRE) && timer_now() < until)
        ;
}

/* ---- after every attack: does everything still work? ---- */

static struct virtio_blk hb;
static struct virtio_rng hrng[2];
static struct virtio_console hcon;
static bool hb_up, hrng_up[2], hcon_up;
static uint8_t hbuf[512] __attribute__((aligned(64)));
static uint8_t hcheck[512] __attribute__((aligned(64)));
static volatile uint32_t sgi_seen;

/* The driver's queue is still live: nothing reset or disabled it. */
static bool live(struct virtio_dev *d, unsigned q)
{
    if (d->broken || r32(d->base + VM_STATUS) != VM_LIVE)
        return false;
    w32(d->base + VM_QSEL, q);
    return r32(d->base + VM_QREADY) == 1;
}

static void sgi_handler(void *ctx)
{
    (void)ctx;
    sgi_seen++;
}

static bool health_blk(unsigned round, char *got, size_t len)
{
    if (!H.blk)
        return true;
    if (!hb_up || !live(H.blk, 0)) {
        if (virtio_blk_init(&hb, H.blk) != 0)
            return hostile_say(got, len, "; blk does not initialise");
        hb_up = true;
    }
    uint64_t sector = (round * 7u) % (hb.capacity ? hb.capacity : 1);
    for (unsigned i = 0; i < sizeof hbuf; i++)
        hbuf[i] = (uint8_t)(round * 31u + i * 7u);
    int w = virtio_blk_write(&hb, sector, hbuf, 1);
    memset(hcheck, 0, sizeof hcheck);
    int r = virtio_blk_read(&hb, sector, hcheck, 1);
    if (w != VIRTIO_BLK_S_OK || r != VIRTIO_BLK_S_OK || memcmp(hbuf, hcheck, sizeof hbuf)) {
        hb_up = false;
        return hostile_say(got, len, "; blk sector %lu write %d read %d: BROKEN",
                           (unsigned long)sector, w, r);
    }
    return true;
}

static bool health_rng(unsigned i, char *got, size_t len)
{
    if (!H.rng[i])
        return true;
    if (!hrng_up[i] || !live(H.rng[i], 0)) {
        if (virtio_rng_init(&hrng[i], H.rng[i]) != 0)
            return hostile_say(got, len, "; rng %u does not initialise", i);
        hrng_up[i] = true;
    }
    uint8_t b[16] __attribute__((aligned(16))) = {0};
    uint8_t any = 0;
    int rc = virtio_rng_read(&hrng[i], b, sizeof b);
    for (unsigned k = 0; k < sizeof b; k++)
        any |= b[k];
    if (rc != 0 || !any) {
        hrng_up[i] = false;
        return hostile_say(got, len, "; rng %u BROKEN", i);
    }
    return true;
}

static bool health_con(const char *name, char *got, size_t len)
{
    if (!H.con)
        return true;
    if (!hcon_up || !live(H.con, 1)) {
        if (virtio_console_init(&hcon, H.con) != 0)
            return hostile_say(got, len, "; console does not initialise");
        hcon_up = true;
    }
    char line[96] = "hostile: after ";
    size_t n = strlen(line);
    for (const char *p = name; *p && n < sizeof line - 1; p++)
        line[n++] = *p;
    line[n++] = '\n';
    if (virtio_console_write(&hcon, line, n) != 0) {
        hcon_up = false;
        return hostile_say(got, len, "; console BROKEN");
    }
    return true;
}

static bool health_sgi(char *got, size_t len)
{
    if (!H.gicd)
        return true;
    uint32_t before = sgi_seen;
    gic_send_sgi(6, smp_read_mpidr());
    uint64_t until = timer_deadline(1000);
    irq_enable();
    while (sgi_seen == before && timer_now() < until)
        __asm__ volatile("wfe");
    irq_disable();
    return sgi_seen != before ? true : hostile_say(got, len, "; SGI to self not taken");
}

/* Every device, and the CPU's interrupts, still work. */
static bool health(unsigned round, const char *name, char *got, size_t len)
{
    bool ok = health_blk(round, got, len);
    ok &= health_rng(0, got, len);
    ok &= health_rng(1, got, len);
    ok &= health_con(name, got, len);
    if (H.testdev && r32(H.testdev) != 0x54565349u)
        ok = hostile_say(got, len, "; testdev ID wrong");
    if (H.pl031 && r32(H.pl031) == 0)
        ok = hostile_say(got, len, "; pl031 counter reads 0");
    if (H.pl011 && (r32(H.pl011 + 0x30) & 0x101) != 0x101)
        ok = hostile_say(got, len, "; pl011 UARTEN/TXE off");
    ok &= health_sgi(got, len);
    return ok;
}

/* ---- running ---- */

static unsigned passed, failed, round_no;

static void run_one(const struct hostile_attack *a)
{
    char got[600] = "";
    bool ok = a->fn(got, sizeof got);
    bool healthy = health(++round_no, a->name, got, sizeof got);
    /* kprintf takes 255 bytes a call: the description goes in pieces. */
    kprintf("isv guest: attack %s: %s (expected: %s)%s", a->name, ok && healthy ? "ok" : "FAILED",
            a->expected, got[0] ? ": " : "");
    for (const char *p = got[0] == ';' ? got + 2 : got; *p;) {
        char piece[160];
        size_t k = 0;
        while (p[k] && k < sizeof piece - 1) {
            piece[k] = p[k];
            k++;
        }
        piece[k] = '\0';
        kprintf("%s", piece);
        p += k;
    }
    kprintf("\n");
    /* The VMM's device messages bypass the console's output thread: give it
     * time to write this line out before the next attack provokes one. */
    hostile_delay(10);
    if (ok && healthy)
        passed++;
    else
        failed++;
}

static void run_table(const struct hostile_attack *t)
{
    for (; t->name; t++)
        run_one(t);
}

int test_hostile(const void *dtb)
{
    char group[40];
    if (!dt_bootarg(dtb, "isv.hostile", group, sizeof group))
        memcpy(group, "main", sizeof "main");
    find_env(dtb);
    if (gic_init(dtb) != 0)
        kprintf("isv guest: hostile: no GICv3\n");
    gic_set_sgi_handler(6, sgi_handler, NULL);
    abort_catch(true); /* aborts an attack expects are caught, the rest stay fatal */
    kprintf("isv guest: hostile: group %s: RAM 0x%lx-0x%lx, %u virtio devices, %u cpus\n", group,
            (unsigned long)H.ram_base, (unsigned long)H.ram_end, H.nvirtio, H.ncpus);

    if (strcmp(group, "main") == 0) {
        helper_start();
        char got[200] = "";
        if (!health(0, "setup", got, sizeof got))
            kprintf("isv guest: hostile: devices broken before any attack%s\n", got);
        run_table(hostile_ring_attacks);
        run_table(hostile_virtio_attacks);
        run_table(hostile_reg_attacks);
        run_table(hostile_nisv_attacks);
        run_table(hostile_irq_attacks);
        run_table(hostile_psci_attacks); /* last: it may leave CPU 1 lost */
    } else if (strcmp(group, "inject") == 0) {
        run_table(hostile_inject_attacks);
    } else {
        const struct hostile_attack *a = hostile_final_attacks;
        while (a->name && strcmp(a->name, group) != 0)
            a++;
        if (!a->name) {
            kprintf("isv guest: hostile: unknown group '%s'\n", group);
            return 1;
        }
        kprintf("isv guest: attack %s: starting (expected: %s)\n", a->name, a->expected);
        run_one(a);
    }
    kprintf("isv guest: hostile: %u passed, %u failed\n", passed, failed);
    return failed != 0;
}
