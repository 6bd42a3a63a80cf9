/* A64 load/store emulation (see emulate.h). */
#include "emulate.h"

#include <stdbool.h>
#include <stddef.h>

static uint64_t mask_bytes(unsigned len) { return len >= 8 ? ~0ull : (1ull << (8 * len)) - 1; }

static uint64_t sext_bytes(uint64_t v, unsigned len)
{
    if (len >= 8)
        return v;
    uint64_t m = 1ull << (8 * len - 1);
    v &= mask_bytes(len);
    return (v ^ m) - m;
}

/* Register 31 is the zero register for transfer and offset registers. */
static uint64_t xr(const struct a64_regs *r, unsigned n) { return n >= 31 ? 0 : r->x[n]; }
static uint64_t base(const struct a64_regs *r, unsigned n) { return n >= 31 ? r->sp : r->x[n]; }

/* The value a load places in Rt. */
static uint64_t load_value(const struct a64_ldst *d, uint64_t raw)
{
    uint64_t v = d->sign_extend ? sext_bytes(raw, d->size) : raw & mask_bytes(d->size);
    return d->rt_kind == A64_REG_W ? v & 0xffffffffu : v;
}

static const char *refusal(const struct a64_ldst *d)
{
    const unsigned ok = (1u << A64_R_PAIR) | (1u << A64_R_WRITEBACK) | (1u << A64_R_PREFETCH);
    if (d->reasons & ~ok)
        return a64_reason_desc(d->reason);
    if (d->cls == A64_CLS_PAC)
        return "pointer-authenticated load (LDRAA/LDRAB) is not emulated";
    if (d->reasons & (1u << A64_R_PREFETCH))
        return NULL;
    if (d->rt_kind != A64_REG_W && d->rt_kind != A64_REG_X)
        return "not a general-purpose register transfer";
    if (d->access != A64_ACC_LOAD && d->access != A64_ACC_STORE)
        return "not a plain load or store";
    if (d->size != 1 && d->size != 2 && d->size != 4 && d->size != 8)
        return "unsupported access size";
    bool wb = d->writeback && d->rn != 31;
    if (wb && (d->rn == d->rt || (d->has_rt2 && d->rn == d->rt2)))
        return "writeback with the base as a transfer register is CONSTRAINED UNPREDICTABLE";
    if (d->has_rt2 && d->access == A64_ACC_LOAD && d->rt == d->rt2)
        return "load pair into the same register is CONSTRAINED UNPREDICTABLE";
    return NULL;
}

uint64_t a64_address(const struct a64_ldst *d, const struct a64_regs *r)
{
    switch (d->addr) {
    case A64_ADDR_LITERAL:
        return r->pc + (uint64_t)d->imm;
    case A64_ADDR_POST:
        return base(r, d->rn);
    case A64_ADDR_REG: {
        uint64_t off = xr(r, d->rm);
        switch (d->ext) {
        case A64_EXT_UXTW: off = (uint32_t)off; break;
        case A64_EXT_SXTW: off = (uint64_t)(int64_t)(int32_t)(uint32_t)off; break;
        default: break;
        }
        return base(r, d->rn) + (off << d->shift);
    }
    default: /* OFFSET, PRE */
        return base(r, d->rn) + (uint64_t)d->imm;
    }
}

enum a64_emu_status a64_emulate(const struct a64_ldst *d, struct a64_regs *r,
                                const struct a64_mem *m, const char **why, uint64_t *fault_va)
{
    const char *no = refusal(d);
    if (why)
        *why = no;
    if (no)
        return A64_EMU_REFUSED;
    if (d->reasons & (1u << A64_R_PREFETCH)) { /* a hint: nothing to access */
        r->pc += 4;
        return A64_EMU_OK;
    }
    uint64_t va = a64_address(d, r);
    unsigned n = d->has_rt2 ? 2 : 1;
    unsigned t[2] = {d->rt, d->rt2};
    uint64_t val[2] = {0, 0};
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = va + (uint64_t)i * d->size;
        int rc;
        if (d->access == A64_ACC_LOAD) {
            rc = m->read(m->ctx, a, d->size, &val[i]);
        } else {
            rc = m->write(m->ctx, a, d->size, xr(r, t[i]) & mask_bytes(d->size));
        }
        if (rc != 0) {
            if (why)
                *why = "memory access failed";
            if (fault_va)
                *fault_va = a;
            return A64_EMU_MEM_FAULT;
        }
    }
    if (d->access == A64_ACC_LOAD)
        for (unsigned i = 0; i < n; i++)
            if (t[i] != 31)
                r->x[t[i]] = load_value(d, val[i]);
    if (d->writeback) {
        uint64_t nb = d->addr == A64_ADDR_POST ? base(r, d->rn) + (uint64_t)d->imm : va;
        if (d->rn == 31)
            r->sp = nb;
        else
            r->x[d->rn] = nb;
    }
    r->pc += 4;
    return A64_EMU_OK;
}

uint64_t a64_fix_sign_extension(const struct a64_ldst *d, uint64_t kvm_value)
{
    if (!a64_sign_extending_load(d))
        return kvm_value;
    return load_value(d, kvm_value);
}
