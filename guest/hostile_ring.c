/*
 * Hostile suite: where the rings are and how big they are. Placement
 * attacks go to the first virtio-rng (its driver rings are never used for
 * them), sizes to the virtio-console's transmitq (queue 1), whose buffers
 * the device reads and writes to its file. A ring the device cannot use must
 * be refused when QueueReady is set (DEVICE_NEEDS_RESET, QueueReady reads
 * 0, one log line); one it can use must work wherever in RAM it is.
 */
#include <libfdt.h>
#include <string.h>

#include "hostile.h"

extern char _head[];               /* the image's first byte (start.S) */
extern uint32_t hostile_text_pad[]; /* 4 KiB of brk #0 in .text (hostile_insns.S) */
#define PAD_WORD 0xd4200000u
#define PAD_WORDS 1024u

/* A 64-byte device-writable buffer between canaries. */
static uint8_t rarea[512] __attribute__((aligned(64)));
#define RBUF (rarea + 128)
#define CANARY 0x5a

static void rbuf_arm(void)
{
    canary_fill(rarea, sizeof rarea, CANARY);
}

static bool rbuf_canaries(void)
{
    return canary_ok(rarea, 128, CANARY) && canary_ok(RBUF + 64, sizeof rarea - 192, CANARY);
}

/* One 64-byte request on an open queue: used with a sane element. */
static bool one_request(struct hq *q, uint64_t buf, char *got, size_t len)
{
    uint16_t at = hq_used_idx(q);
    hq_desc(q, 0, buf, 64, HQ_W, 0);
    int r = hq_run(q, 0, 2000);
    if (r != 1)
        return hostile_say(got, len, "request %s", r == 0 ? "refused" : "never used");
    if (hq_used_id(q, at) != 0 || hq_used_len(q, at) > 64)
        return hostile_say(got, len, "used element id %u len %u", hq_used_id(q, at),
                           hq_used_len(q, at));
    return true;
}

static uint64_t rng0(void)
{
    return H.rng[0] ? H.rng[0]->base : 0;
}

/* ---- rings in the last bytes of RAM ---- */

static bool at_ram_end(char *got, size_t len)
{
    uint64_t e = H.ram_end, low = e - 4096;
    if (!rng0() || !e)
        return hostile_say(got, len, "needs a virtio-rng and the RAM size");
    const struct { const char *what; uint64_t d, a, u, buf; } c[] = {
        {"descriptor table", e - 64, low, low + 64, HADDR(RBUF)},
        {"driver area", low, e - 14, low + 64, HADDR(RBUF)},
        {"device area", low, low + 64, e - 40, HADDR(RBUF)},
        {"buffer", low, low + 64, low + 128, e - 64},
    };
    unsigned ok = 0;
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct hq q;
        rbuf_arm();
        hq_init(&q, rng0(), 0, 4, c[i].d, c[i].a, c[i].u);
        int o = hq_open(&q, 0);
        bool fine = o == 0 && one_request(&q, c[i].buf, got, len) && rbuf_canaries();
        if (!fine)
            hostile_say(got, len, " (%s ending at RAM end: open %d)", c[i].what, o);
        ok += fine;
    }
    hv_reset(rng0());
    hostile_say(got, len, "%u of 4 layouts at the RAM end worked", ok);
    return ok == 4;
}

/* ---- rings the device must refuse ---- */

/* Each case moves one area of an otherwise valid 4-entry queue. */
static bool refuse_cases(const char *const *names, const uint64_t (*areas)[3], unsigned n,
                         char *got, size_t len)
{
    unsigned refused = 0;
    for (unsigned i = 0; i < n; i++) {
        struct hq q;
        hq_init_scratch(&q, rng0(), 0, 4);
        uint64_t d = areas[i][0] ? areas[i][0] : q.desc_pa;
        uint64_t a = areas[i][1] ? areas[i][1] : q.avail_pa;
        uint64_t u = areas[i][2] ? areas[i][2] : q.used_pa;
        hq_place(&q, rng0(), 0, 4, d, a, u);
        if (hq_refused(&q))
            refused++;
        else
            hostile_say(got, len, "%s NOT refused; ", names[i]);
    }
    hv_reset(rng0());
    hostile_say(got, len, "%u of %u refused", refused, n);
    return refused == n;
}

static bool straddles_ram_end(char *got, size_t len)
{
    uint64_t e = H.ram_end;
    static const char *const names[] = {"descriptor table", "driver area", "device area"};
    const uint64_t areas[][3] = {{e - 32, 0, 0}, {0, e - 8, 0}, {0, 0, e - 20}};
    return rng0() ? refuse_cases(names, areas, 3, got, len) : hostile_say(got, len, "no rng");
}

static bool outside_ram(char *got, size_t len)
{
    static const char *const names[] = {"table just past RAM", "table on the test device",
                                        "table below RAM", "table at 2^64-16 (wraps)",
                                        "device area on the PL011", "driver area at 0"};
    const uint64_t areas[][3] = {
        {H.ram_end, 0, 0}, {0x0b000100, 0, 0}, {H.ram_base - 64, 0, 0},
        {0xfffffffffffffff0ull, 0, 0}, {0, 0, H.pl011},
    };
    bool ok = rng0() && refuse_cases(names, areas, 5, got, len);
    /* The driver area at IPA 0, which refuse_cases (0 = keep) cannot express. */
    struct hq q;
    hq_init_scratch(&q, rng0(), 0, 4);
    hq_place(&q, rng0(), 0, 4, q.desc_pa, 0, q.used_pa);
    if (!hq_refused(&q))
        ok = hostile_say(got, len, "; %s NOT refused", names[5]);
    hv_reset(rng0());
    return ok;
}

static bool misaligned(char *got, size_t len)
{
    struct hq q;
    hq_init_scratch(&q, rng0(), 0, 4);
    static const char *const names[] = {"table at 16n+8", "driver area at 2n+1",
                                        "device area at 4n+2"};
    const uint64_t areas[][3] = {{q.desc_pa + 8, 0, 0}, {0, q.avail_pa + 1, 0},
                                 {0, 0, q.used_pa + 2}};
    return rng0() ? refuse_cases(names, areas, 3, got, len) : hostile_say(got, len, "no rng");
}

/* ---- rings over the kernel image and the device tree ---- */

static bool over_image(char *got, size_t len)
{
    uint64_t pad = HADDR(hostile_text_pad);
    bool ok = true;
    /* (1) All three areas inside the image's .text: RAM like any other. */
    struct hq q;
    rbuf_arm();
    hq_init(&q, rng0(), 0, 4, pad, pad + 256, pad + 512);
    if (hq_open(&q, 0) != 0 || !one_request(&q, HADDR(RBUF), got, len) || !rbuf_canaries())
        ok = hostile_say(got, len, " (rings in .text)");
    hv_reset(rng0());
    unsigned changed = 0;
    for (unsigned i = 0; i < PAD_WORDS; i++) {
        uint64_t at = pad + 4ull * i;
        bool ring = (at >= pad && at < pad + 64) || (at >= pad + 256 && at < pad + 272) ||
                    (at >= pad + 512 && at < pad + 552);
        changed += !ring && hostile_text_pad[i] != PAD_WORD;
    }
    if (changed)
        ok = hostile_say(got, len, "%u words of .text outside the rings changed; ", changed);
    /* (2) The descriptor table is the Image header: whatever it says is
     * read, and nothing there is written. */
    uint8_t before[64];
    memcpy(before, _head, sizeof before);
    hq_init_scratch(&q, rng0(), 0, 4);
    hq_place(&q, rng0(), 0, 4, HADDR(_head), q.avail_pa, q.used_pa);
    int o = hq_open(&q, 0);
    int r = o == 0 ? hq_run(&q, 0, 2000) : -2;
    hv_reset(rng0());
    if (r == -1 || o < 0)
        ok = hostile_say(got, len, "header as descriptors: open %d, run %d; ", o, r);
    if (memcmp(before, _head, sizeof before))
        ok = hostile_say(got, len, "the Image header CHANGED; ");
    hostile_say(got, len, "rings in .text worked; header as descriptor table: %s (used len %u)",
                r == 1 ? "used" : "refused", r == 1 ? hq_used_len(&q, 0) : 0);
    return ok;
}

static uint32_t sum(const uint8_t *p, uint32_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static bool over_dtb(char *got, size_t len)
{
    const uint8_t *dtb = H.dtb;
    uint32_t size = fdt_totalsize(H.dtb), h0 = sum(dtb, size);
    struct hq q;
    hq_init_scratch(&q, rng0(), 0, 4);
    hq_place(&q, rng0(), 0, 4, HADDR(dtb) & ~15ull, q.avail_pa, q.used_pa);
    int o = hq_open(&q, 0);
    int r = o == 0 ? hq_run(&q, 0, 2000) : -2;
    hv_reset(rng0());
    bool same = sum(dtb, size) == h0 && fdt_check_header(H.dtb) == 0;
    hostile_say(got, len, "descriptor 0 from the FDT header: %s; DTB %s",
                r == 1 ? "used" : r == 0 ? "refused" : "no answer", same ? "unchanged" : "CHANGED");
    return (r == 0 || r == 1) && same;
}

static bool overlap(char *got, size_t len)
{
    uint8_t *s = hq_scratch();
    struct hq q;
    uint64_t a = HADDR(s);
    rbuf_arm();
    canary_fill(s + 64, 4096 - 64, CANARY);
    hq_init(&q, rng0(), 0, 4, a, a, a); /* desc, avail and used: one 64-byte block */
    int o = hq_open(&q, 0);
    hq_desc(&q, 0, HADDR(RBUF), 64, HQ_W, 0);
    int r = o == 0 ? hq_run(&q, 0, 2000) : -2;
    hv_reset(rng0());
    bool clean = rbuf_canaries() && canary_ok(s + 64, 4096 - 64, CANARY);
    hostile_say(got, len, "%s; memory around the block and the buffer %s",
                r == 1 ? "used" : r == 0 ? "refused" : "no answer", clean ? "unchanged" : "CHANGED");
    return (r == 0 || r == 1) && clean;
}

/* ---- queue sizes, on the console's transmitq ---- */

static uint64_t con(void)
{
    return H.con ? H.con->base : 0;
}

static uint32_t con_max(void)
{
    hv_reset(con());
    w32(con() + VM_QSEL, 1);
    return r32(con() + VM_QNUM_MAX);
}

static bool sizes_refused(const uint32_t *nums, unsigned n, char *got, size_t len)
{
    unsigned refused = 0;
    for (unsigned i = 0; i < n; i++) {
        struct hq q;
        hq_init_scratch(&q, con(), 1, 4);
        q.num = nums[i];
        if (hq_refused(&q))
            refused++;
        else
            hostile_say(got, len, "size %u NOT refused; ", nums[i]);
    }
    hv_reset(con());
    hostile_say(got, len, "%u of %u sizes refused", refused, n);
    return refused == n;
}

static bool qsize_0(char *got, size_t len)
{
    static const uint32_t n[] = {0};
    return con() ? sizes_refused(n, 1, got, len) : hostile_say(got, len, "no console");
}

static bool qsize_not_pow2(char *got, size_t len)
{
    static const uint32_t n[] = {3, 100, 255};
    return con() ? sizes_refused(n, 3, got, len) : hostile_say(got, len, "no console");
}

static bool qsize_above_max(char *got, size_t len)
{
    if (!con())
        return hostile_say(got, len, "no console");
    uint32_t max = con_max();
    const uint32_t n[] = {max * 2, 65536, 0xffffffffu};
    hostile_say(got, len, "QueueNumMax %u; ", max);
    return max && sizes_refused(n, 3, got, len);
}

/* Chains of console text through a queue of `num` entries, using the last
 * descriptor: each must be used, and the text reaches the console's file. */
static bool con_works(uint32_t num, unsigned chains, char *got, size_t len)
{
    static char text[48];
    struct hq q;
    hq_init_scratch(&q, con(), 1, num);
    if (hq_open(&q, 0) != 0)
        return hostile_say(got, len, "queue of %u refused", num);
    unsigned used = 0;
    for (unsigned k = 0; k < chains; k++) {
        int n = 0;
        const char *p = "hostile: queue size ";
        while (*p)
            text[n++] = *p++;
        uint32_t v = num, div = 1;
        while (v / div >= 10)
            div *= 10;
        for (; div; div /= 10)
            text[n++] = (char)('0' + v / div % 10);
        text[n++] = ' ';
        text[n++] = (char)('a' + k);
        text[n++] = '\n';
        hq_desc(&q, num - 1, HADDR(text), (uint32_t)n, 0, 0);
        used += hq_run(&q, (uint16_t)(num - 1), 2000) == 1;
    }
    hv_reset(con());
    hostile_say(got, len, "%u of %u chains used through a queue of %u", used, chains, num);
    return used == chains;
}

static bool qsize_1(char *got, size_t len)
{
    return con() ? con_works(1, 3, got, len) : hostile_say(got, len, "no console");
}

static bool qsize_max(char *got, size_t len)
{
    return con() ? con_works(con_max(), 2, got, len) : hostile_say(got, len, "no console");
}

const struct hostile_attack hostile_ring_attacks[] = {
    {"ring-at-ram-end", "rings and buffer ending at the last bytes of RAM work", at_ram_end},
    {"ring-straddles-ram-end", "each area crossing the RAM end refused at QueueReady (NEEDS_RESET)",
     straddles_ram_end},
    {"ring-outside-ram", "areas past, below, wrapping or on MMIO refused at QueueReady",
     outside_ram},
    {"ring-misaligned", "areas off their required alignment refused at QueueReady", misaligned},
    {"ring-over-kernel-image", "rings in .text work; the Image header as a table is only read",
     over_image},
    {"ring-over-dtb", "the FDT header as a descriptor table: refused or used, DTB unchanged",
     over_dtb},
    {"rings-overlap", "one block as all three areas: used or refused, nothing else written",
     overlap},
    {"qsize-0", "QueueNum 0 refused at QueueReady", qsize_0},
    {"qsize-1", "a 1-entry ring works and wraps", qsize_1},
    {"qsize-not-pow2", "QueueNum 3, 100, 255 refused at QueueReady", qsize_not_pow2},
    {"qsize-above-max", "QueueNum above QueueNumMax refused at QueueReady", qsize_above_max},
    {"qsize-max", "a ring of QueueNumMax entries works", qsize_max},
    HOSTILE_END,
};
