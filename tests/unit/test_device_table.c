/* The device table: --device specs to devices, board devices, one-line refusals. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../devices/virtio_mmio.h"
#include "../../vmm/board.h"
#include "../../vmm/config.h"
#include "../../vmm/device_table.h"

static struct config cfg = {.console = "null"};

Test(device_table, finds_by_name_before_the_options)
{
    cr_assert_str_eq(device_kind_find("virtio-blk,file=x")->name, "virtio-blk");
    cr_assert_str_eq(device_kind_find("pl031")->name, "pl031");
    cr_assert_null(device_kind_find("virtio"));
    cr_assert_null(device_kind_find("virtio-blkx"));
    cr_assert_null(device_kind_find(""));
}

Test(device_table, board_devices_at_virt_addresses)
{
    struct board_ctx b = {.cfg = &cfg};
    char err[300];
    int boards = 0;
    for (size_t i = 0; i < device_table_len; i++) {
        if (!device_table[i].board)
            continue;
        boards++;
        struct device *d = device_table[i].create(device_table[i].name, &b, err, sizeof err);
        cr_assert(d, "%s: %s", device_table[i].name, err);
        cr_assert_str_eq(d->ops->type, device_table[i].name);
        if (strcmp(d->ops->type, "pl031") == 0) {
            cr_assert_eq(d->base, PL031_BASE);
            cr_assert_eq(d->spi, PL031_SPI);
        } else {
            cr_assert_eq(d->base, PL011_BASE);
            cr_assert_eq(d->spi, PL011_SPI);
        }
        d->ops->destroy(d);
    }
    cr_assert_eq(boards, 2, "PL011 and PL031, as on QEMU virt");
    int consoles = 0;
    for (size_t i = 0; i < device_table_len; i++)
        if (device_table[i].console) {
            consoles++;
            cr_assert(device_table[i].board, "the console is a board device");
        }
    cr_assert_eq(consoles, 1, "one console");
}

Test(device_table, virtio_devices_take_slots_in_order)
{
    static uint8_t ram[4096];
    struct guest_mem mem = {.host = ram, .base = RAM_BASE, .size = sizeof ram};
    struct device_host host = {.mem = &mem};
    struct board_ctx b = {.cfg = &cfg, .host = &host};
    char err[300];
    struct device *r = device_table_create("virtio-rng", &b, err, sizeof err);
    struct device *c = device_table_create("virtio-console,file=/dev/null", &b, err, sizeof err);
    cr_assert(r, "%s", err);
    cr_assert(c, "%s", err);
    cr_assert_eq(r->base, virtio_mmio_slot_base(0));
    cr_assert_eq(c->base, virtio_mmio_slot_base(1));
    cr_assert_eq(c->spi, virtio_mmio_slot_spi(1));
    cr_assert_eq(b.virtio_slot, 2);
    r->ops->destroy(r);
    c->ops->destroy(c);
}

Test(device_table, refusals_are_one_line)
{
    static const struct { const char *spec, *msg; } cases[] = {
        {"frob", "--device 'frob': unknown device (known: testdev, virtio-blk, virtio-rng, virtio-console)"},
        {"pl031", "--device pl031: pl031 is always present (known: testdev, virtio-blk, virtio-rng, virtio-console)"},
        {"testdev,x=1", "--device testdev,x=1: testdev takes no options"},
        {"virtio-blk", "--device virtio-blk: "},
    };
    char err[300];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct board_ctx b = {.cfg = &cfg};
        cr_assert_null(device_table_create(cases[i].spec, &b, err, sizeof err), "%s", cases[i].spec);
        cr_assert(strncmp(err, cases[i].msg, strlen(cases[i].msg)) == 0, "%s: got '%s'", cases[i].spec, err);
        cr_assert_null(strchr(err, '\n'));
    }
    struct board_ctx b = {.cfg = &cfg};
    struct device *t = device_table_create("testdev", &b, err, sizeof err);
    cr_assert(t);
    cr_assert_null(device_table_create("testdev", &b, err, sizeof err));
    cr_assert_str_eq(err, "--device testdev: given more than once");
    t->ops->destroy(t);
    struct config stdio_cfg = {.console = "stdio"};
    b = (struct board_ctx){.cfg = &stdio_cfg};
    cr_assert_null(device_table_create("virtio-console", &b, err, sizeof err));
    cr_assert(strstr(err, "stdio is already the PL011's"), "%s", err);
}
