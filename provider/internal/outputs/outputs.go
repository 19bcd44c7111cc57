// Package outputs registers a component's output fields with the engine.
package outputs

import (
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Register calls RegisterResourceOutputs with every exported field of comp
// (a pointer to a component struct) that has a `pulumi:"name"` tag and holds
// a pulumi.Output, so that each component lists its outputs once, in its
// struct, and the state shows them.
func Register(ctx *pulumi.Context, comp pulumi.ComponentResource) error {
	m := pulumi.Map{}
	v := reflect.ValueOf(comp).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("pulumi")
		if !ok || !f.IsExported() {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if out, ok := v.Field(i).Interface().(pulumi.Output); ok && out != nil && name != "" {
			m[name] = out
		}
	}
	return ctx.RegisterResourceOutputs(comp, m)
}
