# The Linux guest: Debian's arm64 cloud kernel (the nested host's own, from
# build/cache) with an initramfs made here from Debian packages only
# (scripts/mklinux-initramfs.sh: busybox-static, the kernel package's virtio
# modules, guest/linux, and /bin/lxbench from mk/lxbench.mk). No kernel is built.
#
#   make run-linux   boot it under isv to a busybox shell on the PL011 console;
#                    `poweroff` in that shell ends isv with status 0.
#                    LINUX_ARGS adds isv options (e.g. --stats, --device ...).

LINUX_INITRD := $(BUILD)/linux/initramfs.cpio.gz
LINUX_FILES := guest/linux/inittab guest/linux/rc.sh $(wildcard guest/linux/tests/*.sh)
LINUX_CMDLINE ?= console=ttyAMA0 earlycon panic=-1
LINUX_ARGS ?= --device virtio-rng

$(LINUX_INITRD): $(LINUX_FILES) $(LXBENCH) scripts/mklinux-initramfs.sh scripts/kmods.sh | deps
	@mkdir -p $(dir $@)
	$(call quiet,CPIO,$@)scripts/mklinux-initramfs.sh $(SYSROOT) $@ $(LXBENCH)

ALL_TARGETS += $(LINUX_INITRD)

.PHONY: run-linux
run-linux: deps $(VMM) $(LINUX_INITRD)
	@scripts/vm-run.sh --build $(BUILD) --interactive --timeout 3600 -- \
		"bin/isv --mem 256M $(LINUX_ARGS) --initrd linux/initramfs.cpio.gz --append '$(LINUX_CMDLINE)' linux/vmlinuz"
