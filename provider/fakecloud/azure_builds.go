package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// What defang:azure:BuildPipeline reads from the fake Azure: the registry's
// login server, the blob's URL, the names of blobs, containers and task runs,
// a task run's result (the pushed image's digest) and the read SAS of a
// blob.

// ListStorageAccountServiceSAS is the invoke that signs the builds' read SAS.
const ListStorageAccountServiceSAS = "azure-native:storage:listStorageAccountServiceSAS"

// azbServiceSAS answers ListStorageAccountServiceSAS. The SAS is a
// deterministic function of the arguments, as Azure's is of the arguments and
// the account key. It is not marked secret: nothing promises that the real
// provider marks it, so the component must, and the tests check that it does.
func azbServiceSAS(args property.Map) (property.Map, error) {
	arg := func(key string) string {
		if v, found := args.GetOk(key); found && v.IsString() {
			return v.AsString()
		}
		return ""
	}
	sig := azbHash("sas", arg("accountName"), arg("canonicalizedResource"), arg("permissions"),
		arg("resource"), arg("protocols"), arg("sharedAccessExpiryTime"))
	token := "sv=2022-11-02&sr=" + arg("resource") + "&sp=" + arg("permissions") + "&spr=" + arg("protocols") +
		"&se=" + strings.ReplaceAll(arg("sharedAccessExpiryTime"), ":", "%3A") + "&sig=" + sig[:43] + "%3D"
	return property.NewMap(map[string]property.Value{
		"serviceSasToken": property.New(token),
	}), nil
}

func init() {
	RegisterAzureInvoke(ListStorageAccountServiceSAS, azbServiceSAS)
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
	RegisterAzureOutputs("azure-native:storage:Blob", func(_ string, state map[string]property.Value) {
		blob := azbString(state, "blobName")
		state["name"] = property.New(blob)
		state["url"] = property.New("https://" + azbString(state, "accountName") + ".blob.core.windows.net/" +
			azbString(state, "containerName") + "/" + blob)
	})
	RegisterAzureOutputs("azure-native:containerregistry:TaskRun", func(registry string, state map[string]property.Value) {
		if v := azbString(state, "taskRunName"); v != "" {
			state["name"] = property.New(v)
		}
		state["provisioningState"] = property.New("Succeeded")
		var images []property.Value
		runID := "ca" + azbHash("run", registry, azbString(state, "taskRunName"), azbString(state, "forceUpdateTag"))[:6]
		if req, ok := state["runRequest"]; ok && req.IsMap() {
			if names, ok := req.AsMap().GetOk("imageNames"); ok && names.IsArray() {
				for _, n := range names.AsArray().All {
					if !n.IsString() {
						continue
					}
					repo, tag, _ := strings.Cut(n.AsString(), ":")
					images = append(images, property.New(property.NewMap(map[string]property.Value{
						"registry":   property.New(strings.ToLower(registry) + ".azurecr.io"),
						"repository": property.New(repo),
						"tag":        property.New(tag),
						"digest":     property.New("sha256:" + azbHash("image", registry, n.AsString())),
					})))
				}
			}
		}
		state["runResult"] = property.New(property.NewMap(map[string]property.Value{
			"runId":        property.New(runID),
			"status":       property.New("Succeeded"),
			"runType":      property.New("QuickBuild"),
			"outputImages": property.New(property.NewArray(images)),
		}))
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

func azbHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}
