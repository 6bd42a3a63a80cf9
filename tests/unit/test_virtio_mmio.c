/* virtio-mmio transport: registers, status machine, queues, interrupts, reset,
 * and what a misbehaving driver gets. Uses a small echo device. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <libfdt.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../../vmm/board.h"
#include "../../devices/pl011.h"
#include "../../devices/virtio_devices.h"
#include "fdt_node.h"
#include "../../devices/virtio_mmio.h"
#include "virtq_cases.h"
#include "vtest.h"

#define F_N VIRTQ_DESC_F_NEXT
#define F_W VIRTQ_DESC_F_WRITE

enum {
    MAGIC = 0x00, VERSION = 0x04, DEVICE_ID = 0x08, VENDOR_ID = 0x0c,
    DEV_FEAT = 0x10, DEV_FEAT_SEL = 0x14, DRV_FEAT = 0x20, DRV_FEAT_SEL = 0x24,
    QSEL = 0x30, QNUM_MAX = 0x34, QNUM = 0x38, QREADY = 0x44, QNOTIFY = 0x50,
    INT_STATUS = 0x60, INT_ACK = 0x64, STATUS = 0x70, QDESC_LO = 0x80,
    SHM_LEN_LO = 0xb0, SHM_BASE_HI = 0xbc, QRESET = 0xc0, CONFIG_GEN = 0xfc, CONFIG = 0x100,
};
#define ACK VIRTIO_STATUS_ACKNOWLEDGE
#define DRV VIRTIO_STATUS_DRIVER
#define FOK VIRTIO_STATUS_FEATURES_OK
#define DOK VIRTIO_STATUS_DRIVER_OK
#define V1 (1ull << VIRTIO_F_VERSION_1)
#define TEST_FEATURE (1ull << 3)

/* ---- an echo device: every chain comes back with its writable length ---- */

struct tdev {
    struct virtq_chain chain;
    int popped;                 /* atomic */
    pthread_mutex_t m;
    pthread_cond_t cv;
    bool hold, holding, release; /* park the worker with a chain in flight */
    uint32_t cfg_off;
    unsigned cfg_len, cfg_writes;
    uint64_t cfg_val;
};

static void t_work(struct virtio_mmio *vm, unsigned q)
{
    struct tdev *t = virtio_mmio_priv(vm);
    while (virtio_mmio_pop(vm, q, &t->chain)) {
        __atomic_add_fetch(&t->popped, 1, __ATOMIC_SEQ_CST);
        pthread_mutex_lock(&t->m);
        if (t->hold) {
            t->holding = true;
            pthread_cond_broadcast(&t->cv);
            while (!t->release)
                pthread_cond_wait(&t->cv, &t->m);
        }
        pthread_mutex_unlock(&t->m);
        virtio_mmio_push(vm, q, &t->chain, (uint32_t)t->chain.wr_len);
    }
}

static void t_cfg_write(struct virtio_mmio *vm, uint32_t off, unsigned len, uint64_t val)
{
    struct tdev *t = virtio_mmio_priv(vm);
    t->cfg_off = off;
    t->cfg_len = len;
    t->cfg_val = val;
    t->cfg_writes++;
}

static const struct virtio_dev_ops t_ops = {
    .type = "virtio-test",
    .device_id = 42,
    .num_queues = 2,
    .queue_max = VQC_NUM,
    .queue_work = t_work,
    .config_write = t_cfg_write,
};

static struct vt_host h;
static struct tdev td;
static struct virtio_mmio *vm;
static struct device *dev;
static struct vt_queue qs[2];
static const uint8_t cfg_bytes[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                      0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

static void setup(void)
{
    char err[200];
    vt_host_init(&h, VQC_RAM);
    memset(&td, 0, sizeof td);
    pthread_mutex_init(&td.m, NULL);
    pthread_cond_init(&td.cv, NULL);
    vm = virtio_mmio_create(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SPI_BASE, &h.host, &t_ops, &td,
                            TEST_FEATURE, cfg_bytes, sizeof cfg_bytes, err, sizeof err);
    cr_assert(vm, "%s", err);
    dev = virtio_mmio_dev(vm);
    vt_queue_layout(&qs[0], &h, 0, VQC_NUM);
    vt_queue_layout(&qs[1], &h, 1, 8);
}

static void teardown(void)
{
    /* A failed assertion may leave the worker parked on a chain. */
    pthread_mutex_lock(&td.m);
    td.release = true;
    pthread_cond_broadcast(&td.cv);
    pthread_mutex_unlock(&td.m);
    if (dev)
        dev->ops->destroy(dev);
    vt_host_fini(&h);
}

TestSuite(virtio_mmio, .init = setup, .fini = teardown);

/* Publish a one-buffer writable chain of `len` bytes on queue q. */
static void post(struct vt_queue *q, uint16_t head, uint32_t len)
{
    vt_desc(q, q->desc, head, VT_DATA + 0x1000ull * head, len, F_W, 0);
    vt_avail(q, head);
}

/* ---- identity and access widths ---- */

Test(virtio_mmio, identity_registers)
{
    cr_assert_eq(vt_rd32(dev, MAGIC), 0x74726976);
    cr_assert_eq(vt_rd32(dev, VERSION), 2);
    cr_assert_eq(vt_rd32(dev, DEVICE_ID), 42);
    cr_assert_eq(vt_rd32(dev, VENDOR_ID), 0x20565349);
    cr_assert_eq(dev->size, 0x200);
    cr_assert_str_eq(dev->name, "virtio-test@a000000");
    cr_assert(virtio_mmio_is(dev));
    cr_assert_eq(virtio_mmio_num_queues(dev), 2);
}

Test(virtio_mmio, feature_words)
{
    vt_wr32(dev, DEV_FEAT_SEL, 0);
    cr_assert_eq(vt_rd32(dev, DEV_FEAT), (1u << VIRTIO_F_INDIRECT_DESC) | TEST_FEATURE);
    vt_wr32(dev, DEV_FEAT_SEL, 1);
    cr_assert_eq(vt_rd32(dev, DEV_FEAT), 1, "VIRTIO_F_VERSION_1 is word 1 bit 0");
    vt_wr32(dev, DEV_FEAT_SEL, 2);
    cr_assert_eq(vt_rd32(dev, DEV_FEAT), 0);
    vt_wr32(dev, DEV_FEAT_SEL, 0xffffffff);
    cr_assert_eq(vt_rd32(dev, DEV_FEAT), 0);
}

Test(virtio_mmio, registers_below_0x100_are_32_bit_only)
{
    vt_stderr_begin();
    cr_assert_eq(vt_rd(dev, MAGIC, 1), 0);
    cr_assert_eq(vt_rd(dev, MAGIC, 2), 0);
    cr_assert_eq(vt_rd(dev, MAGIC, 8), 0);
    cr_assert_eq(vt_rd(dev, MAGIC + 2, 4), 0, "misaligned word");
    vt_wr(dev, STATUS, 1, ACK);
    vt_wr(dev, STATUS, 2, ACK);
    vt_wr(dev, STATUS, 8, ACK);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, STATUS), 0, "narrow/wide status writes ignored");
    cr_assert(strstr(log, "32-bit only"), "log: %s", log);
    vt_wr32(dev, STATUS, ACK);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK);
}

Test(virtio_mmio, warnings_are_rate_limited)
{
    vt_stderr_begin();
    for (int i = 0; i < 100; i++)
        vt_rd(dev, MAGIC, 1);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_count_lines(log), 8, "log: %s", log);
    cr_assert(strstr(log, "further warnings suppressed"));
}

/* A driver looping "bad queue -> reset" must not get a line per round: the
 * needs-reset reports have a budget that a reset does not refill. */
Test(virtio_mmio, needs_reset_reports_are_rate_limited)
{
    vt_stderr_begin();
    for (int i = 0; i < 100; i++) {
        vt_negotiate(dev, V1);
        qs[0].num = 2 * VQC_NUM;
        vt_queue_enable(dev, 0, &qs[0]);
        cr_assert(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET, "round %d", i);
        vt_wr32(dev, STATUS, 0);
    }
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_count_lines(log), 16, "log: %s", log);
    cr_assert(strstr(log, "device needs reset (further reports suppressed)"), "log: %s", log);
}

Test(virtio_mmio, unused_registers)
{
    cr_assert_eq(vt_rd32(dev, SHM_LEN_LO), 0xffffffff, "no shared memory region");
    cr_assert_eq(vt_rd32(dev, SHM_BASE_HI), 0xffffffff);
    cr_assert_eq(vt_rd32(dev, QRESET), 0);
    cr_assert_eq(vt_rd32(dev, 0x48), 0, "undefined reads 0");
    vt_wr32(dev, MAGIC, 0);
    cr_assert_eq(vt_rd32(dev, MAGIC), 0x74726976, "read-only register");
}

/* ---- status state machine and features ---- */

Test(virtio_mmio, status_sequence)
{
    cr_assert_eq(vt_negotiate(dev, V1 | TEST_FEATURE), ACK | DRV | FOK);
    vt_wr32(dev, STATUS, ACK | DRV | FOK | DOK);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV | FOK | DOK);
    cr_assert_eq(virtio_mmio_features(vm), V1 | TEST_FEATURE);
}

Test(virtio_mmio, features_ok_needs_version_1)
{
    vt_stderr_begin();
    cr_assert_eq(vt_negotiate(dev, TEST_FEATURE), ACK | DRV, "FEATURES_OK refused");
    vt_wr32(dev, STATUS, ACK | DRV | FOK | DOK);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV, "no DRIVER_OK without FEATURES_OK");
    cr_assert(strstr(log, "did not accept VIRTIO_F_VERSION_1"), "log: %s", log);
}

Test(virtio_mmio, features_ok_refuses_unoffered_bits)
{
    vt_stderr_begin();
    cr_assert_eq(vt_negotiate(dev, V1 | (1ull << 30)), ACK | DRV);
    cr_assert_eq(vt_negotiate(dev, V1 | (1ull << 33)), ACK | DRV);
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "features 0x200000000 that were not offered"), "log: %s", log);
    cr_assert_eq(vt_negotiate(dev, V1), ACK | DRV | FOK, "a subset is fine");
}

Test(virtio_mmio, status_bits_in_order_only)
{
    vt_stderr_begin();
    vt_wr32(dev, STATUS, DRV);
    cr_assert_eq(vt_rd32(dev, STATUS), 0, "DRIVER before ACKNOWLEDGE");
    vt_wr32(dev, STATUS, ACK);
    vt_wr32(dev, STATUS, ACK | FOK);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK, "FEATURES_OK before DRIVER");
    vt_wr32(dev, STATUS, ACK | DRV | FOK | DOK); /* several at once, in order */
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV, "DRIVER set, FEATURES_OK refused (no VERSION_1)");
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "status bit 0x2 set before 0x1"), "log: %s", log);
}

Test(virtio_mmio, clearing_status_bits_is_ignored)
{
    vt_negotiate(dev, V1);
    vt_stderr_begin();
    vt_wr32(dev, STATUS, ACK | FOK);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV | FOK);
    cr_assert(strstr(log, "clears bits"), "log: %s", log);
}

Test(virtio_mmio, failed_is_sticky_until_reset)
{
    vt_negotiate(dev, V1);
    vt_wr32(dev, STATUS, ACK | DRV | FOK | VIRTIO_STATUS_FAILED);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV | FOK | VIRTIO_STATUS_FAILED);
    vt_wr32(dev, STATUS, ACK | DRV | FOK | DOK | VIRTIO_STATUS_FAILED);
    cr_assert_eq(vt_rd32(dev, STATUS) & DOK, 0);
    vt_wr32(dev, STATUS, 0);
    cr_assert_eq(vt_rd32(dev, STATUS), 0);
}

Test(virtio_mmio, driver_features_frozen_after_features_ok)
{
    vt_negotiate(dev, V1 | TEST_FEATURE);
    vt_stderr_begin();
    vt_wr32(dev, DRV_FEAT_SEL, 0);
    vt_wr32(dev, DRV_FEAT, 0);
    vt_wr32(dev, DRV_FEAT_SEL, 1);
    vt_wr32(dev, DRV_FEAT, 0);
    vt_stderr_end();
    cr_assert_eq(virtio_mmio_features(vm), V1 | TEST_FEATURE);
}

Test(virtio_mmio, driver_feature_words_beyond_1_ignored)
{
    vt_wr32(dev, STATUS, ACK);
    vt_wr32(dev, STATUS, ACK | DRV);
    vt_wr32(dev, DRV_FEAT_SEL, 1);
    vt_wr32(dev, DRV_FEAT, 1);
    vt_wr32(dev, DRV_FEAT_SEL, 2);
    vt_wr32(dev, DRV_FEAT, 0xffffffff);
    vt_wr32(dev, STATUS, ACK | DRV | FOK);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV | FOK);
    cr_assert_eq(virtio_mmio_features(vm), V1);
}

/* ---- queues ---- */

Test(virtio_mmio, queue_num_max_and_selection)
{
    vt_wr32(dev, QSEL, 0);
    cr_assert_eq(vt_rd32(dev, QNUM_MAX), VQC_NUM);
    vt_wr32(dev, QSEL, 1);
    cr_assert_eq(vt_rd32(dev, QNUM_MAX), VQC_NUM);
    vt_wr32(dev, QSEL, 2);
    cr_assert_eq(vt_rd32(dev, QNUM_MAX), 0, "queue 2 does not exist");
    vt_wr32(dev, QREADY, 1);
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
    vt_wr32(dev, QSEL, 0xffffffff);
    cr_assert_eq(vt_rd32(dev, QNUM_MAX), 0);
    cr_assert_eq(vt_rd32(dev, STATUS), 0, "harmless, not a violation");
}

Test(virtio_mmio, queue_ready_reads_back)
{
    vt_negotiate(dev, V1);
    vt_queue_enable(dev, 0, &qs[0]);
    cr_assert_eq(vt_rd32(dev, QREADY), 1);
    vt_wr32(dev, QSEL, 1);
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
    vt_wr32(dev, QSEL, 0);
    vt_wr32(dev, QREADY, 0);
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
}

Test(virtio_mmio, queue_too_big_needs_reset)
{
    vt_stderr_begin();
    vt_negotiate(dev, V1);
    qs[0].num = 2 * VQC_NUM;
    vt_queue_enable(dev, 0, &qs[0]);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
    cr_assert(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    cr_assert(strstr(log, "virtio-test@a000000: queue 0: size 32 exceeds QueueNumMax 16"),
              "log: %s", log);
}

Test(virtio_mmio, queue_outside_ram_needs_reset)
{
    vt_stderr_begin();
    vt_negotiate(dev, V1);
    qs[0].used = VT_RAM_BASE + VQC_RAM - 8;
    vt_queue_enable(dev, 0, &qs[0]);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
    cr_assert(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    cr_assert(strstr(log, "outside guest RAM"), "log: %s", log);
}

Test(virtio_mmio, queue_addresses_are_64_bit)
{
    vt_stderr_begin();
    vt_negotiate(dev, V1);
    qs[0].desc += 1ull << 32; /* same low half, but 4 GiB higher: not RAM */
    vt_queue_enable(dev, 0, &qs[0]);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
    cr_assert(strstr(log, "descriptor area [0x140000000, +0x100) outside guest RAM"), "log: %s",
              log);
}

Test(virtio_mmio, slots)
{
    cr_assert_eq(virtio_mmio_slot_base(0), 0x0a000000);
    cr_assert_eq(virtio_mmio_slot_base(3), 0x0a000600);
    cr_assert_eq(virtio_mmio_slot_spi(3), 19);
}

Test(virtio_mmio, queue_num_defaults_to_max)
{
    vt_negotiate(dev, V1);
    vt_wr32(dev, QSEL, 0);
    vt_wr32(dev, QDESC_LO, (uint32_t)qs[0].desc);
    vt_wr32(dev, 0x90, (uint32_t)qs[0].avail);
    vt_wr32(dev, 0xa0, (uint32_t)qs[0].used);
    vt_wr32(dev, QREADY, 1);
    cr_assert_eq(vt_rd32(dev, QREADY), 1);
}

Test(virtio_mmio, queue_config_frozen_while_ready)
{
    vt_bring_up(dev, qs, 1, 0);
    vt_stderr_begin();
    vt_wr32(dev, QSEL, 0);
    vt_wr32(dev, QDESC_LO, 0x10);
    vt_wr32(dev, QNUM, 3);
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "while the queue is ready"), "log: %s", log);
    post(&qs[0], 0, 32);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "still the original rings");
    cr_assert_eq(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* ---- processing, notifications, interrupts ---- */

Test(virtio_mmio, chain_completes_with_used_interrupt)
{
    vt_bring_up(dev, qs, 2, 0);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0);
    post(&qs[0], 2, 100);
    vt_notify(dev, 0);
    uint32_t id, len;
    cr_assert(vt_used_next(&qs[0], &id, &len));
    cr_assert_eq(id, 2);
    cr_assert_eq(len, 100);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), VIRTIO_INT_VRING);
    cr_assert_eq(vt_irq(&h), 1, "line high while InterruptStatus != 0");
    vt_wr32(dev, INT_ACK, VIRTIO_INT_VRING);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0);
    cr_assert_eq(vt_irq(&h), 0);
    /* An event after the ACK is latched again. */
    post(&qs[1], 0, 8);
    vt_notify(dev, 1);
    cr_assert(vt_used_next(&qs[1], &id, &len));
    cr_assert_eq(vt_rd32(dev, INT_STATUS), VIRTIO_INT_VRING);
    cr_assert_eq(vt_irq(&h), 1);
}

Test(virtio_mmio, ack_clears_only_written_bits)
{
    vt_bring_up(dev, qs, 1, 0);
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    uint8_t b = 0x5a;
    virtio_mmio_set_config(vm, 3, &b, 1, false);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), VIRTIO_INT_VRING | VIRTIO_INT_CONFIG);
    vt_wr32(dev, INT_ACK, VIRTIO_INT_VRING | 0xfffffffc);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), VIRTIO_INT_CONFIG);
    cr_assert_eq(vt_irq(&h), 1);
    vt_wr32(dev, INT_ACK, VIRTIO_INT_CONFIG);
    cr_assert_eq(vt_irq(&h), 0);
}

Test(virtio_mmio, no_interrupt_when_driver_suppresses_it)
{
    vt_bring_up(dev, qs, 1, 0);
    uint16_t flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    memcpy(vt_ptr(&h, qs[0].avail), &flags, 2);
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 1);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0);
}

Test(virtio_mmio, nothing_processed_before_driver_ok)
{
    vt_negotiate(dev, V1 | (1ull << VIRTIO_F_INDIRECT_DESC));
    vt_queue_enable(dev, 0, &qs[0]);
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 0, "no buffers used before DRIVER_OK");
    vt_wr32(dev, STATUS, vt_rd32(dev, STATUS) | DOK);
    /* No sync here (it would look at every queue anyway): DRIVER_OK alone
     * must get the worker going. */
    for (int i = 0; i < 2000 && vt_used_idx(&qs[0]) == 0; i++)
        nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "the early notification is honoured at DRIVER_OK");
}

Test(virtio_mmio, notify_on_unconfigured_queues)
{
    vt_bring_up(dev, qs, 1, 0);
    vt_stderr_begin();
    vt_notify(dev, 2);          /* no such queue */
    vt_notify(dev, 0xffffffff); /* nor this */
    post(&qs[1], 0, 8);         /* rings exist in RAM, but queue 1 was never enabled */
    vt_notify(dev, 1);
    vt_stderr_end();
    cr_assert_eq(vt_used_idx(&qs[1]), 0);
    cr_assert_eq(__atomic_load_n(&td.popped, __ATOMIC_SEQ_CST), 0);
    cr_assert_eq(vt_rd32(dev, STATUS), ACK | DRV | FOK | DOK, "not a device error");
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "the device still works");
}

Test(virtio_mmio, ioeventfd_path)
{
    vt_bring_up(dev, qs, 2, 0);
    cr_assert_eq(virtio_mmio_queue_eventfd(dev, 2), -1);
    int fd = virtio_mmio_queue_eventfd(dev, 1);
    cr_assert(fd >= 0);
    cr_assert_neq(fd, virtio_mmio_queue_eventfd(dev, 0));
    post(&qs[1], 0, 8);
    eventfd_write(fd, 1); /* what KVM does on a matching QueueNotify write */
    virtio_mmio_sync(dev);
    cr_assert_eq(vt_used_idx(&qs[1]), 1);
}

Test(virtio_mmio, queue_ready_0_stops_the_queue)
{
    vt_bring_up(dev, qs, 1, 0);
    vt_wr32(dev, QSEL, 0);
    vt_wr32(dev, QREADY, 0);
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 0);
}

/* ---- reset ---- */

Test(virtio_mmio, reset_clears_everything_at_once)
{
    vt_bring_up(dev, qs, 2, 0);
    post(&qs[0], 0, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_irq(&h), 1);
    vt_wr32(dev, STATUS, 0);
    cr_assert_eq(vt_rd32(dev, STATUS), 0);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0);
    cr_assert_eq(vt_irq(&h), 0);
    for (uint32_t q = 0; q < 2; q++) {
        vt_wr32(dev, QSEL, q);
        cr_assert_eq(vt_rd32(dev, QREADY), 0, "queue %u", q);
    }
    cr_assert_eq(virtio_mmio_features(vm), 0);
    post(&qs[0], 1, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "a reset device leaves guest memory alone");
    /* and comes back with fresh indices */
    vt_queue_layout(&qs[0], &h, 0, VQC_NUM);
    vt_bring_up(dev, qs, 1, 0);
    post(&qs[0], 3, 8);
    vt_notify(dev, 0);
    uint32_t id, len;
    cr_assert(vt_used_next(&qs[0], &id, &len));
    cr_assert_eq(id, 3);
}

/* Wait until the test device's queue_work holds a chain (td.hold). */
static void wait_holding(void)
{
    pthread_mutex_lock(&td.m);
    while (!td.holding)
        pthread_cond_wait(&td.cv, &td.m);
    pthread_mutex_unlock(&td.m);
}

static void let_go(void)
{
    pthread_mutex_lock(&td.m);
    td.release = true;
    pthread_cond_broadcast(&td.cv);
    pthread_mutex_unlock(&td.m);
}

/* Poll a register until it reads 0 (the worker completes what the vCPU left). */
static bool reads_zero_within(uint64_t reg, unsigned ms)
{
    for (unsigned i = 0; i < ms; i++) {
        if (vt_rd32(dev, reg) == 0)
            return true;
        nanosleep(&(struct timespec){.tv_nsec = 1000 * 1000}, NULL);
    }
    return false;
}

/* A reset while the device holds a chain (a stalled disk, say) returns to the
 * vCPU at once; Status reads non-zero, and other writes are ignored, until
 * the chain is pushed; then the reset completes (virtio 1.2 §2.4). */
Test(virtio_mmio, reset_does_not_wait_for_the_chain_in_flight)
{
    vt_bring_up(dev, qs, 1, 0);
    td.hold = true;
    post(&qs[0], 0, 8);
    vt_wr32(dev, QNOTIFY, 0);
    wait_holding();

    vt_stderr_begin();
    vt_wr32(dev, STATUS, 0); /* returns: the worker still holds the chain */
    cr_assert_neq(vt_rd32(dev, STATUS), 0, "reset pending");
    vt_wr32(dev, STATUS, 1); /* ignored while pending */
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "written while a reset waits for in-flight requests"), "%s", log);
    let_go();
    cr_assert(reads_zero_within(STATUS, 2000), "the reset completes after the push");
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "the chain was completed before the reset");
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0);
    vt_wr32(dev, QSEL, 0);
    cr_assert_eq(vt_rd32(dev, QREADY), 0);
}

Test(virtio_mmio, queue_disable_does_not_wait_for_the_chain_in_flight)
{
    vt_bring_up(dev, qs, 1, 0);
    td.hold = true;
    post(&qs[0], 0, 8);
    vt_wr32(dev, QNOTIFY, 0);
    wait_holding();
    vt_wr32(dev, QSEL, 0);
    vt_wr32(dev, QREADY, 0);
    cr_assert_eq(vt_rd32(dev, QREADY), 1, "QueueReady reads 1 until the chain is pushed");
    let_go();
    cr_assert(reads_zero_within(QREADY, 2000), "the disable completes after the push");
    cr_assert_eq(vt_used_idx(&qs[0]), 1);
}

/* ---- config space ---- */

Test(virtio_mmio, config_widths)
{
    cr_assert_eq(vt_rd(dev, CONFIG + 5, 1), 0x66);
    cr_assert_eq(vt_rd(dev, CONFIG + 6, 2), 0x8877);
    cr_assert_eq(vt_rd(dev, CONFIG + 12, 4), 0x01ffeedd);
    vt_stderr_begin();
    cr_assert_eq(vt_rd(dev, CONFIG + 5, 2), 0, "misaligned halfword");
    cr_assert_eq(vt_rd(dev, CONFIG + 2, 4), 0, "misaligned word");
    cr_assert_eq(vt_rd(dev, CONFIG + 8, 8), 0, "64-bit fields are read as two words");
    cr_assert_eq(vt_rd(dev, CONFIG + 16, 1), 0, "past the config space");
    cr_assert_eq(vt_rd(dev, CONFIG + 0xfc, 4), 0);
    vt_wr(dev, CONFIG + 3, 4, 1);
    vt_wr(dev, CONFIG + 16, 4, 1);
    vt_stderr_end();
    cr_assert_eq(td.cfg_writes, 0, "bad config writes never reach the device");
    vt_wr(dev, CONFIG + 8, 4, 0xcafe);
    cr_assert_eq(td.cfg_writes, 1);
    cr_assert_eq(td.cfg_off, 8);
    cr_assert_eq(td.cfg_len, 4);
    cr_assert_eq(td.cfg_val, 0xcafe);
}

Test(virtio_mmio, config_generation_and_change_interrupt)
{
    uint32_t g0 = vt_rd32(dev, CONFIG_GEN);
    uint8_t b = 0x42;
    virtio_mmio_set_config(vm, 0, &b, 1, false);
    cr_assert_neq(vt_rd32(dev, CONFIG_GEN), g0);
    cr_assert_eq(vt_rd(dev, CONFIG, 1), 0x42);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), 0, "no interrupt before DRIVER_OK");
    vt_bring_up(dev, qs, 1, 0);
    uint32_t g1 = vt_rd32(dev, CONFIG_GEN);
    virtio_mmio_set_config(vm, 1, &b, 1, false);
    cr_assert_neq(vt_rd32(dev, CONFIG_GEN), g1);
    cr_assert_eq(vt_rd32(dev, INT_STATUS), VIRTIO_INT_CONFIG);
    cr_assert_eq(vt_irq(&h), 1);
}

/* ---- a hostile driver ---- */

ParameterizedTestParameters(virtio_mmio, malicious_chain)
{
    static unsigned idx[64];
    size_t n = n_bad_chains < 64 ? n_bad_chains : 64;
    for (unsigned i = 0; i < n; i++)
        idx[i] = i;
    return cr_make_param_array(unsigned, idx, n);
}

ParameterizedTest(unsigned *i, virtio_mmio, malicious_chain)
{
    const struct bad_chain *bc = &bad_chains[*i];
    char err[200];
    /* A bystander: an entropy device on the same "machine". */
    struct vt_queue rq;
    vt_queue_layout(&rq, &h, 4, 8);
    struct device *rng = virtio_rng_create(VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE,
                                           VIRTIO_MMIO_SPI_BASE + 1, &h.host, err, sizeof err);
    cr_assert(rng, "%s", err);
    vt_bring_up(rng, &rq, 1, 0);

    vt_bring_up(dev, qs, 1, bc->no_indirect ? 1ull << VIRTIO_F_INDIRECT_DESC : 0);
    bc->build(&qs[0]);
    vt_stderr_begin();
    vt_notify(dev, 0);
    vt_notify(dev, 0); /* the device stays stopped and quiet */
    const char *log = vt_stderr_end();

    cr_assert(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET, "%s: no NEEDS_RESET", bc->name);
    cr_assert(vt_rd32(dev, INT_STATUS) & VIRTIO_INT_CONFIG, "%s: no config interrupt", bc->name);
    cr_assert_eq(vt_irq(&h), 1);
    cr_assert_eq(vt_count_lines(log), 1, "%s: log '%s'", bc->name, log);
    cr_assert(strstr(log, "virtio-test@a000000: queue 0: "), "%s: log '%s'", bc->name, log);
    cr_assert(strstr(log, bc->expect), "%s: log '%s'", bc->name, log);
    cr_assert(strstr(log, "device needs reset"), "%s: log '%s'", bc->name, log);
    cr_assert_eq(vt_used_idx(&qs[0]), 0, "%s: used ring touched", bc->name);
    /* The driver echoes NEEDS_RESET back when adding FAILED: both stay. */
    vt_wr32(dev, STATUS, vt_rd32(dev, STATUS) | VIRTIO_STATUS_FAILED);
    cr_assert(vt_rd32(dev, STATUS) & VIRTIO_STATUS_NEEDS_RESET);

    /* The other device is unaffected. */
    vt_desc(&rq, rq.desc, 0, VT_DATA + 0x100000, 16, F_W, 0);
    vt_avail(&rq, 0);
    vt_notify(rng, 0);
    cr_assert_eq(vt_used_idx(&rq), 1, "%s: bystander stopped", bc->name);
    cr_assert_eq(vt_rd32(rng, STATUS), ACK | DRV | FOK | DOK);
    rng->ops->destroy(rng);

    /* A reset brings the broken device back. */
    vt_queue_layout(&qs[0], &h, 0, VQC_NUM);
    vt_bring_up(dev, qs, 1, 0);
    post(&qs[0], 1, 8);
    vt_notify(dev, 0);
    cr_assert_eq(vt_used_idx(&qs[0]), 1, "%s: not usable after reset", bc->name);
}

/* ---- platform glue ---- */

Test(virtio_mmio, device_tree_node)
{
    static char buf[4096];
    struct fdt_refs refs = {.gic = 1, .apb_pclk = 2};
    fdt_one_node(dev, &refs, buf, sizeof buf);

    int node = fdt_path_offset(buf, "/virtio_mmio@a000000");
    cr_assert(node >= 0);
    cr_assert_str_eq(fdt_getprop(buf, node, "compatible", NULL), "virtio,mmio");
    int len;
    const fdt32_t *reg = fdt_getprop(buf, node, "reg", &len);
    cr_assert_eq(len, 16);
    cr_assert_eq(fdt32_to_cpu(reg[1]), 0x0a000000);
    cr_assert_eq(fdt32_to_cpu(reg[3]), 0x200);
    const fdt32_t *irq = fdt_getprop(buf, node, "interrupts", &len);
    cr_assert_eq(len, 12);
    cr_assert_eq(fdt32_to_cpu(irq[0]), 0, "SPI");
    cr_assert_eq(fdt32_to_cpu(irq[1]), 16);
    cr_assert_eq(fdt32_to_cpu(irq[2]), 4, "level-high");
    cr_assert(fdt_getprop(buf, node, "dma-coherent", &len));
    cr_assert_eq(len, 0);
}

Test(virtio_mmio, not_a_virtio_device)
{
    struct device *u = pl011_create(0x09000000, 1, &h.host, NULL);
    cr_assert_not(virtio_mmio_is(u));
    cr_assert_eq(virtio_mmio_num_queues(u), 0);
    cr_assert_eq(virtio_mmio_queue_eventfd(u, 0), -1);
    u->ops->destroy(u);
}

Test(virtio_mmio, needs_guest_ram)
{
    char err[200];
    struct device_host none = {0};
    cr_assert_null(virtio_mmio_create(VIRTIO_MMIO_BASE, 16, &none, &t_ops, &td, 0, NULL, 0, err,
                                      sizeof err));
    cr_assert(strstr(err, "no guest RAM"), "%s", err);
}
