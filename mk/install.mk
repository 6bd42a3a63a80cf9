# make install [PREFIX=/usr/local] [DESTDIR=]: the user commands into
# $(DESTDIR)$(PREFIX)/bin: virtcheck (a release build: -O2, no sanitizers),
# and on an arm64 host isv itself (static, so it runs on any arm64 Linux with
# /dev/kvm). check-install (a step of make test) installs into a scratch
# DESTDIR and runs the installed virtcheck on an outside binary.

PREFIX ?= /usr/local
RELB := $(BUILD)/release
VIRTCHECK_REL := $(RELB)/virtcheck
VIRTCHECK_SRCS := tools/virtcheck.c vmm/elf/elf_section.c $(wildcard vmm/arm64/*.c)
INSTALL_BINS := $(VIRTCHECK_REL) $(if $(filter aarch64,$(HOST_ARCH)),$(VMM))

$(VIRTCHECK_REL): $(VIRTCHECK_SRCS) | deps
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(HOST_CC) $(WARN) -O2 -D_GNU_SOURCE -Iinclude $^ -o $@

.PHONY: install check-install
install: deps $(INSTALL_BINS)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(INSTALL_BINS) $(DESTDIR)$(PREFIX)/bin/

CHECKS += check-install
check-install: deps
	@rm -rf $(RELB)/destdir
	@$(MAKE) --no-print-directory -s install DESTDIR=$(abspath $(RELB)/destdir) PREFIX=/usr ISV_DEPS_DONE=1 >/dev/null
	@tests/install/run.sh $(RELB)/destdir/usr/bin/virtcheck $(SYSROOT)/bin/busybox
