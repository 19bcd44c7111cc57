// Package propjson renders Pulumi property values as JSON values for people
// to read (the offline plan, the stand-ins' call records): secrets never
// show their plaintext, unknowns are marked.
package propjson

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Markers that stand for values that are not shown.
const (
	SecretMarker  = "[secret]"
	UnknownMarker = "[unknown]"
)

// Map renders a property map: secrets become "[secret]", unknowns
// "[unknown]", resource references their URN.
func Map(m property.Map) map[string]any { return render(m, false) }

// Revealing is Map with secrets rendered as "[secret] <JSON value>": for
// tests that must see which resource a secret reaches, never for output.
func Revealing(m property.Map) map[string]any { return render(m, true) }

func render(m property.Map, reveal bool) map[string]any {
	out := map[string]any{}
	for k, v := range m.All {
		out[k] = value(v, reveal)
	}
	return out
}

func value(v property.Value, reveal bool) any {
	switch {
	case v.Secret() && reveal:
		b, _ := json.Marshal(value(v.WithSecret(false), true))
		return SecretMarker + " " + string(b)
	case v.Secret():
		return SecretMarker
	case v.IsComputed():
		return UnknownMarker
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsString():
		return v.AsString()
	case v.IsArray():
		arr := []any{}
		for _, e := range v.AsArray().All {
			arr = append(arr, value(e, reveal))
		}
		return arr
	case v.IsMap():
		return render(v.AsMap(), reveal)
	case v.IsResourceReference():
		return string(v.AsResourceReference().URN)
	default:
		return fmt.Sprintf("[%T]", v)
	}
}
