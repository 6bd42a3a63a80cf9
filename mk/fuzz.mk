# make fuzz: libFuzzer harnesses (tests/fuzz/fuzz_*.c), one per parser a
# guest or a user controls, built with clang -fsanitize=fuzzer,address,undefined
# into build/fuzz over the real device and VMM sources, and run one after
# another from the committed seed corpus (tests/fuzz/corpus/<harness>, written
# by tests/fuzz/make-corpus.py) for FUZZ_SECONDS each (FUZZ_RUNS: stop after
# that many executions instead, if sooner). What they find stays in
# build/fuzz/work/corpus; a finding's input in build/fuzz/work/artifacts.
# check-fuzz (a step of make test): each harness over the committed corpus
# plus CHECK_FUZZ_RUNS mutations with a fixed seed, as a regression check, in
# build/fuzz/check (its own logs and artifacts: it may run beside make fuzz).

FUZZB := $(BUILD)/fuzz
FUZZ_CC := clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
CHECK_FUZZ_RUNS ?= 20000
FUZZ_HARNESSES := virtio_blk virtio_rng virtio_console pl011 nisv loader cli cfi_flash
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(WARN) -g -O1 -D_GNU_SOURCE -Iinclude $(FUZZ_SAN)
# The code under test gets coverage instrumentation; only the harness links
# libFuzzer's main. An archive, so each harness takes only what it uses.
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZB)/obj/%.o,$(VMM_PURE_SRCS) $(DEVICE_SRCS))
FUZZ_LIB := $(FUZZB)/libisv-fuzz.a
FUZZ_BINS := $(addprefix $(FUZZB)/fuzz_,$(FUZZ_HARNESSES))

$(FUZZB)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(FUZZB)/fuzz_virtio_%: tests/fuzz/fuzz_virtio_%.c tests/fuzz/virtio_harness.c $(FUZZ_LIB) | deps
	$(call quiet,FUZZLD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP $(filter %.c,$^) \
		$(FUZZ_LIB) -o $@ -lfdt -lz -lpthread

$(FUZZB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) | deps
	$(call quiet,FUZZLD,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP $< $(FUZZ_LIB) \
		-o $@ -lfdt -lz -lpthread

.PHONY: fuzz fuzz-build check-fuzz
fuzz-build: deps $(FUZZ_BINS)

fuzz: deps $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
		tests/fuzz/run.sh long $(FUZZB) $(FUZZB)/work $(FUZZ_HARNESSES)

CHECKS += check-fuzz
check-fuzz: deps $(FUZZ_BINS)
	@CHECK_RUNS=$(CHECK_FUZZ_RUNS) tests/fuzz/run.sh check $(FUZZB) $(FUZZB)/check $(FUZZ_HARNESSES)

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d)
