# make cloud-rules: regenerate provider/cloudrules/zz_botocore.go, the AWS
# API constraints (length, pattern, enum) of every name and enum field our
# components set, from botocore's service models. botocore is installed from
# PyPI, pinned, into a venv under $(CACHE), only when missing. The generated
# file is committed; `make test` stays pure Go and only checks it (the
# cloudrules package's TestBotocoreCoversMapping).

BOTOCORE_VERSION ?= 1.44.5
BOTOCORE_ENV     ?= $(CACHE)/botocore-$(BOTOCORE_VERSION)

.PHONY: cloud-rules

cloud-rules: $(BOTOCORE_ENV)/.installed
	$(BOTOCORE_ENV)/bin/python tools/cloudrules/gen_botocore.py --expect-version $(BOTOCORE_VERSION) \
		--out provider/cloudrules/zz_botocore.go
	gofmt -w provider/cloudrules/zz_botocore.go
	$(GO) test -count=1 -run 'Botocore' ./provider/cloudrules/

$(BOTOCORE_ENV)/.installed:
	@rm -rf $(BOTOCORE_ENV)
	$(PYTHON) -m venv $(BOTOCORE_ENV)
	$(BOTOCORE_ENV)/bin/pip install --quiet --disable-pip-version-check botocore==$(BOTOCORE_VERSION)
	@touch $@
