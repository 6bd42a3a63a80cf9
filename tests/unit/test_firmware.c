/* --bios and --uefi-vars: loading the firmware into bank 0, preparing and
 * mapping bank 1's store, and the one-line errors for bad files. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../vmm/board.h"
#include "../../vmm/firmware.h"

static char dir[64];
static char err[300];

static void setup(void)
{
    strcpy(dir, "/tmp/isv-fw-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(firmware, .init = setup, .fini = teardown);

static const char *in_dir(const char *name)
{
    static char p[4][128];
    static unsigned k;
    char *s = p[k++ % 4];
    snprintf(s, 128, "%s/%s", dir, name);
    return s;
}

/* A file of `size` bytes, byte i = i * 13 (sparse beyond `written`). */
static const char *make_file(const char *name, uint64_t size, uint64_t written)
{
    const char *path = in_dir(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    cr_assert_eq(ftruncate(fd, (off_t)size), 0);
    uint8_t buf[4096];
    for (uint64_t off = 0; off < written; off += sizeof buf) {
        for (unsigned i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)((off + i) * 13);
        size_t n = written - off < sizeof buf ? (size_t)(written - off) : sizeof buf;
        cr_assert_eq(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
    }
    close(fd);
    return path;
}

Test(firmware, image_fills_bank_0_from_its_first_byte)
{
    struct guest_mem rom;
    const char *fw = make_file("fw.fd", 10000, 10000);
    cr_assert_eq(firmware_load(fw, &rom, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rom.base, FLASH0_BASE);
    cr_assert_eq(rom.size, FLASH_BANK_SIZE);
    for (unsigned i = 0; i < 10000; i++)
        cr_assert_eq(rom.host[i], (uint8_t)(i * 13), "byte %u", i);
    for (uint64_t i = 10000; i < FLASH_BANK_SIZE; i += 4099)
        cr_assert_eq(rom.host[i], 0, "the rest of the bank reads zero (byte %llu)", (unsigned long long)i);
    firmware_free(&rom);
    cr_assert_null(rom.host);
}

Test(firmware, a_full_bank_fits_and_one_byte_more_does_not)
{
    struct guest_mem rom;
    cr_assert_eq(firmware_load(make_file("64m.fd", FLASH_BANK_SIZE, 4096), &rom, err, sizeof err), 0, "%s", err);
    firmware_free(&rom);
    const char *big = make_file("big.fd", FLASH_BANK_SIZE + 1, 0);
    cr_assert_eq(firmware_load(big, &rom, err, sizeof err), -1);
    cr_assert(strstr(err, "67108865 bytes do not fit in the 64 MiB flash bank"), "%s", err);
    cr_assert(strncmp(err, "--bios '", 8) == 0, "%s", err);
    cr_assert_null(rom.host);
}

Test(firmware, bad_files_are_one_line)
{
    struct guest_mem rom;
    cr_assert_eq(firmware_load(in_dir("absent.fd"), &rom, err, sizeof err), -1);
    cr_assert(strstr(err, "No such file or directory"), "%s", err);
    cr_assert_eq(firmware_load(make_file("empty.fd", 0, 0), &rom, err, sizeof err), -1);
    cr_assert(strstr(err, "--bios '") && strstr(err, "empty"), "%s", err);
    cr_assert_eq(firmware_load(dir, &rom, err, sizeof err), -1, "a directory");
    cr_assert(strstr(err, "--bios '"), "%s", err);
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
}

Test(firmware, absent_store_is_copied_from_the_template_once)
{
    const char *tpl = make_file("AAVMF_VARS.fd", FLASH_BANK_SIZE, 65536 * 3 + 17);
    const char *vars = in_dir("vars.fd");
    cr_assert_eq(uefi_vars_prepare(vars, tpl, err, sizeof err), 1, "%s", err);
    struct flash_store st;
    cr_assert_eq(flash_store_open(&st, vars, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.size, FLASH_BANK_SIZE);
    for (unsigned i = 0; i < 65536 * 3 + 17; i += 7)
        cr_assert_eq(st.mem[i], (uint8_t)(i * 13), "byte %u", i);
    /* What the guest programs is in the file, after sync and before close. */
    st.mem[123] = 0x5a;
    st.mem[FLASH_BANK_SIZE - 1] = 0xa5;
    cr_assert_eq(flash_store_sync(&st, err, sizeof err), 0, "%s", err);
    int fd = open(vars, O_RDONLY);
    uint8_t a, b;
    cr_assert_eq(pread(fd, &a, 1, 123), 1);
    cr_assert_eq(pread(fd, &b, 1, (off_t)FLASH_BANK_SIZE - 1), 1);
    close(fd);
    cr_assert_eq(a, 0x5a);
    cr_assert_eq(b, 0xa5);
    flash_store_close(&st);
    /* An existing store is left as it is, whatever the template holds now. */
    cr_assert_eq(uefi_vars_prepare(vars, in_dir("no-template"), err, sizeof err), 0, "%s", err);
    cr_assert_eq(flash_store_open(&st, vars, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.mem[123], 0x5a, "the variables survive the next run");
    flash_store_close(&st);
}

Test(firmware, missing_template_says_what_to_install)
{
    const char *vars = in_dir("vars.fd");
    cr_assert_eq(uefi_vars_prepare(vars, in_dir("nope.fd"), err, sizeof err), -1);
    cr_assert(strstr(err, "install qemu-efi-aarch64 or give template=PATH"), "%s", err);
    struct stat sb;
    cr_assert_neq(stat(vars, &sb), 0, "no store left behind");
}

Test(firmware, store_that_cannot_be_created_is_one_line)
{
    const char *tpl = make_file("AAVMF_VARS.fd", FLASH_BANK_SIZE, 0);
    const char *vars = in_dir("no-such-dir/vars.fd");
    cr_assert_eq(uefi_vars_prepare(vars, tpl, err, sizeof err), -1);
    cr_assert(strstr(err, "no-such-dir/vars.fd': cannot create it: No such file or directory"), "%s", err);
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
}

Test(firmware, template_must_be_one_bank)
{
    const char *vars = in_dir("vars.fd");
    const char *tpl = make_file("small-template.fd", 1 << 20, 4096);
    cr_assert_eq(uefi_vars_prepare(vars, tpl, err, sizeof err), -1);
    cr_assert(strstr(err, "small-template.fd' is not a 64 MiB file"), "%s", err);
    struct stat sb;
    cr_assert_neq(stat(vars, &sb), 0, "no store the next run would refuse");
}

/* Two VMMs on one store would interleave their programs: the second is refused. */
Test(firmware, a_store_is_locked_while_open)
{
    const char *vars = make_file("vars.fd", FLASH_BANK_SIZE, 0);
    struct flash_store a, b;
    cr_assert_eq(flash_store_open(&a, vars, err, sizeof err), 0, "%s", err);
    cr_assert_eq(flash_store_open(&b, vars, err, sizeof err), -1);
    cr_assert(strstr(err, "in use by another VMM (locked)"), "%s", err);
    flash_store_close(&a);
    cr_assert_eq(flash_store_open(&b, vars, err, sizeof err), 0, "free again: %s", err);
    /* The sparse file's blocks were allocated at open. */
    struct stat sb;
    cr_assert_eq(stat(vars, &sb), 0);
    cr_assert_geq((uint64_t)sb.st_blocks * 512, FLASH_BANK_SIZE, "%lld blocks", (long long)sb.st_blocks);
    flash_store_close(&b);
}

Test(firmware, a_store_must_be_one_bank)
{
    struct flash_store st;
    const char *small = make_file("small.fd", 1 << 20, 0);
    cr_assert_eq(flash_store_open(&st, small, err, sizeof err), -1);
    cr_assert(strstr(err, "1048576 bytes, but the flash bank is 67108864"), "%s", err);
    cr_assert_eq(flash_store_open(&st, dir, err, sizeof err), -1);
    cr_assert(strstr(err, "Is a directory"), "%s", err);
    cr_assert_eq(flash_store_open(&st, in_dir("absent"), err, sizeof err), -1);
    cr_assert(strstr(err, "No such file or directory"), "%s", err);
    cr_assert_null(st.mem);
}

Test(firmware, volatile_store_is_erased_flash)
{
    struct flash_store st;
    cr_assert_eq(flash_store_open(&st, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(st.size, FLASH1_VOLATILE_SIZE);
    cr_assert_null(st.path);
    for (uint64_t i = 0; i < st.size; i += 511)
        cr_assert_eq(st.mem[i], 0xff);
    cr_assert_eq(flash_store_sync(&st, err, sizeof err), 0, "nothing to write back");
    flash_store_close(&st);
}
