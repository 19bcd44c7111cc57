# Azure half of the cloud rules (provider/cloudrules): the input properties
# and API versions of the azure-native tokens that provider/azure registers
# by token, read from the published npm SDK of the version we pin.
#
#   make cloud-rules-azure   regenerate provider/cloudrules/zz_azure_native.go
#
# The package is fetched with `npm pack` into the ignored cache, only when
# missing; the Go test that checks our input maps against the table needs
# neither npm nor the network.

AZURE_NATIVE_NPM_VERSION := 2.92.0
AZURE_NATIVE_TGZ := $(CACHE)/npm/pulumi-azure-native-$(AZURE_NATIVE_NPM_VERSION).tgz

.PHONY: cloud-rules-azure

cloud-rules-azure: $(AZURE_NATIVE_TGZ)
	python3 tools/cloudrules/gen_azure_native.py $(AZURE_NATIVE_TGZ) provider/cloudrules/zz_azure_native.go
	$(GO) fmt ./provider/cloudrules/ >/dev/null

$(AZURE_NATIVE_TGZ):
	@mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent @pulumi/azure-native@$(AZURE_NATIVE_NPM_VERSION) >/dev/null
	@test -f $@ || { echo "npm pack did not write $@"; exit 1; }
