package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Every resource of every corpus case planned on Azure, in every mode,
// passes Azure's naming rules and azure-native's autonaming
// (cloudrules.Apply, provider/cloudrules/azure_names.go), and every
// azure-native token we register by token takes only the inputs its
// published SDK declares (cloudrules.AzureNativeInputs). What a real
// preview or `up` would refuse is listed once per rule, with the cases
// that hit it.
func TestCorpusOnAzureKeepsTheCloudRules(t *testing.T) {
	root := corpusRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{} // violation -> cases
	checked := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		file := filepath.Join(root, e.Name(), "compose.yaml")
		cfg := configFor(t, file)
		for _, m := range mode.All {
			res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "azure", Mode: string(m), Config: cfg})
			if err != nil {
				continue // TestCorpusPlansOnAzure says why
			}
			for _, r := range res.Resources {
				if !strings.HasPrefix(r.Type, "azure-native:") {
					continue
				}
				checked++
				for _, v := range azureRuleViolations(r) {
					where := e.Name() + " (" + string(m) + ")"
					if list := found[v]; len(list) == 0 || list[len(list)-1] != where {
						found[v] = append(found[v], where)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no Azure resource planned")
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cases := found[k]
		shown := cases
		if len(shown) > 4 {
			shown = append(shown[:4:4], fmt.Sprintf("and %d more", len(cases)-4))
		}
		t.Errorf("%s\n    in %d plans: %s", k, len(cases), strings.Join(shown, ", "))
	}
}

// azureRuleViolations are what Azure or azure-native would refuse of a
// planned resource, as one line each.
func azureRuleViolations(r Resource) []string {
	inputs := planInputs(r.Inputs)
	var out []string
	named, err := cloudrules.Autoname(r.Type, r.Name, "0123abcd4567ef89", inputs)
	if err != nil {
		out = append(out, err.Error())
	}
	for _, v := range cloudrules.Check(r.Type, r.Name, named) {
		out = append(out, fmt.Sprintf("%s %s: %s", r.Type, v.Property, v.Message))
	}
	if _, ok := cloudrules.AzureNativeInputs[r.Type]; ok {
		if bad := cloudrules.UnknownAzureInputs(r.Type, jsonPaths("", r.Inputs)); len(bad) > 0 {
			out = append(out, fmt.Sprintf("%s: inputs @pulumi/azure-native %s does not declare: %v", r.Type, cloudrules.AzureNativeVersion, bad))
		}
	}
	return out
}

// planInputs turns a planned resource's rendered inputs back into property
// values. Secrets and unknowns become unknown values, which no rule
// checks: the plan holds only their markers.
func planInputs(in map[string]any) property.Map {
	return property.NewMap(planValues(in))
}

func planValues(in map[string]any) map[string]property.Value {
	out := make(map[string]property.Value, len(in))
	for k, v := range in {
		out[k] = planValue(v)
	}
	return out
}

func planValue(v any) property.Value {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, SecretMarker) || x == UnknownMarker {
			return property.New(property.Computed)
		}
		return property.New(x)
	case float64:
		return property.New(x)
	case int:
		return property.New(float64(x))
	case bool:
		return property.New(x)
	case map[string]any:
		return property.New(property.NewMap(planValues(x)))
	case []any:
		vals := make([]property.Value, len(x))
		for i, e := range x {
			vals[i] = planValue(e)
		}
		return property.New(property.NewArray(vals))
	}
	return property.Value{}
}

// jsonPaths are the property paths a rendered input map sets, as
// cloudrules.AzureNativeInputs spells them.
func jsonPaths(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, p)
		switch x := v.(type) {
		case map[string]any:
			out = append(out, jsonPaths(p, x)...)
		case []any:
			for _, el := range x {
				if em, ok := el.(map[string]any); ok {
					out = append(out, jsonPaths(p+"[]", em)...)
				}
			}
		}
	}
	return out
}
