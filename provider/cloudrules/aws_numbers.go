package cloudrules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// IntRule constrains one number input of a resource type: a range and/or a
// set of allowed values. Numbers are few among the inputs the clouds check
// (CloudWatch Logs' retentionInDays, CodeBuild's buildTimeout), hence a
// rule kind of their own rather than a field of StringRule.
type IntRule struct {
	Path     string // as StringRule.Path
	Min, Max *int   // nil: not checked
	Enum     []int  // one of these, when set
	Style    Style
	Source   string
}

var intRegistry = map[string][]IntRule{}

// RegisterInts adds number rules for a type (from init functions); Check
// applies them with the type's string rules.
func RegisterInts(token string, rules ...IntRule) {
	intRegistry[token] = append(intRegistry[token], rules...)
}

// IntsFor returns the number rules of typ.
func IntsFor(typ string) []IntRule { return intRegistry[typ] }

func intp(n int) *int { return &n }

// checkInts returns every number rule of typ that inputs break.
func checkInts(typ, logical string, inputs property.Map) Violations {
	var out Violations
	for _, r := range intRegistry[typ] {
		for _, f := range lookup(property.New(inputs), r.Path) {
			if msg := r.violation(f.path, f.value); msg != "" {
				out = append(out, Violation{Type: typ, Name: logical, Property: f.path, Message: msg, Source: r.Source})
			}
		}
	}
	return out
}

// violation is the message for value at path under r, "" when it passes.
// A number that is not whole is refused as the APIs' integer shapes do.
func (r IntRule) violation(path string, v property.Value) string {
	if !v.IsNumber() {
		return ""
	}
	f := v.AsNumber()
	n := int(f)
	shown := strconv.FormatFloat(f, 'f', -1, 64)
	if v.Secret() {
		shown = "[secret]"
	}
	prop := lastName(path)
	sr := StringRule{Style: r.Style, Source: r.Source}
	switch {
	case float64(n) != f:
		return sr.say(path, prop, shown, "an integer value",
			fmt.Sprintf("%q must be a whole number, got %s", prop, shown),
			fmt.Sprintf("'%s' must be an integer", prop))
	case r.Min != nil && n < *r.Min:
		return sr.say(path, prop, shown, fmt.Sprintf("value greater than or equal to %d", *r.Min),
			fmt.Sprintf("expected %s to be at least (%d), got %d", prop, *r.Min, n),
			fmt.Sprintf("'%s' is too small (%d): at least %d required", prop, n, *r.Min))
	case r.Max != nil && n > *r.Max:
		return sr.say(path, prop, shown, fmt.Sprintf("value less than or equal to %d", *r.Max),
			fmt.Sprintf("expected %s to be at most (%d), got %d", prop, *r.Max, n),
			fmt.Sprintf("'%s' is too large (%d): at most %d allowed", prop, n, *r.Max))
	case len(r.Enum) > 0 && !containsInt(r.Enum, n):
		set := make([]string, len(r.Enum))
		for i, e := range r.Enum {
			set[i] = strconv.Itoa(e)
		}
		return sr.say(path, prop, shown, "enum value set: ["+strings.Join(set, ", ")+"]",
			fmt.Sprintf("expected %s to be one of %v, got %d", prop, r.Enum, n),
			fmt.Sprintf("'%s' must be one of [%s]", prop, strings.Join(set, ", ")))
	}
	return ""
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
