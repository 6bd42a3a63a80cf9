# make tsan: the host unit tests that run threads -- the PL011 with its
# chardev reader and writer threads, the chardev on its own, the PL031 match
# thread, the virtio transport, its worker threads and devices, several
# threads driving one device through the bus (tests/unit/test_concurrency.c)
# and the --trace-mmio writer and relay thread (tests/unit/test_trace.c)
# -- built with ThreadSanitizer (-fsanitize=thread; it cannot be combined with
# ASan) into build/host-tsan and run as a second Criterion binary.
#
# Criterion runs each test in a process of its own (fork, then exec of the
# binary), so each starts a fresh TSan runtime; --jobs 2 as for make unit.
# Any TSan report fails the run, whichever process it is in: TSan writes it to
# build/host-tsan/report.<run>.<pid> (so a test that redirects stderr cannot
# hide it) and ends that process with status 66 (Criterion counts the test as
# failed); the recipe also fails, printing them, whenever a report file of
# this run exists.
#
# Left out: the tests of single-threaded code (decoders, loader, CLI, FDT,
# virtq alone, the mmio library, stats), which make unit covers under
# ASan+UBSan. Inside the chosen files, the four chardev tests whose forked
# child starts backend threads skip themselves under TSan (test_chardev.c).

TSANB := $(BUILD)/host-tsan
# -Wno-tsan: gcc warns that TSan does not model a standalone fence
# (devices/virtq.c's store-load fence before reading the driver's event index);
# every access it orders is itself atomic, so TSan loses nothing by it.
TSAN_CFLAGS := $(WARN) -Wno-tsan -g -O1 -D_GNU_SOURCE -Iinclude -fsanitize=thread \
	-fno-omit-frame-pointer
TSAN_TESTS := $(addprefix tests/unit/,test_concurrency.c test_bus.c test_testdev.c \
	test_pl011.c test_pl011_io.c test_chardev.c test_pl031.c \
	test_virtio_mmio.c test_virtio_blk.c test_virtio_console.c test_virtio_rng.c \
	test_virtio_spec.c vtest.c virtq_cases.c fdt_node.c test_trace.c)
# tests/tsan/criterion_arena.c: lets Criterion's sandboxes find room beside
# TSan's shadow memory (without it most test spawns fail; see the file).
TSAN_OBJS := $(patsubst %.c,$(TSANB)/%.o,$(TSAN_TESTS) tests/tsan/criterion_arena.c \
	$(DEVICE_SRCS) vmm/bus.c vmm/trace.c)
TSAN_BIN := $(TSANB)/unit-tests-tsan
# halt_on_error: the first report ends the process (exit 66); log_path: the
# report goes to a file, so a test that redirects stderr cannot hide it.
TSAN_RUN_OPTIONS := halt_on_error=1 exitcode=66 second_deadlock_stack=1

$(TSANB)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call quiet,TSANCC,$<)$(HOST_CC) $(TSAN_CFLAGS) -MMD -MP -c $< -o $@

$(TSAN_BIN): $(TSAN_OBJS)
	@mkdir -p $(dir $@)
	$(call quiet,TSANLD,$@)$(HOST_CC) $(TSAN_CFLAGS) $^ -o $@ $(HOST_LDLIBS)

CHECKS += tsan
.PHONY: tsan
# Each run's reports are named after its shell's pid (report.<run>.<process>),
# so a report left by an earlier or a concurrent run is not this run's.
tsan: deps $(TSAN_BIN)
	@r=$(abspath $(TSANB))/report.$$$$; \
	TSAN_OPTIONS="$(TSAN_RUN_OPTIONS) log_path=$$r" $(TSAN_BIN) --jobs 2; rc=$$?; \
	if ls $$r.* >/dev/null 2>&1; then \
		cat $$r.*; echo "tsan: ThreadSanitizer reports: $$(ls $$r.* | tr '\n' ' ')"; exit 1; \
	fi; \
	[ $$rc -eq 0 ] || { echo "tsan: unit-tests-tsan exited $$rc"; exit 1; }

-include $(TSAN_OBJS:.o=.d)
