// Package cloudrules is what the clouds themselves accept, taken from
// sources this project did not write: how pulumi-aws and azure-native
// autoname each resource type (their provider code), what the AWS APIs
// accept for each name and enum field (botocore's service models, generated
// into zz_botocore.go), Azure's naming rules per resource type (Microsoft's
// documentation and the REST specs azure-native validates against), and the
// documented rules no model carries (each with its source URL).
//
// The planner's mock (provider/plan), the fake cloud (provider/fakecloud)
// and the engine tests' stand-ins (tests/standin) all apply these rules, so
// a name or value that a real `pulumi preview` or `pulumi up` would refuse
// fails in every test tier first, with the real provider's or API's wording.
//
// Every rule carries its Source. A resource type added to a component gets
// its rules here in the same commit.
package cloudrules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Style is whose wording a violation is reported in.
type Style int

const (
	// StyleAWSAPI is the AWS API's validation wording (Smithy/Coral):
	// "1 validation error detected: Value 'x' at 'name' failed to satisfy
	// constraint: Member must have length less than or equal to 32".
	StyleAWSAPI Style = iota
	// StyleTerraform is terraform-provider-aws's schema validation, which
	// pulumi-aws runs at preview: `"name" cannot be longer than 32 characters`.
	StyleTerraform
	// StyleAzure is azure-native's Check against the REST spec:
	// "'vaultName' is too long (29): at most 24 characters allowed".
	StyleAzure
	// StyleDoc is a documented rule that no model carries; its Describe says
	// what the documentation says.
	StyleDoc
)

// StringRule constrains one string input of a resource type. Zero fields
// are not checked.
type StringRule struct {
	// Path locates the value in the inputs: property names joined by ".",
	// "[]" after a name for each element of an array, and "(json)" after a
	// name whose value is a JSON document (ECS containerDefinitions), e.g.
	// "containerDefinitions(json)[].portMappings[].name".
	Path     string
	Min, Max int            // length in characters
	Pattern  *regexp.Regexp // the whole value must match
	Enum     []string       // one of these (case-sensitive, as the APIs are)
	// NotPrefix lists prefixes the value must not start with.
	NotPrefix []string
	// Describe says the rule in words, for StyleDoc and for Pattern
	// violations ("letters, digits, '_' and '-'").
	Describe string
	Style    Style
	// Source is where the rule comes from: a URL, or a model and shape
	// ("botocore 1.44.5 elbv2 CreateTargetGroupInput.Name").
	Source string
}

// Autonaming is how a provider names a resource whose name input is left
// out: the logical name (optionally lowercased), Separator, and RandomChars
// random hex characters. Max > 0 means the provider refuses a logical name
// whose autonamed result would be longer (pulumi's resource.NewUniqueName).
type Autonaming struct {
	Property    string // the input that holds the name: "name", "bucket", "identifier", "vaultName"
	Max         int
	Separator   string
	RandomChars int
	Lowercase   bool
	Source      string
}

// TypeRules are the rules of one resource type token.
type TypeRules struct {
	Token    string
	Autoname *Autonaming // nil: the type has no name, or its name is required
	Strings  []StringRule
}

var registry = map[string]*TypeRules{}

// Register adds rules for a type; rules registered for the same token by
// several files (autonaming, botocore, documentation) are merged. Called
// from init functions.
func Register(t TypeRules) {
	cur, ok := registry[t.Token]
	if !ok {
		cp := t
		registry[t.Token] = &cp
		return
	}
	if t.Autoname != nil {
		cur.Autoname = t.Autoname
	}
	cur.Strings = append(cur.Strings, t.Strings...)
}

// For returns the rules of typ, and whether there are any.
func For(typ string) (TypeRules, bool) {
	t, ok := registry[typ]
	if !ok {
		return TypeRules{Token: typ}, false
	}
	return *t, true
}

// Tokens lists every type with rules, sorted.
func Tokens() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Violation is one input a cloud would refuse.
type Violation struct {
	Type     string // the resource type token
	Name     string // the resource's logical name
	Property string // the property path with indices: "containerDefinitions[0].name"
	Message  string // in the real provider's or API's wording
	Source   string
}

func (v Violation) Error() string {
	return fmt.Sprintf("%s %q: %s", v.Type, v.Name, v.Message)
}

// Violations is every violation of one or more resources; as an error it
// lists them all, one per line.
type Violations []Violation

func (vs Violations) Error() string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.Error()
	}
	return strings.Join(lines, "\n")
}

// Err is vs as an error, nil when there are none.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return vs
}

// AutonameError is the error pulumi's resource.NewUniqueName returns, and
// the real provider's Check with it, when a logical name plus the random
// suffix is over the type's maximum.
func AutonameError(typ, logical string, a Autonaming) error {
	prefix := logical
	if a.Lowercase {
		prefix = strings.ToLower(prefix)
	}
	return fmt.Errorf("could not make instance of '%s': name '%s%s' plus %d random chars is longer than maximum length %d",
		typ, prefix, a.Separator, a.RandomChars, a.Max)
}

// Autoname returns inputs with the name the real provider would generate
// when the type autonames and the name input is absent: the logical name,
// the separator and the first RandomChars characters of random (a hex
// string the caller derives deterministically). It fails as the real
// provider does when the result would be over the maximum.
func Autoname(typ, logical, random string, inputs property.Map) (property.Map, error) {
	t, ok := registry[typ]
	if !ok || t.Autoname == nil {
		return inputs, nil
	}
	a := *t.Autoname
	if v, ok := inputs.GetOk(a.Property); ok && !v.IsNull() {
		return inputs, nil
	}
	name, err := AutonameValue(typ, logical, random, a)
	if err != nil {
		return inputs, err
	}
	return inputs.Set(a.Property, property.New(name)), nil
}

// AutonameValue is the autonamed value of logical under a.
func AutonameValue(typ, logical, random string, a Autonaming) (string, error) {
	if a.RandomChars > len(random) {
		return "", fmt.Errorf("cloudrules: %d random characters asked for, %d given", a.RandomChars, len(random))
	}
	prefix := logical
	if a.Lowercase {
		prefix = strings.ToLower(prefix)
	}
	name := prefix + a.Separator + random[:a.RandomChars]
	if a.RandomChars == 0 {
		name = prefix
	}
	if a.Max > 0 && utf8.RuneCountInString(name) > a.Max {
		return "", AutonameError(typ, logical, a)
	}
	return name, nil
}

// Check returns every string rule of typ that inputs break. Unknown values
// (computed during a preview) are not checked; secret values are checked
// and never quoted.
func Check(typ, logical string, inputs property.Map) Violations {
	t, ok := registry[typ]
	if !ok {
		return checkInts(typ, logical, inputs)
	}
	var out Violations
	for _, r := range t.Strings {
		for _, f := range lookup(property.New(inputs), r.Path) {
			if msg := r.violation(f.path, f.value); msg != "" {
				out = append(out, Violation{Type: typ, Name: logical, Property: f.path, Message: msg, Source: r.Source})
			}
		}
	}
	return append(out, checkInts(typ, logical, inputs)...)
}

// Apply is what a fake provider does with a resource's inputs at Check:
// autoname, then check every rule.
func Apply(typ, logical, random string, inputs property.Map) (property.Map, error) {
	named, err := Autoname(typ, logical, random, inputs)
	if err != nil {
		return inputs, err
	}
	return named, Check(typ, logical, named).Err()
}

// violation is the message for value at path under r, "" when it passes.
func (r StringRule) violation(path string, v property.Value) string {
	if !v.IsString() {
		return ""
	}
	s := v.AsString()
	shown := s
	if v.Secret() {
		shown = "[secret]"
	}
	n := utf8.RuneCountInString(s)
	prop := lastName(path)
	switch {
	case r.Min > 0 && n < r.Min:
		return r.say(path, prop, shown, fmt.Sprintf("length greater than or equal to %d", r.Min),
			fmt.Sprintf("%q must be at least %d characters", prop, r.Min),
			fmt.Sprintf("'%s' is too short (%d): at least %d characters required", prop, n, r.Min))
	case r.Max > 0 && n > r.Max:
		return r.say(path, prop, shown, fmt.Sprintf("length less than or equal to %d", r.Max),
			fmt.Sprintf("%q cannot be longer than %d characters", prop, r.Max),
			fmt.Sprintf("'%s' is too long (%d): at most %d characters allowed", prop, n, r.Max))
	case r.Pattern != nil && !fullMatch(r.Pattern, s):
		return r.say(path, prop, shown, "regular expression pattern: "+r.Pattern.String(),
			fmt.Sprintf("%q %s", prop, orDefault(r.Describe, "does not match "+r.Pattern.String())),
			fmt.Sprintf("'%s' does not match expression '%s'", prop, r.Pattern.String()))
	case len(r.Enum) > 0 && !contains(r.Enum, s):
		return r.say(path, prop, shown, "enum value set: ["+strings.Join(r.Enum, ", ")+"]",
			fmt.Sprintf("expected %s to be one of %v, got %s", prop, r.Enum, shown),
			fmt.Sprintf("'%s' must be one of [%s]", prop, strings.Join(r.Enum, ", ")))
	}
	for _, p := range r.NotPrefix {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(p)) {
			return r.say(path, prop, shown, "not beginning with "+p,
				fmt.Sprintf("%q cannot begin with %q", prop, p),
				fmt.Sprintf("'%s' must not start with '%s'", prop, p))
		}
	}
	return ""
}

// say words a violation in r's style.
func (r StringRule) say(path, prop, shown, constraint, terraform, azure string) string {
	switch r.Style {
	case StyleAWSAPI:
		return fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy %s",
			shown, path, constraint)
	case StyleTerraform:
		return terraform
	case StyleAzure:
		return azure
	}
	d := r.Describe
	if d == "" {
		d = constraint
	}
	return fmt.Sprintf("%s %q: %s (%s)", path, shown, d, r.Source)
}

func fullMatch(re *regexp.Regexp, s string) bool {
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func lastName(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.Index(path, "["); i >= 0 {
		path = path[:i]
	}
	return path
}
