package fakecloud

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// What defang:azure:BuildPipeline reads from the fake Azure: the registry's
// login server and the storage account's blob endpoint, under which the
// contexts' container lives. The builds themselves are defang:azure:ImageBuild's,
// served by our own plugin (in tests, against tests/standin.AzureAPI).

func init() {
	RegisterAzureOutputs("azure-native:containerregistry:Registry", func(name string, state map[string]property.Value) {
		state["loginServer"] = property.New(strings.ToLower(name) + ".azurecr.io")
		state["location"] = azbOr(state, "location", "eastus")
	})
	RegisterAzureOutputs("azure-native:storage:StorageAccount", func(name string, state map[string]property.Value) {
		state["primaryEndpoints"] = property.New(property.NewMap(map[string]property.Value{
			"blob":  property.New("https://" + name + ".blob.core.windows.net/"),
			"dfs":   property.New("https://" + name + ".dfs.core.windows.net/"),
			"file":  property.New("https://" + name + ".file.core.windows.net/"),
			"queue": property.New("https://" + name + ".queue.core.windows.net/"),
			"table": property.New("https://" + name + ".table.core.windows.net/"),
			"web":   property.New("https://" + name + ".z13.web.core.windows.net/"),
		}))
	})
	RegisterAzureOutputs("azure-native:storage:BlobContainer", func(_ string, state map[string]property.Value) {
		if v := azbString(state, "containerName"); v != "" {
			state["name"] = property.New(v)
		}
	})
}

func azbString(state map[string]property.Value, key string) string {
	if v, ok := state[key]; ok && v.IsString() {
		return v.AsString()
	}
	return ""
}

func azbOr(state map[string]property.Value, key, def string) property.Value {
	if v, ok := state[key]; ok && v.IsString() && v.AsString() != "" {
		return v
	}
	return property.New(def)
}
