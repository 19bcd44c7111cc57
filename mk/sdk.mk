# mk/sdk.mk: generate the language SDKs from schema.json and check that they build.
# Included from the root Makefile; it can also run on its own:
#
#   make -f mk/sdk.mk sdks check-sdks build-sdks
#
# Targets
#   sdks              regenerate sdk/{nodejs,python,go,dotnet} from $(SCHEMA)
#   check-sdks        fail if sdk/ differs from what $(SCHEMA) generates (writes nothing)
#   build-sdks        all build-sdk-* below
#   build-sdk-go      go build ./sdk/go/...
#   build-sdk-nodejs  tsc over the TypeScript SDK, then over a small user program (contract)
#   build-sdk-python  py_compile every file, pip-install the SDK into a venv, import it and
#                     run a mock-based contract test
#   build-sdk-dotnet  dotnet build, or a visible SKIP when no .NET SDK is installed
#   test-sdkgen       generator unit tests, plus all of the above against the sample schema
#                     in provider/cmd/sdkgen/testdata (nothing under sdk/ is touched)
#
# Node and Python tools are installed once, at pinned versions, under $(CACHE)
# (git-ignored); each build check remembers the content hash of the SDK it last
# passed, so a second run with an unchanged SDK is a no-op.

SDK_MK := $(lastword $(MAKEFILE_LIST))

GO      ?= go
CACHE   ?= .cache
NPM     ?= npm
PYTHON  ?= python3
DOTNET  ?= dotnet

SCHEMA        ?= schema.json
SDK_DIR       ?= sdk
# Package version stamped into the SDKs; empty means the schema's version.
SDK_VERSION   ?=
SDKGEN        ?= $(CACHE)/bin/sdkgen
SDKGEN_PKG    ?= ./provider/cmd/sdkgen
SDKGEN_FLAGS  ?= $(if $(SDK_VERSION),-version $(SDK_VERSION))

# Pinned tool versions for the build checks.
SDK_TS_VERSION         ?= 5.9.3
SDK_NODE_TYPES_VERSION ?= 20.19.43
SDK_PULUMI_NODE        ?= 3.270.0
SDK_PULUMI_PYTHON      ?= 3.270.0
SDK_SETUPTOOLS         ?= 80.9.0
SDK_PARVER             ?= 1.0.1.post0

# Contract programs compiled/run against the generated SDKs; set empty to skip.
SDK_TS_CONTRACT ?= $(SDKGEN_PKG)/testdata/contract/index.ts
SDK_PY_CONTRACT ?= $(SDKGEN_PKG)/testdata/contract/test_contract.py

# Sample schema and output for test-sdkgen.
SDKGEN_SAMPLE_SCHEMA ?= $(SDKGEN_PKG)/testdata/schema.json
SDKGEN_SAMPLE_OUT    ?= $(CACHE)/sdkgen-sample/sdk

SDK_NODE_ENV := $(CACHE)/sdk-node/ts$(SDK_TS_VERSION)-pulumi$(SDK_PULUMI_NODE)-node$(SDK_NODE_TYPES_VERSION)
SDK_PY_ENV   := $(CACHE)/sdk-python/pulumi$(SDK_PULUMI_PYTHON)-parver$(SDK_PARVER)

# sdk_hash DIR FILE...: a short content hash of DIR's files (build outputs excluded)
# and of the extra FILEs; a build check records the hash it passed under.
sdk_hash = { (cd $(1) && find . -type f -not -path '*/node_modules/*' -not -path './bin/*' \
	-not -path './obj/*' -not -path '*/__pycache__/*' -not -path '*.egg-info/*' -not -path './build/*' \
	| LC_ALL=C sort | xargs -r sha256sum); cat $(2) /dev/null; } | sha256sum | cut -c1-16

.PHONY: sdks check-sdks build-sdks build-sdk-go build-sdk-nodejs build-sdk-python build-sdk-dotnet \
	test-sdkgen sdkgen-bin

# The generator is rebuilt on every use; go build is a no-op when it is current.
sdkgen-bin:
	@mkdir -p $(dir $(SDKGEN))
	$(GO) build -o $(SDKGEN) $(SDKGEN_PKG)

sdks: $(SCHEMA) sdkgen-bin
	$(SDKGEN) -schema $(SCHEMA) -out $(SDK_DIR) $(SDKGEN_FLAGS)

check-sdks: $(SCHEMA) sdkgen-bin
	$(SDKGEN) -check -schema $(SCHEMA) -out $(SDK_DIR) $(SDKGEN_FLAGS)

build-sdks: build-sdk-go build-sdk-nodejs build-sdk-python build-sdk-dotnet

# The Go SDK is a package of the root module (no go.mod of its own).
build-sdk-go:
	$(GO) build ./$(SDK_DIR)/go/...

# --- TypeScript ---------------------------------------------------------------

$(SDK_NODE_ENV)/.installed:
	@rm -rf $(SDK_NODE_ENV) && mkdir -p $(SDK_NODE_ENV)
	$(NPM) install --prefix $(SDK_NODE_ENV) --no-save --no-package-lock --no-audit --no-fund \
		--loglevel=error typescript@$(SDK_TS_VERSION) @types/node@$(SDK_NODE_TYPES_VERSION) \
		@pulumi/pulumi@$(SDK_PULUMI_NODE)
	@touch $@

# The SDK is copied next to the cached node_modules so that its imports resolve
# there; tsc then checks it with the SDK's own tsconfig.json.
build-sdk-nodejs: $(SDK_NODE_ENV)/.installed
	@test -f $(SDK_DIR)/nodejs/package.json || { echo "no TypeScript SDK in $(SDK_DIR)/nodejs: run make sdks"; exit 1; }
	@h=$$($(call sdk_hash,$(SDK_DIR)/nodejs,$(SDK_TS_CONTRACT))); \
	if [ -f $(SDK_NODE_ENV)/passed/$$h ]; then echo "build-sdk-nodejs: $(SDK_DIR)/nodejs unchanged since it last compiled"; exit 0; fi; \
	set -e; w=$(SDK_NODE_ENV)/work; rm -rf $$w; mkdir -p $$w/sdk; \
	tar -C $(SDK_DIR)/nodejs --exclude=./node_modules --exclude=./bin -cf - . | tar -C $$w/sdk -xf -; \
	echo "tsc -p $(SDK_DIR)/nodejs --noEmit"; \
	$(SDK_NODE_ENV)/node_modules/.bin/tsc -p $$w/sdk --noEmit --pretty false >$$w/tsc.log 2>&1 || { \
		sed "s#^$$w/sdk/#$(SDK_DIR)/nodejs/#" $$w/tsc.log; exit 1; }; \
	if [ -n "$(SDK_TS_CONTRACT)" ]; then \
		mkdir -p $$w/contract; cp $(SDK_TS_CONTRACT) $$w/contract/index.ts; \
		pkg=$$(node -p "require('$(abspath $(SDK_DIR))/nodejs/package.json').name"); \
		printf '%s\n' '{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022",' \
			'  "module": "nodenext", "moduleResolution": "nodenext", "types": ["node"], "skipLibCheck": true,' \
			"  \"paths\": { \"$$pkg\": [\"../sdk/index.ts\"] } }, \"files\": [\"index.ts\"] }" > $$w/contract/tsconfig.json; \
		echo "tsc: contract $(SDK_TS_CONTRACT) against $$pkg"; \
		$(SDK_NODE_ENV)/node_modules/.bin/tsc -p $$w/contract --pretty false >$$w/tsc.log 2>&1 || { \
			sed -e "s#^$$w/contract/index.ts#$(SDK_TS_CONTRACT)#" -e "s#^$$w/sdk/#$(SDK_DIR)/nodejs/#" $$w/tsc.log; \
			echo "hint: see the comments in $(SDK_TS_CONTRACT) for the schema shape it needs"; exit 1; }; \
	fi; \
	mkdir -p $(SDK_NODE_ENV)/passed; touch $(SDK_NODE_ENV)/passed/$$h

# --- Python -------------------------------------------------------------------

$(SDK_PY_ENV)/.installed:
	@rm -rf $(SDK_PY_ENV)
	$(PYTHON) -m venv $(SDK_PY_ENV)
	$(SDK_PY_ENV)/bin/pip install --quiet --disable-pip-version-check \
		pulumi==$(SDK_PULUMI_PYTHON) parver==$(SDK_PARVER) setuptools==$(SDK_SETUPTOOLS)
	@touch $@

# py_compile writes its byte code under $(CACHE), not into sdk/. The SDK is
# installed from a copy (pip builds in the source tree); its dependencies are
# already in the venv at pinned versions, so pip only checks them.
build-sdk-python: $(SDK_PY_ENV)/.installed
	@test -f $(SDK_DIR)/python/pyproject.toml || { echo "no Python SDK in $(SDK_DIR)/python: run make sdks"; exit 1; }
	@h=$$($(call sdk_hash,$(SDK_DIR)/python,$(SDK_PY_CONTRACT))); \
	if [ -f $(SDK_PY_ENV)/passed/$$h ]; then echo "build-sdk-python: $(SDK_DIR)/python unchanged since it last passed"; exit 0; fi; \
	set -e; w=$(SDK_PY_ENV)/work; rm -rf $$w; mkdir -p $$w; \
	echo "py_compile $(SDK_DIR)/python"; \
	find $(SDK_DIR)/python -name '*.py' -not -path '*/build/*' -print0 | \
		PYTHONPYCACHEPREFIX=$(abspath $(SDK_PY_ENV))/pycache xargs -0 $(SDK_PY_ENV)/bin/python -m py_compile; \
	tar -C $(SDK_DIR)/python --exclude=./build --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C $$w -xf -; \
	echo "pip install $(SDK_DIR)/python into $(SDK_PY_ENV)"; \
	$(SDK_PY_ENV)/bin/pip install --quiet --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps $$w >/dev/null; \
	$(SDK_PY_ENV)/bin/pip check >/dev/null || { $(SDK_PY_ENV)/bin/pip check; exit 1; }; \
	pkg=$$(basename $$(dirname $$(ls $$w/*/__init__.py | head -1))); \
	echo "import $$pkg"; \
	(cd $(SDK_PY_ENV) && bin/python -c "import $$pkg, sys; print('  imported', $$pkg.__name__, 'version', $$pkg._utilities.get_version())"); \
	if [ -n "$(SDK_PY_CONTRACT)" ]; then \
		echo "contract: $(SDK_PY_CONTRACT)"; \
		cp $(SDK_PY_CONTRACT) $(SDK_PY_ENV)/contract_test.py; \
		(cd $(SDK_PY_ENV) && bin/python -m unittest -q contract_test); \
	fi; \
	mkdir -p $(SDK_PY_ENV)/passed; touch $(SDK_PY_ENV)/passed/$$h

# --- .NET ---------------------------------------------------------------------

build-sdk-dotnet:
	@if command -v $(DOTNET) >/dev/null 2>&1; then \
		echo "$(DOTNET) build $(SDK_DIR)/dotnet"; \
		$(DOTNET) build $(SDK_DIR)/dotnet --nologo -v quiet; \
	else \
		echo "SKIP build-sdk-dotnet: no .NET SDK ('$(DOTNET)' not found); the C# SDK in $(SDK_DIR)/dotnet is generated but not compiled"; \
	fi

# --- the generator itself -------------------------------------------------------

test-sdkgen:
	$(GO) test $(SDKGEN_PKG)/...
	$(MAKE) --no-print-directory -f $(SDK_MK) GO=$(GO) CACHE=$(CACHE) NPM=$(NPM) PYTHON=$(PYTHON) DOTNET=$(DOTNET) \
		SCHEMA=$(SDKGEN_SAMPLE_SCHEMA) SDK_DIR=$(SDKGEN_SAMPLE_OUT) \
		sdks check-sdks build-sdk-nodejs build-sdk-python build-sdk-dotnet
