package aws_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const attachmentType = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

// x-defang-policies on AWS: each ARN is attached to the service's task
// role (the role the application runs as, not the execution role), and the
// ECS service starts after the attachments so that its first tasks have
// the permissions.
func TestPoliciesAttachToTheTaskRole(t *testing.T) {
	yaml := `
name: shop
services:
  api:
    image: nginx:1.27
    deploy: {resources: {reservations: {memory: 256M}}}
    x-defang-policies:
      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
      - arn:aws:iam::123456789012:policy/team/shop-api
  worker:
    image: busybox:1.36
    deploy: {resources: {reservations: {memory: 256M}}}
`
	res := ordProject(t, yaml, "affordable", "")
	byURN := map[string]plan.Resource{}
	for _, r := range res {
		byURN[r.URN] = r
	}
	atts := ofType(res, attachmentType)
	var arns []string
	for _, a := range atts {
		arns = append(arns, a.Inputs["policyArn"].(string))
		var role *plan.Resource
		for _, d := range a.DependsOn {
			if r, ok := byURN[d]; ok && r.Type == "aws:iam/role:Role" {
				role = &r
			}
		}
		if role == nil || !strings.HasSuffix(role.Name, "api-task") {
			t.Errorf("attachment %s is not on the api task role (depends on %v)", a.Name, a.DependsOn)
		}
	}
	sort.Strings(arns)
	if want := []string{"arn:aws:iam::123456789012:policy/team/shop-api", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}; strings.Join(arns, ",") != strings.Join(want, ",") {
		t.Fatalf("attached %v, want %v", arns, want)
	}
	for _, svc := range ofType(res, ordServiceType) {
		if !strings.HasSuffix(svc.Name, "-api") {
			continue
		}
		for _, a := range atts {
			if !dependsOnURN(svc, a.URN) {
				t.Errorf("ECS service %s does not wait for %s", svc.Name, a.Name)
			}
		}
	}
}

// An entry that is not an IAM policy ARN (an Azure role, a user ARN, a
// policy ARN of another service) is an error naming the service and entry,
// all of them at once.
func TestPoliciesThatAreNotIAMPolicyARNs(t *testing.T) {
	yaml := `
name: shop
services:
  api:
    image: nginx:1.27
    deploy: {resources: {reservations: {memory: 256M}}}
    x-defang-policies:
      - acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1
      - /subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1
      - Reader
      - arn:aws:iam::123456789012:user/alice
      - arn:aws:iam::12345:policy/short-account
`
	in := map[string]property.Value{"composeYaml": str(yaml), "cloud": str("aws"), "mode": str("affordable")}
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: "defang:index:Project", Name: "shop", Project: "shop"}, property.NewMap(in))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{
		`"acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1" is an Azure role`,
		`"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1" is an Azure role`,
		`"Reader" is not an IAM policy ARN`,
		`"arn:aws:iam::123456789012:user/alice" is not an IAM policy ARN`,
		`"arn:aws:iam::12345:policy/short-account" is not an IAM policy ARN`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !strings.Contains(err.Error(), "api") || !strings.Contains(err.Error(), "x-defang-policies") {
		t.Errorf("error does not name the service and field: %v", err)
	}
}
