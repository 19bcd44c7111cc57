package compose

import (
	"reflect"
	"testing"
)

func TestParseManagedStore(t *testing.T) {
	tests := []struct {
		name     string
		in       any
		want     *ManagedStore
		problems int
		unknown  []string
	}{
		{"true", true, &ManagedStore{}, 0, nil},
		{"false", false, nil, 0, nil},
		{"string true", "true", &ManagedStore{}, 0, nil},
		{"null means present", nil, &ManagedStore{}, 0, nil},
		{"empty map", map[string]any{}, &ManagedStore{}, 0, nil},
		{"options", map[string]any{"allow-downtime": true, "from-snapshot": "snap"}, &ManagedStore{AllowDowntime: true, FromSnapshot: "snap"}, 0, nil},
		{"unknown option", map[string]any{"size": "big"}, &ManagedStore{}, 0, []string{"size"}},
		{"bad option types", map[string]any{"allow-downtime": "maybe", "from-snapshot": 3}, &ManagedStore{}, 2, nil},
		{"number", 1, nil, 1, nil},
		{"list", []any{"x"}, nil, 1, nil},
	}
	for _, tt := range tests {
		got, problems, unknown := parseManagedStore(tt.in)
		if !reflect.DeepEqual(got, tt.want) || len(problems) != tt.problems || !reflect.DeepEqual(unknown, tt.unknown) {
			t.Errorf("%s: got %+v %v %v", tt.name, got, problems, unknown)
		}
	}
}

func TestImageNames(t *testing.T) {
	tests := []struct{ image, base, version string }{
		{"postgres:16.4", "postgres", "16"},
		{"postgres", "postgres", ""},
		{"postgres:latest", "postgres", ""},
		{"postgres:16-alpine", "postgres", "16"},
		{"pgvector/pgvector:pg16", "pgvector", "16"},
		{"docker.io/library/redis:6.2", "redis", "6"},
		{"localhost:5000/team/mongo:7.0.2@sha256:abc", "mongo", "7"},
		{"registry:5000/valkey", "valkey", ""},
		{"bitnami/postgresql:15.3.0-debian-11-r0", "postgresql", "15"},
		{"redis:alpine", "redis", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := imageBaseName(tt.image); got != tt.base {
			t.Errorf("imageBaseName(%q) = %q, want %q", tt.image, got, tt.base)
		}
		if got := majorVersion(tt.image); got != tt.version {
			t.Errorf("majorVersion(%q) = %q, want %q", tt.image, got, tt.version)
		}
	}
}

func TestExtensionsAndModels(t *testing.T) {
	yaml := `
services:
  app:
    build: ./app
    x-defang-llm: true
    x-defang-autoscaling: true
    models:
      chat-model:
      embed: {endpoint_var: EMBED_ENDPOINT, model_var: EMBED_NAME}
  list:
    image: x
    models: [chat-model]
  llm:
    provider: {type: model, options: {model: ai/smollm2}}
    x-defang-llm: true
models:
  embed: {model: ai/mxbai-embed-large}
  chat-model: {model: ai/smollm2}
`
	p, _ := mustLoad(t, yaml)
	app := p.Service("app")
	if !app.LLM || !app.Autoscaling || app.ProviderModel != "" {
		t.Errorf("app flags: %+v", app)
	}
	wantModels := []ServiceModel{
		{Name: "chat-model", EndpointVar: "CHAT_MODEL_URL", ModelVar: "CHAT_MODEL_MODEL"},
		{Name: "embed", EndpointVar: "EMBED_ENDPOINT", ModelVar: "EMBED_NAME"},
	}
	if !reflect.DeepEqual(app.Models, wantModels) {
		t.Errorf("app models = %+v", app.Models)
	}
	if got := p.Service("list").Models; !reflect.DeepEqual(got, wantModels[:1]) {
		t.Errorf("list models = %+v", got)
	}
	llm := p.Service("llm")
	if !llm.LLM || llm.ProviderModel != "ai/smollm2" || llm.Image != "" || llm.Build != nil {
		t.Errorf("llm = %+v", llm)
	}
	wantTop := []Model{{Name: "chat-model", Model: "ai/smollm2"}, {Name: "embed", Model: "ai/mxbai-embed-large"}}
	if !reflect.DeepEqual(p.Models, wantTop) {
		t.Errorf("models = %+v", p.Models)
	}
}

func TestProviderModelServiceRefs(t *testing.T) {
	yaml := `
services:
  app:
    image: x
    environment: [LLM_URL=http://llm/api/v1/]
  llm:
    provider: {type: model, options: {model: ai/smollm2}}
`
	p, _ := mustLoad(t, yaml)
	if got := env(t, p.Service("app"), "LLM_URL").ServiceRefs; !reflect.DeepEqual(got, []string{"llm"}) {
		t.Errorf("ServiceRefs = %v: the LLM gateway of a model provider is reachable", got)
	}
}

// TestPolicies: x-defang-policies is known (no warning), read as a list or
// a comma-separated string, sorted and distinct; an entry that is not a
// string or still holds `${...}` is an error naming the service and entry.
func TestPolicies(t *testing.T) {
	yaml := `
services:
  list:
    image: x
    x-defang-policies:
      - arn:aws:iam::aws:policy/ReadOnlyAccess
      - " arn:aws:iam::123456789012:policy/team/App, arn:aws:iam::aws:policy/ReadOnlyAccess "
      - ""
  scalar:
    image: x
    x-defang-policies: ${POLICIES}
  none:
    image: x
`
	p, warns := mustLoad(t, yaml, func(o *LoadOptions) {
		o.Variables = map[string]string{"POLICIES": "acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1,Reader"}
	})
	if d, ok := find(warns, "list", extPolicies, ""); ok {
		t.Errorf("x-defang-policies warns: %s", d)
	}
	if got, want := p.Service("list").Policies, []string{"arn:aws:iam::123456789012:policy/team/App", "arn:aws:iam::aws:policy/ReadOnlyAccess"}; !reflect.DeepEqual(got, want) {
		t.Errorf("list policies = %q, want %q", got, want)
	}
	if got, want := p.Service("scalar").Policies, []string{"Reader", "acdd72a7-3c7f-4df0-9aa1-d59ef6e1f8d1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("scalar policies = %q, want %q", got, want)
	}
	if got := p.Service("none").Policies; got != nil {
		t.Errorf("none policies = %q", got)
	}

	bad := `
services:
  app:
    image: x
    x-defang-policies: ['$${ROLE}', 3]
  other:
    image: x
    x-defang-policies: {a: b}
`
	_, _, err := loadYAML(t, bad)
	errs := errorsOf(t, err)
	for _, want := range []struct{ service, substr string }{
		{"app", `entry "${ROLE}" holds an unresolved variable`},
		{"app", "entry 1 must be a string"},
		{"other", "must be a list of policies"},
	} {
		if _, ok := find(errs, want.service, extPolicies, want.substr); !ok {
			t.Errorf("want an error for %s %s containing %q, got:\n%s", want.service, extPolicies, want.substr, diagStrings(errs))
		}
	}
}

// TestUlimitsAndShmSize: ulimits are kept (a single value is both limits),
// sorted by name, with the service's shm_size; whether a cloud honours them
// is the cloud's to say, so the compose layer does not warn.
func TestUlimitsAndShmSize(t *testing.T) {
	p, warns := mustLoad(t, svc("    shm_size: 1g\n    ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}\n"))
	app := p.Service("app")
	want := []Ulimit{{Name: "nofile", Soft: 20000, Hard: 40000}, {Name: "nproc", Soft: 65535, Hard: 65535}}
	if !reflect.DeepEqual(app.Ulimits, want) || app.ShmSizeBytes != 1<<30 {
		t.Errorf("ulimits %+v shm %d", app.Ulimits, app.ShmSizeBytes)
	}
	if d, ok := find(warns, "app", "ulimits", ""); ok {
		t.Errorf("compose warns about ulimits: %s", d)
	}
}

// A managed store or a model provider runs no container of ours, so it has
// no identity to grant policies to: x-defang-policies there warns.
func TestPoliciesOnServicesWithoutAContainer(t *testing.T) {
	yaml := `
services:
  db:
    image: postgres:16
    x-defang-postgres: true
    x-defang-policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  llm:
    provider: {type: model, options: {model: ai/smollm2}}
    x-defang-policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
`
	_, warns := mustLoad(t, yaml)
	for _, service := range []string{"db", "llm"} {
		if _, ok := find(warns, service, extPolicies, "ignored"); !ok {
			t.Errorf("want a warning for %s, got:\n%s", service, diagStrings(warns))
		}
	}
}
