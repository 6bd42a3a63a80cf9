# virtcheck: static scanner for MMIO-unsafe loads/stores in aarch64 ELFs
# (tools/virtcheck.c + the arm64 decoder), and its self-check.

VIRTCHECK := $(HOSTB)/virtcheck
VIRTCHECK_OBJS := $(HOSTB)/tools/virtcheck.o $(HOSTB)/tools/elf_section.o \
	$(patsubst %.c,$(HOSTB)/%.o,$(wildcard vmm/arm64/*.c))

$(VIRTCHECK): $(VIRTCHECK_OBJS)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

ALL_TARGETS += $(VIRTCHECK)
CHECKS += check-virtcheck

.PHONY: check-virtcheck
check-virtcheck: $(VIRTCHECK)
	@CROSS=$(CROSS) tests/virtcheck/run.sh $(VIRTCHECK) $(HOSTB)/virtcheck-test

-include $(VIRTCHECK_OBJS:.o=.d)
