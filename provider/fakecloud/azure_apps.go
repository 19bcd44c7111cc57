package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Outputs of the resources behind defang:azure:Network, AppsEnvironment and
// ContainerApp (provider/azure): what our code reads, shaped like
// azure-native's.
func init() {
	RegisterAzureOutputs("azure-native:resources:ResourceGroup", func(name string, state map[string]property.Value) {
		// The group's name is its resourceGroupName input, not the
		// logical name.
		if v, ok := state["resourceGroupName"]; ok && v.IsString() && v.AsString() != "" {
			state["name"] = v
			state["id"] = property.New("/subscriptions/" + SubscriptionID + "/resourceGroups/" + v.AsString())
		}
	})
	RegisterAzureOutputs("azure-native:managedidentity:UserAssignedIdentity", func(name string, state map[string]property.Value) {
		seed := name + "/" + appsStr(state, "resourceGroupName")
		state["principalId"] = property.New(AzureGUID("principal", seed))
		state["clientId"] = property.New(AzureGUID("client", seed))
		state["tenantId"] = property.New(TenantID)
	})
	RegisterAzureOutputs("azure-native:operationalinsights:Workspace", func(name string, state map[string]property.Value) {
		state["customerId"] = property.New(AzureGUID("workspace", name+"/"+appsStr(state, "resourceGroupName")))
	})
	RegisterAzureOutputs("azure-native:keyvault:Vault", func(name string, state map[string]property.Value) {
		appsSetIn(state, property.New("https://"+name+".vault.azure.net/"), "properties", "vaultUri")
	})
	RegisterAzureOutputs("azure-native:keyvault:Secret", func(_ string, state map[string]property.Value) {
		vault, secret := appsStr(state, "vaultName"), appsStr(state, "secretName")
		state["name"] = property.New(secret)
		uri := "https://" + vault + ".vault.azure.net/secrets/" + secret
		// The version changes with the value, as Key Vault's does.
		value := ""
		if props, ok := state["properties"]; ok && props.IsMap() {
			if v, ok := props.AsMap().GetOk("value"); ok && v.IsString() {
				value = v.AsString()
			}
		}
		sum := sha256.Sum256([]byte(uri + "\x00" + value))
		appsSetIn(state, property.New(uri), "properties", "secretUri")
		appsSetIn(state, property.New(uri+"/"+hex.EncodeToString(sum[:16])), "properties", "secretUriWithVersion")
	})
	for _, typ := range []string{"azure-native:app:ManagedEnvironment", "azure-native:app/v20240301:ManagedEnvironment"} {
		RegisterAzureOutputs(typ, func(_ string, state map[string]property.Value) {
			id := appsStr(state, "id")
			state["defaultDomain"] = property.New(ContainerAppsDomain(id))
			sum := sha256.Sum256([]byte(id))
			state["staticIp"] = property.New(fmt.Sprintf("20.%d.%d.%d", sum[0], sum[1], max(sum[2], 1)))
			appsSetIn(state, property.New(CustomDomainVerificationID(id)), "customDomainConfiguration", "customDomainVerificationId")
		})
	}
	for _, typ := range []string{"azure-native:app:ContainerApp", "azure-native:app/v20240301:ContainerApp"} {
		RegisterAzureOutputs(typ, containerAppOutputs)
	}
	// Custom domains of Container Apps: managed certificates and the
	// records in the user's Azure DNS zone. The lookup of a managed
	// certificate (getManagedCertificate) has no answer on purpose: the
	// fake Azure holds no certificate issued before this deployment, and
	// the ContainerApp takes a failed lookup for "not issued yet".
	for _, typ := range []string{"azure-native:app:ManagedCertificate", "azure-native:app/v20240301:ManagedCertificate"} {
		RegisterAzureOutputs(typ, managedCertificateOutputs)
	}
	RegisterAzureOutputs("azure-native:network:RecordSet", recordSetOutputs)
}

// CustomDomainVerificationID is the custom domain verification id of the
// Container Apps environment with the given id: 64 uppercase hex digits,
// like Azure's.
func CustomDomainVerificationID(environmentID string) string {
	sum := sha256.Sum256([]byte("custom-domain-verification::" + environmentID))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// managedCertificateOutputs: the certificate's name and id under its
// environment, its TXT validation token, and Succeeded (issued).
func managedCertificateOutputs(name string, state map[string]property.Value) {
	if n := appsStr(state, "managedCertificateName"); n != "" {
		name = n
	}
	id := "/subscriptions/" + SubscriptionID + "/resourceGroups/" + appsStr(state, "resourceGroupName") +
		"/providers/Microsoft.App/managedEnvironments/" + appsStr(state, "environmentName") + "/managedCertificates/" + name
	state["name"] = property.New(name)
	state["id"] = property.New(id)
	appsSetIn(state, property.New("Succeeded"), "properties", "provisioningState")
	appsSetIn(state, property.New(strings.ToUpper(shortHash("validation", id))+shortHash("token", id)), "properties", "validationToken")
}

// recordSetOutputs: an Azure DNS record set's name (relative to its zone),
// fqdn (with a trailing dot) and id.
func recordSetOutputs(_ string, state map[string]property.Value) {
	rel, zone, typ := appsStr(state, "relativeRecordSetName"), appsStr(state, "zoneName"), appsStr(state, "recordType")
	fqdn := zone + "."
	if rel != "" && rel != "@" {
		fqdn = rel + "." + fqdn
	}
	state["name"] = property.New(rel)
	state["fqdn"] = property.New(fqdn)
	state["provisioningState"] = property.New("Succeeded")
	state["id"] = property.New("/subscriptions/" + SubscriptionID + "/resourceGroups/" + appsStr(state, "resourceGroupName") +
		"/providers/Microsoft.Network/dnszones/" + zone + "/" + typ + "/" + rel)
}

// TenantID is the Entra tenant of the fake Azure.
const TenantID = "11111111-1111-1111-1111-111111111111"

// AzureGUID is a deterministic GUID for kind and seed.
func AzureGUID(kind, seed string) string {
	sum := sha256.Sum256([]byte(kind + "::" + seed))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ContainerAppsDomain is the default domain of the Container Apps
// environment with the given id.
func ContainerAppsDomain(environmentID string) string {
	sum := sha256.Sum256([]byte(environmentID))
	return "fake-" + hex.EncodeToString(sum[:5]) + ".azurecontainerapps.io"
}

func containerAppOutputs(name string, state map[string]property.Value) {
	domain := ContainerAppsDomain(appsStr(state, "environmentId"))
	revision := name + "--" + shortHash("revision", name)[:7]
	state["latestRevisionName"] = property.New(revision)
	state["latestReadyRevisionName"] = property.New(revision)
	state["latestRevisionFqdn"] = property.New(revision + "." + domain)
	if config, ok := state["configuration"]; ok && config.IsMap() {
		if ingress, ok := config.AsMap().GetOk("ingress"); ok && ingress.IsMap() {
			fqdn := name + ".internal." + domain
			if ext, ok := ingress.AsMap().GetOk("external"); ok && ext.IsBool() && ext.AsBool() {
				fqdn = name + "." + domain
			}
			appsSetIn(state, property.New(fqdn), "configuration", "ingress", "fqdn")
		}
	}
	if identity, ok := state["identity"]; ok && identity.IsMap() {
		if typ, ok := identity.AsMap().GetOk("type"); ok && typ.IsString() && strings.Contains(typ.AsString(), "SystemAssigned") {
			appsSetIn(state, property.New(AzureGUID("app-principal", appsStr(state, "id"))), "identity", "principalId")
			appsSetIn(state, property.New(TenantID), "identity", "tenantId")
		}
		// Given as a list of ids, answered as a map from id to the
		// identity's principal and client ids.
		if ids, ok := identity.AsMap().GetOk("userAssignedIdentities"); ok && ids.IsArray() {
			byID := map[string]property.Value{}
			for _, id := range ids.AsArray().All {
				if id.IsString() {
					byID[id.AsString()] = property.New(property.NewMap(map[string]property.Value{
						"principalId": property.New(AzureGUID("principal", id.AsString())),
						"clientId":    property.New(AzureGUID("client", id.AsString())),
					}))
				}
			}
			appsSetIn(state, property.New(property.NewMap(byID)), "identity", "userAssignedIdentities")
		}
	}
}

func appsStr(state map[string]property.Value, key string) string {
	if v, ok := state[key]; ok && v.IsString() {
		return v.AsString()
	}
	return ""
}

// appsSetIn sets state[path[0]][path[1]]... = v, creating maps on the way and
// keeping what the maps held (and whether they were secret).
func appsSetIn(state map[string]property.Value, v property.Value, path ...string) {
	if len(path) == 1 {
		state[path[0]] = v
		return
	}
	inner := map[string]property.Value{}
	secret := false
	if cur, ok := state[path[0]]; ok && cur.IsMap() {
		inner = cur.AsMap().AsMap()
		secret = cur.Secret()
	}
	appsSetIn(inner, v, path[1:]...)
	state[path[0]] = property.New(property.NewMap(inner)).WithSecret(secret)
}
