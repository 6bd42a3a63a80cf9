/* The firmware's read-only flash bank (see flash_rom.h). */
#include "flash_rom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"

#define WARN_BUDGET 4

struct flash_rom {
    struct device dev;
    struct guest_mem rom;
    uint64_t ignored;
};

static uint64_t rom_read(struct device *dev, uint64_t off, unsigned len)
{
    const struct flash_rom *r = (const struct flash_rom *)dev;
    return le_bytes_to_u64(r->rom.host + off, len);
}

static void rom_write(struct device *dev, uint64_t off, unsigned len, uint64_t val)
{
    struct flash_rom *r = (struct flash_rom *)dev;
    /* Firmware probing its own bank for CFI, or a stray pointer: worth a
     * line, but a guest must not flood the log. */
    if (r->ignored++ < WARN_BUDGET)
        fprintf(stderr, "%s: %u-byte write of 0x%llx at offset 0x%llx ignored (the firmware "
                "flash is read-only)%s\n", dev->name, len, (unsigned long long)val,
                (unsigned long long)off, r->ignored == WARN_BUDGET ? "; further ones are not reported" : "");
}

static void rom_destroy(struct device *dev)
{
    device_fini(dev);
    free(dev);
}

static const struct device_ops flash_rom_ops = {
    .type = "flash-rom",
    .read = rom_read,
    .write = rom_write,
    .destroy = rom_destroy,
};

struct device *flash_rom_create(const struct guest_mem *rom, struct device_host *host,
                                char *err, size_t errlen)
{
    if (!rom->host || !rom->size) {
        errmsg(err, errlen, "flash-rom: no image");
        return NULL;
    }
    struct flash_rom *r = calloc(1, sizeof *r);
    if (!r) {
        errmsg(err, errlen, "flash-rom: out of memory");
        return NULL;
    }
    r->rom = *rom;
    device_init(&r->dev, &flash_rom_ops, rom->base, rom->size, -1, host);
    return &r->dev;
}

uint64_t flash_rom_ignored_writes(struct device *dev)
{
    pthread_mutex_lock(&dev->lock);
    uint64_t n = ((struct flash_rom *)dev)->ignored;
    pthread_mutex_unlock(&dev->lock);
    return n;
}
