package standin

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The aws stand-in's Check refuses what pulumi-aws's Check refuses, in its
// words: an autonamed target group over ELBv2's 32 characters fails as
// resource.NewUniqueName fails, and an explicit name the API refuses is a
// CheckFailure in the API's validation wording.
func TestAWSCheckRefusesWhatTheCloudRefuses(t *testing.T) {
	_, c := start(t, AWS)

	// my-shop-app-storefront-8080 + "-" + 7 random = 35 > 32.
	tg := "urn:pulumi:dev::shop::aws:lb/targetGroup:TargetGroup::my-shop-app-storefront-8080"
	_, err := c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: tg, Type: "aws:lb/targetGroup:TargetGroup",
		News: mustMarshal(t, resource.PropertyMap{"port": resource.NewProperty(8080.0), "protocol": resource.NewProperty("HTTP")})})
	want := "could not make instance of 'aws:lb/targetGroup:TargetGroup': name 'my-shop-app-storefront-8080-' plus 7 random chars is longer than maximum length 32"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Check of a 35-character autonamed target group: %v, want %s", err, want)
	}

	// A short logical name autonames and passes, the name in the inputs.
	ok := "urn:pulumi:dev::shop::aws:lb/targetGroup:TargetGroup::shop-web-8080"
	resp, err := c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: ok, Type: "aws:lb/targetGroup:TargetGroup",
		News: mustMarshal(t, resource.PropertyMap{"protocol": resource.NewProperty("HTTP")})})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("Check = %v, %v", resp, err)
	}
	if name := mustUnmarshal(t, resp.Inputs)["name"]; !name.IsString() || len(name.StringValue()) != len("shop-web-8080-")+7 {
		t.Errorf("autonamed %v", name)
	}

	// An explicit IAM role name with a space: the API's own wording.
	role := "urn:pulumi:dev::shop::aws:iam/role:Role::exec"
	resp, err = c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: role, Type: "aws:iam/role:Role",
		News: mustMarshal(t, resource.PropertyMap{"name": resource.NewProperty("my role")})})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Failures) != 1 || resp.Failures[0].Property != "name" ||
		!strings.HasPrefix(resp.Failures[0].Reason, "1 validation error detected: Value 'my role' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern") {
		t.Errorf("Check of a role named %q: %v", "my role", resp.Failures)
	}

	// An explicit target group name over 32: terraform-provider-aws's words.
	resp, err = c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: ok, Type: "aws:lb/targetGroup:TargetGroup",
		News: mustMarshal(t, resource.PropertyMap{"name": resource.NewProperty(strings.Repeat("t", 33))})})
	if err != nil || len(resp.Failures) != 1 || resp.Failures[0].Reason != `"name" cannot be longer than 32 characters` {
		t.Errorf("Check of a 33-character target group name: %v, %v", resp, err)
	}
}
