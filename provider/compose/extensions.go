package compose

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The service extensions Defang supports.
const (
	extPostgres    = "x-defang-postgres"
	extRedis       = "x-defang-redis"
	extMongo       = "x-defang-mongodb"
	extLLM         = "x-defang-llm"
	extAutoscaling = "x-defang-autoscaling"
	extPolicies    = "x-defang-policies"
)

// supportedExtensions are the `x-` keys a service may carry without a
// warning.
var supportedExtensions = map[string]bool{
	extPostgres: true, extRedis: true, extMongo: true, extLLM: true, extAutoscaling: true,
	extPolicies: true,
}

// extensions is what a service's extensions and `provider:` make of it.
type extensions struct {
	Postgres, Redis, Mongo *ManagedStore
	LLM, Autoscaling       bool
	ProviderModel          string
	Policies               []string
}

// serviceExtensions reads the Defang extensions and the compose `provider:`
// of a service.
func serviceExtensions(svc types.ServiceConfig) (extensions, []Diagnostic, []Diagnostic) {
	var ext extensions
	var errs, warns []Diagnostic
	fail := func(field, msg string, args ...any) {
		errs = append(errs, Diagnostic{Service: svc.Name, Field: field, Message: fmt.Sprintf(msg, args...)})
	}

	var managed []string
	for _, st := range []struct {
		key    string
		target **ManagedStore
	}{{extPostgres, &ext.Postgres}, {extRedis, &ext.Redis}, {extMongo, &ext.Mongo}} {
		v, ok := svc.Extensions[st.key]
		if !ok {
			continue
		}
		store, problems, unknown := parseManagedStore(v)
		for _, p := range problems {
			fail(st.key, "%s", p)
		}
		for _, k := range unknown {
			warns = append(warns, Diagnostic{Service: svc.Name, Field: st.key + "." + k,
				Message: fmt.Sprintf("unknown option %q is ignored; supported: allow-downtime, from-snapshot", k)})
		}
		if store == nil {
			continue
		}
		store.Image = svc.Image
		store.Version = majorVersion(svc.Image)
		*st.target = store
		managed = append(managed, st.key)
	}
	if len(managed) > 1 {
		fail(managed[1], "a service can be only one managed store, but it sets both %s and %s", managed[0], managed[1])
	}

	for _, flag := range []struct {
		key    string
		target *bool
	}{{extLLM, &ext.LLM}, {extAutoscaling, &ext.Autoscaling}} {
		v, ok := svc.Extensions[flag.key]
		if !ok {
			continue
		}
		b, isBool := asBool(v)
		if !isBool {
			fail(flag.key, "must be true or false (got %v)", v)
			continue
		}
		*flag.target = b
	}

	if v, ok := svc.Extensions[extPolicies]; ok {
		policies, problems := parsePolicies(v)
		for _, p := range problems {
			fail(extPolicies, "%s", p)
		}
		ext.Policies = policies
	}

	if pv := svc.Provider; pv != nil {
		switch pv.Type {
		case "model":
			if models := pv.Options["model"]; len(models) > 0 && models[0] != "" {
				ext.ProviderModel = models[0]
			} else {
				fail("provider.options.model", "a model provider needs options.model (e.g. ai/smollm2)")
			}
			// A model provider is served by the LLM gateway.
			ext.LLM = true
			if svc.Image != "" || svc.Build != nil {
				warns = append(warns, Diagnostic{Service: svc.Name, Field: "provider",
					Message: "image and build are ignored for a model provider service"})
			}
		default:
			fail("provider.type", "provider type %q is not supported; only \"model\" is", pv.Type)
		}
	}
	// A managed store or a model provider runs no container of its own, so
	// there is no identity for the grants to reach.
	if len(ext.Policies) > 0 && (len(managed) > 0 || ext.ProviderModel != "") {
		warns = append(warns, Diagnostic{Service: svc.Name, Field: extPolicies,
			Message: "x-defang-policies is ignored: a managed store or model provider service runs no container to grant them to"})
	}
	return ext, errs, warns
}

// parsePolicies reads x-defang-policies as Defang does: a list of strings,
// or one string (what `x-defang-policies: ${POLICIES}` becomes once
// interpolated), each split at commas, trimmed, blanks dropped. It returns
// the entries sorted and without duplicates (each is one grant, and the
// model's slices are sorted) and the problems with the value. What an entry
// must look like is the cloud's business (an IAM policy ARN, an Azure role
// definition): this layer only refuses what no cloud can take. An entry
// that still holds `${` came from an escaped `$${...}` or a variable
// interpolation could not see; policies are not read from config, so it
// would reach the cloud as text.
func parsePolicies(v any) ([]string, []string) {
	var raw []string
	var problems []string
	switch t := v.(type) {
	case nil:
	case string:
		raw = []string{t}
	case []any:
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("entry %d must be a string (got %v)", i, e))
				continue
			}
			raw = append(raw, s)
		}
	default:
		return nil, []string{fmt.Sprintf("must be a list of policies or a comma-separated string (got %v)", v)}
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range raw {
		for _, e := range strings.Split(r, ",") {
			e = strings.TrimSpace(e)
			if e == "" || seen[e] {
				continue
			}
			seen[e] = true
			if strings.Contains(e, "${") {
				problems = append(problems, fmt.Sprintf("entry %q holds an unresolved variable: policies are not read from config; set the variable in .env or in the Project's variables", e))
				continue
			}
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return out, problems
}

// parseManagedStore reads a managed store extension: true, false (not
// managed), null (present, so managed) or a map with allow-downtime and
// from-snapshot. It returns the store (nil when not managed), problems with
// the value and the unknown map keys.
func parseManagedStore(v any) (*ManagedStore, []string, []string) {
	if v == nil {
		return &ManagedStore{}, nil, nil
	}
	if b, ok := asBool(v); ok {
		if !b {
			return nil, nil, nil
		}
		return &ManagedStore{}, nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []string{fmt.Sprintf("must be true, false or a map with allow-downtime and from-snapshot (got %v)", v)}, nil
	}
	store := &ManagedStore{}
	var problems, unknown []string
	for _, k := range sortedKeys(m) {
		switch k {
		case "allow-downtime":
			b, ok := asBool(m[k])
			if !ok {
				problems = append(problems, fmt.Sprintf("allow-downtime must be true or false (got %v)", m[k]))
			}
			store.AllowDowntime = b
		case "from-snapshot":
			s, ok := m[k].(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("from-snapshot must be a snapshot name (got %v)", m[k]))
			}
			store.FromSnapshot = s
		default:
			unknown = append(unknown, k)
		}
	}
	return store, problems, unknown
}

// asBool accepts a YAML boolean or, as interpolation leaves it, its string.
func asBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

// splitImage splits an image reference into its repository path and its
// tag; a digest is dropped.
func splitImage(image string) (repo, tag string) {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	slash := strings.LastIndex(image, "/")
	if i := strings.LastIndex(image, ":"); i > slash {
		return image[:i], image[i+1:]
	}
	return image, ""
}

// imageBaseName is the last path component of the repository, lowercase:
// "postgres" for docker.io/library/postgres:16, "pgvector" for
// pgvector/pgvector:pg16.
func imageBaseName(image string) string {
	repo, _ := splitImage(image)
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		repo = repo[i+1:]
	}
	return strings.ToLower(repo)
}

// majorVersion is the first run of digits in the image tag: "16" for
// postgres:16.4 and pgvector/pgvector:pg16, "6" for redis:6.2-alpine, ""
// for latest, no tag or a tag without digits.
func majorVersion(image string) string {
	_, tag := splitImage(image)
	start := strings.IndexAny(tag, "0123456789")
	if start < 0 {
		return ""
	}
	end := start
	for end < len(tag) && tag[end] >= '0' && tag[end] <= '9' {
		end++
	}
	return tag[start:end]
}

// projectModels lists the top-level `models:` by name.
func projectModels(models types.Models) []Model {
	var out []Model
	for _, name := range sortedKeys(models) {
		out = append(out, Model{Name: name, Model: models[name].Model})
	}
	return out
}

// serviceModels lists the models a service uses with the variables that
// carry their endpoint and name; compose's defaults are <NAME>_URL and
// <NAME>_MODEL with NAME uppercased and other characters made '_'.
func serviceModels(svc types.ServiceConfig) []ServiceModel {
	var out []ServiceModel
	for _, name := range sortedKeys(svc.Models) {
		m := ServiceModel{Name: name, EndpointVar: modelVarName(name, "_URL"), ModelVar: modelVarName(name, "_MODEL")}
		if cfg := svc.Models[name]; cfg != nil {
			if cfg.EndpointVariable != "" {
				m.EndpointVar = cfg.EndpointVariable
			}
			if cfg.ModelVariable != "" {
				m.ModelVar = cfg.ModelVariable
			}
		}
		out = append(out, m)
	}
	return out
}

func modelVarName(name, suffix string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String() + suffix
}
