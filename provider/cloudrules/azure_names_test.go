package cloudrules

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

const hex16 = "0123456789abcdef"

// azure-native's "random" autonaming: the logical name and 8 hex
// characters, no separator, no cap while naming; Check then refuses what
// the spec refuses, in azure-native's words.
func TestAzureRandomAutonaming(t *testing.T) {
	got, err := Apply("azure-native:storage:StorageAccount", "shop", hex16, property.Map{})
	if err != nil || got.Get("accountName").AsString() != "shop01234567" {
		t.Fatalf("got %v %v", got, err)
	}
	_, err = Apply("azure-native:storage:StorageAccount", "my-shop-app-storage", hex16, property.Map{})
	if err == nil || !strings.Contains(err.Error(), "'accountName' is too long (27): at most 24 characters allowed") {
		t.Fatalf("got %v", err)
	}
	_, err = Apply("azure-native:keyvault:Vault", "my-shop-app-vault", hex16, property.Map{})
	if err == nil || !strings.Contains(err.Error(), "'vaultName' does not match expression '^[a-zA-Z0-9-]{3,24}$'") {
		t.Fatalf("got %v", err)
	}
}

// "copy": child resources take the logical name as it is.
func TestAzureCopyAutonaming(t *testing.T) {
	got, err := Apply("azure-native:keyvault:Secret", "db-password", hex16, property.Map{})
	if err != nil || got.Get("secretName").AsString() != "db-password" {
		t.Fatalf("got %v %v", got, err)
	}
	_, err = Apply("azure-native:keyvault:Secret", "db_password", hex16, property.Map{})
	if err == nil || !strings.Contains(err.Error(), "'secretName' does not match expression") {
		t.Fatalf("got %v", err)
	}
}

func TestAzureDocumentedRules(t *testing.T) {
	for _, c := range []struct {
		typ, prop, value string
		ok               bool
	}{
		{"azure-native:app/v20240301:ContainerApp", "containerAppName", "web", true},
		{"azure-native:app/v20240301:ContainerApp", "containerAppName", "Web", false},
		{"azure-native:app/v20240301:ContainerApp", "containerAppName", "api--v2", false},
		{"azure-native:app/v20240301:ContainerApp", "containerAppName", "a-thirty-three-character-app-name", false},
		{"azure-native:keyvault:Vault", "vaultName", "kv-shop-1", true},
		{"azure-native:keyvault:Vault", "vaultName", "1kv-shop", false},
		{"azure-native:containerregistry:Registry", "registryName", "shopacr123", true},
		{"azure-native:containerregistry:Registry", "registryName", "shop-acr", false},
		{"azure-native:storage:StorageAccount", "accountName", "Shopstore", false},
		{"azure-native:dbforpostgresql/v20240801:Server", "serverName", "shop-db", true},
		{"azure-native:dbforpostgresql/v20240801:Server", "serverName", "shop-db-", false},
		{"azure-native:resources:ResourceGroup", "resourceGroupName", "shop-dev.", false},
		{"azure-native:resources:ResourceGroup", "resourceGroupName", "shop_(dev)", true},
		{"azure-native:network:Subnet", "subnetName", "apps", true},
		{"azure-native:network:Subnet", "subnetName", "-apps", false},
		{"azure-native:cognitiveservices:Account", "accountName", "shop-llm-1", true},
		{"azure-native:authorization:RoleAssignment", "roleAssignmentName", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", true},
		{"azure-native:authorization:RoleAssignment", "roleAssignmentName", "acr-pull", false},
	} {
		in := property.NewMap(map[string]property.Value{c.prop: property.New(c.value)})
		vs := Check(c.typ, "x", in)
		if (len(vs) == 0) != c.ok {
			t.Errorf("%s %s=%q: violations %v, want ok=%v", c.typ, c.prop, c.value, vs, c.ok)
		}
	}
}

// Every rule names its source, and every type its scope.
func TestAzureRulesHaveSources(t *testing.T) {
	for _, n := range azureNames {
		if n.scope == "" {
			t.Errorf("%v: no scope", n.tokens)
		}
		if n.autoname != nil && n.autoname.Source == "" {
			t.Errorf("%v: autonaming without a source", n.tokens)
		}
		for _, r := range n.rules {
			if r.Source == "" {
				t.Errorf("%v %s: no source", n.tokens, r.Path)
			}
		}
	}
}
