package fakecloud

import (
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// The fake Azure's answers for the managed stores and the LLM gateway
// (provider/azure managed_postgres.go, managed_redis.go, llm_gateway.go):
// the outputs they read and the keys they list. Keys are secret, as the
// real functions mark them, and stable per resource name.

func init() {
	RegisterAzureOutputs("azure-native:dbforpostgresql/v20240801:Server", func(name string, state map[string]property.Value) {
		state["fullyQualifiedDomainName"] = property.New(name + ".postgres.database.azure.com")
	})
	RegisterAzureOutputs("azure-native:dbforpostgresql/v20240801:Database", func(_ string, state map[string]property.Value) {
		storesNameFrom(state, "databaseName")
	})

	RegisterAzureOutputs("azure-native:cache/v20250401:RedisEnterprise", func(name string, state map[string]property.Value) {
		state["hostName"] = property.New(name + "." + storesLocation(state) + ".redis.azure.net")
		state["provisioningState"] = property.New("Succeeded")
	})
	RegisterAzureOutputs("azure-native:cache/v20250401:Database", func(_ string, state map[string]property.Value) {
		storesNameFrom(state, "databaseName")
	})
	RegisterAzureInvoke("azure-native:cache/v20250401:listDatabaseKeys", func(args property.Map) (property.Map, error) {
		id := storesArg(args, "clusterName") + "/" + storesArg(args, "databaseName")
		return property.NewMap(map[string]property.Value{
			"primaryKey":   property.New("PlanRedisKey1" + shortHash("listDatabaseKeys", id)).WithSecret(true),
			"secondaryKey": property.New("PlanRedisKey2" + shortHash("listDatabaseKeys", id)).WithSecret(true),
		}), nil
	})

	RegisterAzureOutputs("azure-native:cognitiveservices:Account", func(name string, state map[string]property.Value) {
		sub := name
		props := map[string]property.Value{}
		if p, ok := state["properties"]; ok && p.IsMap() {
			props = p.AsMap().AsMap()
		}
		if v, ok := props["customSubDomainName"]; ok && v.IsString() && v.AsString() != "" {
			sub = v.AsString()
		}
		props["endpoint"] = property.New("https://" + sub + ".cognitiveservices.azure.com/")
		props["endpoints"] = property.New(property.NewMap(map[string]property.Value{
			"OpenAI Language Model Instance API": property.New("https://" + sub + ".openai.azure.com/"),
		}))
		props["provisioningState"] = property.New("Succeeded")
		state["properties"] = property.New(property.NewMap(props))
	})
	RegisterAzureOutputs("azure-native:cognitiveservices:Deployment", func(_ string, state map[string]property.Value) {
		storesNameFrom(state, "deploymentName")
	})
	RegisterAzureInvoke("azure-native:cognitiveservices:listAccountKeys", func(args property.Map) (property.Map, error) {
		account := storesArg(args, "accountName")
		return property.NewMap(map[string]property.Value{
			"key1": property.New("PlanAiKey1" + shortHash("listAccountKeys", account)).WithSecret(true),
			"key2": property.New("PlanAiKey2" + shortHash("listAccountKeys", account)).WithSecret(true),
		}), nil
	})
}

// storesNameFrom sets the name output of a child resource (a database, a
// deployment) to its own name input rather than its parent's, which
// AzureState may have picked.
func storesNameFrom(state map[string]property.Value, key string) {
	if v, ok := state[key]; ok && v.IsString() && v.AsString() != "" {
		state["name"] = v
	}
}

func storesLocation(state map[string]property.Value) string {
	if v, ok := state["location"]; ok && v.IsString() && v.AsString() != "" {
		return v.AsString()
	}
	return "eastus"
}

func storesArg(args property.Map, key string) string {
	if v, ok := args.GetOk(key); ok && v.IsString() {
		return v.AsString()
	}
	return ""
}
