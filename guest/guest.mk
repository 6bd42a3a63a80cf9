# The freestanding AArch64 guest, built four times: with gcc and with clang,
# each with the safe drivers (guest/drivers, on <mmio.h>) and with their naive
# twins (guest/naive: plain volatile C with the same API). Output:
#   build/aarch64/guest-{gcc,clang}/{guest.elf,Image}              safe
#   build/aarch64/guest-naive-{gcc,clang}/{guest.elf,Image}        naive
# The guest's own files include a driver header by bare name ("pl011.h"); the
# include path picks guest/naive first for the naive build. A naive build uses
# every guest/naive/X.c instead of guest/drivers/X.c, and the safe drivers that
# have no twin (gic.c) as they are.

GUEST_C_SRCS := $(wildcard guest/*.c guest/lib/*.c guest/drivers/*.c)
GUEST_S_SRCS := $(wildcard guest/*.S)
GUEST_NAIVE_SRCS := $(wildcard guest/naive/*.c)
GUEST_C_SRCS_safe := $(GUEST_C_SRCS)
GUEST_C_SRCS_naive := $(filter-out $(patsubst guest/naive/%,guest/drivers/%,$(GUEST_NAIVE_SRCS)),\
	$(GUEST_C_SRCS)) $(GUEST_NAIVE_SRCS)
GUEST_INC_safe := -Iguest/drivers
GUEST_INC_naive := -Iguest/naive -Iguest/drivers

# -mno-outline-atomics: __atomic builtins (the SMP code) become inline
# LDAXR/STLXR loops, not calls to libgcc's __aarch64_* helpers.
GUEST_COMMON := -std=c11 -Wall -Wextra -Werror -Wcast-qual -O2 -g -ffreestanding -fpie \
	-mgeneral-regs-only -mno-outline-atomics -fno-stack-protector -fno-omit-frame-pointer \
	-Iinclude -Iguest -isystem $(SYSROOT)/usr/include -MMD -MP
GUEST_CC_gcc   := $(CROSS)gcc
GUEST_CC_clang := clang --target=aarch64-linux-gnu
GUEST_FLAGS_gcc   := -fno-tree-loop-distribute-patterns
GUEST_FLAGS_clang := -fno-builtin
GUEST_LD := $(CROSS)ld
LIBFDT_A := $(SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a

# $(1) = build name (gcc, clang, naive-gcc, naive-clang), $(2) = gcc | clang,
# $(3) = safe | naive
define GUEST_template
GUEST_OBJS_$(1) := $$(patsubst %.c,$(A64B)/guest-$(1)/%.o,$(GUEST_C_SRCS_$(3))) \
                   $$(patsubst %.S,$(A64B)/guest-$(1)/%.o,$(GUEST_S_SRCS))
$(A64B)/guest-$(1)/%.o: %.c $(LIBFDT_A) | deps
	@mkdir -p $$(dir $$@)
	$$(call quiet,CC-$(1),$$<)$$(GUEST_CC_$(2)) $(GUEST_COMMON) $(GUEST_INC_$(3)) $$(GUEST_FLAGS_$(2)) -c $$< -o $$@
$(A64B)/guest-$(1)/%.o: %.S | deps
	@mkdir -p $$(dir $$@)
	$$(call quiet,AS-$(1),$$<)$$(GUEST_CC_$(2)) $(GUEST_COMMON) -c $$< -o $$@
$(A64B)/guest-$(1)/guest.elf: $$(GUEST_OBJS_$(1)) guest/guest.ld $(LIBFDT_A)
	$$(call quiet,LD-$(1),$$@)$(GUEST_LD) -pie --no-dynamic-linker -z noexecstack --no-warn-rwx-segments -T guest/guest.ld -o $$@ \
		$$(GUEST_OBJS_$(1)) $(LIBFDT_A)
	@scripts/check-guest-relocs.sh $(CROSS)readelf $$@
$(A64B)/guest-$(1)/Image: $(A64B)/guest-$(1)/guest.elf
	$$(call quiet,OBJCOPY,$$@)$(CROSS)objcopy -O binary $$< $$@
-include $$(GUEST_OBJS_$(1):.o=.d)
endef
$(eval $(call GUEST_template,gcc,gcc,safe))
$(eval $(call GUEST_template,clang,clang,safe))
$(eval $(call GUEST_template,naive-gcc,gcc,naive))
$(eval $(call GUEST_template,naive-clang,clang,naive))

GUEST_IMAGE := $(A64B)/guest-gcc/Image
GUEST_IMAGES := $(A64B)/guest-gcc/Image $(A64B)/guest-clang/Image
GUEST_NAIVE_IMAGES := $(A64B)/guest-naive-gcc/Image $(A64B)/guest-naive-clang/Image
ALL_TARGETS += $(GUEST_IMAGES) $(GUEST_NAIVE_IMAGES)
