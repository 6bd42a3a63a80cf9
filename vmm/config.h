/* The VMM's configuration, as parsed from the command line, and its exit codes. */
#ifndef ISV_VMM_CONFIG_H
#define ISV_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "nisv.h"

/* Process exit status of `isv` (documented in README and --help). */
enum isv_exit {
    ISV_EXIT_POWEROFF = 0, /* the guest powered off (PSCI SYSTEM_OFF) */
    ISV_EXIT_SETUP = 1,    /* bad arguments or image, KVM unusable: nothing ran */
    ISV_EXIT_RESET = 2,    /* the guest asked for a reset (PSCI SYSTEM_RESET) */
    ISV_EXIT_UNMAPPED = 3, /* the guest touched an address no device or RAM claims */
    ISV_EXIT_NISV = 4,     /* an MMIO access without a valid syndrome (--nisv=stop) */
    ISV_EXIT_INTERNAL = 5, /* KVM or the VMM failed during the run */
    ISV_EXIT_AUDIT = 6,    /* --nisv=audit found accesses that are not virtualizable */
    ISV_EXIT_SIGNAL = 128, /* + the number of the stop signal (SIGINT, SIGTERM, SIGHUP) */
};

#define CONFIG_MAX_DEVICES 32
/* Debian's (qemu-efi-aarch64) empty UEFI variable store. */
#define UEFI_VARS_TEMPLATE "/usr/share/AAVMF/AAVMF_VARS.fd"

struct config {
    const char *image;     /* guest kernel (arm64 Image, raw binary, either gzipped) */
    const char *bios;      /* --bios: firmware for flash bank 0 (then no kernel is needed) */
    const char *uefi_vars; /* --uefi-vars: file behind flash bank 1, or NULL (volatile) */
    const char *uefi_vars_template; /* where an absent --uefi-vars file is copied from */
    const char *symbols;   /* --symbols: ELF whose symbols name guest PCs in reports */
    const char *trace_mmio; /* --trace-mmio: write every MMIO access here, or NULL */
    const char *initrd;    /* --initrd, or NULL */
    uint64_t mem_bytes;    /* guest RAM size */
    unsigned ncpus;        /* --cpus */
    const char *append;    /* kernel command line (/chosen/bootargs) */
    const char *dtb_out;   /* write the generated DTB here too */
    const char *devices[CONFIG_MAX_DEVICES]; /* --device specs, in order */
    size_t ndevices;
    const char *console;   /* --console: PL011 backend spec (devices/chardev.h) */
    enum nisv_policy nisv; /* --nisv */
    bool sext_fix;         /* --sext-fix: correct sign-extending MMIO loads */
    bool stats;            /* --stats: print exit statistics at exit */
    bool kvm_info;         /* --kvm-info: print what KVM offers and exit */
    bool verbose;          /* --verbose: print the boot layout and devices */
    bool help, version;
};

/* Parse argv into cfg. Returns 0, or -1 with a one-line message in err. */
int cli_parse(int argc, char *const argv[], struct config *cfg, char *err, size_t errlen);
/* The --help text (its device list comes from the device table). */
void cli_print_usage(FILE *out);

#endif
