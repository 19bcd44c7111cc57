package compose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
)

// lookupFunc maps a variable name to its value; ok is false when the variable
// is not set at all (an empty value is set).
type lookupFunc = template.Mapping

// mapLookup returns a lookupFunc over a fixed map: interpolation never reads
// the process environment (see the package documentation).
func mapLookup(env map[string]string) lookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// substitution is the result of interpolating one string.
type substitution struct {
	// Value is the interpolated string.
	Value string
	// Missing are the names of plain references (`$NAME`, `${NAME}`) to
	// variables that are not set, in order of appearance, without duplicates.
	// References with a default, an alternative or a required marker
	// (`${X:-d}`, `${X:+a}`, `${X?err}`) are never missing: compose applies
	// their own semantics.
	Missing []string
}

// interpolate substitutes variables in s with compose's semantics. A plain
// reference to a variable that lookup does not know becomes blank, as in
// compose, or, when keepMissing is set, stays in the result as `${NAME}` so
// that it can be read from config later. Both modes report the names in
// Missing.
//
// compose-go's template package does the parsing and applies defaults; this
// wrapper only decides what a missing plain reference becomes. It never logs
// (compose-go's own substitution prints "variable is not set" to stderr; we
// turn those into diagnostics instead).
func interpolate(s string, lookup lookupFunc, keepMissing bool) (substitution, error) {
	var res substitution
	if !strings.Contains(s, "$") {
		res.Value = s
		return res, nil
	}
	seen := map[string]bool{}
	var replace template.ReplacementFunc
	replace = func(match string, mapping template.Mapping, cfg *template.Config) (string, error) {
		// The pattern is greedy: `${A:-x}/${B}` arrives as one match. Handle
		// the first reference here and the rest recursively with this same
		// function, so that a missing B is treated like a missing A
		// (compose-go would hand the rest to its default, logging function).
		head, rest := match, ""
		if i := firstBraceClosingIndex(match); i > -1 {
			head, rest = match[:i+1], match[i+1:]
		}
		value, applied, err := template.DefaultReplacementAppliedFunc(head, mapping, cfg)
		if err != nil {
			return "", err
		}
		if !applied {
			// Only a plain reference to an unset variable is not applied:
			// escapes (`$$`), set variables and references with modifiers
			// all are.
			name := strings.Trim(strings.TrimPrefix(head, "$"), "{}")
			if !seen[name] {
				seen[name] = true
				res.Missing = append(res.Missing, name)
			}
			value = ""
			if keepMissing {
				value = "${" + name + "}"
			}
		}
		if rest != "" {
			tail, err := template.SubstituteWithOptions(rest, mapping,
				template.WithReplacementFunction(replace), template.WithoutLogging)
			if err != nil {
				return "", err
			}
			value += tail
		}
		return value, nil
	}
	out, err := template.SubstituteWithOptions(s, lookup,
		template.WithReplacementFunction(replace), template.WithoutLogging)
	if err != nil {
		return substitution{}, err
	}
	res.Value = out
	return res, nil
}

// composeSubstitute is the interpolation function handed to compose-go: the
// same semantics as compose's (missing variables become blank) without the
// logging, so one implementation serves both the loader and our own
// environment templates and they cannot disagree.
func composeSubstitute(s string, mapping template.Mapping) (string, error) {
	res, err := interpolate(s, mapping, false)
	return res.Value, err
}

// firstBraceClosingIndex mirrors compose-go's unexported helper: the index of
// the brace closing the first `${`, or -1.
func firstBraceClosingIndex(s string) int {
	open := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '}' {
			open--
			if open == 0 {
				return i
			}
		}
		if s[i] == '{' {
			open++
			i++
		}
	}
	return -1
}

// missingVariableWarnings walks a raw (not interpolated) compose model and
// warns, like compose does, about every plain reference to a variable that is
// not set and so defaults to a blank string. Environment values are skipped:
// there a missing variable is a config reference, not a blank. Only the
// services in active are visited, so services disabled by profiles stay quiet.
func missingVariableWarnings(raw map[string]any, lookup lookupFunc, active map[string]bool) []Diagnostic {
	var out []Diagnostic
	seen := map[string]bool{}
	report := func(service, field string, names []string) {
		for _, name := range names {
			key := service + "\x00" + field + "\x00" + name
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Diagnostic{
				Service: service,
				Field:   field,
				Message: fmt.Sprintf("variable %q is not set, defaulting to a blank string; set it in the .env file or the Project's variables", name),
			})
		}
	}
	var walk func(service, path string, v any)
	walk = func(service, path string, v any) {
		switch v := v.(type) {
		case string:
			if res, err := interpolate(v, lookup, false); err == nil {
				report(service, path, res.Missing)
			}
		case map[string]any:
			for _, k := range sortedKeys(v) {
				walk(service, joinField(path, k), v[k])
			}
		case []any:
			for i, e := range v {
				walk(service, fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	for _, key := range sortedKeys(raw) {
		if key != "services" {
			walk("", key, raw[key])
			continue
		}
		services, _ := raw[key].(map[string]any)
		for _, name := range sortedKeys(services) {
			if !active[name] {
				continue
			}
			svc, _ := services[name].(map[string]any)
			for _, field := range sortedKeys(svc) {
				if field == "environment" {
					continue
				}
				walk(name, field, svc[field])
			}
		}
	}
	return out
}

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
