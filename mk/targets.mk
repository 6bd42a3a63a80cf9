# make check-targets: every documented target (README's `make X` and each
# `make test` check) run alone in a fresh copy of the tree, two at a time
# (scripts/check-targets.sh). The nested-boot targets (run, bench, test,
# integration) join with CHECK_TARGETS_ARGS=--all.

.PHONY: check-targets
check-targets: deps
	@scripts/check-targets.sh $(CHECK_TARGETS_ARGS)

CHECKS += check-targets
