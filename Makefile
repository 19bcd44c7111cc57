# pulumi-defang: build, plan and test. See README.md "Quick start".
#
#   make plan   offline plan of the example compose app (no cloud account)
#   make test   vet, unit, component, plan and SDK tests (a few minutes)
#   make test-engine  the real Pulumi engine over the examples (slow; CI runs it too)
#
# Everything the targets need is installed by the targets themselves, into
# ignored folders (bin/, .cache/), and only when missing.

SHELL      := bash
GO         ?= go
CACHE      ?= $(CURDIR)/.cache
BIN        ?= $(CURDIR)/bin
VERSION    ?= 0.1.0-dev
LDFLAGS    := -X github.com/DefangLabs/pulumi-defang/provider/version.Version=$(VERSION)

# The main job: the example app, planned offline for AWS.
COMPOSE    ?= examples/aws-typescript/compose.yaml
CLOUD      ?= aws
MODE       ?= affordable
FORMAT     ?= tree
PLAN_ARGS  ?= --cloud $(CLOUD) --mode $(MODE) --format $(FORMAT) --config SESSION_SECRET=example-secret --config DB_PASSWORD=Example-Passw0rd


.PHONY: plan test build vet unit schema check-schema clean

plan: $(BIN)/defang-plan
	$(BIN)/defang-plan $(PLAN_ARGS) $(COMPOSE)

build: $(BIN)/pulumi-resource-defang $(BIN)/defang-plan

$(BIN)/%: FORCE
	$(GO) build -ldflags "$(LDFLAGS)" -o $@ ./provider/cmd/$*

FORCE:

# All the tests that run on this machine: vet, unit, component and plan
# tests (go test), schema and SDK drift, and SDK builds.
test: vet unit check-schema check-sdks build-sdks
	@echo "make test: all checks passed"

vet:
	$(GO) vet ./provider/... ./sdk/go/... ./examples/... ./tests/...

# The engine tier (tests/engine) runs with `make test-engine` (mk/engine.mk).
unit:
	$(GO) test -count=1 ./provider/... ./tests/standin/... ./tests/release/...

schema:
	$(GO) run ./provider/cmd/schemagen -out schema.json

check-schema:
	@mkdir -p $(CACHE)
	$(GO) run ./provider/cmd/schemagen -out $(CACHE)/schema.json
	@diff -u schema.json $(CACHE)/schema.json || { echo "schema.json is stale: run 'make schema sdks' and commit"; exit 1; }

clean:
	rm -rf $(BIN) $(CACHE)

include mk/sdk.mk
include mk/engine.mk
include mk/bench.mk
include mk/cloudrules.mk
