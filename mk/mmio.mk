# The safe MMIO accessor library (include/mmio.h): its compile-fail suite.
#
#   make check-compile-fail   every tests/compile-fail case must fail with its
#                             expected diagnostic under gcc and clang, host and
#                             aarch64, and its control must compile (aarch64 at
#                             -O0/-O2/-Os); the runner's self-test runs first.
#
# The library's host unit tests are tests/unit/mmio_*.c (built by `make unit`).

MMIO_HEADERS := include/mmio.h $(wildcard include/mmio/*.h)

.PHONY: check-compile-fail
check-compile-fail: $(MMIO_HEADERS)
	@scripts/compile-fail.sh --self-test
	@scripts/compile-fail.sh

CHECKS += check-compile-fail
