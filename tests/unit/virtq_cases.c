/* The table of malicious chains (see virtq_cases.h). */
#include "virtq_cases.h"

#include <string.h>

#include "../../devices/virtq.h"

#define F_N VIRTQ_DESC_F_NEXT
#define F_W VIRTQ_DESC_F_WRITE
#define F_I VIRTQ_DESC_F_INDIRECT
#define TABLE (VT_DATA + 0x10000) /* indirect tables */

static void self_loop(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 64, F_N, 0);
    vt_avail(q, 0);
}

static void two_cycle(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 64, F_N, 1);
    vt_desc(q, q->desc, 1, VT_DATA, 64, F_N, 0);
    vt_avail(q, 0);
}

static void zero_len_loop(struct vt_queue *q)
{
    vt_desc(q, q->desc, 3, VT_DATA, 0, F_N, 3);
    vt_avail(q, 3);
}

static void next_out_of_range(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 64, F_N, VQC_NUM);
    vt_avail(q, 0);
}

static void head_out_of_range(struct vt_queue *q)
{
    vt_avail(q, VQC_NUM);
}

static void head_wild(struct vt_queue *q)
{
    vt_avail(q, 0xffff);
}

static void avail_idx_jump(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 64, 0, 0);
    vt_avail(q, 0);
    q->avail_idx += VQC_NUM; /* 17 entries "available" in a 16-entry ring */
    vt_avail(q, 0);
}

static void avail_idx_backwards(struct vt_queue *q)
{
    uint16_t idx = 0xffff; /* "decremented" from 0 */
    memcpy(vt_ptr(q->h, q->avail + 2), &idx, 2);
}

static void buf_past_ram(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_RAM_BASE + VQC_RAM - 8, 16, F_W, 0);
    vt_avail(q, 0);
}

static void buf_below_ram(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, 0x1000, 16, 0, 0);
    vt_avail(q, 0);
}

static void buf_addr_overflow(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, 0xfffffffffffffff0ull, 0x20, F_W, 0);
    vt_avail(q, 0);
}

static void buf_huge_len(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 0xffffffffu, 0, 0);
    vt_avail(q, 0);
}

static void indirect_table(struct vt_queue *q, uint32_t len)
{
    vt_desc(q, q->desc, 0, TABLE, len, F_I, 0);
    vt_avail(q, 0);
}

static void indirect_unnegotiated(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, VT_DATA, 64, 0, 0);
    indirect_table(q, 16);
}

static void indirect_len_zero(struct vt_queue *q) { indirect_table(q, 0); }
static void indirect_len_odd(struct vt_queue *q) { indirect_table(q, 17); }

static void indirect_too_big(struct vt_queue *q)
{
    for (uint16_t i = 0; i < VIRTQ_MAX_CHAIN + 1; i++)
        vt_desc(q, TABLE, i, VT_DATA, 64, 0, 0);
    indirect_table(q, 16 * (VIRTQ_MAX_CHAIN + 1));
}

static void indirect_nested(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, TABLE + 0x1000, 16, F_I, 0);
    vt_desc(q, TABLE + 0x1000, 0, VT_DATA, 64, 0, 0);
    indirect_table(q, 16);
}

static void indirect_with_next(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, VT_DATA, 64, 0, 0);
    vt_desc(q, q->desc, 0, TABLE, 16, F_I | F_N, 1);
    vt_desc(q, q->desc, 1, VT_DATA, 64, F_W, 0);
    vt_avail(q, 0);
}

static void indirect_past_ram(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_RAM_BASE + VQC_RAM - 16, 32, F_I, 0);
    vt_avail(q, 0);
}

static void indirect_addr_overflow(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, 0xfffffffffffffff0ull, 32, F_I, 0);
    vt_avail(q, 0);
}

static void indirect_loop(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, VT_DATA, 64, F_N, 1);
    vt_desc(q, TABLE, 1, VT_DATA, 64, F_N, 0);
    indirect_table(q, 32);
}

static void indirect_next_out_of_range(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, VT_DATA, 64, F_N, 2);
    indirect_table(q, 32);
}

static void indirect_bad_buffer(struct vt_queue *q)
{
    vt_desc(q, TABLE, 0, VT_DATA, 64, F_N, 1);
    vt_desc(q, TABLE, 1, VT_RAM_BASE + VQC_RAM, 1, F_W, 0);
    indirect_table(q, 32);
}

static void readable_after_writable(struct vt_queue *q)
{
    vt_desc(q, q->desc, 0, VT_DATA, 64, F_W | F_N, 1);
    vt_desc(q, q->desc, 1, VT_DATA, 64, 0, 0);
    vt_avail(q, 0);
}

static void chain_too_long(struct vt_queue *q)
{
    /* 10 direct + 250 indirect descriptors: more than VIRTQ_MAX_CHAIN. */
    for (uint16_t i = 0; i < 10; i++)
        vt_desc(q, q->desc, i, VT_DATA, 8, F_N, (uint16_t)(i + 1));
    vt_desc(q, q->desc, 10, TABLE, 16 * 250, F_I, 0);
    for (uint16_t i = 0; i < 250; i++)
        vt_desc(q, TABLE, i, VT_DATA, 8, i < 249 ? F_N : 0, (uint16_t)(i + 1));
    vt_avail(q, 0);
}

static void chain_over_4g(struct vt_queue *q)
{
    for (uint16_t i = 0; i < 200; i++)
        vt_desc(q, TABLE, i, VT_RAM_BASE, 32u << 20, F_W | (i < 199 ? F_N : 0), (uint16_t)(i + 1));
    indirect_table(q, 16 * 200);
}

struct bad_chain bad_chains[] = {
    {"self loop", self_loop, "loops", false},
    {"two-descriptor cycle", two_cycle, "loops", false},
    {"zero-length self loop", zero_len_loop, "loops", false},
    {"next out of range", next_out_of_range, "next 16 out of range", false},
    {"head out of range", head_out_of_range, "names descriptor 16", false},
    {"head 0xffff", head_wild, "names descriptor 65535", false},
    {"avail idx jumps by 17", avail_idx_jump, "available index moved", false},
    {"avail idx goes backwards", avail_idx_backwards, "available index moved", false},
    {"buffer past the end of RAM", buf_past_ram, "outside guest RAM", false},
    {"buffer below RAM", buf_below_ram, "outside guest RAM", false},
    {"buffer address overflows", buf_addr_overflow, "outside guest RAM", false},
    {"4 GiB buffer", buf_huge_len, "outside guest RAM", false},
    {"indirect not negotiated", indirect_unnegotiated, "without VIRTIO_F_INDIRECT_DESC", true},
    {"indirect table length 0", indirect_len_zero, "not a nonzero multiple of 16", false},
    {"indirect table length 17", indirect_len_odd, "not a nonzero multiple of 16", false},
    {"indirect table too big", indirect_too_big, "indirect table of 257 entries", false},
    {"nested indirect", indirect_nested, "nested indirect", false},
    {"indirect with NEXT", indirect_with_next, "both INDIRECT and NEXT", false},
    {"indirect table past RAM", indirect_past_ram, "indirect table", false},
    {"indirect table address overflows", indirect_addr_overflow, "indirect table", false},
    {"loop inside indirect table", indirect_loop, "more than 256 descriptors", false},
    {"indirect next out of range", indirect_next_out_of_range, "next 2 out of range", false},
    {"indirect buffer outside RAM", indirect_bad_buffer, "outside guest RAM", false},
    {"readable after writable", readable_after_writable, "readable buffer after a writable",
     false},
    {"chain of 260 descriptors", chain_too_long, "more than 256 descriptors", false},
    {"chain over 4 GiB", chain_over_4g, "longer than 4 GiB", false},
};
const size_t n_bad_chains = sizeof bad_chains / sizeof bad_chains[0];
