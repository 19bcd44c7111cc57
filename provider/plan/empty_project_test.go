package plan

import (
	"context"
	"strings"
	"testing"
)

// TestEmptyProjectPlansNothing: a file with no services, or whose profiles
// disable them all, plans on both clouds and in every mode, creates nothing
// but the Project component itself, and says so.
func TestEmptyProjectPlansNothing(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"no services", "name: empty\nservices: {}\n"},
		{"every service disabled", "name: empty\nservices:\n  app: {image: nginx, profiles: [debug]}\n"},
	} {
		for _, cloud := range []string{"aws", "azure"} {
			for _, mode := range []string{"affordable", "balanced", "high_availability"} {
				t.Run(tc.name+"/"+cloud+"/"+mode, func(t *testing.T) {
					res, err := Run(context.Background(), Options{ComposeYAML: tc.yaml, Cloud: cloud, Mode: mode})
					if err != nil {
						t.Fatalf("plan: %v", err)
					}
					for _, r := range res.Resources {
						if r.Type != "defang:index:Project" {
							t.Errorf("an empty project planned %s %s", r.Type, r.Name)
						}
					}
					if !strings.Contains(strings.Join(res.Warnings, "\n"), "nothing is deployed") {
						t.Errorf("no warning that nothing is deployed: %q", res.Warnings)
					}
				})
			}
		}
	}
}

// TestUndeclaredNetworkPlans: a network a service names without a top-level
// declaration is declared implicitly, on both clouds.
func TestUndeclaredNetworkPlans(t *testing.T) {
	const yaml = "name: nets\nservices:\n  web: {image: nginx, networks: [back], ports: ['80:80']}\n  api: {image: nginx, networks: [back]}\n"
	for _, cloud := range []string{"aws", "azure"} {
		t.Run(cloud, func(t *testing.T) {
			res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: cloud, Mode: "balanced"})
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), `service "web": networks: network "back" is not declared`) {
				t.Errorf("no warning for the undeclared network: %q", res.Warnings)
			}
			if cloud == "aws" && find(res, "aws:ec2/securityGroup:SecurityGroup", "nets-net-back") == nil {
				t.Errorf("no security group for the implicitly declared network")
			}
		})
	}
}
