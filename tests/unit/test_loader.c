/* arm64 Image loading: header validation and placement in fake guest RAM. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

Test(loader, loads_at_text_offset)
{
    size_t len = 0x3000;
    uint8_t *img = malloc(len);
    for (size_t i = 0; i < len; i++)
        img[i] = (uint8_t)(i * 7);
    header(img, 0x10000, 0x8000, 0xa);
    char *path = write_tmp(img, len);
    uint8_t *ram = calloc(1, 1 << 20);
    struct guest_mem m = {.host = ram, .base = 0x40000000, .size = 1 << 20};
    struct image_info info;
    char err[200];
    cr_assert_eq(image_load(path, &m, &info, err, sizeof err), 0, "%s", err);
    cr_assert_eq(info.load_addr, 0x40010000);
    cr_assert_eq(memcmp(ram + 0x10000, img, len), 0);
    cr_assert_eq(ram[0xffff], 0);
    cr_assert_eq(ram[0x10000 + len], 0);
    unlink(path);
    free(ram);
    free(img);
}

Test(loader, refuses_what_does_not_fit_or_cannot_be_read)
{
    uint8_t h[64];
    uint8_t *ram = calloc(1, 1 << 16);
    struct guest_mem m = {.host = ram, .base = 0x40000000, .size = 1 << 16};
    struct image_info info;
    char err[200];
    header(h, 0x8000, 0x9000, 0); /* needs 0x11000 bytes, RAM has 0x10000 */
    char *path = write_tmp(h, sizeof h);
    cr_assert_eq(image_load(path, &m, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "more than the"), "%s", err);
    header(h, UINT64_MAX - 4, 0x100, 0); /* offset overflow */
    unlink(path);
    path = write_tmp(h, sizeof h);
    cr_assert_eq(image_load(path, &m, &info, err, sizeof err), -1);
    unlink(path);
    cr_assert_eq(image_load("/nonexistent/Image", &m, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "No such file"), "%s", err);
    cr_assert_eq(image_load("/tmp", &m, &info, err, sizeof err), -1);
    cr_assert(strstr(err, "not a regular file"), "%s", err);
    free(ram);
}
