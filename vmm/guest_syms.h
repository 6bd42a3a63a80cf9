/*
 * --symbols ELF: guest PCs named symbol+offset from the ELF the kernel image
 * was made from (the guest's guest.elf, a vmlinux). Pure C.
 *
 * A PC is a virtual address, which the guest may have moved (a PIE that
 * relocates itself, Linux's KASLR); where the instruction lies in the image
 * does not move. So a PC is named by its physical address: the image's first
 * byte is the ELF's lowest allocated address (elf_syms.base), and
 *   ELF address = PA of the PC - image start + base
 * for a PA inside the image; any other PC (a module, a page the guest built)
 * gets no name. Without an image (--bios firmware) PCs are taken as ELF
 * addresses unchanged.
 */
#ifndef ISV_VMM_GUEST_SYMS_H
#define ISV_VMM_GUEST_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/elf_syms.h"

struct guest_syms {
    bool loaded;
    struct elf_syms syms;
    bool have_image;
    uint64_t image_start, image_end; /* guest physical, [start, end) */
};

/* Load path's symbols for an image at [image_start, image_end) (both 0:
 * none). 0, or -1 with "--symbols 'PATH': why" in err: not a linked
 * AArch64 ELF64, stripped, a hostile table. */
int guest_syms_load(struct guest_syms *g, const char *path, uint64_t image_start,
                    uint64_t image_end, char *err, size_t errlen);
void guest_syms_free(struct guest_syms *g);

/* "sym+0xOFF" for the instruction at pc whose physical address is pa
 * (pa_known false: not fetched). 0 and an empty buf when it has no name. */
size_t guest_syms_name(const struct guest_syms *g, uint64_t pc, uint64_t pa, bool pa_known,
                       char *buf, size_t size);

#endif
