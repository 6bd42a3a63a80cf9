/* Split virtqueue, device side (see virtq.h for the safety rules). */
#include "virtq.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

uint64_t virtq_desc_size(uint16_t num) { return 16ull * num; }
uint64_t virtq_avail_size(uint16_t num) { return 6 + 2ull * num; }
uint64_t virtq_used_size(uint16_t num) { return 6 + 8ull * num; }

static int map_area(uint8_t **out, const struct guest_mem *m, const char *what, uint64_t gpa,
                    uint64_t size, uint64_t align, char *err, size_t errlen)
{
    if (gpa & (align - 1))
        return errmsg(err, errlen, "%s area 0x%" PRIx64 " not %" PRIu64 "-byte aligned", what, gpa,
                    align);
    *out = guest_mem_ptr(m, gpa, size);
    if (!*out)
        return errmsg(err, errlen, "%s area [0x%" PRIx64 ", +0x%" PRIx64 ") outside guest RAM",
                    what, gpa, size);
    return 0;
}

int virtq_setup(struct virtq *vq, const struct guest_mem *m, uint32_t num, uint64_t desc,
                uint64_t avail, uint64_t used, char *err, size_t errlen)
{
    struct virtq q = {0};
    if (num == 0 || num > 32768 || (num & (num - 1)))
        return errmsg(err, errlen, "queue size %" PRIu32 " is not a power of two in [1, 32768]",
                    num);
    q.num = (uint16_t)num;
    if (map_area(&q.desc, m, "descriptor", desc, virtq_desc_size(q.num), 16, err, errlen) ||
        map_area(&q.avail, m, "driver", avail, virtq_avail_size(q.num), 2, err, errlen) ||
        map_area(&q.used, m, "device", used, virtq_used_size(q.num), 4, err, errlen))
        return -1;
    *vq = q;
    return 0;
}

/* Index fields are naturally aligned (checked in setup) and shared with a
 * driver on another CPU: access them atomically with the spec's ordering. */
static uint16_t load_idx(const uint8_t *p, int order)
{
    return le16toh(__atomic_load_n((const uint16_t *)p, order));
}

static struct desc read_desc(const uint8_t *table, uint16_t i)
{
    uint8_t raw[16];
    struct desc d;
    memcpy(raw, table + 16u * i, sizeof raw); /* the one and only read */
    memcpy(&d.addr, raw, 8);
    memcpy(&d.len, raw + 8, 4);
    memcpy(&d.flags, raw + 12, 2);
    memcpy(&d.next, raw + 14, 2);
    d.addr = le64toh(d.addr);
    d.len = le32toh(d.len);
    d.flags = le16toh(d.flags);
    d.next = le16toh(d.next);
    return d;
}

/* Walk the chain starting at `head` into c. The walk visits at most num direct
 * descriptors plus one indirect table of at most VIRTQ_MAX_CHAIN entries, and
 * at most VIRTQ_MAX_CHAIN descriptors overall, so it always terminates. */
static int walk(const struct virtq *vq, const struct guest_mem *m, uint16_t head,
                struct virtq_chain *c, char *err, size_t errlen)
{
    const uint8_t *table = vq->desc;
    uint32_t table_n = vq->num, direct = 0, total = 0;
    bool indirect = false;
    uint16_t i = head;
    uint64_t bytes = 0;

    c->head = head;
    c->nrd = c->nwr = 0;
    c->rd_len = c->wr_len = 0;
    for (;;) {
        if (!indirect && ++direct > vq->num)
            return errmsg(err, errlen, "chain at head %u loops (more than %u descriptors)", head,
                        vq->num);
        struct desc d = read_desc(table, i);
        const char *where = indirect ? "indirect descriptor" : "descriptor";

        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            if (indirect)
                return errmsg(err, errlen, "nested indirect table in chain at head %u", head);
            if (!vq->indirect_ok)
                return errmsg(err, errlen, "indirect descriptor %u without VIRTIO_F_INDIRECT_DESC",
                            i);
            if (d.flags & VIRTQ_DESC_F_NEXT)
                return errmsg(err, errlen, "descriptor %u has both INDIRECT and NEXT", i);
            if (d.len == 0 || d.len % 16)
                return errmsg(err, errlen,
                            "indirect table length %" PRIu32 " is not a nonzero multiple of 16",
                            d.len);
            if (d.len / 16 > VIRTQ_MAX_CHAIN)
                return errmsg(err, errlen, "indirect table of %" PRIu32 " entries (max %d)",
                            d.len / 16, VIRTQ_MAX_CHAIN);
            table = guest_mem_ptr(m, d.addr, d.len);
            if (!table)
                return errmsg(err, errlen,
                            "indirect table [0x%" PRIx64 ", +0x%" PRIx32 ") outside guest RAM",
                            d.addr, d.len);
            table_n = d.len / 16;
            indirect = true;
            i = 0;
            continue;
        }
        if (++total > VIRTQ_MAX_CHAIN)
            return errmsg(err, errlen, "chain at head %u has more than %d descriptors", head,
                        VIRTQ_MAX_CHAIN);
        /* Zero-length buffers carry nothing; skip them rather than fail a
         * driver that uses one (the spec does not forbid them). */
        if (d.len) {
            void *p = guest_mem_ptr(m, d.addr, d.len);
            if (!p)
                return errmsg(err, errlen,
                            "%s %u buffer [0x%" PRIx64 ", +0x%" PRIx32 ") outside guest RAM",
                            where, i, d.addr, d.len);
            bytes += d.len;
            if (bytes > VIRTQ_MAX_CHAIN_BYTES)
                return errmsg(err, errlen, "chain at head %u is longer than 4 GiB", head);
            if (d.flags & VIRTQ_DESC_F_WRITE) {
                c->wr_len += d.len;
                c->nwr++;
            } else {
                if (c->nwr)
                    return errmsg(err, errlen, "%s %u: device-readable buffer after a writable one",
                                where, i);
                c->rd_len += d.len;
                c->nrd++;
            }
            c->iov[c->nrd + c->nwr - 1] = (struct iovec){.iov_base = p, .iov_len = d.len};
        }
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (d.next >= table_n)
            return errmsg(err, errlen, "%s %u: next %u out of range (table of %" PRIu32 ")", where,
                        i, d.next, table_n);
        i = d.next;
    }
}

int virtq_pop(struct virtq *vq, const struct guest_mem *m, struct virtq_chain *c, char *err,
              size_t errlen)
{
    /* Acquire: ring entries and descriptors are read after the index. */
    uint16_t avail_idx = load_idx(vq->avail + 2, __ATOMIC_ACQUIRE);
    uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
    if (pending == 0)
        return 0;
    if (pending > vq->num)
        return errmsg(err, errlen, "available index moved from %u to %u (queue size %u)",
                    vq->last_avail, avail_idx, vq->num);
    uint16_t slot = vq->last_avail & (uint16_t)(vq->num - 1);
    uint16_t head;
    memcpy(&head, vq->avail + 4 + 2u * slot, 2);
    head = le16toh(head);
    if (head >= vq->num)
        return errmsg(err, errlen, "available ring entry %u names descriptor %u (queue size %u)",
                    slot, head, vq->num);
    if (walk(vq, m, head, c, err, errlen))
        return -1;
    vq->last_avail++;
    return 1;
}

bool virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
    uint8_t *e = vq->used + 4 + 8u * (vq->used_idx & (uint16_t)(vq->num - 1));
    uint32_t id = htole32(head), l = htole32(len);
    memcpy(e, &id, 4);
    memcpy(e + 4, &l, 4);
    vq->used_idx++;
    /* Release: the element (and the data written before) is visible before
     * the index; then a full fence before reading the driver's flags, so we
     * cannot miss a flag change that raced with the index update. */
    __atomic_store_n((uint16_t *)(vq->used + 2), htole16(vq->used_idx), __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(load_idx(vq->avail, __ATOMIC_RELAXED) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
