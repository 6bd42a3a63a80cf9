# make check-codegen: the accessor library and the guest drivers built with
# gcc and clang at -O0/-O2/-Os, linked into PIEs and checked with virtcheck;
# a known-bad driver must be caught (scripts/codegen-check.sh says what counts
# as MMIO code).

CODEGEN_CFLAGS := $(filter-out -O2 -MMD -MP,$(GUEST_COMMON)) $(GUEST_INC_safe)

.PHONY: check-codegen
check-codegen: deps $(VIRTCHECK) $(A64B)/guest-gcc/guest.elf $(A64B)/guest-clang/guest.elf
	@VIRTCHECK=$(VIRTCHECK) OBJDUMP=$(OBJDUMP) NM=$(CROSS)nm GUEST_LD=$(GUEST_LD) \
	CC_gcc='$(GUEST_CC_gcc)' CC_clang='$(GUEST_CC_clang)' \
	FLAGS_gcc='$(GUEST_FLAGS_gcc)' FLAGS_clang='$(GUEST_FLAGS_clang)' \
	CODEGEN_CFLAGS='$(CODEGEN_CFLAGS)' WORK=$(HOSTB)/codegen \
	GUEST_ELFS='$(A64B)/guest-gcc/guest.elf $(A64B)/guest-clang/guest.elf' \
	scripts/codegen-check.sh

CHECKS += check-codegen
