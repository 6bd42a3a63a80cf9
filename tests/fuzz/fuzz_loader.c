/*
 * libFuzzer harness: the kernel loaders (arm64 Image header, raw binary, gzip
 * of either: vmm/loader.c) and the boot layout (vmm/boot.c), on files as isv
 * opens them: the kernel and initrd are memfds, reached by path.
 *
 * Input: flags:u8 (bit 0: an initrd), ram:u8, initrd_kib:u16, then three
 * u64 for a second layout computation (RAM base: RAM_BASE + 0..3 GiB; RAM
 * size, initrd size), then the kernel file. boot_load runs as isv does, on
 * 16 MiB (the least --mem allows) + (ram % 16) MiB of RAM; the second layout
 * takes any RAM size --mem accepts. Checked: every layout that is accepted
 * puts the kernel, the device tree and the initrd inside RAM, apart, and the
 * initrd inside the boot protocol's 32 GiB window.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../vmm/board.h"
#include "../../vmm/boot.h"
#include "fuzz_input.h"

#define RAM_MAX (32ull << 20)

static uint8_t *ram_host;
static int kernel_fd = -1, initrd_fd = -1;
static char kernel_path[40], initrd_path[40];
static FILE *devnull;

static int memfd(const char *name, char *path, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        abort();
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

static bool apart(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    return a0 == a1 || b0 == b1 || a1 <= b0 || b1 <= a0;
}

static void check_layout(uint64_t base, uint64_t size, const struct boot_layout *l)
{
    uint64_t end = base + size;
    if (l->kernel_start < base || l->kernel_end < l->kernel_start || l->kernel_end > end ||
        l->entry != l->kernel_start || l->dtb < base || l->dtb % 8 ||
        l->dtb + BOOT_DTB_MAX > end || l->dtb + BOOT_DTB_MAX < l->dtb ||
        l->initrd_end < l->initrd_start || l->initrd_end > end ||
        (l->initrd_end > l->initrd_start && l->initrd_end > base + (32ull << 30)) ||
        !apart(l->kernel_start, l->kernel_end, l->dtb, l->dtb + BOOT_DTB_MAX) ||
        !apart(l->kernel_start, l->kernel_end, l->initrd_start, l->initrd_end) ||
        !apart(l->dtb, l->dtb + BOOT_DTB_MAX, l->initrd_start, l->initrd_end))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ram_host) {
        ram_host = mmap(NULL, RAM_MAX, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (ram_host == MAP_FAILED || !(devnull = fopen("/dev/null", "w")))
            abort();
        kernel_fd = memfd("kernel", kernel_path, sizeof kernel_path);
        initrd_fd = memfd("initrd", initrd_path, sizeof initrd_path);
    }
    struct fz f = {data, size};
    uint8_t flags = fz_u8(&f), ram_mib = fz_u8(&f);
    uint64_t initrd_bytes = (uint64_t)fz_u16(&f) * 1024 % (8ull << 20);
    uint64_t l_base = RAM_BASE + (fz_u64(&f) & (3ull << 30)); /* 1 GiB aligned, as isv's */
    uint64_t l_size = ((fz_u64(&f) % (MEM_MAX_MIB - MEM_MIN_MIB + 1)) + MEM_MIN_MIB) << 20;
    uint64_t l_initrd = fz_u64(&f);
    const uint8_t *kernel;
    size_t klen = fz_bytes(&f, size, &kernel);

    if (ftruncate(kernel_fd, 0) || pwrite(kernel_fd, kernel, klen, 0) != (ssize_t)klen ||
        ftruncate(initrd_fd, (off_t)initrd_bytes))
        abort();
    const char *initrd = flags & 1 ? initrd_path : NULL;
    const struct guest_mem ram = {.host = ram_host, .base = RAM_BASE,
                                  .size = (16ull + ram_mib % 16) << 20};
    char err[256];
    struct boot_layout l;
    if (boot_load(kernel_path, initrd, &ram, &l, err, sizeof err) == 0) {
        check_layout(ram.base, ram.size, &l);
        boot_layout_print(devnull, kernel_path, initrd, &l);
    }

    /* The layout alone, for RAM sizes and initrds too big to load here. */
    struct kernel k;
    if (kernel_open(kernel_path, ram.size, &k, err, sizeof err) == 0) {
        if (boot_layout_compute(l_base, l_size, &k, "initrd", l_initrd, &l, err, sizeof err) == 0)
            check_layout(l_base, l_size, &l);
        kernel_close(&k);
    }
    return 0;
}
