# syndrome-oracle: checks the A64 decoder's predicted data-abort syndromes
# against real ESR_EL2 values from KVM's kvm_guest_fault tracepoint
# (tools/syndrome-oracle.c; the real run is tests/integration/suite-oracle.sh),
# and its self-check on a small assembled image with hand-made traces.

ORACLE := $(HOSTB)/syndrome-oracle
ORACLE_OBJS := $(HOSTB)/tools/syndrome-oracle.o $(HOSTB)/tools/kvm_trace.o \
	$(HOSTB)/vmm/elf/elf_syms.o $(HOSTB)/vmm/elf/elf_section.o \
	$(patsubst %.c,$(HOSTB)/%.o,$(wildcard vmm/arm64/*.c))

$(ORACLE): $(ORACLE_OBJS)
	$(call quiet,HOSTLD,$@)$(HOST_CC) $(HOST_CFLAGS) $^ -o $@

ALL_TARGETS += $(ORACLE)
CHECKS += check-oracle

.PHONY: check-oracle
check-oracle: deps $(ORACLE)
	@CROSS=$(CROSS) tests/oracle/run.sh $(ORACLE) $(HOSTB)/oracle-test

-include $(ORACLE_OBJS:.o=.d)
