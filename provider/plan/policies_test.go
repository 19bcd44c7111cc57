package plan

import (
	"context"
	"sort"
	"strings"
	"testing"
)

const policiesCompose = `
name: shop
services:
  api:
    image: nginx:1.27
    ports: ["8080:8080"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/"]}
    deploy: {resources: {reservations: {memory: 512M}}}
    x-defang-policies:
      - acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1
      - /providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1
  worker:
    image: busybox:1.36
    deploy: {resources: {reservations: {memory: 512M}}}
`

// x-defang-policies on Azure: each role definition is assigned to the
// app's own (system-assigned) identity, on the project's resource group;
// the shared identity that reads Key Vault gets nothing more.
func TestAzurePoliciesAssignRolesToTheAppsIdentity(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: policiesCompose, Cloud: "azure", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	app := find(res, "azure-native:app/v20240301:ContainerApp", "shop-api")
	if app == nil {
		t.Fatal("no Container App shop-api")
	}
	var roles []string
	for _, r := range res.Resources {
		if r.Type != "azure-native:authorization:RoleAssignment" || !strings.Contains(r.Name, "shop-api-role-") {
			continue
		}
		def, _ := r.Inputs["roleDefinitionId"].(string)
		roles = append(roles, def[strings.LastIndex(def, "/")+1:])
		if !strings.HasPrefix(def, "/subscriptions/") || !strings.Contains(def, "/providers/Microsoft.Authorization/roleDefinitions/") {
			t.Errorf("%s: role definition %q", r.Name, def)
		}
		scope, _ := r.Inputs["scope"].(string)
		if !strings.HasPrefix(scope, "/subscriptions/") || !strings.HasSuffix(scope, "/resourceGroups/"+res.Outputs["resourceGroupName"].(string)) {
			t.Errorf("%s: scope %q, want the project's resource group", r.Name, scope)
		}
		if !contains(r.DependsOn, app.URN) || r.Inputs["principalType"] != "ServicePrincipal" {
			t.Errorf("%s: not the app's identity: %v %v", r.Name, r.DependsOn, r.Inputs)
		}
	}
	sort.Strings(roles)
	if want := "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1,acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1"; strings.Join(roles, ",") != want {
		t.Errorf("assigned %v, want %s", roles, want)
	}
}

// An entry for the other cloud is an error naming the service and the
// entry: an IAM ARN or a role name on Azure, an Azure role on AWS.
func TestPoliciesForTheOtherCloud(t *testing.T) {
	onAzure := strings.Replace(policiesCompose, "      - acdd72a7", "      - arn:aws:iam::aws:policy/ReadOnlyAccess\n      - Reader\n      - acdd72a7", 1)
	_, err := Run(context.Background(), Options{ComposeYAML: onAzure, Cloud: "azure", Mode: "affordable"})
	for _, want := range []string{`service "api": x-defang-policies: "arn:aws:iam::aws:policy/ReadOnlyAccess" is an AWS IAM policy`, `"Reader" is not a role definition id`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Azure: want %q, got %v", want, err)
		}
	}
	_, err = Run(context.Background(), Options{ComposeYAML: policiesCompose, Cloud: "aws", Mode: "affordable"})
	if err == nil || !strings.Contains(err.Error(), `service "api": x-defang-policies: "acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1" is an Azure role`) {
		t.Errorf("AWS: want an error for the Azure role, got %v", err)
	}
}
