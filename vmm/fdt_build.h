/* Building the guest's flattened device tree with libfdt. */
#ifndef ISV_VMM_FDT_BUILD_H
#define ISV_VMM_FDT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;

struct fdt_params {
    uint64_t ram_base, ram_size;
    unsigned ncpus;
    const uint64_t *mpidr;      /* ncpus MPIDR_EL1 values (cpu node reg), or NULL: 0..n-1 */
    const char *bootargs;
    struct device *const *devs; /* emulated devices, each emitting its own node */
    size_t ndevs;
    const struct device *console; /* /chosen/stdout-path (and alias serial0), or NULL */
    uint64_t initrd_start, initrd_end; /* /chosen/linux,initrd-*, when they differ */
    bool have_seeds;                   /* /chosen/rng-seed and kaslr-seed */
    uint8_t rng_seed[64];
    uint64_t kaslr_seed;
};

/* Phandles the builder assigns. */
enum { PHANDLE_GIC = 1, PHANDLE_APB_PCLK = 2 };

#define FDT_MAX_SIZE 0x10000

/* Build into buf[bufsize]; 0, or -1 with a one-line message in err. */
int fdt_build(void *buf, size_t bufsize, const struct fdt_params *p, char *err, size_t errlen);

#endif
