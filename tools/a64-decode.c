/*
 * a64-decode: print our A64 decoder's view of each 32-bit word read from
 * stdin (one hex word per line): "WORD<TAB>DISASSEMBLY<TAB>CLASS". Used by
 * scripts/a64-objdump-xcheck.py to hold the decoder against binutils.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../vmm/arm64/a64.h"

int main(void)
{
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        char *end;
        unsigned long w = strtoul(line, &end, 16);
        if (end == line)
            continue;
        struct a64_ldst d;
        char dis[128];
        a64_decode((uint32_t)w, &d);
        a64_format(&d, 0, dis, sizeof dis);
        printf("%08lx\t%s\t%s\n", w, dis, a64_class_name(d.cls));
    }
    return 0;
}
