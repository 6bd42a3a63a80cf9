# `make bench`: the MMIO exit-cost benchmark (scripts/bench.sh). Not part of
# `make test`; its building blocks are (built by build-all, checked by
# tests/integration/suite-bench.sh):
#   build/aarch64/kvm-floor   the floor: a bare KVM_RUN loop (tools/kvm-floor.c)
#   build/aarch64/bench-run   boot-to-first-byte and peak RSS of a VMM run
#   isv.test=bench            the guest's timed loops (guest/bench.c)
#
#   make bench [BENCH_N=2000] [BENCH_ROUNDS=8] [BENCH_LX_ROUNDS=3] [BENCH_LX_SECS=3]
#              [BENCH_FW_ROUNDS=BENCH_LX_ROUNDS]
# (the Linux rounds, isv and QEMU, lxbench's seconds per random-read run,
# and the rounds of EDK2 to its shell, isv and QEMU)
# writes the table to build/bench/results.txt as well.

FLOOR := $(A64B)/kvm-floor
BENCH_RUN := $(A64B)/bench-run
FLOOR_OBJS := $(A64B)/vmm-obj/tools/kvm-floor.o $(A64B)/vmm-obj/vmm/loader.o $(A64B)/vmm-obj/vmm/boot.o \
	$(A64B)/vmm-obj/devices/errmsg.o \
	$(A64B)/vmm-obj/vmm/fdt_build.o $(A64B)/vmm-obj/vmm/gic.o
BENCH_RUN_OBJS := $(A64B)/vmm-obj/tools/bench-run.o

$(FLOOR): $(FLOOR_OBJS)
	$(call quiet,LD,$@)$(CROSS_CC) $(VMM_LDFLAGS) $^ -o $@ $(VMM_LDLIBS)

$(BENCH_RUN): $(BENCH_RUN_OBJS)
	$(call quiet,LD,$@)$(CROSS_CC) $(VMM_LDFLAGS) $^ -o $@

ALL_TARGETS += $(FLOOR) $(BENCH_RUN)

BENCH_N ?= 2000
BENCH_ROUNDS ?= 8

.PHONY: bench
bench: deps build-all
	@scripts/bench.sh --build $(BUILD) --n $(BENCH_N) --rounds $(BENCH_ROUNDS)

-include $(FLOOR_OBJS:.o=.d) $(BENCH_RUN_OBJS:.o=.d)
