# isv: a small KVM VMM for AArch64 guests, its guest, device models and tests.
#
#   make run    install what is missing, build, boot the guest under the VMM
#   make test   unit tests (host, ASan+UBSan) + checks + integration tests (real KVM)
#   make unit   the host unit tests alone (ASan+UBSan)
#   make tsan   the threaded host unit tests under ThreadSanitizer (mk/tsan.mk; a check of make test)
#   make bench  benchmarks
#
# Build trees: build/host (unit tests, host tools), build/aarch64 (VMM, guests),
# build/cache/arm64 (unpacked arm64 Debian packages), build/nested (initramfs).
# Rule that keeps devices and most of the VMM host-testable: only vmm/main.c and
# vmm/kvm_*.c may include KVM headers; every other .c under vmm/ and devices/ is
# also compiled into the host unit tests.

V ?= 0
ifeq ($(V),0)
Q := @
quiet = @printf '  %-8s %s\n' $(1) $(2);
else
Q :=
quiet =
endif

BUILD   := build
HOSTB   := $(BUILD)/host
A64B    := $(BUILD)/aarch64
CACHE   := $(BUILD)/cache/arm64
SYSROOT := $(CACHE)/root

HOST_ARCH := $(shell uname -m)
ifeq ($(HOST_ARCH),aarch64)
CROSS ?=
else
CROSS ?= aarch64-linux-gnu-
endif
HOST_CC  ?= gcc
CROSS_CC := $(CROSS)gcc
OBJDUMP  := $(CROSS)objdump

WARN := -std=c11 -Wall -Wextra -Werror
HOST_CFLAGS := $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_LDLIBS := -lcriterion -lfdt -lz -lpthread

VMM_CFLAGS := $(WARN) -O2 -g -D_GNU_SOURCE -Iinclude -I$(SYSROOT)/usr/include -MMD -MP
VMM_LDFLAGS := -static -L$(SYSROOT)/usr/lib/aarch64-linux-gnu
VMM_LDLIBS := -lfdt -lz -lpthread

DEVICE_SRCS   := $(wildcard devices/*.c)
VMM_KVM_SRCS  := vmm/main.c $(wildcard vmm/kvm_*.c)
VMM_PURE_SRCS := $(filter-out $(VMM_KVM_SRCS),$(wildcard vmm/*.c vmm/*/*.c))
VMM_SRCS      := $(VMM_KVM_SRCS) $(VMM_PURE_SRCS) $(DEVICE_SRCS)
UNIT_SRCS     := $(wildcard tests/unit/*.c)

VMM := $(A64B)/isv
HOST_LIB_OBJS := $(patsubst %.c,$(HOSTB)/%.o,$(VMM_PURE_SRCS) $(DEVICE_SRCS))
UNIT_OBJS := $(patsubst %.c,$(HOSTB)/%.o,$(UNIT_SRCS))
UNIT_BIN := $(HOSTB)/unit-tests

# Fragments (mk/*.mk) add targets; they append to these.
CHECKS :=        # extra `make test` steps before the integration tests
ALL_TARGETS := $(VMM) $(UNIT_BIN)
# Tools named across fragments (which are read in name order).
VIRTCHECK := $(HOSTB)/virtcheck
LXBENCH := $(A64B)/lxbench

.PHONY: all deps arm64 run test unit integration bench clean print-checks
all: build-all

include guest/guest.mk
-include $(wildcard mk/*.mk)

build-all: deps $(ALL_TARGETS)

# Every target that compiles or runs something has `deps` before it (order-only
# on the object rules), so each works alone from a clean clone. It is quick when
# all is present; `make test` runs it once and tells its sub-makes so.
deps:
ifndef ISV_DEPS_DONE
	@scripts/deps.sh $(BUILD)/deps.ok
	@scripts/fetch-arm64.sh $(CACHE)
endif

# deps.sh's own checks, fed broken tools (and fresh-debian.sh's, where root).
CHECKS += check-deps
.PHONY: check-deps
check-deps: deps
	@tests/deps/run.sh $(HOSTB)/deps-test

$(SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a:
	@scripts/fetch-arm64.sh $(CACHE)

# ---- host objects (unit tests, ASan+UBSan) ----
$(HOSTB)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(HOST_LIB_OBJS)
	$(call quiet,HOSTLD,$@)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

# ---- the VMM (aarch64, static) ----
VMM_OBJS := $(patsubst %.c,$(A64B)/vmm-obj/%.o,$(VMM_SRCS))
$(A64B)/vmm-obj/%.o: %.c $(SYSROOT)/usr/lib/aarch64-linux-gnu/libfdt.a | deps
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CROSS_CC) $(VMM_CFLAGS) -c $< -o $@

$(VMM): $(VMM_OBJS)
	$(call quiet,LD,$@)$(CROSS_CC) $(VMM_LDFLAGS) $^ -o $@ $(VMM_LDLIBS)

# ---- the two commands ----
# The guest greets, then exercises the virtio devices it finds: a 1 MiB disk
# (written, flushed, read back), the rng, and a virtio console writing to the
# same terminal as the PL011.
RUN_DEVICES ?= --device virtio-blk,file=/tmp/isv-run-disk.img --device virtio-rng \
	--device virtio-console,file=/dev/stdout
run: deps $(VMM) $(GUEST_IMAGE)
	@scripts/vm-run.sh --build $(BUILD) -- "truncate -s 1M /tmp/isv-run-disk.img && \
		bin/isv $(RUN_DEVICES) $(RUN_ARGS) guest/gcc/Image"

unit: deps $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

integration: deps build-all
	@tests/integration/run.sh --build $(BUILD)

test: deps
	@$(MAKE) --no-print-directory ISV_DEPS_DONE=1 build-all
	@$(MAKE) --no-print-directory ISV_DEPS_DONE=1 unit
	@for c in $(CHECKS); do $(MAKE) --no-print-directory ISV_DEPS_DONE=1 $$c || exit 1; done
	@$(MAKE) --no-print-directory ISV_DEPS_DONE=1 integration

print-checks:
	@echo $(CHECKS)

clean:
	rm -rf $(HOSTB) $(A64B) $(BUILD)/nested

-include $(UNIT_OBJS:.o=.d) $(HOST_LIB_OBJS:.o=.d) $(VMM_OBJS:.o=.d)
