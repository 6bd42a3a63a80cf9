/*
 * libFuzzer harness: the command line (vmm/cli.c), and the --device texts it
 * collects through the device table's lookup and the virtio option parser
 * (the parts of device creation that open nothing).
 *
 * Input: the arguments after argv[0], separated by NUL bytes. Checked: an
 * accepted line gives a configuration inside the documented bounds, a
 * refused one a one-line message.
 */
#include <stdlib.h>
#include <string.h>

#include "../../devices/virtio_spec.h"
#include "../../vmm/config.h"
#include "../../vmm/device_table.h"
#include "../../vmm/gic.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1); /* exact size, so ASan sees any overread */
    char *argv[MAX_ARGS + 2] = {"isv"};
    int argc = 1;
    memcpy(buf, data, size);
    buf[size] = '\0';
    for (char *p = buf; argc <= MAX_ARGS; p += strlen(p) + 1) {
        argv[argc++] = p;
        if (p + strlen(p) == buf + size)
            break;
    }
    argv[argc] = NULL;

    struct config cfg;
    char err[256];
    if (cli_parse(argc, argv, &cfg, err, sizeof err) != 0) {
        if (!err[0] || strchr(err, '\n'))
            abort();
    } else {
        /* Something to run (a kernel or firmware, never both) or to print;
         * the firmware's variable store only beside firmware. */
        if ((!cfg.image && !cfg.bios && !cfg.help && !cfg.version && !cfg.kvm_info) ||
            (cfg.image && cfg.bios) || (cfg.bios && cfg.initrd) || (cfg.uefi_vars && !cfg.bios) ||
            cfg.mem_bytes < (uint64_t)MEM_MIN_MIB << 20 || cfg.mem_bytes > (uint64_t)MEM_MAX_MIB << 20 ||
            cfg.ncpus < 1 || cfg.ncpus > GIC_MAX_CPUS || cfg.ndevices > CONFIG_MAX_DEVICES ||
            !cfg.append || !cfg.console)
            abort();
        for (size_t i = 0; i < cfg.ndevices; i++) {
            struct virtio_spec spec;
            device_kind_find(cfg.devices[i]);
            if (strncmp(cfg.devices[i], "virtio", 6) == 0 &&
                virtio_spec_parse(cfg.devices[i], &spec, err, sizeof err) == 0 &&
                strlen(spec.path) >= sizeof spec.path)
                abort();
        }
    }
    free(buf);
    return 0;
}
