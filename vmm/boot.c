/* The boot layout (see boot.h) and loading kernel and initrd into it. */
#include "boot.h"

#include <string.h>
#include <unistd.h>

#include "../devices/errmsg.h"

#define SZ_128M (128ull << 20)
#define INITRD_WINDOW (32ull << 30)

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

int boot_layout_compute(uint64_t ram_base, uint64_t ram_size, struct kernel *k,
                        const char *initrd, uint64_t initrd_size, struct boot_layout *l,
                        char *err, size_t errlen)
{
    const struct image_info *i = &k->info;
    memset(l, 0, sizeof *l);
    if (ram_base + ram_size < ram_base || ram_size > INITRD_WINDOW * 1024)
        return errmsg(err, errlen, "RAM at 0x%llx of 0x%llx bytes is not addressable",
                      (unsigned long long)ram_base, (unsigned long long)ram_size);
    uint64_t ram_end = ram_base + ram_size;
    if (i->text_offset > ram_size || i->image_size > ram_size - i->text_offset)
        return errmsg(err, errlen, "kernel '%s': needs 0x%llx bytes at offset 0x%llx, more than "
                      "the %llu MiB of RAM", k->path, (unsigned long long)i->image_size,
                      (unsigned long long)i->text_offset, (unsigned long long)(ram_size >> 20));
    l->kernel_start = l->entry = ram_base + i->text_offset;
    l->kernel_end = l->kernel_start + i->image_size;
    if (k->format == KERNEL_RAW) {
        uint64_t half = ram_size / 2;
        uint64_t above = ram_base + (half < SZ_128M ? half : SZ_128M); /* initrd, then DTB */
        if (l->kernel_end > above)
            return errmsg(err, errlen, "kernel '%s': a raw binary of %llu bytes at 0x%llx reaches "
                          "past 0x%llx, where the initrd and device tree go (give more --mem)",
                          k->path, (unsigned long long)i->file_size,
                          (unsigned long long)l->kernel_start, (unsigned long long)above);
        l->initrd_start = above;
        l->initrd_end = above + initrd_size;
        l->dtb = align_up(l->initrd_end, SZ_2M);
    } else {
        l->dtb = align_up(l->kernel_end, SZ_2M);
        l->initrd_start = l->initrd_end = l->dtb + BOOT_DTB_MAX;
        l->initrd_end += initrd_size;
    }
    /* The initrd first: for a raw binary the device tree comes after it. */
    if (initrd_size && (l->initrd_end > ram_end || l->initrd_end < l->initrd_start))
        return errmsg(err, errlen, "initrd '%s' (%llu MiB) does not fit beside the kernel and the "
                      "device tree in %llu MiB of RAM (give more --mem)", initrd ? initrd : "",
                      (unsigned long long)((initrd_size + (1 << 20) - 1) >> 20),
                      (unsigned long long)(ram_size >> 20));
    if (l->dtb + BOOT_DTB_MAX > ram_end)
        return errmsg(err, errlen, "kernel '%s' leaves no room for the device tree in %llu MiB of "
                      "RAM", k->path, (unsigned long long)(ram_size >> 20));
    if (initrd_size && l->initrd_end > ram_base + INITRD_WINDOW)
        return errmsg(err, errlen, "initrd '%s' would end at 0x%llx, outside the 32 GiB window "
                      "above the kernel that the arm64 boot protocol allows", initrd ? initrd : "",
                      (unsigned long long)l->initrd_end);
    k->info.load_addr = l->kernel_start;
    l->format = kernel_format_name(k);
    return 0;
}

int boot_load(const char *kernel, const char *initrd, const struct guest_mem *ram,
              struct boot_layout *l, char *err, size_t errlen)
{
    struct kernel k;
    int fd = -1, rc = -1;
    uint64_t isize = 0;
    if (initrd && open_input_file("initrd", initrd, &fd, &isize, err, errlen))
        return -1;
    if (kernel_open(kernel, ram->size, &k, err, errlen))
        goto out_fd;
    if (boot_layout_compute(ram->base, ram->size, &k, initrd, isize, l, err, errlen))
        goto out;
    if (kernel_place(&k, ram, err, errlen))
        goto out;
    if (initrd && load_file_at("initrd", initrd, fd, isize, ram, l->initrd_start, err, errlen))
        goto out;
    rc = 0;
out:
    kernel_close(&k);
out_fd:
    if (fd >= 0)
        close(fd);
    return rc;
}

void boot_layout_print(FILE *out, const char *kernel, const char *initrd,
                       const struct boot_layout *l)
{
    fprintf(out, "isv: boot: kernel '%s': %s\n", kernel, l->format);
    fprintf(out, "isv: boot:   kernel 0x%09llx-0x%09llx (%llu KiB), entry 0x%llx\n",
            (unsigned long long)l->kernel_start, (unsigned long long)l->kernel_end,
            (unsigned long long)((l->kernel_end - l->kernel_start) >> 10),
            (unsigned long long)l->entry);
    fprintf(out, "isv: boot:   dtb    0x%09llx-0x%09llx\n", (unsigned long long)l->dtb,
            (unsigned long long)(l->dtb + BOOT_DTB_MAX));
    if (initrd)
        fprintf(out, "isv: boot:   initrd 0x%09llx-0x%09llx (%llu KiB) '%s'\n",
                (unsigned long long)l->initrd_start, (unsigned long long)l->initrd_end,
                (unsigned long long)((l->initrd_end - l->initrd_start) >> 10), initrd);
}
