/*
 * SMP self-tests: isv.test=smp, smp-off and smp-spin (see guest.h).
 *
 * isv.test=smp runs phases on every CPU at once, kept in step by barriers;
 * between them the boot CPU checks what the others recorded and prints it:
 *   1. concurrent MMIO to the isv test device: COUNTER reads (each read
 *      counts, so the total must be exact) and per-CPU scratch slots (a CPU
 *      must always read back its own last write);
 *   2. SGIs between every pair of CPUs through the GIC;
 *   3. CPU_OFF of the upper half of the secondaries, seen by AFFINITY_INFO;
 *   4. two virtio-blk disks driven at once by CPU 0 and a secondary.
 *
 *   isv.smp.n=K   COUNTER reads per CPU in phase 1 (default 200)
 *
 * The test device is shared on purpose: every CPU uses the boot CPU's claim,
 * each writing only its own scratch slot; the VMM must serialise accesses.
 */
#include <libfdt.h>
#include <string.h>

#include "drivers/gic.h"
#include "drivers/testdev_regs.h"
#include "drivers/timer.h"
#include "virtio_blk.h" /* guest/drivers or guest/naive: see guest.mk */
#include "guest.h"
#include "smp.h"

unsigned long strtoul(const char *s, char **end, int base);

#define ONLINE_MS 10000 /* CPU_ON to running C: slow under nested emulation */
#define PHASE_MS 60000  /* the longest a CPU waits for the others */
#define SGI_MS 2000     /* for one SGI to be taken */
#define SGIS_PER_PEER 10u
#define DEFAULT_K 200ul
#define MAX_K 10000000ul
#define BLK_MAX_SECTORS 2048u /* the first 1 MiB of each disk */
#define BLK_CHUNK 128u        /* sectors per transfer */
#define NO_CPU SMP_MAX_CPUS

static struct testdev_smp_regs MMIO_PTR *find_testdev(const void *dtb)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, "isv,testdev");
    uint64_t base, size;
    if (node < 0 || dt_reg(dtb, node, &base, &size) != 0 || size < 0x1000)
        return NULL;
    struct testdev_smp_regs MMIO_PTR *t = mmio_claim(struct testdev_smp_regs, (uintptr_t)base);
    return mmio_read(&t->id) == TESTDEV_ID_VALUE ? t : NULL;
}

/* ---- state shared by the CPUs of isv.test=smp ---- */

static struct {
    unsigned n;
    unsigned long k;
    struct testdev_smp_regs MMIO_PTR *td; /* NULL: no test device */
    struct smp_barrier all;
    uint32_t ready;                       /* secondaries with their GIC up */
    uint32_t scratch_bad[SMP_MAX_CPUS];   /* read-backs that differed */
    uint32_t sgi_recv[SMP_MAX_CPUS][SMP_MAX_CPUS]; /* [receiver][sender] */
    uint32_t sgi_lost[SMP_MAX_CPUS];      /* by sender: not taken in time */
    unsigned off_from;                    /* CPUs off_from..n-1 call CPU_OFF */
    unsigned blk_cpu;                     /* the secondary driving disk 1 */
    struct smp_barrier pair;              /* CPU 0 and blk_cpu */
    int blk_rc[2];
    uint32_t blk_done;
} st;

static bool sync_all(unsigned n)
{
    return smp_barrier_wait(&st.all, n, PHASE_MS);
}

/* The boot CPU's barrier: a timeout is reported and fails the test. */
static bool primary_sync(unsigned n, const char *where)
{
    if (sync_all(n))
        return true;
    kprintf("isv guest: smp: timed out after %u ms waiting for the other cpus %s\n", PHASE_MS,
            where);
    return false;
}

/* ---- phase 1: concurrent MMIO ---- */

static uint64_t slot_pattern(unsigned cpu, unsigned long i)
{
    return (uint64_t)(cpu + 1) << 56 | (uint64_t)(cpu + 1) << 32 | (uint32_t)i;
}

static void mmio_phase(unsigned cpu)
{
    struct testdev_smp_regs MMIO_PTR *t = st.td;
    uint32_t bad = 0;
    for (unsigned long i = 0; i < st.k; i++) {
        (void)mmio_read(&t->counter);
        uint64_t v = slot_pattern(cpu, i);
        mmio_write(mmio_elem(t, slot, cpu), v);
        if (mmio_read(mmio_elem(t, slot, cpu)) != v)
            bad++;
    }
    st.scratch_bad[cpu] = bad;
}

static int mmio_check(uint64_t start)
{
    struct testdev_smp_regs MMIO_PTR *t = st.td;
    /* COUNTER returns the number of earlier reads: the one that gave
     * `start`, n * k in the phase, then this one. */
    uint64_t expected = start + 1 + (uint64_t)st.n * st.k, got = mmio_read(&t->counter);
    kprintf("isv guest: smp: testdev counter: %u cpus x %lu reads, expected %lu, got %lu: %s\n",
            st.n, st.k, (unsigned long)expected, (unsigned long)got,
            got == expected ? "ok" : "MISMATCH");
    bool ok = true;
    for (unsigned c = 0; c < st.n; c++) {
        uint64_t last = mmio_read(mmio_elem(t, slot, c));
        if (st.scratch_bad[c] || last != slot_pattern(c, st.k - 1)) {
            kprintf("isv guest: smp: scratch slot %u: %u of %lu read-backs differed, holds 0x%lx\n",
                    c, st.scratch_bad[c], st.k, (unsigned long)last);
            ok = false;
        }
    }
    kprintf("isv guest: smp: scratch slots: %s\n", ok ? "ok" : "MISMATCH");
    return got != expected || !ok;
}

/* ---- phase 2: SGIs. Sender s uses INTID s, so SGIs of different senders
 * never merge into one pending interrupt; a sender waits for each of its
 * own to be taken before sending the next to the same CPU. ---- */

static void sgi_taken(void *ctx)
{
    unsigned sender = (unsigned)(uintptr_t)ctx;
    __atomic_add_fetch(&st.sgi_recv[smp_cpu_id()][sender], 1, __ATOMIC_RELEASE);
}

static void sgi_phase(unsigned cpu)
{
    irq_enable(); /* until the phase ends: the others' SGIs arrive any time */
    for (unsigned m = 0; m < SGIS_PER_PEER && !st.sgi_lost[cpu]; m++)
        for (unsigned t = 0; t < st.n; t++) {
            if (t == cpu)
                continue;
            gic_send_sgi(cpu, smp_cpu_mpidr(t));
            if (!smp_wait_count(&st.sgi_recv[t][cpu], m + 1, SGI_MS)) {
                st.sgi_lost[cpu]++;
                break;
            }
        }
}

static int sgi_check(void)
{
    uint32_t want = (st.n - 1) * SGIS_PER_PEER;
    bool ok = true;
    for (unsigned r = 0; r < st.n; r++) {
        uint32_t total = 0;
        for (unsigned s = 0; s < st.n; s++) {
            uint32_t got = st.sgi_recv[r][s], exp = s == r ? 0 : SGIS_PER_PEER;
            total += got;
            if (got != exp) {
                kprintf("isv guest: smp: sgi: cpu %u received %u from cpu %u, expected %u\n", r,
                        got, s, exp);
                ok = false;
            }
        }
        if (total != want)
            kprintf("isv guest: smp: sgi: cpu %u received %u of %u\n", r, total, want);
        if (st.sgi_lost[r]) {
            kprintf("isv guest: smp: sgi: an SGI from cpu %u was not taken within %u ms\n", r,
                    SGI_MS);
            ok = false;
        }
    }
    if (gic_unhandled()) {
        kprintf("isv guest: smp: sgi: %u interrupts with no handler\n", gic_unhandled());
        ok = false;
    }
    if (ok)
        kprintf("isv guest: smp: sgi: each cpu received %u of %u: ok\n", want, want);
    else
        kprintf("isv guest: smp: sgi: MISMATCH\n");
    return !ok;
}

/* ---- phase 3: CPU_OFF ---- */

static int cpu_off_check(void)
{
    unsigned off = st.n - st.off_from;
    bool ok = true;
    for (unsigned c = st.off_from; c < st.n; c++) {
        uint64_t start = timer_now();
        int state;
        while ((state = smp_cpu_state(c)) != 1 && timer_ms_since(start) < ONLINE_MS)
            ;
        if (state != 1) {
            kprintf("isv guest: smp: cpu_off: cpu %u: AFFINITY_INFO still %d after %u ms\n", c,
                    state, ONLINE_MS);
            ok = false;
        }
    }
    for (unsigned c = 0; c < st.off_from; c++) {
        int state = smp_cpu_state(c);
        if (state != 0) {
            kprintf("isv guest: smp: cpu_off: running cpu %u: AFFINITY_INFO %d, not 0 (ON)\n", c,
                    state);
            ok = false;
        }
    }
    kprintf("isv guest: smp: cpu_off: %u cpus off, AFFINITY_INFO confirms: %s\n", off,
            ok ? "ok" : "MISMATCH");
    return !ok;
}

/* ---- phase 4: virtio-blk from two CPUs. Disk d holds the virtio-blk
 * test's pattern with seed d + 1 (blk_pattern_word). ---- */

static struct virtio_blk blks[2];
static uint32_t blk_bufs[2][BLK_CHUNK * VIRTIO_BLK_SECTOR / 4] __attribute__((aligned(4096)));

static uint32_t blk_word(unsigned disk, uint64_t sector, uint32_t i)
{
    return blk_pattern_word(disk + 1, sector, i);
}

static uint32_t blk_sectors(const struct virtio_blk *b)
{
    return b->capacity < BLK_MAX_SECTORS ? (uint32_t)b->capacity : BLK_MAX_SECTORS;
}

/* Pattern over the disk's first sectors, flush, read back and compare. */
static int blk_run(unsigned disk)
{
    struct virtio_blk *b = &blks[disk];
    uint32_t *buf = blk_bufs[disk], total = blk_sectors(b), words = VIRTIO_BLK_SECTOR / 4;
    for (uint32_t s = 0; s < total; s += BLK_CHUNK) {
        uint32_t n = total - s < BLK_CHUNK ? total - s : BLK_CHUNK;
        for (uint32_t i = 0; i < n * words; i++)
            buf[i] = blk_word(disk, s + i / words, i % words);
        int rc = virtio_blk_write(b, s, buf, n);
        if (rc != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: smp: virtio-blk: disk %u: write at sector %u: status %d\n", disk,
                    s, rc);
            return 1;
        }
    }
    int fl = virtio_blk_flush(b);
    if (fl != VIRTIO_BLK_S_OK && !(fl == VIRTIO_BLK_S_UNSUPP && !virtio_blk_has_flush(b))) {
        kprintf("isv guest: smp: virtio-blk: disk %u: flush: status %d\n", disk, fl);
        return 1;
    }
    uint32_t bad = 0;
    for (uint32_t s = 0; s < total; s += BLK_CHUNK) {
        uint32_t n = total - s < BLK_CHUNK ? total - s : BLK_CHUNK;
        memset(buf, 0, n * VIRTIO_BLK_SECTOR); /* stale data must not pass for a read */
        int rc = virtio_blk_read(b, s, buf, n);
        if (rc != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: smp: virtio-blk: disk %u: read at sector %u: status %d\n", disk,
                    s, rc);
            return 1;
        }
        for (uint32_t i = 0; i < n * words; i++)
            if (buf[i] != blk_word(disk, s + i / words, i % words)) {
                bad++;
                i |= words - 1; /* count sectors, not words */
            }
    }
    kprintf("isv guest: smp: virtio-blk: disk %u on cpu %u: %u sectors written and read back, "
            "%u differ, %u requests, %u interrupts\n",
            disk, smp_cpu_id(), total, bad, b->requests, b->dev->irqs);
    return bad != 0;
}

/* Disk 1's half, on st.blk_cpu: start together with CPU 0. */
static void blk_secondary(void)
{
    if (!smp_barrier_wait(&st.pair, 2, PHASE_MS))
        return;
    st.blk_rc[1] = blk_run(1);
    __atomic_store_n(&st.blk_done, 1, __ATOMIC_RELEASE);
}

/* A CPU started again after CPU_OFF (with two CPUs there is no other). */
static void blk_restarted(unsigned cpu, void *arg)
{
    (void)cpu;
    (void)arg;
    if (gic_init_cpu() == 0) /* disk 1's interrupt comes here */
        blk_secondary();
}

/* Both disks set up by CPU 0 (the GIC distributor is not safe to program
 * from two CPUs), disk 1's interrupt routed to its CPU. 1 = fail, 0 = done,
 * -1 = fewer than two disks. */
static int blk_prepare(const void *dtb)
{
    virtio_mmio_probe(dtb);
    struct virtio_dev *d[2] = {virtio_mmio_find(VIRTIO_ID_BLOCK, 0),
                               virtio_mmio_find(VIRTIO_ID_BLOCK, 1)};
    if (!d[0] || !d[1])
        return -1;
    for (unsigned i = 0; i < 2; i++)
        if (virtio_blk_init(&blks[i], d[i]) != 0 || blk_sectors(&blks[i]) == 0) {
            kprintf("isv guest: smp: virtio-blk: disk %u at 0x%lx: initialisation failed\n", i,
                    (unsigned long)d[i]->base);
            return 1;
        }
    if (d[1]->spi >= 0)
        gic_set_spi_target((uint32_t)d[1]->spi, smp_cpu_mpidr(st.blk_cpu));
    return 0;
}

static int blk_phase(const void *dtb)
{
    int prep = blk_prepare(dtb);
    if (prep < 0) {
        kprintf("isv guest: smp: virtio-blk: fewer than 2 disks: skipped\n");
        st.blk_cpu = NO_CPU;
    }
    /* Let the still-running secondaries go: st.blk_cpu names which one. */
    if (!primary_sync(st.off_from, "before the virtio-blk phase"))
        return 1;
    if (prep)
        return prep > 0;
    if (st.off_from == 1) {
        int rc = smp_start(st.blk_cpu, blk_restarted, NULL);
        if (rc != 0) {
            kprintf("isv guest: smp: CPU_ON of cpu %u after CPU_OFF: status %d\n", st.blk_cpu, rc);
            return 1;
        }
        kprintf("isv guest: smp: cpu %u started again after CPU_OFF\n", st.blk_cpu);
    }
    if (!smp_barrier_wait(&st.pair, 2, PHASE_MS)) {
        kprintf("isv guest: smp: virtio-blk: cpu %u never started its disk\n", st.blk_cpu);
        return 1;
    }
    st.blk_rc[0] = blk_run(0);
    if (!smp_wait_count(&st.blk_done, 1, PHASE_MS)) {
        kprintf("isv guest: smp: virtio-blk: cpu %u not done after %u ms\n", st.blk_cpu, PHASE_MS);
        return 1;
    }
    bool ok = st.blk_rc[0] == 0 && st.blk_rc[1] == 0;
    virtio_blk_stop(&blks[0]);
    virtio_blk_stop(&blks[1]);
    kprintf("isv guest: smp: virtio-blk: 2 disks driven concurrently from cpus 0 and %u: %s\n",
            st.blk_cpu, ok ? "ok" : "FAILED");
    return !ok;
}

/* ---- the secondaries' side of the phases, in step with test_smp ---- */

static void smp_worker(unsigned cpu, void *arg)
{
    (void)arg;
    if (gic_init_cpu() != 0)
        return; /* never reports in: the boot CPU times out */
    smp_count_up(&st.ready);
    if (!sync_all(st.n))
        return;
    if (st.td)
        mmio_phase(cpu);
    if (!sync_all(st.n) || !sync_all(st.n))
        return;
    sgi_phase(cpu);
    bool ok = sync_all(st.n);
    irq_disable();
    if (!ok || !sync_all(st.n))
        return;
    if (cpu >= st.off_from)
        psci_cpu_off();
    if (sync_all(st.off_from) && cpu == st.blk_cpu)
        blk_secondary();
}

static int smp_phases(const void *dtb)
{
    unsigned n = st.n;
    uint64_t start = st.td ? mmio_read(&st.td->counter) : 0;
    if (!primary_sync(n, "before the MMIO phase"))
        return 1;
    if (st.td)
        mmio_phase(0);
    if (!primary_sync(n, "after the MMIO phase"))
        return 1;
    if (st.td && mmio_check(start))
        return 1;
    if (!st.td)
        kprintf("isv guest: smp: no isv,testdev: MMIO phase skipped\n");

    if (!primary_sync(n, "before the SGI phase"))
        return 1;
    sgi_phase(0);
    bool synced = primary_sync(n, "after the SGI phase");
    irq_disable();
    if (!synced || sgi_check())
        return 1;

    if (!primary_sync(n, "before CPU_OFF") || cpu_off_check())
        return 1;
    return blk_phase(dtb);
}

int test_smp(const void *dtb)
{
    int n = smp_init(dtb);
    if (n < 0)
        return 1;
    kprintf("isv guest: smp: %d cpus in the device tree\n", n);
    if (n == 1) {
        kprintf("isv guest: smp: only one cpu; nothing to test\n");
        return 1;
    }
    st.n = (unsigned)n;
    st.k = DEFAULT_K;
    char buf[24];
    if (dt_bootarg(dtb, "isv.smp.n", buf, sizeof buf)) {
        char *end;
        st.k = strtoul(buf, &end, 10);
        if (*end || st.k == 0 || st.k > MAX_K) {
            kprintf("isv guest: smp: isv.smp.n=%s is not a count in 1..%lu\n", buf, MAX_K);
            return 1;
        }
    }
    st.td = find_testdev(dtb);
    /* The upper half of the secondaries (at least one) go off in phase 3;
     * disk 1 goes to the first that stays on, or CPU 1 started again. */
    st.off_from = st.n - st.n / 2;
    st.blk_cpu = 1;
    if (gic_init(dtb) != 0) {
        kprintf("isv guest: smp: no usable GICv3 in the device tree\n");
        return 1;
    }
    for (unsigned s = 0; s < 16; s++)
        gic_set_sgi_handler(s, sgi_taken, (void *)(uintptr_t)s);

    for (unsigned c = 1; c < st.n; c++) {
        int rc = smp_start(c, smp_worker, NULL);
        if (rc != 0) {
            kprintf("isv guest: smp: CPU_ON of cpu %u (MPIDR 0x%lx): status %d\n", c,
                    (unsigned long)smp_cpu_mpidr(c), rc);
            return 1;
        }
    }
    if (!smp_wait_count(&st.ready, st.n - 1, ONLINE_MS)) {
        kprintf("isv guest: smp: only %u of %u cpus online after %u ms\n",
                1 + __atomic_load_n(&st.ready, __ATOMIC_ACQUIRE), st.n, ONLINE_MS);
        return 1;
    }
    kprintf("isv guest: smp: %u cpus online\n", st.n);
    if (smp_phases(dtb))
        return 1;
    kprintf("isv guest: smp: all checks passed\n");
    return 0;
}

/* ---- isv.test=smp-off and smp-spin ---- */

/* Forever: COUNTER reads (each one an exit to the VMM) or, with no test
 * device, WFE. */
static __attribute__((noreturn)) void spin(struct testdev_smp_regs MMIO_PTR *t)
{
    for (;;) {
        if (t)
            (void)mmio_read(&t->counter);
        else
            __asm__ volatile("wfe");
    }
}

static struct testdev_smp_regs MMIO_PTR *spin_td;
static uint32_t spin_online;

static void off_worker(unsigned cpu, void *arg)
{
    (void)arg;
    smp_count_up(&spin_online);
    kprintf("isv guest: smp-off: cpu %u powering the system off\n", cpu);
    psci_system_off();
}

int test_smp_off(const void *dtb)
{
    int n = smp_init(dtb);
    if (n < 2) {
        if (n == 1)
            kprintf("isv guest: smp-off: needs 2 cpus, the device tree has 1\n");
        return 1;
    }
    spin_td = find_testdev(dtb);
    kprintf("isv guest: smp-off: cpu 0 %s while cpu 1 powers off\n",
            spin_td ? "reads the testdev counter" : "waits in WFE");
    int rc = smp_start(1, off_worker, NULL);
    if (rc != 0) {
        kprintf("isv guest: smp-off: CPU_ON of cpu 1: status %d\n", rc);
        return 1;
    }
    if (!smp_wait_count(&spin_online, 1, ONLINE_MS)) {
        kprintf("isv guest: smp-off: cpu 1 not online after %u ms\n", ONLINE_MS);
        return 1;
    }
    spin(spin_td);
}

static void spin_worker(unsigned cpu, void *arg)
{
    (void)cpu;
    (void)arg;
    smp_count_up(&spin_online);
    spin(spin_td);
}

int test_smp_spin(const void *dtb)
{
    int n = smp_init(dtb);
    if (n < 0)
        return 1;
    spin_td = find_testdev(dtb);
    for (unsigned c = 1; c < (unsigned)n; c++) {
        int rc = smp_start(c, spin_worker, NULL);
        if (rc != 0) {
            kprintf("isv guest: smp-spin: CPU_ON of cpu %u: status %d\n", c, rc);
            return 1;
        }
    }
    if (!smp_wait_count(&spin_online, (uint32_t)n - 1, ONLINE_MS)) {
        kprintf("isv guest: smp-spin: only %u of %d cpus online after %u ms\n",
                1 + __atomic_load_n(&spin_online, __ATOMIC_ACQUIRE), n, ONLINE_MS);
        return 1;
    }
    if (!spin_td)
        kprintf("isv guest: smp-spin: no isv,testdev: spinning in WFE\n");
    kprintf("isv guest: smp-spin: %d cpus spinning\n", n);
    spin(spin_td);
}
