/*
 * Hostile suite: PSCI abuse (KVM implements PSCI; the VMM must survive what
 * the guest makes of it). CPU_ON of a CPU that is on, of MPIDRs that do not
 * exist, unknown function IDs, and last, CPU_ON to an entry point where
 * there is no code: that CPU is lost to the guest for good (it faults at the
 * entry point forever), so nothing may need CPU 1 afterwards.
 */
#include <libfdt.h>

#include "drivers/timer.h"
#include "hostile.h"
#include "smp.h"

enum {
    PSCI_VERSION = 0x84000000, PSCI_CPU_ON = 0xc4000003, PSCI_AFFINITY_INFO = 0xc4000004,
    PSCI_MIGRATE = 0xc4000005, PSCI_MIGRATE_INFO_TYPE = 0x84000006, PSCI_FEATURES = 0x8400000a,
};
#define NOT_SUPPORTED (-1)
#define INVALID_PARAMETERS (-2)
#define ALREADY_ON (-4)
#define ON_PENDING (-5)
#define INVALID_ADDRESS (-9)

/* The conduit is the one psci_init read from the DT (the VMM's "hvc"). */
static int64_t smccc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return psci_call(fn, a1, a2, a3);
}

static int cpu_on(uint64_t mpidr, uint64_t entry)
{
    return (int)smccc(PSCI_CPU_ON, mpidr, entry, 0);
}

static uint64_t valid_entry(void)
{
    extern char secondary_entry[]; /* start.S: a real entry point */
    return HADDR(secondary_entry);
}

static bool already_on(char *got, size_t len)
{
    int self = cpu_on(smp_read_mpidr(), valid_entry());
    hostile_say(got, len, "CPU_ON of the caller: %d", self);
    bool ok = self == ALREADY_ON;
    if (H.ncpus > 1) {
        int state = psci_affinity_info(smp_cpu_mpidr(1));
        int again = cpu_on(smp_cpu_mpidr(1), valid_entry());
        hostile_say(got, len, "; of running CPU 1 (AFFINITY_INFO %d): %d", state, again);
        ok &= state == 0 && (again == ALREADY_ON || again == ON_PENDING);
    }
    return ok;
}

static bool bad_mpidr(char *got, size_t len)
{
    static const uint64_t m[] = {0xff, 0x100, 0xff00000000ull, 0x8000000000000000ull, ~0ull};
    bool ok = true;
    for (unsigned i = 0; i < sizeof m / sizeof m[0]; i++) {
        int r = cpu_on(m[i], valid_entry());
        hostile_say(got, len, "%sCPU_ON 0x%lx: %d", i ? ", " : "", (unsigned long)m[i], r);
        ok &= r == INVALID_PARAMETERS;
    }
    int a = (int)smccc(PSCI_AFFINITY_INFO, 0xff, 0, 0);
    int l = (int)smccc(PSCI_AFFINITY_INFO, smp_read_mpidr(), 7, 0);
    hostile_say(got, len, "; AFFINITY_INFO 0xff: %d, level 7: %d", a, l);
    return ok && a == INVALID_PARAMETERS && l == INVALID_PARAMETERS;
}

static bool bad_function(char *got, size_t len)
{
    int64_t v = smccc(PSCI_VERSION, 0, 0, 0);
    int64_t u1 = smccc(0x840000ff, 0, 0, 0), u2 = smccc(0xc40000ff, 1, 2, 3);
    int64_t u3 = smccc(0x12345678, 0, 0, 0); /* not even a fast call */
    int64_t f = smccc(PSCI_FEATURES, 0x840000ff, 0, 0);
    int64_t mig = smccc(PSCI_MIGRATE, 1, 0, 0), mit = smccc(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    hostile_say(got, len, "PSCI %ld.%ld; unknown IDs: %ld %ld %ld; FEATURES(unknown) %ld; "
                "MIGRATE %ld; MIGRATE_INFO_TYPE %ld", (long)(v >> 16), (long)(v & 0xffff),
                (long)u1, (long)u2, (long)u3, (long)f, (long)mig, (long)mit);
    return v >= 0x10000 && u1 == NOT_SUPPORTED && u2 == NOT_SUPPORTED && u3 == NOT_SUPPORTED &&
           f == NOT_SUPPORTED && mig == NOT_SUPPORTED && mit == 2;
}

static bool bad_entry(char *got, size_t len)
{
    if (H.ncpus < 2)
        return hostile_say(got, len, "needs two CPUs");
    if (!hostile_helper_retire())
        return hostile_say(got, len, "CPU 1 did not power off");
    uint64_t m1 = smp_cpu_mpidr(1);
    int off = psci_affinity_info(m1);
    /* IPA 0: no RAM, no device. KVM cannot tell a bad entry point from a
     * good one (PSCI allows it to say INVALID_ADDRESS, KVM does not). */
    int r = cpu_on(m1, 0);
    hostile_delay(100);
    int state = psci_affinity_info(m1), again = cpu_on(m1, 0);
    hostile_say(got, len, "CPU 1 off (%d); CPU_ON to 0x0: %d; then AFFINITY_INFO %d, CPU_ON again %d",
                off, r, state, again);
    if (r == INVALID_ADDRESS)
        return off == 1;
    return off == 1 && r == 0 && (state == 0 || state == 2) &&
           (again == ALREADY_ON || again == ON_PENDING);
}

const struct hostile_attack hostile_psci_attacks[] = {
    {"psci-on-already-on", "CPU_ON of the caller and of a running CPU: ALREADY_ON", already_on},
    {"psci-on-bad-mpidr", "CPU_ON/AFFINITY_INFO of MPIDRs that do not exist: INVALID_PARAMETERS",
     bad_mpidr},
    {"psci-bad-function", "unknown SMCCC/PSCI function IDs: NOT_SUPPORTED", bad_function},
    {"psci-on-bad-entry", "CPU_ON to IPA 0 (nothing there): accepted or INVALID_ADDRESS; that CPU "
     "faults forever, the VMM and CPU 0 carry on", bad_entry},
    HOSTILE_END,
};
