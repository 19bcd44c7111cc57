package fakecloud

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// SubscriptionID is the subscription the fake Azure answers for.
const SubscriptionID = "00000000-0000-0000-0000-000000000000"

// azureOutputs adds, per azure-native type token, the outputs our code reads
// (FQDNs, login servers, default domains...) to a resource's state. Each
// component's file registers its types in an init function
// (RegisterAzureOutputs), so that adding a component touches no shared code.
var azureOutputs = map[string]func(name string, state map[string]property.Value){}

// RegisterAzureOutputs makes AzureState call add for resources of typ.
func RegisterAzureOutputs(typ string, add func(name string, state map[string]property.Value)) {
	azureOutputs[typ] = add
}

// AzureState returns deterministic outputs shaped like azure-native's: the
// inputs, name, an ARM id under the resource's group, and what the type's
// registered function adds.
func AzureState(typ, name string, inputs property.Map) (string, property.Map) {
	state := inputs.AsMap()
	physical := name
	for _, key := range []string{"name", "resourceName", "vaultName", "accountName", "registryName",
		"serverName", "clusterName", "environmentName", "containerAppName", "virtualNetworkName", "workspaceName"} {
		if v, ok := state[key]; ok && v.IsString() && v.AsString() != "" {
			physical = v.AsString()
			break
		}
	}
	state["name"] = property.New(physical)
	group := name
	if v, ok := state["resourceGroupName"]; ok && v.IsString() && v.AsString() != "" {
		group = v.AsString()
	}
	kind := typ
	if parts := strings.Split(typ, ":"); len(parts) == 3 {
		kind = "Microsoft." + strings.ToUpper(parts[1][:1]) + parts[1][1:] + "/" + parts[2]
	}
	id := "/subscriptions/" + SubscriptionID + "/resourceGroups/" + group + "/providers/" + kind + "/" + physical
	if typ == "azure-native:resources:ResourceGroup" {
		id = "/subscriptions/" + SubscriptionID + "/resourceGroups/" + physical
	}
	state["id"] = property.New(id)
	if add, ok := azureOutputs[typ]; ok {
		add(physical, state)
	}
	return id, property.NewMap(state)
}
