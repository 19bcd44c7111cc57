# mk/engine.mk: the engine tier and release packaging. Included from the root
# Makefile.
#
# Targets
#   tools        the Pulumi CLI and the Node.js and Python language hosts, built
#                from source into bin/ (only when missing or when tools/ pins
#                other versions); the cloud plugins are replaced by the stand-ins
#                of tests/standin, so nothing is downloaded at test time.
#   test-engine  the real `pulumi` engine over the examples (tests/engine)
#   sdk-nodejs-bin  the TypeScript SDK compiled into sdk/nodejs/bin, which the
#                TypeScript examples install (file:../../sdk/nodejs/bin)
#   dist         the release archive of the plugin for this machine, named as
#                .goreleaser.yml names them:
#                dist/pulumi-resource-defang-v$(VERSION)-$(GOOS)-$(GOARCH).tar.gz

# Versions are those pinned in tools/go.mod and tools/langhosts/go.mod.
PULUMI_CLI_VERSION := 3.259.0
PULUMI_CLI_LDFLAGS := -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$(PULUMI_CLI_VERSION)
ENGINE_TOOLS := $(BIN)/pulumi $(BIN)/pulumi-language-nodejs $(BIN)/pulumi-language-python \
	$(BIN)/pulumi-language-python-exec

# Engine tests: wall-clock limit of the go test run (the CI limit is 90 min).
ENGINE_TIMEOUT ?= 45m
ENGINE_RUN     ?= .

GOOS    ?= $(shell $(GO) env GOOS)
GOARCH  ?= $(shell $(GO) env GOARCH)
DIST    ?= $(CURDIR)/dist
EXE     := $(if $(filter windows,$(GOOS)),.exe)
ARCHIVE := $(DIST)/pulumi-resource-defang-v$(VERSION)-$(GOOS)-$(GOARCH).tar.gz

.PHONY: tools test-engine dist sdk-nodejs-bin sdk-nodejs-pack

tools: $(ENGINE_TOOLS)

# About 5 minutes on a cold Go build cache; the cache (and bin/) make later
# builds a link step or nothing.
$(BIN)/pulumi: tools/go.mod tools/go.sum
	@mkdir -p $(BIN)
	cd tools && $(GO) build -trimpath -ldflags "$(PULUMI_CLI_LDFLAGS)" -o $@ github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

$(BIN)/pulumi-language-nodejs $(BIN)/pulumi-language-python &: tools/langhosts/go.mod tools/langhosts/go.sum
	@mkdir -p $(BIN)
	cd tools/langhosts && $(GO) build -trimpath -o $(BIN)/ tool

# The Python host runs its programs through this script of the same release.
$(BIN)/pulumi-language-python-exec: tools/langhosts/go.mod tools/langhosts/go.sum
	@mkdir -p $(BIN)
	cd tools/langhosts && $(GO) mod download github.com/pulumi/pulumi/sdk/v3 && \
		install -m 0755 "$$($(GO) list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" $@

# The TypeScript SDK compiled into sdk/nodejs/bin with its package.json, as
# npm would install it (the examples depend on file:../../sdk/nodejs/bin), and
# packed into a tarball that the engine tests install like a published release.
SDK_NODE_PACK := $(CACHE)/engine/sdk-nodejs
sdk-nodejs-bin: $(SDK_NODE_ENV)/.installed
	@set -e; w=$(SDK_NODE_PACK); rm -rf $$w && mkdir -p $$w/src; \
	tar -C $(SDK_DIR)/nodejs --exclude=./node_modules --exclude=./bin -cf - . | tar -C $$w/src -xf -; \
	ln -s $(abspath $(SDK_NODE_ENV))/node_modules $$w/src/node_modules; \
	$(SDK_NODE_ENV)/node_modules/.bin/tsc -p $$w/src --pretty false; \
	cp $$w/src/package.json $$w/src/README.md $$w/src/bin/; \
	rm -rf $(SDK_DIR)/nodejs/bin && cp -r $$w/src/bin $(SDK_DIR)/nodejs/bin; \
	echo "sdk-nodejs-bin: $(SDK_DIR)/nodejs/bin"

sdk-nodejs-pack: sdk-nodejs-bin
	@cd $(SDK_NODE_PACK) && $(NPM) pack --silent $(abspath $(SDK_DIR))/nodejs/bin >/dev/null && ls $(SDK_NODE_PACK)/*.tgz

test-engine: tools build sdk-nodejs-pack dist
	DEFANG_SDK_NODEJS_TARBALL="$$(ls $(abspath $(SDK_NODE_PACK))/*.tgz)" DEFANG_PLUGIN_ARCHIVE=$(ARCHIVE) \
	DEFANG_VERSION=$(VERSION) DEFANG_BIN=$(BIN) \
		$(GO) test -count=1 -timeout $(ENGINE_TIMEOUT) -run '$(ENGINE_RUN)' -v ./tests/engine/ 2>&1 \
		| tee $(CACHE)/test-engine.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|panic)|_test.go:' ; \
	exit $${PIPESTATUS[0]}

# Deterministic archive: sorted names, fixed owner and time. The schema inside
# carries the same version as the binary.
dist: $(ARCHIVE)
$(ARCHIVE): FORCE
	@rm -rf $(DIST)/stage && mkdir -p $(DIST)/stage
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" \
		-o $(DIST)/stage/pulumi-resource-defang$(EXE) ./provider/cmd/pulumi-resource-defang
	$(GO) run ./provider/cmd/schemagen -version $(VERSION) -out $(DIST)/stage/schema.json
	tar -C $(DIST)/stage --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf $@ .
	@rm -rf $(DIST)/stage
	@echo "dist: $@"
