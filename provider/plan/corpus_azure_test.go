package plan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// azureLimits are the documented reasons (README "Azure limits") a compose
// file may not plan on Azure: each is part of the error a service gets.
var azureLimits = []string{
	"managed MongoDB is not offered on Azure yet",
	"Azure Container Apps carry TCP only",
	"the Container Apps consumption profile has none",
}

// Every corpus case plans on Azure in all three modes, or fails only with
// errors naming a documented Azure limit.
func TestCorpusPlansOnAzure(t *testing.T) {
	root := corpusRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range azureLimits {
		if !strings.Contains(string(readme), limit) {
			t.Errorf("README does not document the Azure limit %q", limit)
		}
	}
	planned := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		file := filepath.Join(root, name, "compose.yaml")
		t.Run(name, func(t *testing.T) {
			cfg := configFor(t, file)
			for _, m := range mode.All {
				res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "azure", Mode: string(m), Config: cfg})
				if err != nil {
					var problems compose.Errors
					if !errors.As(err, &problems) {
						t.Fatalf("%s: %v", m, err)
					}
					for _, p := range problems {
						if !namesAzureLimit(p.Message) {
							t.Errorf("%s: %s is not a documented Azure limit", m, p)
						}
					}
					continue
				}
				planned++
				assertPlanInvariants(t, res, cfg)
				assertAzureInvariants(t, res)
			}
		})
	}
	if planned == 0 {
		t.Fatal("no corpus case planned on Azure")
	}
}

func namesAzureLimit(msg string) bool {
	for _, l := range azureLimits {
		if strings.Contains(msg, l) {
			return true
		}
	}
	return false
}

// assertAzureInvariants checks what an Azure engineer would check of any
// plan: nothing reachable from the internet but the apps' ingress, stores
// private, secrets by reference, roles granted on one resource each.
func assertAzureInvariants(t *testing.T, res *Result) {
	t.Helper()
	for _, r := range res.Resources {
		switch r.Type {
		case "azure-native:network:NetworkSecurityGroup":
			rules, _ := r.Inputs["securityRules"].([]any)
			for _, x := range rules {
				rule, _ := x.(map[string]any)
				src, _ := rule["sourceAddressPrefix"].(string)
				if rule["access"] == "Allow" && rule["direction"] == "Inbound" && (src == "*" || src == "Internet") &&
					!strings.HasSuffix(r.Name, "-apps") {
					t.Errorf("%s allows %v from the internet outside the apps subnet", r.URN, rule["name"])
				}
			}
		case "azure-native:dbforpostgresql/v20240801:Server":
			if net, _ := r.Inputs["network"].(map[string]any); net["publicNetworkAccess"] != "Disabled" {
				t.Errorf("%s: public network access is not disabled: %v", r.URN, net)
			}
		case "azure-native:keyvault:Vault":
			props, _ := r.Inputs["properties"].(map[string]any)
			if props["enableRbacAuthorization"] != true {
				t.Errorf("%s: Key Vault without RBAC authorization", r.URN)
			}
		case "azure-native:authorization:RoleAssignment":
			scope, _ := r.Inputs["scope"].(string)
			if strings.Count(scope, "/") < 8 {
				t.Errorf("%s: role granted on %q, wider than one resource", r.URN, scope)
			}
		case "azure-native:app/v20240301:ContainerApp":
			tmpl, _ := r.Inputs["template"].(map[string]any)
			containers, _ := tmpl["containers"].([]any)
			for _, c := range containers {
				env, _ := c.(map[string]any)["env"].([]any)
				for _, x := range env {
					v, _ := x.(map[string]any)
					if value, ok := v["value"].(string); ok && strings.Contains(value, "\x00") {
						t.Errorf("%s: %v keeps an unresolved address placeholder", r.URN, v["name"])
					}
				}
			}
		}
	}
}
