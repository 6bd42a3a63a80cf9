# The safe MMIO accessor library (include/mmio.h): its checks beyond `make unit`
# (whose host tests are tests/unit/mmio_*.c).
#
#   make check-compile-fail   every tests/compile-fail case must fail with its
#                             expected diagnostic under gcc and clang, host and
#                             aarch64, and its control must compile (aarch64 at
#                             -O0/-O2/-Os); the runner's self-test runs first.
#   make check-mmio-insns     tests/mmio-a64/*.c built for aarch64 (gcc, clang;
#                             -O0/-O2/-Os): every .mmio_insns record names a
#                             single-register, base-only ldr/str, one per access.

MMIO_HEADERS := include/mmio.h $(wildcard include/mmio/*.h)

.PHONY: check-compile-fail check-mmio-insns
check-compile-fail: deps $(MMIO_HEADERS)
	@scripts/compile-fail.sh --self-test
	@scripts/compile-fail.sh

check-mmio-insns: deps $(MMIO_HEADERS)
	@scripts/mmio-insns-check.sh

CHECKS += check-compile-fail check-mmio-insns
