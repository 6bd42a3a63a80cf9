/*
 * --trace-mmio FILE: one line for every MMIO access the VMM handles. Pure (no
 * KVM header): the formatter, the buffered writer and the ioeventfd relay are
 * unit-tested on the host (tests/unit/test_trace.c); kvm_run.c and main.c
 * feed it.
 *
 * The file starts with one '#' line naming the fields; every other line is
 * one access, ten space-separated fields, the last one optional:
 *
 *   TIME VCPU VIA DIR WIDTH IPA WHERE VALUE PC [xN]
 *
 *   TIME   ns since the run started (CLOCK_MONOTONIC), taken when the access
 *          was logged, after the device handled it; lines are in TIME order
 *   VCPU   cpuN, or - when unknown (ioeventfd)
 *   VIA    mmio       a trap with a valid syndrome (KVM_EXIT_MMIO)
 *          nisv       an access the emulator made for an instruction without
 *                     one (KVM_EXIT_ARM_NISV, --nisv=emulate): a line per
 *                     device access (a pair gives two); RAM halves are not MMIO
 *          ioeventfd  a QueueNotify write KVM completed in the kernel (no
 *                     exit), seen when its eventfd fired: VCPU and PC unknown
 *   DIR    R or W
 *   WIDTH  bytes: 1, 2, 4 or 8
 *   IPA    guest physical address, 0x hex
 *   WHERE  DEVICE+0xOFFSET (the register offset in the device's window, e.g.
 *          pl011@9000000+0x0), or unmapped (no device: the VM stops), or
 *          bad-width (a width the bus does not serve: the VM stops)
 *   VALUE  the value written, or read back from the device, 0x hex with
 *          2*WIDTH digits; - for a read nothing answered (unmapped). For
 *          ioeventfd: the value KVM matched, which is the queue number
 *   PC     the guest PC of the instruction, 0x hex; - when unknown
 *   xN     ioeventfd only: the eventfd had counted N > 1 notifications of
 *          that queue before it was read (their times are not known apart)
 *
 * Example:
 *   84213 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000048 0x40001a2c
 *   91570 - ioeventfd W 4 0xa000050 virtio-blk@a000000+0x50 0x00000000 -
 *
 * Writing: lines go whole into a 64 KiB buffer under a lock (a line from one
 * vCPU never splits another's) and the buffer is written when full and at
 * trace_close; to stderr ("-") each line is one write(), so it keeps its
 * place among the VMM's reports. The first failed write (disk full) is
 * reported once through the callback; tracing then stops, the file ending at
 * the last whole line written.
 */
#ifndef ISV_VMM_TRACE_H
#define ISV_VMM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"

enum trace_via { TRACE_MMIO, TRACE_NISV, TRACE_IOEVENTFD };

struct trace_rec {
    enum trace_via via;
    int vcpu;             /* -1: unknown */
    bool is_write;
    unsigned len;
    uint64_t ipa;
    enum bus_status status;
    const char *dev;      /* device name (BUS_OK), else ignored */
    uint64_t offset;      /* into the device's window */
    uint64_t value;       /* written, or read (ignored for a read that failed) */
    bool have_pc;
    uint64_t pc;
    uint64_t count;       /* ioeventfd: notifications merged into this line */
};

/* The longest line trace_format writes, '\n' included. */
#define TRACE_LINE_MAX 256
#define TRACE_HEADER "# isv --trace-mmio: time_ns vcpu via dir width ipa device+offset value pc [xN]\n"

/* One line, '\n'-terminated, for the access at `ns`; returns its length. */
size_t trace_format(uint64_t ns, const struct trace_rec *r, char *buf, size_t size);

struct trace;
/* Says, once, why the trace stopped ("isv: --trace-mmio ...: ...\n"). */
typedef void trace_report_fn(void *ctx, const char *msg);

/* Open PATH (created or truncated; "-" is stderr) and write the header.
 * NULL with err on failure. */
struct trace *trace_open(const char *path, trace_report_fn *report, void *ctx, char *err,
                         size_t errlen);
/* For tests: the clock TIME is taken from (default CLOCK_MONOTONIC, in ns). */
void trace_set_clock(struct trace *t, uint64_t (*now_ns)(void));
/* Log one access. Any thread. */
void trace_log(struct trace *t, const struct trace_rec *r);

/* ioeventfd: KVM signals an eventfd inside the kernel, so the VMM never sees
 * the write. To trace it, KVM is given the relay's eventfd instead of the
 * device's (`target`): a relay thread reads it, logs an ioeventfd line for
 * `queue` of `dev` at `ipa`, and adds the count to `target`, which the
 * device's worker waits on as before. Returns the fd to register with
 * KVM_IOEVENTFD (owned by the trace), or -1 with err. Before trace_start. */
int trace_relay(struct trace *t, int target, const char *dev, uint64_t ipa, unsigned queue,
                char *err, size_t errlen);
/* The run starts: TIME counts from now; the relay thread starts (if any).
 * -1 with err if it cannot. */
int trace_start(struct trace *t, char *err, size_t errlen);
/* After the vCPUs stopped: stop the relay (forwarding what it still holds),
 * write out the buffer, close the file, free. NULL is fine. */
void trace_close(struct trace *t);
/* Before _exit with threads possibly still running: write out the buffer if
 * the lock is free at once (it is only held to append or write a line). */
void trace_emergency(struct trace *t);

#endif
