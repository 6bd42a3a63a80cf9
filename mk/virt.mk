# make check-virt: the static verdict on the four guest images (safe and
# naive drivers, gcc and clang): every load/store that can reach MMIO, decoded
# by virtcheck; the safe builds must be clean, the naive ones flagged with the
# forms the compilers really emit. What counts as "can reach MMIO" is in
# scripts/virt-check.sh. The dynamic verdict is tests/integration/suite-virt.sh.

VIRT_IMAGES := safe:gcc:$(A64B)/guest-gcc safe:clang:$(A64B)/guest-clang \
	naive:gcc:$(A64B)/guest-naive-gcc naive:clang:$(A64B)/guest-naive-clang

# (mk/virtcheck.mk, which sets VIRTCHECK, is read after this file: name the
# tool's path here for the prerequisite.)
.PHONY: check-virt
check-virt: deps $(HOSTB)/virtcheck $(foreach v,gcc clang naive-gcc naive-clang,$(A64B)/guest-$(v)/guest.elf)
	@VIRTCHECK=$(HOSTB)/virtcheck OBJDUMP=$(OBJDUMP) NM=$(CROSS)nm ADDR2LINE=$(CROSS)addr2line \
		scripts/virt-check.sh $(VIRT_IMAGES)

CHECKS += check-virt
