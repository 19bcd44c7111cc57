package standin

import (
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
)

// replaceDiff is how the real provider words a change of the keys changed
// (sorted, ignoreChanges already left out): the keys whose change replaces
// a resource of typ (cloudrules.ReplaceOnChange: ForceNew in
// terraform-provider-aws, willReplaceOnChanges in azure-native) are the
// Replaces, and their detailed diffs are UPDATE_REPLACE; the others are
// UPDATE. Without it an edit test would count updates where a real `up`
// replaces.
func replaceDiff(typ string, olds, news property.Map, changed []string) ([]string, map[string]*pulumirpc.PropertyDiff) {
	isChanged := map[string]bool{}
	for _, k := range changed {
		isChanged[k] = true
	}
	replacing := map[string]bool{}
	var replaces []string
	for _, k := range cloudrules.ReplacedKeys(typ, olds, news, sameValue) {
		if isChanged[k] {
			replacing[k] = true
			replaces = append(replaces, k)
		}
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range changed {
		kind := pulumirpc.PropertyDiff_UPDATE
		if replacing[k] {
			kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return replaces, detailed
}
