# The freestanding AArch64 guest, built twice: with gcc and with clang.
# Output: build/aarch64/guest-<cc>/Image (arm64 Linux Image format) and guest.elf.

GUEST_C_SRCS := $(wildcard guest/*.c guest/lib/*.c guest/drivers/*.c)
GUEST_S_SRCS := $(wildcard guest/*.S)
GUEST_COMMON := -std=c11 -Wall -Wextra -Werror -Wcast-qual -O2 -g -ffreestanding -fpie \
	-mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer \
	-Iinclude -Iguest -isystem $(SYSROOT)/usr/include -MMD -MP
GUEST_CC_gcc   := $(CROSS)gcc
GUEST_CC_clang := clang --target=aarch64-linux-gnu
GUEST_FLAGS_gcc   := -fno-tree-loop-distribute-patterns
GUEST_FLAGS_clang := -fno-builtin
GUEST_LD := $(CROSS)ld
LIBFDT_A := $(SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a

# $(1) = gcc | clang
define GUEST_template
GUEST_OBJS_$(1) := $$(patsubst %.c,$(A64B)/guest-$(1)/%.o,$(GUEST_C_SRCS)) \
                   $$(patsubst %.S,$(A64B)/guest-$(1)/%.o,$(GUEST_S_SRCS))
$(A64B)/guest-$(1)/%.o: %.c $(LIBFDT_A)
	@mkdir -p $$(dir $$@)
	$$(call quiet,CC-$(1),$$<)$$(GUEST_CC_$(1)) $(GUEST_COMMON) $$(GUEST_FLAGS_$(1)) -c $$< -o $$@
$(A64B)/guest-$(1)/%.o: %.S
	@mkdir -p $$(dir $$@)
	$$(call quiet,AS-$(1),$$<)$$(GUEST_CC_$(1)) $(GUEST_COMMON) -c $$< -o $$@
$(A64B)/guest-$(1)/guest.elf: $$(GUEST_OBJS_$(1)) guest/guest.ld $(LIBFDT_A)
	$$(call quiet,LD-$(1),$$@)$(GUEST_LD) -pie --no-dynamic-linker -z noexecstack --no-warn-rwx-segments -T guest/guest.ld -o $$@ \
		$$(GUEST_OBJS_$(1)) $(LIBFDT_A)
	@scripts/check-guest-relocs.sh $(CROSS)readelf $$@
$(A64B)/guest-$(1)/Image: $(A64B)/guest-$(1)/guest.elf
	$$(call quiet,OBJCOPY,$$@)$(CROSS)objcopy -O binary $$< $$@
-include $$(GUEST_OBJS_$(1):.o=.d)
endef
$(eval $(call GUEST_template,gcc))
$(eval $(call GUEST_template,clang))

GUEST_IMAGE := $(A64B)/guest-gcc/Image
GUEST_IMAGES := $(A64B)/guest-gcc/Image $(A64B)/guest-clang/Image
ALL_TARGETS += $(GUEST_IMAGES)
