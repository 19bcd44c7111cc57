package standin

import (
	"reflect"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// changedKeys lists, sorted, the top-level keys whose values differ between
// olds and news. Secretness and dependencies do not count (a value is the
// same whether or not it is marked secret), a missing key equals null, and
// an unknown value always counts as a change. Keys in ignore are skipped.
func changedKeys(olds, news property.Map, ignore []string) []string {
	skip := map[string]bool{}
	for _, k := range ignore {
		skip[k] = true
	}
	keys := map[string]bool{}
	for k := range olds.All {
		keys[k] = true
	}
	for k := range news.All {
		keys[k] = true
	}
	var changed []string
	for k := range keys {
		if skip[k] || sameValue(olds.Get(k), news.Get(k)) {
			continue
		}
		changed = append(changed, k)
	}
	sort.Strings(changed)
	return changed
}

func sameValue(a, b property.Value) bool {
	switch {
	case a.IsComputed() || b.IsComputed():
		return false
	case a.IsNull() || b.IsNull():
		return a.IsNull() && b.IsNull()
	case a.IsBool() && b.IsBool():
		return a.AsBool() == b.AsBool()
	case a.IsNumber() && b.IsNumber():
		return a.AsNumber() == b.AsNumber()
	case a.IsString() && b.IsString():
		return a.AsString() == b.AsString()
	case a.IsArray() && b.IsArray():
		x, y := a.AsArray(), b.AsArray()
		if x.Len() != y.Len() {
			return false
		}
		for i := range x.Len() {
			if !sameValue(x.Get(i), y.Get(i)) {
				return false
			}
		}
		return true
	case a.IsMap() && b.IsMap():
		return len(changedKeys(a.AsMap(), b.AsMap(), nil)) == 0
	case a.IsResourceReference() && b.IsResourceReference():
		x, y := a.AsResourceReference(), b.AsResourceReference()
		return x.URN == y.URN && sameValue(x.ID, y.ID)
	case a.IsAsset() && b.IsAsset():
		return reflect.DeepEqual(a.AsAsset(), b.AsAsset())
	case a.IsArchive() && b.IsArchive():
		return reflect.DeepEqual(a.AsArchive(), b.AsArchive())
	}
	return false
}
