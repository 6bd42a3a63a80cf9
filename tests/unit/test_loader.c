/* Kernel loading (Image, raw, gzip), the boot layout and the initrd, in fake guest RAM. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "../../vmm/boot.h"
#include "../../vmm/loader.h"

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
    memset(h, 0, IMAGE_HEADER_SIZE);
    put_le64(h + 0x08, text_offset);
    put_le64(h + 0x10, image_size);
    put_le64(h + 0x18, flags);
    memcpy(h + 0x38, "ARM\x64", 4);
}

static char *write_tmp(const uint8_t *buf, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/isv-image-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, buf, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(loader, header_fields)
{
    uint8_t h[64];
    struct image_info info;
    char err[200];
    header(h, 0x80000, 0x200000, 0xa);
    cr_assert_eq(image_parse_header(h, sizeof h, 0x1000, &info, err, sizeof err), 0);
    cr_assert_eq(info.text_offset, 0x80000);
    cr_assert_eq(info.image_size, 0x200000);
    cr_assert_eq(info.flags, 0xa);
}

Test(loader, legacy_zero_image_size)
{
    uint8_t h[64];
    struct image_info info;
    char err[200];
    header(h, 0x1234, 0, 0);
    cr_assert_eq(image_parse_header(h, sizeof h, 0x5000, &info, err, sizeof err), 0);
    cr_assert_eq(info.text_offset, 0x80000, "pre-3.17 rule");
    cr_assert_eq(info.image_size, 0x5000);
}

Test(loader, bad_headers)
{
    uint8_t h[64];
    struct image_info info;
    char err[200];
    header(h, 0, 0x1000, 0);
    cr_assert_eq(image_parse_header(h, 32, 32, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "too small"), "%s", err);
    h[0x38] = 'X';
    cr_assert_eq(image_parse_header(h, 64, 64, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "not an arm64 Image"), "%s", err);
    header(h, 0, 0x1000, 1);
    cr_assert_eq(image_parse_header(h, 64, 64, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "big-endian"), "%s", err);
    header(h, 0, 0x100, 0);
    cr_assert_eq(image_parse_header(h, 64, 0x1000, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "smaller than the file"), "%s", err);
}

/* Open, lay out (no initrd) and place a kernel file in RAM of `ram_size` bytes. */
static int boot_file(const char *path, uint8_t *ram, uint64_t ram_size, struct boot_layout *l,
                     char *err)
{
    struct guest_mem m = {.host = ram, .base = 0x40000000, .size = ram_size};
    return boot_load(path, NULL, &m, l, err, 300);
}

static char *write_gzip(const uint8_t *buf, size_t len)
{
    static char path[64];
    strcpy(path, "/tmp/isv-gz-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    gzFile gz = gzdopen(fd, "wb");
    cr_assert(gz);
    cr_assert_eq(gzwrite(gz, buf, (unsigned)len), (int)len);
    cr_assert_eq(gzclose(gz), Z_OK);
    return path;
}

static uint8_t *pattern(size_t len)
{
    uint8_t *img = malloc(len);
    for (size_t i = 0; i < len; i++)
        img[i] = (uint8_t)(i * 7 + 3);
    return img;
}

Test(loader, image_at_text_offset_dtb_after_it)
{
    size_t len = 0x3000;
    uint8_t *img = pattern(len);
    header(img, 0x10000, 0x8000, 0xa);
    char *path = write_tmp(img, len);
    uint8_t *ram = calloc(1, 16 << 20);
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_file(path, ram, 16 << 20, &l, err), 0, "%s", err);
    cr_assert_str_eq(l.format, "arm64 Image");
    cr_assert_eq(l.entry, 0x40010000);
    cr_assert_eq(l.kernel_end, 0x40018000, "image_size bytes, not the file's");
    cr_assert_eq(l.dtb, 0x40200000, "next 2 MiB block after the image");
    cr_assert_eq(memcmp(ram + 0x10000, img, len), 0);
    cr_assert_eq(ram[0xffff], 0);
    cr_assert_eq(ram[0x10000 + len], 0);
    unlink(path);
    free(ram);
    free(img);
}

Test(loader, raw_binary_at_0x80000_dtb_high)
{
    size_t len = 0x1234; /* no magic: a raw binary */
    uint8_t *img = pattern(len);
    char *path = write_tmp(img, len);
    uint8_t *ram = calloc(1, 64 << 20);
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_file(path, ram, 64 << 20, &l, err), 0, "%s", err);
    cr_assert_str_eq(l.format, "raw binary");
    cr_assert_eq(l.entry, 0x40080000);
    cr_assert_eq(memcmp(ram + 0x80000, img, len), 0);
    cr_assert_eq(l.initrd_start, 0x40000000 + (32 << 20), "RAM/2 below 256 MiB");
    cr_assert_eq(l.dtb, 0x40000000 + (32 << 20));
    unlink(path);
    free(ram);
    free(img);
}

Test(loader, layout_with_initrd)
{
    struct kernel k = {.format = KERNEL_IMAGE, .path = "k",
                       .info = {.text_offset = 0, .image_size = 0x2100000, .file_size = 0x1000}};
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_layout_compute(0x40000000, 256 << 20, &k, "rd", 5 << 20, &l, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(l.dtb, 0x42200000);
    cr_assert_eq(l.initrd_start, 0x42400000, "after the DTB's 2 MiB");
    cr_assert_eq(l.initrd_end, 0x42400000 + (5 << 20));
    cr_assert_eq(k.info.load_addr, 0x40000000);
    /* Raw, 1 GiB of RAM: the initrd at base + 128 MiB, the DTB after it. */
    struct kernel r = {.format = KERNEL_RAW, .path = "r",
                       .info = {.text_offset = 0x80000, .image_size = 0x100000, .file_size = 0x100000}};
    cr_assert_eq(boot_layout_compute(0x40000000, 1ull << 30, &r, "rd", 0x1001, &l, err, sizeof err), 0);
    cr_assert_eq(l.initrd_start, 0x48000000);
    cr_assert_eq(l.initrd_end, 0x48001001);
    cr_assert_eq(l.dtb, 0x48200000);
    /* Too big an initrd, and a raw binary reaching its area: one line each. */
    k.info.image_size = 15 << 20;
    cr_assert_eq(boot_layout_compute(0x40000000, 16 << 20, &k, NULL, 0, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "leaves no room for the device tree"), "%s", err);
    k.info.image_size = 0x100000;
    cr_assert_eq(boot_layout_compute(0x40000000, 16 << 20, &k, "rd", 13 << 20, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "initrd 'rd' (13 MiB) does not fit"), "%s", err);
    /* Raw: the initrd comes before the device tree, so it is what does not fit. */
    cr_assert_eq(boot_layout_compute(0x40000000, 16 << 20, &r, "rd", 20 << 20, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "initrd 'rd' (20 MiB) does not fit"), "%s", err);
    /* RAM that wraps the address space. */
    cr_assert_eq(boot_layout_compute(~0ull - 0xfff, 1 << 20, &r, NULL, 0, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "not addressable"), "%s", err);
    r.info.image_size = r.info.file_size = 40 << 20;
    cr_assert_eq(boot_layout_compute(0x40000000, 64 << 20, &r, "rd", 0, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "raw binary of 41943040 bytes"), "%s", err);
}

Test(loader, initrd_loaded_where_the_layout_says)
{
    size_t len = 0x3000, ilen = 0x2345;
    uint8_t *img = pattern(len), *ird = pattern(ilen);
    header(img, 0, 0x4000, 0);
    char kpath[64], ipath[64];
    strcpy(kpath, write_tmp(img, len));
    ird[0] = 0x5a;
    strcpy(ipath, write_tmp(ird, ilen));
    uint8_t *ram = calloc(1, 16 << 20);
    struct guest_mem m = {.host = ram, .base = 0x40000000, .size = 16 << 20};
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_load(kpath, ipath, &m, &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l.initrd_start, 0x40400000);
    cr_assert_eq(l.initrd_end - l.initrd_start, ilen);
    cr_assert_eq(memcmp(ram + 0x400000, ird, ilen), 0);
    /* An empty initrd, a missing one: one line each. */
    char epath[64];
    strcpy(epath, write_tmp(ird, 0));
    cr_assert_eq(boot_load(kpath, epath, &m, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "initrd '") && strstr(err, "': empty file"), "%s", err);
    cr_assert_eq(boot_load(kpath, "/no/such/initrd", &m, &l, err, sizeof err), -1);
    cr_assert_str_eq(err, "initrd '/no/such/initrd': No such file or directory");
    unlink(kpath);
    unlink(ipath);
    unlink(epath);
    free(ram);
    free(img);
    free(ird);
}

Test(loader, gzip_image_and_gzip_raw)
{
    size_t len = 0x30000;
    uint8_t *img = pattern(len);
    header(img, 0x80000, 0x40000, 0);
    char *path = write_gzip(img, len);
    uint8_t *ram = calloc(1, 16 << 20);
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_file(path, ram, 16 << 20, &l, err), 0, "%s", err);
    cr_assert_str_eq(l.format, "gzip-compressed arm64 Image");
    cr_assert_eq(l.entry, 0x40080000);
    cr_assert_eq(memcmp(ram + 0x80000, img, len), 0);
    unlink(path);
    memset(img + 0x38, 0, 4);
    path = write_gzip(img, len);
    memset(ram, 0, 16 << 20);
    cr_assert_eq(boot_file(path, ram, 16 << 20, &l, err), 0, "%s", err);
    cr_assert_str_eq(l.format, "gzip-compressed raw binary");
    cr_assert_eq(memcmp(ram + 0x80000, img, len), 0);
    unlink(path);
    free(ram);
    free(img);
}

Test(loader, gzip_bomb_truncated_and_corrupt_are_one_line)
{
    size_t len = 4 << 20; /* zeros: inflates to 4 MiB, RAM is 2 MiB */
    uint8_t *zeros = calloc(1, len);
    char *path = write_gzip(zeros, len);
    uint8_t *ram = calloc(1, 2 << 20);
    struct boot_layout l;
    char err[300];
    cr_assert_eq(boot_file(path, ram, 2 << 20, &l, err), -1);
    cr_assert(strstr(err, "inflates to more than 2 MiB (the RAM size); not loaded"), "%s", err);
    /* Truncated: the first half of a stream. */
    FILE *f = fopen(path, "rb");
    uint8_t gz[65536];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    unlink(path);
    free(zeros);
    uint8_t *img = pattern(0x20000);
    header(img, 0, 0x20000, 0);
    path = write_gzip(img, 0x20000);
    f = fopen(path, "rb");
    n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    unlink(path);
    char *tpath = write_tmp(gz, n / 2);
    cr_assert_eq(boot_file(tpath, ram, 2 << 20, &l, err), -1);
    cr_assert(strstr(err, "gzip stream ends early"), "%s", err);
    unlink(tpath);
    /* Corrupt: bytes of the deflate data flipped (or the CRC then disagrees). */
    for (size_t i = 20; i < n - 8; i += 7)
        gz[i] ^= 0x5a;
    tpath = write_tmp(gz, n);
    cr_assert_eq(boot_file(tpath, ram, 2 << 20, &l, err), -1);
    cr_assert(strstr(err, "corrupt gzip stream") || strstr(err, "ends early"), "%s", err);
    cr_assert_eq(strchr(err, '\n'), NULL);
    unlink(tpath);
    free(img);
    free(ram);
}

Test(loader, refuses_what_does_not_fit_or_cannot_be_read)
{
    uint8_t h[64];
    uint8_t *ram = calloc(1, 1 << 16);
    struct boot_layout l;
    char err[300];
    header(h, 0x8000, 0x9000, 0); /* needs 0x11000 bytes, RAM has 0x10000 */
    char *path = write_tmp(h, sizeof h);
    cr_assert_eq(boot_file(path, ram, 1 << 16, &l, err), -1);
    cr_assert(strstr(err, "more than the"), "%s", err);
    header(h, UINT64_MAX - 4, 0x100, 0); /* offset overflow */
    unlink(path);
    path = write_tmp(h, sizeof h);
    cr_assert_eq(boot_file(path, ram, 1 << 16, &l, err), -1);
    unlink(path);
    header(h, 0, 0x100, 1); /* magic present, big-endian: refused, not booted raw */
    path = write_tmp(h, sizeof h);
    cr_assert_eq(boot_file(path, ram, 1 << 16, &l, err), -1);
    cr_assert(strstr(err, "big-endian"), "%s", err);
    unlink(path);
    path = write_tmp(h, 0);
    cr_assert_eq(boot_file(path, ram, 1 << 16, &l, err), -1);
    cr_assert(strstr(err, "': empty file"), "%s", err);
    unlink(path);
    cr_assert_eq(boot_file("/nonexistent/Image", ram, 1 << 16, &l, err), -1);
    cr_assert_str_eq(err, "kernel '/nonexistent/Image': No such file or directory");
    cr_assert_eq(boot_file("/tmp", ram, 1 << 16, &l, err), -1);
    cr_assert(strstr(err, "not a regular file"), "%s", err);
    free(ram);
}
