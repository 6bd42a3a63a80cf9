/* Command-line parsing: `isv [options] KERNEL`. Pure, so it is unit-tested. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "../devices/errmsg.h"
#include "device_table.h"
#include "gic.h"

void cli_print_usage(FILE *out)
{
    fputs("usage: isv [options] KERNEL\n"
          "       isv [options] --bios FIRMWARE\n"
          "Boot an arm64 kernel under KVM on QEMU virt's memory map. KERNEL is an arm64 Image,\n"
          "a raw binary (entered at its first byte, at RAM + 0x80000), or either gzip-compressed.\n"
          "\n"
          "  --bios FILE       firmware (e.g. EDK2's QEMU_EFI.fd): read-only in flash bank 0 at\n"
          "                    0x0, entered there with the device tree at the base of RAM\n"
          "  --uefi-vars FILE[,template=PATH]\n"
          "                    flash bank 1 (0x4000000) is FILE, so UEFI variables persist; an\n"
          "                    absent FILE is copied from PATH (default " UEFI_VARS_TEMPLATE ").\n"
          "                    Without it, bank 1 is erased flash that lasts one run\n"
          "  --mem SIZE        guest RAM: MiB, or with an M/G suffix (default 128M, 16M..256G)\n"
          "  --cpus N          vCPUs (default 1, at most 123); the guest starts the others\n"
          "                    with PSCI CPU_ON\n"
          "  --append ARGS     kernel command line (/chosen/bootargs)\n"
          "  --initrd PATH     initial ramdisk, loaded after the kernel (/chosen/linux,initrd-*)\n"
          "  --console SPEC    PL011 backend: stdio (default), null, file:in=PATH[,out=PATH],\n"
          "                    file:out=PATH, socket:PATH[,server]\n"
          "  --device SPEC     add a device (repeatable). The device table (\"always\": present\n"
          "                    without --device):\n", out);
    device_table_help(out);
    fputs("  --nisv POLICY     MMIO accesses without a valid syndrome: stop (default: report\n"
          "                    and exit 4), inject (external data abort), emulate (perform it),\n"
          "                    audit (emulate, and at exit list each PC that made one or a\n"
          "                    sign-extending MMIO load; exit 6 if there was any)\n"
          "  --symbols ELF     name guest PCs symbol+offset in the audit and no-syndrome reports,\n"
          "                    from the ELF the kernel was made of (guest.elf, vmlinux)\n"
          "  --trace-mmio FILE write every MMIO access to FILE, one line each (- for stderr)\n"
          "  --sext-fix on|off correct sign-extending MMIO loads KVM returns zero-extended (on)\n"
          "  --dump-dtb PATH   also write the generated device tree blob to PATH\n"
          "  --verbose         print where the kernel, initrd and device tree went, and the devices\n"
          "  --stats           print exit statistics (per exit kind, width, device) at exit\n"
          "  --kvm-info        print the KVM API version and capabilities isv uses, then exit\n"
          "  -h, --help        this text\n"
          "  --version         print the version\n"
          "\n"
          "exit status: 0 guest powered off, 1 setup error, 2 guest reset,\n"
          "             3 access to an unmapped address, 4 MMIO without a valid syndrome,\n"
          "             5 KVM or internal error during the run,\n"
          "             6 --nisv=audit found accesses that are not virtualizable and the\n"
          "               guest powered off (any other status above wins over 6),\n"
          "             128+N stopped by signal N (SIGINT, SIGTERM, SIGHUP)\n", out);
}

static int parse_mem(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+')
        return errmsg(err, errlen, "--mem: '%s' is not a size (MiB, or with an M/G suffix)", s);
    unsigned long long v = strtoull(s, &end, 10);
    unsigned long long mib = v;
    if (errno == ERANGE || end == s)
        return errmsg(err, errlen, "--mem: '%s' is not a size (MiB, or with an M/G suffix)", s);
    if ((*end == 'G' || *end == 'g') && end[1] == '\0')
        mib = v > MEM_MAX_MIB ? (unsigned long long)MEM_MAX_MIB + 1 : v * 1024;
    else if (!((*end == 'M' || *end == 'm') && end[1] == '\0') && *end != '\0')
        return errmsg(err, errlen, "--mem: '%s' is not a size (MiB, or with an M/G suffix)", s);
    if (mib < MEM_MIN_MIB || mib > MEM_MAX_MIB)
        return errmsg(err, errlen, "--mem: %s is out of range (%uM..%uG)", s, MEM_MIN_MIB,
                    MEM_MAX_MIB / 1024);
    *bytes = (uint64_t)mib << 20;
    return 0;
}

/* --cpus N: 1 up to what one GICv3 redistributor region holds (KVM's own
 * limit is checked when the vCPUs are created). */
static int parse_cpus(const char *s, unsigned *n, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *s < '0' || *s > '9' || *end)
        return errmsg(err, errlen, "--cpus: '%s' is not a number of vCPUs", s);
    if (errno == ERANGE || v == 0 || v > GIC_MAX_CPUS)
        return errmsg(err, errlen,
                      "--cpus: %s is out of range (1..%u: the GICv3 redistributor region at "
                      "0x%llx holds %u)", s, GIC_MAX_CPUS, (unsigned long long)GIC_REDIST_BASE,
                      GIC_MAX_CPUS);
    *n = (unsigned)v;
    return 0;
}

/* --uefi-vars FILE[,template=PATH] */
static int parse_uefi_vars(const char *v, struct config *cfg, char *err, size_t errlen)
{
    static char path[4096];
    const char *comma = strchr(v, ',');
    size_t n = comma ? (size_t)(comma - v) : strlen(v);
    if (n == 0)
        return errmsg(err, errlen, "--uefi-vars needs a path");
    if (n >= sizeof path)
        return errmsg(err, errlen, "--uefi-vars: the path is longer than %zu bytes", sizeof path - 1);
    memcpy(path, v, n);
    path[n] = '\0';
    cfg->uefi_vars = path;
    if (comma) {
        if (strncmp(comma + 1, "template=", 9) != 0 || !comma[10])
            return errmsg(err, errlen, "--uefi-vars: '%s' is not FILE or FILE,template=PATH", v);
        cfg->uefi_vars_template = comma + 10;
    }
    return 0;
}

/* Option value: "--opt=value" or "--opt value". */
static const char *opt_value(const char *arg, const char *name, int argc, char *const argv[],
                             int *i, bool *matched)
{
    size_t n = strlen(name);
    *matched = false;
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=') {
        *matched = true;
        return arg + n + 1;
    }
    if (arg[n] != '\0')
        return NULL;
    *matched = true;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int cli_parse(int argc, char *const argv[], struct config *cfg, char *err, size_t errlen)
{
    static const char *const valued[] = {"--mem", "--append", "--dump-dtb", "--device", "--console", "--nisv", "--sext-fix", "--initrd", "--cpus", "--bios", "--uefi-vars", "--symbols", "--trace-mmio"};
    memset(cfg, 0, sizeof *cfg);
    cfg->mem_bytes = (uint64_t)MEM_DEFAULT_MIB << 20;
    cfg->append = "";
    cfg->console = "stdio";
    cfg->nisv = NISV_STOP;
    cfg->sext_fix = true;
    cfg->ncpus = 1;
    cfg->uefi_vars_template = UEFI_VARS_TEMPLATE;
    bool only_files = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || a[1] == '\0') {
            if (cfg->image)
                return errmsg(err, errlen, "more than one image given ('%s' and '%s')",
                            cfg->image, a);
            cfg->image = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cfg->help = true;
            continue;
        }
        if (strcmp(a, "--kvm-info") == 0) {
            cfg->kvm_info = true;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            cfg->verbose = true;
            continue;
        }
        if (strcmp(a, "--stats") == 0) {
            cfg->stats = true;
            continue;
        }
        if (strcmp(a, "--version") == 0) {
            cfg->version = true;
            continue;
        }
        bool matched = false;
        size_t k;
        const char *v = NULL;
        for (k = 0; k < sizeof valued / sizeof *valued; k++) {
            v = opt_value(a, valued[k], argc, argv, &i, &matched);
            if (matched)
                break;
        }
        if (!matched)
            return errmsg(err, errlen, "unknown option '%s' (see --help)", a);
        if (!v)
            return errmsg(err, errlen, "%s needs a value", valued[k]);
        switch (k) {
        case 0:
            if (parse_mem(v, &cfg->mem_bytes, err, errlen))
                return -1;
            break;
        case 1:
            cfg->append = v;
            break;
        case 2:
            if (!*v)
                return errmsg(err, errlen, "--dump-dtb needs a path");
            cfg->dtb_out = v;
            break;
        case 3:
            if (cfg->ndevices == CONFIG_MAX_DEVICES)
                return errmsg(err, errlen, "--device: at most %d devices", CONFIG_MAX_DEVICES);
            cfg->devices[cfg->ndevices++] = v;
            break;
        case 4:
            if (!*v)
                return errmsg(err, errlen, "--console needs a backend (see --help)");
            cfg->console = v;
            break;
        case 5:
            if (nisv_policy_parse(v, &cfg->nisv))
                return errmsg(err, errlen, "--nisv: '%s' is not stop, inject, emulate or audit", v);
            break;
        case 6:
            if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
                return errmsg(err, errlen, "--sext-fix: '%s' is not on or off", v);
            cfg->sext_fix = strcmp(v, "on") == 0;
            break;
        case 7:
            if (!*v)
                return errmsg(err, errlen, "--initrd needs a path");
            cfg->initrd = v;
            break;
        case 8:
            if (parse_cpus(v, &cfg->ncpus, err, errlen))
                return -1;
            break;
        case 9:
            if (!*v)
                return errmsg(err, errlen, "--bios needs a path");
            cfg->bios = v;
            break;
        case 10:
            if (parse_uefi_vars(v, cfg, err, errlen))
                return -1;
            break;
        case 11:
            if (!*v)
                return errmsg(err, errlen, "--symbols needs a path");
            cfg->symbols = v;
            break;
        case 12:
            if (!*v)
                return errmsg(err, errlen, "--trace-mmio needs a path (or - for stderr)");
            cfg->trace_mmio = v;
            break;
        }
    }
    if (cfg->bios && cfg->image)
        return errmsg(err, errlen, "--bios '%s' and a kernel '%s' given: the firmware loads the "
                      "kernel itself", cfg->bios, cfg->image);
    if (cfg->bios && cfg->initrd)
        return errmsg(err, errlen, "--initrd needs a kernel: with --bios the firmware loads both");
    if (cfg->uefi_vars && !cfg->bios)
        return errmsg(err, errlen, "--uefi-vars needs --bios (the variables belong to firmware)");
    if (!cfg->image && !cfg->bios && !cfg->help && !cfg->version && !cfg->kvm_info)
        return errmsg(err, errlen, "no guest kernel given (usage: isv [options] KERNEL)");
    return 0;
}
