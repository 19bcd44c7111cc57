package cloudrules

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// found is one value a rule's path reached, with its concrete path
// ("containerDefinitions[0].portMappings[1].name").
type found struct {
	path  string
	value property.Value
}

// lookup walks path (see StringRule.Path) from root and returns every value
// it reaches. Missing properties, nulls and unknowns reach nothing.
func lookup(root property.Value, path string) []found {
	cur := []found{{path: "", value: root}}
	for _, seg := range strings.Split(path, ".") {
		name, each, isJSON := seg, false, false
		if strings.HasSuffix(name, "[]") {
			name, each = strings.TrimSuffix(name, "[]"), true
		}
		if strings.HasSuffix(name, "(json)") {
			name, isJSON = strings.TrimSuffix(name, "(json)"), true
		}
		var next []found
		for _, f := range cur {
			if !f.value.IsMap() {
				continue
			}
			v, ok := f.value.AsMap().GetOk(name)
			if !ok || v.IsNull() || v.IsComputed() {
				continue
			}
			p := join(f.path, name)
			if isJSON {
				if v = decodeJSON(v); v.IsNull() {
					continue
				}
			}
			if !each {
				next = append(next, found{path: p, value: v})
				continue
			}
			if !v.IsArray() {
				continue
			}
			for i, el := range v.AsArray().AsSlice() {
				if el.IsNull() || el.IsComputed() {
					continue
				}
				next = append(next, found{path: p + "[" + strconv.Itoa(i) + "]", value: el})
			}
		}
		cur = next
	}
	return cur
}

func join(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// decodeJSON turns a JSON string into property values (keeping the
// secretness of the string); anything else is returned as it is, and a
// string that is not JSON as null.
func decodeJSON(v property.Value) property.Value {
	if !v.IsString() {
		return v
	}
	var doc any
	if err := json.Unmarshal([]byte(v.AsString()), &doc); err != nil {
		return property.Value{}
	}
	return fromJSON(doc, v.Secret())
}

func fromJSON(doc any, secret bool) property.Value {
	var v property.Value
	switch x := doc.(type) {
	case map[string]any:
		m := map[string]property.Value{}
		for k, e := range x {
			m[k] = fromJSON(e, secret)
		}
		v = property.New(property.NewMap(m))
	case []any:
		a := make([]property.Value, len(x))
		for i, e := range x {
			a[i] = fromJSON(e, secret)
		}
		v = property.New(property.NewArray(a))
	case string:
		v = property.New(x)
	case float64:
		v = property.New(x)
	case bool:
		v = property.New(x)
	default:
		return property.Value{}
	}
	return v.WithSecret(secret)
}
