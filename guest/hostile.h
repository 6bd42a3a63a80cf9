/*
 * The hostile-guest suite (isv.test=hostile, hostile.c): what the attack
 * files share. An attack is a named function that abuses the VMM one way and
 * says whether the guest saw the expected, architected outcome; hostile.c
 * runs it, then checks that every device still works.
 */
#ifndef ISV_GUEST_HOSTILE_H
#define ISV_GUEST_HOSTILE_H

#include <mmio.h>

#include "virtio_mmio.h" /* guest/drivers or guest/naive: see guest.mk */
#include "guest.h"

/* What the guest found in the device tree; 0 or NULL when absent. */
struct hostile_env {
    const void *dtb;
    uint64_t ram_base, ram_end;
    uint64_t pl011, pl031, testdev, gicd, gicr;
    int pl011_spi, pl031_spi;
    struct virtio_dev *blk, *rng[2], *con;
    struct virtio_dev *virtio[8]; /* every virtio device, in slot order */
    unsigned nvirtio;
    unsigned ncpus;
};
extern struct hostile_env H;

/* An attack: true if the guest saw what `expected` says. It describes what
 * it saw in `got` (hostile_say). */
typedef bool hostile_fn(char *got, size_t len);
struct hostile_attack {
    const char *name;
    const char *expected;
    hostile_fn *fn;
};
#define HOSTILE_END {NULL, NULL, NULL}

/* The attack tables (NULL-terminated), one per file. */
extern const struct hostile_attack hostile_ring_attacks[];   /* hostile_ring.c */
extern const struct hostile_attack hostile_virtio_attacks[]; /* hostile_virtio.c */
extern const struct hostile_attack hostile_reg_attacks[];    /* hostile_regs.c */
extern const struct hostile_attack hostile_nisv_attacks[];   /* hostile_nisv.c, --nisv=emulate */
extern const struct hostile_attack hostile_inject_attacks[]; /* hostile_nisv.c, --nisv=inject */
extern const struct hostile_attack hostile_irq_attacks[];    /* hostile_irq.c */
extern const struct hostile_attack hostile_psci_attacks[];   /* hostile_psci.c */
/* Attacks that end the run, each in a VMM run of its own (isv.hostile=NAME). */
extern const struct hostile_attack hostile_final_attacks[];  /* hostile_nisv.c */

/* hostile_regs.c: unaligned accesses across a virtio window's end (a final
 * attack: where the CPU does not fault, the VMM stops the run). */
bool hostile_straddle(char *got, size_t len);

/* Append printf-style text to an attack's description. Returns false, so
 * `return hostile_say(...)` reports a failure. */
bool hostile_say(char *got, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Run `fn(arg)` on the helper CPU (CPU 1) until hostile_helper_stop(); false
 * if there is no helper. The job polls hostile_helper_stopping(). */
typedef void hostile_job(void *arg);
bool hostile_helper_run(hostile_job *fn, void *arg);
void hostile_helper_stop(void);
bool hostile_helper_stopping(void);
/* Let CPU 1 leave its job loop and power itself off (CPU_OFF); true once
 * AFFINITY_INFO says it is off. */
bool hostile_helper_retire(void);

/* Milliseconds of busy waiting on the generic timer. */
void hostile_delay(unsigned ms);

/* Raw register access at any width (1, 2, 4, 8): the library's single
 * instructions, at an address the suite owns. */
static inline uint64_t hrd(uint64_t a, unsigned w)
{
    uintptr_t p = (uintptr_t)a;
    switch (w) {
    case 1: return mmio_read8_unsafe(p);
    case 2: return mmio_read16_unsafe(p);
    case 4: return mmio_read32_unsafe(p);
    default: return mmio_read64_unsafe(p);
    }
}

static inline void hwr(uint64_t a, unsigned w, uint64_t v)
{
    uintptr_t p = (uintptr_t)a;
    switch (w) {
    case 1: mmio_write8_unsafe(p, (uint8_t)v); break;
    case 2: mmio_write16_unsafe(p, (uint16_t)v); break;
    case 4: mmio_write32_unsafe(p, (uint32_t)v); break;
    default: mmio_write64_unsafe(p, v); break;
    }
}

static inline uint32_t r32(uint64_t a) { return mmio_read32_unsafe((uintptr_t)a); }
static inline void w32(uint64_t a, uint32_t v) { mmio_write32_unsafe((uintptr_t)a, v); }

/* ---- a virtqueue the attacks lay out themselves (hostile_vq.c) ---- */

/* virtio-mmio registers (virtio 1.2 §4.2.2). */
enum {
    VM_DEV_FEAT = 0x010, VM_DEV_FEAT_SEL = 0x014, VM_DRV_FEAT = 0x020, VM_DRV_FEAT_SEL = 0x024,
    VM_QSEL = 0x030, VM_QNUM_MAX = 0x034, VM_QNUM = 0x038, VM_QREADY = 0x044,
    VM_NOTIFY = 0x050, VM_INT_STATUS = 0x060, VM_INT_ACK = 0x064, VM_STATUS = 0x070,
    VM_QDESC = 0x080, VM_QAVAIL = 0x090, VM_QUSED = 0x0a0, VM_CONFIG_GEN = 0x0fc,
    VM_CONFIG = 0x100,
};
#define VM_LIVE 0xfu /* ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK */
#define VM_NEEDS_RESET 0x40u
#define HQ_W 2u      /* VIRTQ_DESC_F_WRITE */
#define HQ_N 1u      /* VIRTQ_DESC_F_NEXT */
#define HQ_I 4u      /* VIRTQ_DESC_F_INDIRECT */
#define HADDR(p) ((uint64_t)(uintptr_t)(p))

struct hdesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

struct hq {
    uint64_t base;           /* the transport */
    unsigned index;          /* queue number */
    uint32_t num;
    uint64_t desc_pa, avail_pa, used_pa;
    volatile struct hdesc *desc;
    volatile uint16_t *avail; /* flags, idx, ring[num] */
    volatile uint16_t *used;  /* flags, idx, then {u32 id, u32 len}[num] */
    uint16_t avail_idx;
};

/* Status = 0 and wait (1 s) for it to read 0: 0, or -1. */
int hv_reset(uint64_t base);
/* Reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 plus `want` if offered),
 * FEATURES_OK: 0, or -1 if the device refused. */
int hv_start(uint64_t base, uint64_t want);
/* Program queue q->index with q's size and areas and set QueueReady: what
 * QueueReady then reads (1 accepted, 0 refused). */
uint32_t hv_queue(const struct hq *q);
void hv_driver_ok(uint64_t base);
/* q's areas at desc/avail/used, all in RAM (zeroed here). */
void hq_init(struct hq *q, uint64_t base, unsigned index, uint32_t num, uint64_t desc,
             uint64_t avail, uint64_t used);
/* Only record the areas (no memory is touched: they may lie outside RAM). */
void hq_place(struct hq *q, uint64_t base, unsigned index, uint32_t num, uint64_t desc,
              uint64_t avail, uint64_t used);
/* The scratch area the suite's queues use by default (64 KiB). */
uint8_t *hq_scratch(void);
/* hq_init in the scratch area (num <= 1024). */
void hq_init_scratch(struct hq *q, uint64_t base, unsigned index, uint32_t num);
/* hv_start + hv_queue + DRIVER_OK: 0, 1 if QueueReady was refused, -1. */
int hq_open(struct hq *q, uint64_t want);
void hq_desc(struct hq *q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);
/* Make `head` available (no notification) / notify. */
void hq_post(struct hq *q, uint16_t head);
void hq_notify(const struct hq *q);
uint16_t hq_used_idx(const struct hq *q);
uint32_t hq_used_id(const struct hq *q, uint16_t i);
uint32_t hq_used_len(const struct hq *q, uint16_t i);
/* Wait until the used index reaches `idx` (1), DEVICE_NEEDS_RESET is set
 * (0), or `ms` pass (-1). */
int hq_wait(const struct hq *q, uint16_t idx, unsigned ms);
/* Post `head`, notify, wait: 1 used, 0 refused, -1 nothing. */
int hq_run(struct hq *q, uint16_t head, unsigned ms);
/* Program a queue whose setup must be refused and check that it was:
 * DEVICE_NEEDS_RESET set and QueueReady reading 0. */
bool hq_refused(struct hq *q);

/* Canary-filled memory: fill / true if still intact. */
void canary_fill(void *p, size_t n, uint8_t v);
bool canary_ok(const void *p, size_t n, uint8_t v);

#endif
