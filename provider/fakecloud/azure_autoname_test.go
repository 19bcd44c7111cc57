package fakecloud

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// A resource whose name input is left out is named as azure-native names
// it: top-level types get the logical name and 8 hex characters with no
// separator ("random"), child types the logical name itself ("copy"); the
// name reaches the input, the name output and the id.
func TestAzureStateAutonamesLikeAzureNative(t *testing.T) {
	group := property.NewMap(map[string]property.Value{"resourceGroupName": property.New("rg")})
	id, state := AzureState("azure-native:keyvault:Vault", "shopkv", group)
	v := state.Get("vaultName")
	if !v.IsString() {
		t.Fatalf("no vaultName: %v", state)
	}
	vault := v.AsString()
	if !regexp.MustCompile(`^shopkv[0-9a-f]{8}$`).MatchString(vault) {
		t.Fatalf("vaultName %q, want shopkv and 8 hex characters", vault)
	}
	if state.Get("name").AsString() != vault || !strings.HasSuffix(id, "/providers/Microsoft.KeyVault/vaults/"+vault) {
		t.Errorf("name %v, id %s", state.Get("name"), id)
	}
	// Stable: the same type and name give the same name.
	if _, again := AzureState("azure-native:keyvault:Vault", "shopkv", group); again.Get("vaultName").AsString() != vault {
		t.Errorf("autonamed differently: %v", again.Get("vaultName"))
	}
	_, secret := AzureState("azure-native:keyvault:Secret", "db-password", group.Set("vaultName", property.New("kv")))
	if secret.Get("secretName").AsString() != "db-password" || secret.Get("name").AsString() != "db-password" {
		t.Errorf("a secret keeps its logical name: %v", secret)
	}
	// A name given is kept.
	_, named := AzureState("azure-native:keyvault:Vault", "shopkv", group.Set("vaultName", property.New("kv-given")))
	if named.Get("vaultName").AsString() != "kv-given" || named.Get("name").AsString() != "kv-given" {
		t.Errorf("given name replaced: %v", named)
	}
}
