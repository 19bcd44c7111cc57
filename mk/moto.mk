# mk/moto.mk: moto, an AWS implementation we did not write, for the tests
# that drive the ImageBuild's own AWS calls (S3, CodeBuild, CloudWatch Logs)
# against it as well as against our fake (provider/aws/image_build_moto_test.go).
# Included from the root Makefile; `unit` depends on `moto`.
#
#   moto   installs moto[server] into $(MOTO_ENV), a venv in the ignored cache,
#          only when that version is not there yet. The test starts
#          $(MOTO_ENV)/bin/moto_server on a free loopback port itself.
#
# The test finds moto_server through $$DEFANG_MOTO_SERVER (exported below),
# else at .cache/moto/venv, and under CI=true fails rather than skips when
# it is missing.

PYTHON       ?= python3
MOTO_VERSION ?= 5.2.5
MOTO_ENV     := $(CACHE)/moto/venv
# The tests take moto_server from here when make runs them (CACHE may be
# elsewhere than the repository's .cache).
export DEFANG_MOTO_SERVER := $(MOTO_ENV)/bin/moto_server
# moto's own requirements are open ranges; mk/moto-constraints.txt pins every
# package of the venv to the versions it was verified with, so that a new
# release of one of them cannot change what "AWS" answers between two runs.
MOTO_CONSTRAINTS := $(CURDIR)/mk/moto-constraints.txt

.PHONY: moto

moto: $(MOTO_ENV)/.installed-$(MOTO_VERSION)

$(MOTO_ENV)/.installed-$(MOTO_VERSION): $(MOTO_CONSTRAINTS)
	@rm -rf $(MOTO_ENV)
	$(PYTHON) -m venv $(MOTO_ENV)
	$(MOTO_ENV)/bin/pip install --quiet --disable-pip-version-check -c $(MOTO_CONSTRAINTS) 'moto[server]==$(MOTO_VERSION)'
	@touch $@
