package plan

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// namesFit: with the `names` branch (names that always fit) merged, the
// plans below succeed; before it they were refused, as a real `pulumi
// preview` refuses them.
const namesFit = true

// Issue 13, found 1: `name: my-shop-app` with a service `storefront` on
// port 8080. The target group has no name input, so pulumi-aws autonames it
// my-shop-app-storefront-8080- plus 7 random characters: 35, over ELBv2's
// 32, and resource.NewUniqueName refuses it at Check.
func TestMyShopAppStorefrontTargetGroupName(t *testing.T) {
	yaml := `name: my-shop-app
services:
  storefront:
    image: nginx
    ports:
      - target: 8080
        mode: ingress
`
	_, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "affordable"})
	if namesFit {
		if err != nil {
			t.Fatalf("plan refused: %v", err)
		}
		return
	}
	var refused Refused
	if !errors.As(err, &refused) {
		t.Fatalf("want the plan refused as the cloud would, got %v", err)
	}
	want := "could not make instance of 'aws:lb/targetGroup:TargetGroup': name 'my-shop-app-storefront-8080-' plus 7 random chars is longer than maximum length 32"
	found := false
	for _, r := range refused {
		if r.Violation.Type == "aws:lb/targetGroup:TargetGroup" && r.Violation.Message == want {
			found = true
			if r.Service != "storefront" || !strings.Contains(r.String(), `service "storefront"`) {
				t.Errorf("the refusal should name the service storefront: %s", r)
			}
		}
	}
	if !found {
		t.Errorf("no target group refusal %q in:\n%v", want, err)
	}
}

// Issue 13, found 2: a service Api.V2 gives the ECS container name Api.V2,
// and ECS container names allow only letters, digits, '_' and '-'.
func TestServiceWithDotsContainerName(t *testing.T) {
	yaml := `name: shop
services:
  Api.V2:
    image: nginx
`
	_, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "affordable"})
	if namesFit {
		if err != nil {
			t.Fatalf("plan refused: %v", err)
		}
		return
	}
	var refused Refused
	if !errors.As(err, &refused) {
		t.Fatalf("want the plan refused as ECS would, got %v", err)
	}
	if !strings.Contains(err.Error(), "containerDefinitions[0].name") || !strings.Contains(err.Error(), "API_ContainerDefinition.html") {
		t.Errorf("want the container name refused with its documentation, got:\n%v", err)
	}
}
