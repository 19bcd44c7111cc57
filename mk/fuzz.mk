# mk/fuzz.mk: `make fuzz` runs each go fuzz target for FUZZTIME. Included
# from the root Makefile; not part of `make test`, where the same targets run
# only their seeds (the compose corpus and a few hand-written inputs) as
# ordinary tests.
#
#   make fuzz                       every target, FUZZTIME each
#   make fuzz FUZZTIME=20m FUZZ_TARGETS=compose.FuzzLoad FUZZPARALLEL=2
#
# go test -fuzz takes one target per run, so each is run in turn. A failing
# input is written to the package's testdata/fuzz/<Target>/, where it stays
# as a regression seed once committed.

FUZZTIME     ?= 2m
FUZZPARALLEL ?= 1
# go minimizes every new interesting input for up to a minute by default,
# during which nothing else runs; a short limit keeps the time for fuzzing.
FUZZMINIMIZETIME ?= 2s
# package.Target, the package relative to ./provider/
FUZZ_TARGETS ?= compose.FuzzLoad \
	aws.FuzzPhysicalName aws.FuzzLogGroupName aws.FuzzRepositoryName \
	azure.FuzzDashedName azure.FuzzCompactName

.PHONY: fuzz

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%.*}; fn=$${t#*.}; \
		echo "fuzz $$fn in ./provider/$$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) -parallel $(FUZZPARALLEL) ./provider/$$pkg/; \
	done
