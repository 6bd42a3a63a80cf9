# virtcheck: static scanner for MMIO-unsafe loads/stores in aarch64 ELFs
# (tools/virtcheck.c + the arm64 decoder), and its self-check.

VIRTCHECK_OBJS := $(HOSTB)/tools/virtcheck.o $(HOSTB)/vmm/elf/elf_section.o \
	$(patsubst %.c,$(HOSTB)/%.o,$(wildcard vmm/arm64/*.c))

$(VIRTCHECK): $(VIRTCHECK_OBJS)
	$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

ALL_TARGETS += $(VIRTCHECK)
CHECKS += check-virtcheck

.PHONY: check-virtcheck
check-virtcheck: deps $(VIRTCHECK)
	@CROSS=$(CROSS) tests/virtcheck/run.sh $(VIRTCHECK) $(HOSTB)/virtcheck-test

-include $(VIRTCHECK_OBJS:.o=.d)

# a64-decode: the decoder's disassembly of words on stdin (for the binutils cross-check).
A64_DECODE := $(HOSTB)/a64-decode
$(A64_DECODE): $(HOSTB)/tools/a64-decode.o $(filter $(HOSTB)/vmm/arm64/%,$(HOST_LIB_OBJS))
	$(call quiet,HOSTLD,$@)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@
ALL_TARGETS += $(A64_DECODE)

# The decoder against binutils on 400,000 random load/store-group words.
CHECKS += check-a64-objdump
.PHONY: check-a64-objdump
check-a64-objdump: deps $(A64_DECODE)
	@for seed in 1 2; do scripts/a64-objdump-xcheck.py $(A64_DECODE) $(OBJDUMP) 200000 $$seed || exit 1; done
