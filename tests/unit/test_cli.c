/* Command-line parsing: defaults, every option form, and one-line errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../vmm/config.h"
#include "../../vmm/device_table.h"

#define ARGV(...) ((char *const[]){"isv", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"isv", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(cfg, err, ...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cfg, err, sizeof err)

Test(cli, defaults)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "Image"), 0);
    cr_assert_str_eq(c.image, "Image");
    cr_assert_eq(c.mem_bytes, 128ull << 20);
    cr_assert_eq(c.ncpus, 1);
    cr_assert_str_eq(c.append, "");
    cr_assert_null(c.dtb_out);
}

Test(cli, options_both_forms)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "--mem", "256", "--append=a b", "--dump-dtb", "x.dtb", "img"), 0);
    cr_assert_eq(c.mem_bytes, 256ull << 20);
    cr_assert_str_eq(c.append, "a b");
    cr_assert_str_eq(c.dtb_out, "x.dtb");
    cr_assert_eq(PARSE(&c, err, "--mem=1G", "img"), 0);
    cr_assert_eq(c.mem_bytes, 1ull << 30);
    cr_assert_eq(PARSE(&c, err, "--mem=64M", "--", "-image-with-dash"), 0);
    cr_assert_eq(c.mem_bytes, 64ull << 20);
    cr_assert_str_eq(c.image, "-image-with-dash");
    cr_assert_eq(PARSE(&c, err, "--help"), 0);
    cr_assert(c.help);
}

static void expect_error(int argc, char *const argv[], const char *needle)
{
    struct config c;
    char err[200] = "";
    cr_assert_eq(cli_parse(argc, argv, &c, err, sizeof err), -1, "should fail: %s", needle);
    cr_assert(strstr(err, needle), "error '%s' should mention '%s'", err, needle);
    cr_assert_null(strchr(err, '\n'), "one line: '%s'", err);
}

#define EXPECT_ERROR(needle, ...) expect_error(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), needle)

Test(cli, errors_name_the_problem)
{
    EXPECT_ERROR("no guest kernel", "--mem", "64");
    EXPECT_ERROR("--mem", "--mem", "0", "img");
    EXPECT_ERROR("--mem", "--mem", "15", "img");
    EXPECT_ERROR("--mem", "--mem", "-5", "img");
    EXPECT_ERROR("--mem", "--mem", "lots", "img");
    EXPECT_ERROR("--mem", "--mem", "12T", "img");
    EXPECT_ERROR("--mem", "--mem", "99999999999999999999999", "img");
    EXPECT_ERROR("out of range", "--mem", "300G", "img");
    EXPECT_ERROR("out of range", "--mem", "18446744073709551615G", "img");
    EXPECT_ERROR("--mem needs a value", "img", "--mem");
    EXPECT_ERROR("unknown option '--bogus'", "--bogus", "img");
    EXPECT_ERROR("unknown option '--memory=5'", "--memory=5", "img");
    EXPECT_ERROR("more than one image", "a", "b");
    EXPECT_ERROR("--dump-dtb needs a path", "--dump-dtb=", "img");
    EXPECT_ERROR("--cpus: 0 is out of range (1..123", "--cpus", "0", "img");
    EXPECT_ERROR("--cpus: 124 is out of range", "--cpus=124", "img");
    EXPECT_ERROR("--cpus: 100000 is out of range", "--cpus", "100000", "img");
    EXPECT_ERROR("--cpus: 99999999999999999999999 is out of range", "--cpus", "99999999999999999999999", "img");
    EXPECT_ERROR("--cpus: 'x' is not a number", "--cpus", "x", "img");
    EXPECT_ERROR("--cpus: '-2' is not a number", "--cpus=-2", "img");
    EXPECT_ERROR("--cpus: '2x' is not a number", "--cpus", "2x", "img");
    EXPECT_ERROR("--cpus: '' is not a number", "--cpus=", "img");
    EXPECT_ERROR("--cpus needs a value", "img", "--cpus");
}

Test(cli, cpus)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "--cpus", "4", "img"), 0, "%s", err);
    cr_assert_eq(c.ncpus, 4);
    cr_assert_eq(PARSE(&c, err, "--cpus=123", "img"), 0, "%s", err);
    cr_assert_eq(c.ncpus, 123);
}

Test(cli, devices_repeatable_in_order)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "--device", "testdev", "--device=virtio-rng", "img"), 0);
    cr_assert_eq(c.ndevices, 2);
    cr_assert_str_eq(c.devices[0], "testdev");
    cr_assert_str_eq(c.devices[1], "virtio-rng");
    EXPECT_ERROR("--device needs a value", "img", "--device");
}

Test(cli, initrd_and_verbose)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "--initrd", "rd.cpio.gz", "--verbose", "Image"), 0);
    cr_assert_str_eq(c.initrd, "rd.cpio.gz");
    cr_assert(c.verbose);
    cr_assert_eq(PARSE(&c, err, "--initrd=x", "Image"), 0);
    cr_assert_str_eq(c.initrd, "x");
    cr_assert_eq(PARSE(&c, err, "Image"), 0);
    cr_assert_null(c.initrd);
    cr_assert_not(c.verbose);
    cr_assert_eq(PARSE(&c, err, "--initrd=", "Image"), -1);
    cr_assert_str_eq(err, "--initrd needs a path");
    cr_assert_eq(PARSE(&c, err, "Image", "--initrd"), -1);
    cr_assert_str_eq(err, "--initrd needs a value");
}

Test(cli, help_lists_the_device_table)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_print_usage(f);
    fclose(f);
    for (size_t i = 0; i < device_table_len; i++) {
        cr_assert(strstr(text, device_table[i].name), "--help names %s", device_table[i].name);
        cr_assert(strstr(text, device_table[i].help), "--help has %s's help", device_table[i].name);
    }
    cr_assert(strstr(text, "--initrd PATH"));
    free(text);
}

Test(cli, trace_mmio)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "img"), 0);
    cr_assert_null(c.trace_mmio, "off by default");
    cr_assert_eq(PARSE(&c, err, "--trace-mmio", "t.txt", "img"), 0);
    cr_assert_str_eq(c.trace_mmio, "t.txt");
    cr_assert_eq(PARSE(&c, err, "--trace-mmio=-", "img"), 0);
    cr_assert_str_eq(c.trace_mmio, "-");
    cr_assert_eq(PARSE(&c, err, "--trace-mmio=", "img"), -1);
    cr_assert_str_eq(err, "--trace-mmio needs a path (or - for stderr)");
}

/* --bios takes the kernel's place; --uefi-vars belongs to it. */
Test(cli, firmware_options)
{
    struct config c;
    char err[200];
    cr_assert_eq(PARSE(&c, err, "--bios", "QEMU_EFI.fd"), 0, "%s", err);
    cr_assert_str_eq(c.bios, "QEMU_EFI.fd");
    cr_assert_null(c.image);
    cr_assert_null(c.uefi_vars, "volatile variables by default");
    cr_assert_str_eq(c.uefi_vars_template, "/usr/share/AAVMF/AAVMF_VARS.fd");
    cr_assert_eq(PARSE(&c, err, "--bios=fw.fd", "--uefi-vars", "vars.fd"), 0, "%s", err);
    cr_assert_str_eq(c.uefi_vars, "vars.fd");
    cr_assert_str_eq(c.uefi_vars_template, "/usr/share/AAVMF/AAVMF_VARS.fd");
    cr_assert_eq(PARSE(&c, err, "--uefi-vars=v.fd,template=/t/empty.fd", "--bios", "fw.fd"), 0, "%s", err);
    cr_assert_str_eq(c.uefi_vars, "v.fd");
    cr_assert_str_eq(c.uefi_vars_template, "/t/empty.fd");
}

Test(cli, firmware_errors_name_the_problem)
{
    EXPECT_ERROR("--bios needs a path", "--bios=");
    EXPECT_ERROR("--bios needs a value", "--bios");
    EXPECT_ERROR("--bios 'fw.fd' and a kernel 'Image' given", "--bios", "fw.fd", "Image");
    EXPECT_ERROR("--initrd needs a kernel", "--bios", "fw.fd", "--initrd", "rd.gz");
    EXPECT_ERROR("--uefi-vars needs --bios", "--uefi-vars", "v.fd", "Image");
    EXPECT_ERROR("--uefi-vars needs a path", "--bios", "fw.fd", "--uefi-vars=");
    EXPECT_ERROR("--uefi-vars: 'v.fd,size=1' is not FILE or FILE,template=PATH", "--bios", "fw.fd",
                 "--uefi-vars", "v.fd,size=1");
    static char long_path[4200];
    memset(long_path, 'a', sizeof long_path - 1);
    EXPECT_ERROR("--uefi-vars: the path is longer than 4095 bytes", "--bios", "fw.fd",
                 "--uefi-vars", long_path);
}
