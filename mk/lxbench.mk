# lxbench: the Linux guest's benchmark program (tools/lxbench.c), static and
# libc-only, installed as /bin/lxbench in the initramfs (mk/linux.mk) so the
# bench scripts in guest/linux/tests measure isv and QEMU the same way.
# LXBENCH is named in the Makefile: linux.mk, read first, depends on it.

LXBENCH_CFLAGS := $(WARN) -O2 -D_GNU_SOURCE

$(LXBENCH): tools/lxbench.c | deps
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CROSS_CC) $(LXBENCH_CFLAGS) -static -s $< -o $@

ALL_TARGETS += $(LXBENCH)
