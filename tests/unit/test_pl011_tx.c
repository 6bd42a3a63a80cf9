/* PL011 transmit path as the walking skeleton needs it: bytes written to DR
 * reach the backend in order and at once; FR never reports TXFF or BUSY; the
 * PrimeCell ID reads as 0xB105F00D. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../devices/pl011.h"

Test(pl011_tx, bytes_reach_backend_in_order)
{
    int p[2];
    cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
    struct device *u = pl011_create(0x9000000, 1, NULL, p[1]);
    const char *msg = "hello, isv\n";
    for (const char *c = msg; *c; c++) {
        uint32_t fr = (uint32_t)u->ops->read(u, 0x18, 4);
        cr_assert_eq(fr & (1u << 5), 0, "TXFF never set");
        cr_assert_eq(fr & (1u << 3), 0, "BUSY never stuck");
        u->ops->write(u, 0x00, 4, (uint8_t)*c);
    }
    char got[32] = {0};
    ssize_t n = read(p[0], got, sizeof got - 1);
    cr_assert_eq(n, (ssize_t)strlen(msg));
    cr_assert_str_eq(got, msg);
    u->ops->destroy(u);
    close(p[0]);
    close(p[1]);
}

Test(pl011_tx, primecell_id)
{
    struct device *u = pl011_create(0x9000000, 1, NULL, -1);
    uint32_t cid = 0, pid = 0;
    for (int i = 0; i < 4; i++) {
        cid |= (uint32_t)(u->ops->read(u, 0xff0 + 4 * (unsigned)i, 4) & 0xff) << (8 * i);
        pid |= (uint32_t)(u->ops->read(u, 0xfe0 + 4 * (unsigned)i, 4) & 0xff) << (8 * i);
    }
    cr_assert_eq(cid, 0xb105f00d);
    cr_assert_eq(pid & 0x000fffff, 0x00041011, "amba-pl011 match under mask 0xfffff");
    u->ops->destroy(u);
}
