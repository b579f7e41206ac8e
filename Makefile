# The benchmark comparison (README, "Benchmarks"): Celeriac vs Python Celery 5.7 vs the raw limit.
# Uses the private stack at STACK_PORT_OFFSET (default 0) like every script.
.PHONY: bench
bench:
	scripts/bench.sh compare
