package plan

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// Key Vault keeps a deleted secret's name for its soft-delete retention (7
// days, 90 with purge protection) and refuses to create a secret of that
// name meanwhile (409 Conflict, "Secret ... is currently in a deleted but
// recoverable state"); azure-native does not purge it
// (pulumi/pulumi-azure-native#1174). So a config key removed and added back
// must get a new secret name: each secret's name ends in a RandomId of its
// own, kept in state (the same on every up) and drawn anew when the secret
// is created again.
func TestVaultSecretNamesPerIncarnation(t *testing.T) {
	const randomID = "random:index/randomId:RandomId"
	opts := Options{ComposeFiles: []string{exampleCompose}, Cloud: "azure", Mode: "high_availability", Config: exampleConfig}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]Resource{}
	for _, r := range res.Resources {
		if r.Type == randomID {
			ids[r.URN] = r
		}
	}
	suffix := regexp.MustCompile(`^[a-z0-9-]{1,118}-[0-9a-f]{8}$`)
	n := 0
	for _, s := range res.Resources {
		if s.Type != "azure-native:keyvault:Secret" {
			continue
		}
		n++
		name, _ := s.Inputs["secretName"].(string)
		if !suffix.MatchString(name) || len(name) > 127 || strings.Contains(name, "--") {
			t.Errorf("%s: secret name %q", s.Name, name)
		}
		var id *Resource
		for _, d := range s.DependsOn {
			if r, ok := ids[d]; ok {
				id = &r
			}
		}
		if id == nil {
			t.Errorf("%s: the secret name does not come from a RandomId: %v", s.Name, s.DependsOn)
			continue
		}
		if id.Parent != s.Parent {
			t.Errorf("%s: its RandomId %s should sit beside it", s.Name, id.Name)
		}
		if other := find(again, s.Type, s.Name); other == nil || other.Inputs["secretName"] != name {
			t.Errorf("%s: the name must be the same on every up", s.Name)
		}
	}
	if n < 4 {
		t.Fatalf("want the example's Key Vault secrets, got %d", n)
	}
}
