# The PL011 as Linux's amba-pl011 driver runs it: its line in /proc/interrupts.
. /tests/lib.sh
say "ttyAMA0 irq line: $(grep -m1 -E 'uart-pl011|ttyAMA|pl011' /proc/interrupts | tr -s ' ')"
