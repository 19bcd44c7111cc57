package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDiscoverFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
	}{
		{"compose.yaml", []string{"compose.yaml"}, []string{"compose.yaml"}},
		{"preference order", []string{"docker-compose.yml", "compose.yml", "docker-compose.yaml"}, []string{"compose.yml"}},
		{"docker-compose.yml before .yaml", []string{"docker-compose.yaml", "docker-compose.yml"}, []string{"docker-compose.yml"}},
		{"with override", []string{"compose.yaml", "compose.override.yaml"}, []string{"compose.yaml", "compose.override.yaml"}},
		{"docker-compose override", []string{"docker-compose.yml", "docker-compose.override.yml"}, []string{"docker-compose.yml", "docker-compose.override.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("services: {}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := DiscoverFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range tt.want {
				want = append(want, filepath.Join(dir, f))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	if _, err := DiscoverFiles(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no compose file found") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := DiscoverFiles(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing directory must be an error")
	}
}

func TestLoadSources(t *testing.T) {
	dir := project(t, map[string]string{
		"compose.yaml":          "services:\n  web: {build: ./app, environment: [FROM=base]}\n",
		"compose.override.yaml": "services:\n  web: {environment: [FROM=override, EXTRA=1]}\n",
		"deploy/compose.yaml":   "name: Deploy_Name\nservices:\n  api: {build: ./ctx, environment: [\"V=${V}\"]}\n",
		"deploy/ctx/Dockerfile": "FROM scratch\n",
		"deploy/.env":           "V=from-deploy-env\n",
		"deploy/prod.yaml":      "services:\n  api: {image: api:prod}\n",
		".env":                  "V=from-root-env\n",
	})
	ctx := context.Background()

	t.Run("discovery merges the override", func(t *testing.T) {
		p, _, err := Load(ctx, LoadOptions{WorkingDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		web := p.Service("web")
		if env(t, web, "FROM").Value != "override" || env(t, web, "EXTRA").Value != "1" {
			t.Errorf("override not merged: %+v", web.Environment)
		}
		if p.Name != loaderName(filepath.Base(dir)) || p.WorkingDir != dir {
			t.Errorf("name %q dir %q", p.Name, p.WorkingDir)
		}
	})

	t.Run("files relative to WorkingDir, project dir of the first file", func(t *testing.T) {
		p, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeFiles: []string{"deploy/compose.yaml", "deploy/prod.yaml"}})
		if err != nil {
			t.Fatal(err)
		}
		api := p.Service("api")
		if p.Name != "deploy_name" || api.Image != "api:prod" || api.Build.Context != filepath.Join(dir, "deploy", "ctx") {
			t.Errorf("name %q image %q build %+v", p.Name, api.Image, api.Build)
		}
		if v := env(t, api, "V").Value; v != "from-deploy-env" {
			t.Errorf(".env next to the first file: V = %q", v)
		}
	})

	t.Run("explicit name and variables win", func(t *testing.T) {
		p, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeFiles: []string{filepath.Join(dir, "deploy", "compose.yaml")},
			ProjectName: "My Project!", Variables: map[string]string{"V": "var"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "myproject" || env(t, p.Service("api"), "V").Value != "var" {
			t.Errorf("name %q V %q", p.Name, env(t, p.Service("api"), "V").Value)
		}
	})

	t.Run("COMPOSE_PROJECT_NAME", func(t *testing.T) {
		p, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeYAML: "name: fromfile\nservices: {a: {image: x}}",
			Variables: map[string]string{"COMPOSE_PROJECT_NAME": "fromvar"}})
		if err != nil || p.Name != "fromvar" {
			t.Errorf("name %v %v", p, err)
		}
	})

	t.Run("interpolated name", func(t *testing.T) {
		p, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeYAML: "name: ${STAGE:-dev}-app\nservices: {a: {image: x, environment: [P=$COMPOSE_PROJECT_NAME]}}"})
		if err != nil || p.Name != "dev-app" || env(t, p.Services[0], "P").Value != "dev-app" {
			t.Errorf("name %+v %v", p, err)
		}
	})

	t.Run("both sources", func(t *testing.T) {
		_, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeYAML: "services: {}", ComposeFiles: []string{"compose.yaml"}})
		if err == nil || !strings.Contains(err.Error(), "not both") {
			t.Errorf("got %v", err)
		}
	})

	t.Run("missing file names it", func(t *testing.T) {
		_, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeFiles: []string{"nope.yaml"}})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nope.yaml")) || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v", err)
		}
	})

	t.Run("unparseable file names it", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		os.WriteFile(bad, []byte("services: [\n"), 0o644)
		_, _, err := Load(ctx, LoadOptions{ComposeFiles: []string{bad}})
		var errs Errors
		if err == nil || errors.As(err, &errs) || !strings.Contains(err.Error(), bad) {
			t.Errorf("got %v", err)
		}
	})

	t.Run("invalid project name", func(t *testing.T) {
		_, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeYAML: "services: {a: {image: x}}", ProjectName: "!!!"})
		if err == nil || !strings.Contains(err.Error(), "projectName") {
			t.Errorf("got %v", err)
		}
	})
}

// loaderName is compose's normalisation of a directory name.
func loaderName(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' || r == '-' {
			sb.WriteRune(r)
		}
	}
	return strings.TrimLeft(sb.String(), "_-")
}

func TestProfilesAndExtends(t *testing.T) {
	dir := project(t, map[string]string{
		"base.yaml": "services:\n  base: {image: base:1, environment: [FROM_BASE=1], deploy: {resources: {reservations: {memory: 64M}}}}\n",
	})
	yaml := `
services:
  app:
    extends: {file: base.yaml, service: base}
    environment: [OWN=2]
  debug:
    image: debug
    profiles: [debug]
`
	ctx := context.Background()
	p, _, err := Load(ctx, LoadOptions{WorkingDir: dir, ComposeYAML: yaml})
	if err != nil {
		t.Fatal(err)
	}
	app := p.Service("app")
	if app.Image != "base:1" || app.MemoryMiB != 64 || env(t, app, "FROM_BASE").Value != "1" || env(t, app, "OWN").Value != "2" {
		t.Errorf("extends: %+v", app)
	}
	if p.Service("debug") != nil {
		t.Error("profile services are off by default")
	}
	for _, opts := range []LoadOptions{
		{WorkingDir: dir, ComposeYAML: yaml, Profiles: []string{"debug"}},
		{WorkingDir: dir, ComposeYAML: yaml, Variables: map[string]string{"COMPOSE_PROFILES": "other, debug"}},
	} {
		p, _, err := Load(ctx, opts)
		if err != nil || p.Service("debug") == nil {
			t.Errorf("profile debug not enabled by %+v: %v", opts, err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	dir := project(t, nil)
	yaml := `
services:
  z: {image: z, ports: [9, 8, 7], environment: {C: "3", B: "2", A: "${X}"}, depends_on: [b, a], networks: [n2, n1]}
  a: {image: a, ports: [{target: 5432, mode: host}]}
  b: {image: b, ports: [{target: 6379, mode: host}]}
networks: {n1: {}, n2: {}}
`
	first, w1, err := Load(context.Background(), LoadOptions{WorkingDir: dir, ComposeYAML: yaml})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		again, w2, _ := Load(context.Background(), LoadOptions{WorkingDir: dir, ComposeYAML: yaml})
		if !reflect.DeepEqual(first, again) || !reflect.DeepEqual(w1, w2) {
			t.Fatal("Load is not deterministic")
		}
	}
	names := []string{}
	for _, s := range first.Services {
		names = append(names, s.Name)
	}
	z := first.Service("z")
	if !reflect.DeepEqual(names, []string{"a", "b", "z"}) || !reflect.DeepEqual(z.DependsOn, []string{"a", "b"}) ||
		!reflect.DeepEqual(z.Networks, []string{"n1", "n2"}) || z.Ports[0].Target != 7 || z.Environment[0].Name != "A" ||
		!reflect.DeepEqual(first.Networks, []string{"default", "n1", "n2"}) {
		t.Errorf("not sorted: %+v", first)
	}
}

// TestMalformedInput: odd documents give an error or a project, never a
// panic, and errors are never empty.
func TestMalformedInput(t *testing.T) {
	docs := []string{
		" ",
		"---\n",
		"42",
		"- a\n- b",
		"services: null",
		"services: []",
		"services: {a: null}",
		"services: {a: []}",
		"services: {a: {image: x, ports: abc}}",
		"services: {a: {image: x, ports: ['abc']}}",
		"services: {a: {image: x, ports: [{target: -1}]}}",
		"services: {a: {image: x, ports: [{}]}}",
		"services: {a: {image: x, ports: [null]}}",
		"services: {a: {image: x, ports: ['99999:99999']}}",
		"services: {a: {image: x, environment: foo}}",
		"services: {a: {image: x, environment: [1, 2]}}",
		"services: {a: {image: x, environment: {A: [1]}}}",
		"services: {a: {image: x, healthcheck: {test: 5}}}",
		"services: {a: {image: x, healthcheck: {test: []}}}",
		"services: {a: {image: x, healthcheck: {interval: banana}}}",
		"services: {a: {image: x, deploy: null}}",
		"services: {a: {image: x, deploy: {resources: null}}}",
		"services: {a: {image: x, deploy: {resources: {reservations: {memory: lots}}}}}",
		"services: {a: {image: x, deploy: {resources: {reservations: {devices: [{}]}}}}}",
		"services: {a: {image: x, x-defang-postgres: {allow-downtime: [1]}}}",
		"services: {a: {image: '${'}}",
		"services: {a: {image: x, build: 42}}",
		"services: {a: {build: {context: ''}}}",
		"services: {a: {image: x, env_file: [null]}}",
		"services: {a: {image: x, depends_on: {b: null}}}",
		"services: {a: {image: x, models: {m: 3}}}",
		"services: {a: {image: x, provider: {}}}",
		"services: {a: {image: x, provider: {type: model, options: null}}}",
		"services: {'': {image: x}}",
		"services: {a: {image: x}}\nmodels: {m: null}",
		"services: {a: {image: x, command: ''}}",
		"services: {a: {image: x, command: 'unterminated \"quote'}}",
		"x-anchor: &a {image: x}\nservices: {a: *a, b: {<<: *a}}",
		"services:\n  a:\n    image: x\n  a:\n    image: y",
		"version: '3'\nservices: {a: {image: x}}",
		"include: [missing.yaml]\nservices: {a: {image: x}}",
		"services: {a: {extends: {service: nope}}}",
		"services: {a: {extends: {service: a}, image: x}}",
		"services: {a: {image: x, networks: {n: null}}}\nnetworks: {n: null}",
		"services: {a: {image: x, volumes: [':::']}}",
		"services: {a: {image: x, ports: [{target: 80, published: 'x'}]}}",
		strings.Repeat("services: {a: {image: x}}\n---\n", 3),
	}
	for _, d := range docs {
		t.Run(d, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			p, _, err := loadYAML(t, d)
			if err == nil && p == nil {
				t.Fatal("no project and no error")
			}
			if err != nil && strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error")
			}
		})
	}
}

// compose-go's schema validator lists unknown properties in map order; the
// same file must always fail with the same message (found by FuzzLoad,
// testdata/fuzz/FuzzLoad/a6e745b6a753c403).
func TestSchemaErrorsAreDeterministic(t *testing.T) {
	yaml := "services:\n  web:\n    image: nginx\nB: 1\nC: 2\nD: 3\n"
	opts := LoadOptions{ComposeYAML: yaml, WorkingDir: project(t, nil)}
	want := ""
	for i := 0; i < 20; i++ {
		_, _, err := Load(context.Background(), opts)
		if err == nil {
			t.Fatal("unknown top-level properties were accepted")
		}
		if i == 0 {
			want = err.Error()
			if !strings.Contains(want, "'B', 'C', 'D'") {
				t.Errorf("the properties are not listed in order: %v", err)
			}
		} else if err.Error() != want {
			t.Fatalf("load %d failed with %q, the first with %q", i, err, want)
		}
	}
}
