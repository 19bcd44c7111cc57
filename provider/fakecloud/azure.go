package fakecloud

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
)

// SubscriptionID is the subscription the fake Azure answers for.
const SubscriptionID = "00000000-0000-0000-0000-000000000000"

// DeployerObjectID is the Entra object id of the identity the fake Azure
// says Pulumi runs as (getClientConfig's objectId).
const DeployerObjectID = "00000000-0000-0000-0000-00000000d0e1"

// armTypes are the ARM resource types of the top-level azure-native
// resources our components create, as Azure spells them in resource ids
// (code such as ImageBuild parses these ids). Child resources (subnets,
// secrets, containers...) keep a flat id under their provider.
var armTypes = map[string]string{
	"app:ContainerApp":                     "Microsoft.App/containerApps",
	"app:ManagedEnvironment":               "Microsoft.App/managedEnvironments",
	"cache:RedisEnterprise":                "Microsoft.Cache/redisEnterprise",
	"cognitiveservices:Account":            "Microsoft.CognitiveServices/accounts",
	"containerregistry:Registry":           "Microsoft.ContainerRegistry/registries",
	"dbforpostgresql:Server":               "Microsoft.DBforPostgreSQL/flexibleServers",
	"keyvault:Vault":                       "Microsoft.KeyVault/vaults",
	"managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
	"network:NetworkSecurityGroup":         "Microsoft.Network/networkSecurityGroups",
	"network:PrivateEndpoint":              "Microsoft.Network/privateEndpoints",
	"network:PrivateZone":                  "Microsoft.Network/privateDnsZones",
	"network:VirtualNetwork":               "Microsoft.Network/virtualNetworks",
	"operationalinsights:Workspace":        "Microsoft.OperationalInsights/workspaces",
	"storage:StorageAccount":               "Microsoft.Storage/storageAccounts",
}

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
//
// A resource whose name input is left out is named as azure-native names
// it (cloudrules.Autoname with the type's azure-native autonaming): the
// logical name and 8 hex characters for top-level resources ("random", the
// hex here a stable hash of type and name where azure-native's is random),
// the logical name itself for child resources ("copy"). The name is set on
// the input property too, as azure-native's Check does.
func AzureState(typ, name string, inputs property.Map) (string, property.Map) {
	if named, err := cloudrules.Autoname(typ, name, shortHash(typ, name), inputs); err == nil {
		inputs = named
	}
	state := inputs.AsMap()
	physical := name
	keys := []string{"name", "resourceName", "vaultName", "accountName", "registryName",
		"serverName", "clusterName", "environmentName", "containerAppName", "virtualNetworkName", "workspaceName",
		"privateEndpointName"}
	if rules, ok := cloudrules.For(typ); ok && rules.Autoname != nil {
		keys = []string{rules.Autoname.Property} // the type's own name input
	}
	for _, key := range keys {
		if v, ok := state[key]; ok && v.IsString() && v.AsString() != "" {
			physical = v.AsString()
			break
		}
	}
	if v, ok := state["resourceGroupName"]; ok && v.IsString() && v.AsString() != "" && typ == "azure-native:resources:ResourceGroup" {
		physical = v.AsString()
	}
	state["name"] = property.New(physical)
	group := name
	if v, ok := state["resourceGroupName"]; ok && v.IsString() && v.AsString() != "" {
		group = v.AsString()
	}
	kind := typ
	if parts := strings.Split(typ, ":"); len(parts) == 3 {
		module, _, _ := strings.Cut(parts[1], "/") // "app/v20240301" → "app"
		if k, ok := armTypes[module+":"+parts[2]]; ok {
			kind = k
		} else {
			kind = "Microsoft." + strings.ToUpper(module[:1]) + module[1:] + "/" + parts[2]
		}
	}
	id := "/subscriptions/" + SubscriptionID + "/resourceGroups/" + group + "/providers/" + kind + "/" + physical
	if typ == "azure-native:resources:ResourceGroup" {
		id = "/subscriptions/" + SubscriptionID + "/resourceGroups/" + physical
	}
	state["id"] = property.New(id)
	if add, ok := azureOutputs[typ]; ok {
		add(physical, state)
		// The type's function may place the resource elsewhere (a child
		// resource's id names its parent).
		if v, ok := state["id"]; ok && v.IsString() {
			id = v.AsString()
		}
	}
	return id, property.NewMap(state)
}

// azureInvokes answers azure-native functions (listAccountKeys,
// listDatabaseKeys...) by token. Like azureOutputs, each component's file
// registers the functions it calls in an init function (RegisterAzureInvoke).
var azureInvokes = map[string]func(args property.Map) (property.Map, error){}

// RegisterAzureInvoke makes AzureInvoke answer the function tok with answer.
func RegisterAzureInvoke(tok string, answer func(args property.Map) (property.Map, error)) {
	azureInvokes[tok] = answer
}

// AzureInvoke answers an azure-native function deterministically. A token
// nothing registered returns an *UnknownInvokeError. AWSInvoke hands every
// azure-native token here, so the offline plan answers both clouds.
func AzureInvoke(tok string, args ...property.Map) (property.Map, error) {
	answer, ok := azureInvokes[tok]
	if !ok {
		return property.Map{}, &UnknownInvokeError{Token: tok}
	}
	var in property.Map
	if len(args) > 0 {
		in = args[0]
	}
	return answer(in)
}

func init() {
	// The subscription of the fake Azure, as getClientConfig reports it.
	RegisterAzureInvoke("azure-native:authorization:getClientConfig", func(property.Map) (property.Map, error) {
		return property.NewMap(map[string]property.Value{
			"clientId": property.New(SubscriptionID), "objectId": property.New(DeployerObjectID),
			"subscriptionId": property.New(SubscriptionID), "tenantId": property.New(SubscriptionID),
		}), nil
	})
}
