package azure

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// roleDefinition matches the ways to name an Azure role definition: its
// GUID, or its resource id, /providers/Microsoft.Authorization/roleDefinitions/<GUID>
// under a subscription or not (the roleDefinitionId of a role assignment,
// https://learn.microsoft.com/rest/api/authorization/role-assignments/create).
// The GUID is the last group.
var roleDefinition = regexp.MustCompile(`(?i)^(?:(?:/subscriptions/[0-9a-f-]{36})?/providers/Microsoft\.Authorization/roleDefinitions/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// roleDefinitionGUID returns the role definition GUID an
// x-defang-policies entry names.
func roleDefinitionGUID(entry string) (string, bool) {
	m := roleDefinition.FindStringSubmatch(entry)
	if m == nil {
		return "", false
	}
	return strings.ToLower(m[1]), true
}

// policyErrors are the x-defang-policies entries of a service that are not
// Azure role definitions. Role names (Reader, Contributor) are not looked
// up: a name is not unique (a custom role may take a built-in's name in
// another scope) and the lookup would need the deployer to read role
// definitions at plan time; the GUIDs of the built-in roles are listed at
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles.
func policyErrors(s *compose.Service) compose.Errors {
	var errs compose.Errors
	for _, p := range s.Policies {
		if _, ok := roleDefinitionGUID(p); ok {
			continue
		}
		msg := fmt.Sprintf("%q is not a role definition id: give the role's GUID (Reader is acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1; built-in roles: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles) or /subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<GUID>", p)
		if strings.HasPrefix(p, "arn:") {
			msg = fmt.Sprintf("%q is an AWS IAM policy ARN, not an Azure role definition: on Azure, list role definition GUIDs (built-in roles: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles)", p)
		}
		errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "x-defang-policies", Message: msg})
	}
	return errs
}

// grantPolicies assigns a service's x-defang-policies roles to its app's
// own system-assigned identity, not to the shared identity every app of
// the project uses for Key Vault and the registry (least privilege: the
// grant reaches only the service that asked). The scope is the project's
// resource group, where everything the project deploys lives: as Defang's
// AWS policies reach the account's resources, the roles reach the group's;
// a wider scope (the subscription) would grant what the project does not
// own.
func grantPolicies(ctx *pulumi.Context, name string, s *compose.Service, app *ContainerApp, groupID pulumi.StringOutput,
	opts ...pulumi.ResourceOption,
) error {
	for _, p := range s.Policies {
		guid, ok := roleDefinitionGUID(p)
		if !ok {
			return fmt.Errorf("service %q: x-defang-policies: %q is not a role definition id", s.Name, p)
		}
		if _, err := GrantRole(ctx, name+"-role-"+guid, RoleGrantArgs{
			PrincipalId: app.PrincipalId, Scope: groupID, Role: guid,
		}, append(opts, pulumi.DependsOn([]pulumi.Resource{app}))...); err != nil {
			return err
		}
	}
	return nil
}
