# make bench: planning speed and memory, and the plugin's start-up time.
# Not part of `make test` (numbers, not pass/fail); a few minutes at most.
#
#   bench-go   Go benchmarks of the planner (provider/plan BenchmarkPlan):
#              time and allocations per plan of generated compose apps of
#              1, 10, 100 and 500 services, in two modes
#   bench-bin  defang-bench over the built binaries: defang-plan's wall time
#              and peak RSS per app size (GNU time -v), and the plugin's
#              start-up to a served GetSchema; prints a markdown table
#
# DEFANG_BENCH_STORES=0 leaves the managed stores out of the generated apps.

BENCH_SIZES ?= 1,10,100,500
BENCH_RUNS  ?= 5
BENCHTIME   ?= 1s

.PHONY: bench bench-go bench-bin

bench: bench-go bench-bin

bench-go:
	$(GO) test -run '^$$' -bench BenchmarkPlan -benchmem -benchtime $(BENCHTIME) -count 1 ./provider/plan/

bench-bin: $(BIN)/defang-plan $(BIN)/pulumi-resource-defang
	$(GO) run ./provider/cmd/defang-bench -plan $(BIN)/defang-plan -plugin $(BIN)/pulumi-resource-defang \
		-sizes $(BENCH_SIZES) -runs $(BENCH_RUNS)
