/* Split-ring parser (devices/virtq.c) against fake guest memory. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "../../devices/virtq.h"
#include "virtq_cases.h"
#include "vtest.h"

#define F_N VIRTQ_DESC_F_NEXT
#define F_W VIRTQ_DESC_F_WRITE
#define F_I VIRTQ_DESC_F_INDIRECT

static struct vt_host h;
static struct vt_queue q;
static struct virtq vq;
static struct virtq_chain c;
static char err[200];

static void setup(void)
{
    vt_host_init(&h, VQC_RAM);
    vt_queue_layout(&q, &h, 0, VQC_NUM);
    cr_assert_eq(virtq_setup(&vq, &h.mem, VQC_NUM, q.desc, q.avail, q.used, err, sizeof err), 0,
                 "%s", err);
    vq.indirect_ok = true;
}

static void teardown(void)
{
    vt_host_fini(&h);
}

TestSuite(virtq, .init = setup, .fini = teardown);

Test(virtq, empty_ring_pops_nothing)
{
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 0);
}

Test(virtq, readable_then_writable_chain)
{
    vt_desc(&q, q.desc, 5, VT_DATA, 100, F_N, 9);
    vt_desc(&q, q.desc, 9, VT_DATA + 0x1000, 50, F_W, 0);
    vt_avail(&q, 5);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "%s", err);
    cr_assert_eq(c.head, 5);
    cr_assert_eq(c.nrd, 1);
    cr_assert_eq(c.nwr, 1);
    cr_assert_eq(c.rd_len, 100);
    cr_assert_eq(c.wr_len, 50);
    cr_assert_eq(c.iov[0].iov_base, vt_ptr(&h, VT_DATA));
    cr_assert_eq(c.iov[0].iov_len, 100);
    cr_assert_eq(c.iov[1].iov_base, vt_ptr(&h, VT_DATA + 0x1000));
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 0, "one chain, popped once");
}

Test(virtq, descriptor_is_read_once)
{
    /* The parsed copy must not follow later changes to the table. */
    vt_desc(&q, q.desc, 0, VT_DATA, 64, 0, 0);
    vt_avail(&q, 0);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1);
    vt_desc(&q, q.desc, 0, 0xdead0000, 0xffff, F_W, 0);
    cr_assert_eq(c.iov[0].iov_base, vt_ptr(&h, VT_DATA));
    cr_assert_eq(c.iov[0].iov_len, 64);
    cr_assert_eq(c.nwr, 0);
}

Test(virtq, push_publishes_used_element_and_index)
{
    vt_desc(&q, q.desc, 3, VT_DATA, 8, F_W, 0);
    vt_avail(&q, 3);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1);
    cr_assert(virtq_push(&vq, c.head, 7), "notification wanted by default");
    uint32_t id, len;
    cr_assert(vt_used_next(&q, &id, &len));
    cr_assert_eq(id, 3);
    cr_assert_eq(len, 7);
    cr_assert_eq(vt_used_idx(&q), 1);
}

Test(virtq, push_honours_no_interrupt)
{
    uint16_t flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    memcpy(vt_ptr(&h, q.avail), &flags, 2);
    vt_desc(&q, q.desc, 0, VT_DATA, 8, F_W, 0);
    vt_avail(&q, 0);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1);
    cr_assert_not(virtq_push(&vq, c.head, 0));
    cr_assert_eq(vt_used_idx(&q), 1, "used ring still updated");
}

Test(virtq, indices_wrap_at_65536)
{
    q.avail_idx = 65534;
    vq.last_avail = 65534;
    vq.used_idx = 65534;
    q.used_seen = 65534;
    for (uint16_t i = 0; i < 4; i++) {
        vt_desc(&q, q.desc, i, VT_DATA + 64 * i, 64, F_W, 0);
        vt_avail(&q, i);
    }
    for (uint16_t i = 0; i < 4; i++) {
        cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "pop %u: %s", i, err);
        cr_assert_eq(c.head, i);
        virtq_push(&vq, c.head, i);
    }
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 0);
    cr_assert_eq(vt_used_idx(&q), 2);
    for (uint32_t i = 0, id, len; i < 4; i++) {
        cr_assert(vt_used_next(&q, &id, &len));
        cr_assert_eq(id, i);
        cr_assert_eq(len, i);
    }
}

Test(virtq, full_ring_of_chains)
{
    for (uint16_t i = 0; i < VQC_NUM; i++) {
        vt_desc(&q, q.desc, i, VT_DATA, 1, 0, 0);
        vt_avail(&q, (uint16_t)(VQC_NUM - 1 - i));
    }
    for (uint16_t i = 0; i < VQC_NUM; i++) {
        cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1);
        cr_assert_eq(c.head, VQC_NUM - 1 - i);
    }
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 0);
}

Test(virtq, indirect_table)
{
    uint64_t t = VT_DATA + 0x8000;
    vt_desc(&q, t, 0, VT_DATA, 16, F_N, 2);
    vt_desc(&q, t, 2, VT_DATA + 0x100, 512, F_N, 1);
    vt_desc(&q, t, 1, VT_DATA + 0x400, 1, F_W, 0);
    vt_desc(&q, q.desc, 7, t, 48, F_I | F_W, 0); /* WRITE on the pointer is ignored */
    vt_avail(&q, 7);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "%s", err);
    cr_assert_eq(c.head, 7);
    cr_assert_eq(c.nrd, 2);
    cr_assert_eq(c.nwr, 1);
    cr_assert_eq(c.rd_len, 528);
    cr_assert_eq(c.wr_len, 1);
    cr_assert_eq(c.iov[1].iov_base, vt_ptr(&h, VT_DATA + 0x100));
    cr_assert_eq(c.iov[2].iov_base, vt_ptr(&h, VT_DATA + 0x400));
}

Test(virtq, direct_descriptors_then_indirect)
{
    uint64_t t = VT_DATA + 0x8000;
    vt_desc(&q, t, 0, VT_DATA + 0x200, 32, F_W, 0);
    vt_desc(&q, q.desc, 0, VT_DATA, 16, F_N, 1);
    vt_desc(&q, q.desc, 1, t, 16, F_I, 0);
    vt_avail(&q, 0);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "%s", err);
    cr_assert_eq(c.nrd, 1);
    cr_assert_eq(c.nwr, 1);
    cr_assert_eq(c.wr_len, 32);
}

Test(virtq, zero_length_descriptors_are_skipped)
{
    vt_desc(&q, q.desc, 0, 0xdeadbeef000, 0, F_N, 1); /* address irrelevant when empty */
    vt_desc(&q, q.desc, 1, VT_DATA, 4, F_W | F_N, 2);
    vt_desc(&q, q.desc, 2, VT_DATA, 0, 0, 0);         /* empty readable after writable */
    vt_avail(&q, 0);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "%s", err);
    cr_assert_eq(c.nrd, 0);
    cr_assert_eq(c.nwr, 1);
    cr_assert_eq(c.wr_len, 4);
}

Test(virtq, longest_legal_chain)
{
    /* A 16-entry direct chain ending in a 240-entry indirect table: 255 + 1
     * pointer = exactly VIRTQ_MAX_CHAIN buffers. */
    uint64_t t = VT_DATA + 0x8000;
    for (uint16_t i = 0; i < 15; i++)
        vt_desc(&q, q.desc, i, VT_DATA, 1, F_N, (uint16_t)(i + 1));
    vt_desc(&q, q.desc, 15, t, 16 * 241, F_I, 0);
    for (uint16_t i = 0; i < 241; i++)
        vt_desc(&q, t, i, VT_DATA, 1, i < 240 ? F_N : 0, (uint16_t)(i + 1));
    vt_avail(&q, 0);
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), 1, "%s", err);
    cr_assert_eq(c.nrd, VIRTQ_MAX_CHAIN);
}

/* ---- the malicious table ---- */

/* Parameters are case indexes: Criterion runs each case in a fresh process,
 * where pointers into the parent's image need not be valid. */
ParameterizedTestParameters(virtq, malicious_chain)
{
    static unsigned idx[64];
    size_t n = n_bad_chains < 64 ? n_bad_chains : 64;
    for (unsigned i = 0; i < n; i++)
        idx[i] = i;
    return cr_make_param_array(unsigned, idx, n);
}

ParameterizedTest(unsigned *i, virtq, malicious_chain)
{
    const struct bad_chain *bc = &bad_chains[*i];
    vq.indirect_ok = !bc->no_indirect;
    bc->build(&q);
    uint16_t before = vq.last_avail;
    err[0] = '\0';
    cr_assert_eq(virtq_pop(&vq, &h.mem, &c, err, sizeof err), -1, "%s: accepted", bc->name);
    cr_assert(strstr(err, bc->expect), "%s: error '%s' lacks '%s'", bc->name, err, bc->expect);
    cr_assert_eq(vq.last_avail, before, "%s: consumed an entry", bc->name);
    cr_assert_eq(vt_used_idx(&q), 0, "%s: touched the used ring", bc->name);
}

/* ---- queue setup validation ---- */

struct bad_setup {
    const char *name;
    uint32_t num;
    uint64_t desc, avail, used;
    const char *expect;
};

#define D VT_RAM_BASE
#define A (VT_RAM_BASE + 0x8000)
#define U (VT_RAM_BASE + 0xa000)
static struct bad_setup bad_setups[] = {
    {"size 0", 0, D, A, U, "power of two"},
    {"size 3", 3, D, A, U, "power of two"},
    {"size 65536", 65536, D, A, U, "power of two"},
    {"descriptors misaligned", 16, D + 8, A, U, "descriptor area"},
    {"driver area odd", 16, D, A + 1, U, "driver area"},
    {"device area misaligned", 16, D, A, U + 2, "device area"},
    {"descriptors below RAM", 16, 0x1000, A, U, "outside guest RAM"},
    {"device area straddles the end", 16, D, A, VT_RAM_BASE + VQC_RAM - 64, "outside guest RAM"},
    {"address wraps", 16, 0xfffffffffffff000ull, A, U, "outside guest RAM"},
    {"ring bigger than RAM", 32768, VT_RAM_BASE + VQC_RAM - 0x10000, A, U, "outside guest RAM"},
};

ParameterizedTestParameters(virtq, bad_setup)
{
    static unsigned idx[sizeof bad_setups / sizeof bad_setups[0]];
    for (unsigned i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(unsigned, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(unsigned *i, virtq, bad_setup)
{
    const struct bad_setup *bs = &bad_setups[*i];
    struct virtq v;
    memset(&v, 0x5a, sizeof v);
    cr_assert_eq(virtq_setup(&v, &h.mem, bs->num, bs->desc, bs->avail, bs->used, err, sizeof err),
                 -1, "%s: accepted", bs->name);
    cr_assert(strstr(err, bs->expect), "%s: error '%s' lacks '%s'", bs->name, err, bs->expect);
}
