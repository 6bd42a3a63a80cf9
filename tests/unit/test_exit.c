/* kvm_run -> typed exits, for every exit kind the run loop handles. */
#include <criterion/criterion.h>
#include <string.h>

#include <linux/kvm.h>

#include "../../vmm/exit.h"

static struct kvm_run run;

static void reset_run(uint32_t reason)
{
    memset(&run, 0xa5, sizeof run); /* stale bytes must not leak into the result */
    run.exit_reason = reason;
}

Test(exit, mmio_write_every_width)
{
    for (unsigned len = 1; len <= 8; len *= 2) {
        struct exit_info x;
        reset_run(KVM_EXIT_MMIO);
        run.mmio.phys_addr = 0x9000000;
        run.mmio.len = len;
        run.mmio.is_write = 1;
        const uint8_t bytes[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
        memcpy(run.mmio.data, bytes, 8);
        exit_decode(&run, &x);
        cr_assert_eq(x.kind, EXIT_MMIO);
        cr_assert_eq(x.mmio.ipa, 0x9000000);
        cr_assert_eq(x.mmio.len, len);
        cr_assert(x.mmio.is_write);
        uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
        cr_assert_eq(x.mmio.data, 0x8877665544332211ull & mask, "len %u: %llx", len,
                     (unsigned long long)x.mmio.data);
    }
}

Test(exit, mmio_read_and_completion)
{
    struct exit_info x;
    reset_run(KVM_EXIT_MMIO);
    run.mmio.phys_addr = 0x0a000008;
    run.mmio.len = 4;
    run.mmio.is_write = 0;
    exit_decode(&run, &x);
    cr_assert_eq(x.kind, EXIT_MMIO);
    cr_assert_not(x.mmio.is_write);
    cr_assert_eq(x.mmio.data, 0, "reads carry no data in");
    exit_complete_read(&run, 0xdeadbeefcafef00dull);
    const uint8_t want[8] = {0x0d, 0xf0, 0xfe, 0xca, 0, 0, 0, 0};
    cr_assert_arr_eq(run.mmio.data, want, 8, "little-endian, len bytes, rest zeroed");
}

Test(exit, mmio_odd_length_is_bounded)
{
    struct exit_info x;
    reset_run(KVM_EXIT_MMIO);
    run.mmio.len = 200; /* never from KVM, but must not overrun data[8] */
    run.mmio.is_write = 1;
    exit_decode(&run, &x);
    cr_assert_eq(x.mmio.len, 200, "reported as is, for the bus to refuse");
    exit_complete_read(&run, ~0ull);
}

Test(exit, nisv)
{
    struct exit_info x;
    reset_run(KVM_EXIT_ARM_NISV);
    run.arm_nisv.esr_iss = 0x45;
    run.arm_nisv.fault_ipa = 0xb000110;
    exit_decode(&run, &x);
    cr_assert_eq(x.kind, EXIT_NISV);
    cr_assert_eq(x.nisv_esr_iss, 0x45);
    cr_assert_eq(x.nisv_ipa, 0xb000110);
}

Test(exit, system_events)
{
    static const struct {
        uint32_t type;
        enum exit_kind kind;
    } v[] = {
        {KVM_SYSTEM_EVENT_SHUTDOWN, EXIT_SHUTDOWN},
        {KVM_SYSTEM_EVENT_RESET, EXIT_RESET},
        {KVM_SYSTEM_EVENT_CRASH, EXIT_SYSTEM_OTHER},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        struct exit_info x;
        reset_run(KVM_EXIT_SYSTEM_EVENT);
        run.system_event.type = v[i].type;
        exit_decode(&run, &x);
        cr_assert_eq(x.kind, v[i].kind, "type %u", v[i].type);
        cr_assert_eq(x.event_type, v[i].type);
    }
}

Test(exit, errors_and_unknown)
{
    struct exit_info x;
    reset_run(KVM_EXIT_FAIL_ENTRY);
    run.fail_entry.hardware_entry_failure_reason = 0x1234;
    exit_decode(&run, &x);
    cr_assert_eq(x.kind, EXIT_FAIL_ENTRY);
    cr_assert_eq(x.detail, 0x1234);

    reset_run(KVM_EXIT_INTERNAL_ERROR);
    run.internal.suberror = 3;
    exit_decode(&run, &x);
    cr_assert_eq(x.kind, EXIT_INTERNAL_ERROR);
    cr_assert_eq(x.detail, 3);

    reset_run(KVM_EXIT_INTR);
    exit_decode(&run, &x);
    cr_assert_eq(x.kind, EXIT_INTR);

    for (uint32_t r = 0; r < 64; r++) {
        if (r == KVM_EXIT_MMIO || r == KVM_EXIT_ARM_NISV || r == KVM_EXIT_SYSTEM_EVENT ||
            r == KVM_EXIT_FAIL_ENTRY || r == KVM_EXIT_INTERNAL_ERROR || r == KVM_EXIT_INTR)
            continue;
        reset_run(r);
        exit_decode(&run, &x);
        cr_assert_eq(x.kind, EXIT_UNKNOWN, "reason %u", r);
        cr_assert_eq(x.reason, r);
        cr_assert_str_eq(exit_kind_name(x.kind), "unknown");
    }
}
