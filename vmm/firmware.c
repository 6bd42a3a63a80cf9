/* Loading --bios firmware into a flash bank (see firmware.h). */
#include "firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../devices/errmsg.h"
#include "board.h"
#include "loader.h"

int firmware_load(const char *path, struct guest_mem *rom, char *err, size_t errlen)
{
    int fd;
    uint64_t size;
    memset(rom, 0, sizeof *rom);
    if (open_input_file("--bios", path, &fd, &size, err, errlen))
        return -1;
    if (size > FLASH_BANK_SIZE) {
        close(fd);
        return errmsg(err, errlen, "--bios '%s': %llu bytes do not fit in the %llu MiB flash bank",
                      path, (unsigned long long)size, (unsigned long long)(FLASH_BANK_SIZE >> 20));
    }
    /* Untouched pages of an anonymous mapping cost nothing and read as zero. */
    void *mem = mmap(NULL, FLASH_BANK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        close(fd);
        return errmsg(err, errlen, "--bios '%s': cannot allocate the flash bank: %s", path,
                      strerror(errno));
    }
    struct guest_mem view = {.host = mem, .base = 0, .size = FLASH_BANK_SIZE};
    int rc = load_file_at("--bios", path, fd, size, &view, 0, err, errlen);
    close(fd);
    if (rc) {
        munmap(mem, FLASH_BANK_SIZE);
        return -1;
    }
    *rom = (struct guest_mem){.host = mem, .base = FLASH0_BASE, .size = FLASH_BANK_SIZE};
    return 0;
}

void firmware_free(struct guest_mem *rom)
{
    if (rom->host)
        munmap(rom->host, rom->size);
    memset(rom, 0, sizeof *rom);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

int uefi_vars_prepare(const char *path, const char *template, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 0; /* the flash model checks what it is */
    if (errno != ENOENT)
        return errmsg(err, errlen, "--uefi-vars '%s': %s", path, strerror(errno));
    int in = open(template, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return errmsg(err, errlen, "--uefi-vars '%s' does not exist, and its template '%s' "
                      "cannot be read (%s): install qemu-efi-aarch64 or give template=PATH",
                      path, template, strerror(errno));
    struct stat ts;
    if (fstat(in, &ts) != 0 || !S_ISREG(ts.st_mode) || (uint64_t)ts.st_size != FLASH_BANK_SIZE) {
        close(in);
        return errmsg(err, errlen, "--uefi-vars '%s' does not exist, and its template '%s' is "
                      "not a %llu MiB file", path, template,
                      (unsigned long long)(FLASH_BANK_SIZE >> 20));
    }
    /* O_EXCL: never overwrite a store that appeared meanwhile. */
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return errmsg(err, errlen, "--uefi-vars '%s': cannot create it: %s", path, strerror(errno));
    }
    uint8_t buf[65536];
    ssize_t n;
    bool ok = true;
    errno = 0; /* a short write sets none */
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0 && write_all(out, buf, (size_t)n);
    }
    ok = ok && fsync(out) == 0;
    ok = close(out) == 0 && ok;
    int e = errno ? errno : EIO;
    close(in);
    if (!ok) {
        unlink(path); /* no half-copied store left behind */
        return errmsg(err, errlen, "--uefi-vars '%s': copying '%s' failed: %s", path, template,
                      strerror(e));
    }
    return 1;
}

int flash_store_open(struct flash_store *st, const char *path, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    if (!path) {
        void *m = mmap(NULL, FLASH1_VOLATILE_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return errmsg(err, errlen, "flash bank 1: cannot allocate %llu KiB: %s",
                          (unsigned long long)(FLASH1_VOLATILE_SIZE >> 10), strerror(errno));
        memset(m, 0xff, FLASH1_VOLATILE_SIZE); /* erased NOR reads all ones */
        *st = (struct flash_store){.mem = m, .size = FLASH1_VOLATILE_SIZE};
        return 0;
    }
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return errmsg(err, errlen, "--uefi-vars '%s': %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return errmsg(err, errlen, "--uefi-vars '%s': not a regular file", path);
    }
    if ((uint64_t)sb.st_size != FLASH_BANK_SIZE) {
        close(fd);
        return errmsg(err, errlen, "--uefi-vars '%s': %lld bytes, but the flash bank is %llu "
                      "(64 MiB, like Debian's AAVMF_VARS.fd)", path, (long long)sb.st_size,
                      (unsigned long long)FLASH_BANK_SIZE);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        return errmsg(err, errlen, "--uefi-vars '%s': %s", path,
                      e == EWOULDBLOCK ? "in use by another VMM (locked)" : strerror(e));
    }
    int e = posix_fallocate(fd, 0, (off_t)FLASH_BANK_SIZE);
    if (e != 0 && e != EOPNOTSUPP && e != EINVAL) { /* some filesystems cannot: go on */
        close(fd);
        return errmsg(err, errlen, "--uefi-vars '%s': cannot allocate its blocks: %s", path,
                      strerror(e));
    }
    void *m = mmap(NULL, FLASH_BANK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        e = errno;
        close(fd);
        return errmsg(err, errlen, "--uefi-vars '%s': cannot map it: %s", path, strerror(e));
    }
    *st = (struct flash_store){.mem = m, .size = FLASH_BANK_SIZE, .path = path, .fd = fd};
    return 0;
}

int flash_store_sync(struct flash_store *st, char *err, size_t errlen)
{
    if (st->mem && st->path && msync(st->mem, st->size, MS_SYNC) != 0)
        return errmsg(err, errlen, "--uefi-vars '%s': writing the variables back failed: %s",
                      st->path, strerror(errno));
    return 0;
}

void flash_store_close(struct flash_store *st)
{
    if (st->mem)
        munmap(st->mem, st->size);
    if (st->path)
        close(st->fd); /* and with it the lock */
    memset(st, 0, sizeof *st);
}
