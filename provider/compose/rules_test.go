package compose

import (
	"context"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestErrorRules(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		files   map[string]string
		service string
		field   string
		want    string
	}{
		{"no image nor build", "services:\n  app: {}\n", nil, "app", "image", "neither an image nor a build"},
		{"devices", svc("    devices: ['/dev/fuse:/dev/fuse']\n"), nil, "app", "devices", "not supported"},
		{"dns", svc("    dns: 8.8.8.8\n"), nil, "app", "dns", "not supported"},
		{"dns_search", svc("    dns_search: example.com\n"), nil, "app", "dns_search", "not supported"},
		{"group_add", svc("    group_add: [mail]\n"), nil, "app", "group_add", "not supported"},
		{"port target zero", svc("    ports: [{target: 0}]\n"), nil, "app", "ports[0].target", "outside 1-65535"},
		{"port target too big", svc("    ports: [{target: 80}, {target: 65536}]\n"), nil, "app", "ports[1].target", "outside 1-65535"},
		{"protocol sctp", svc("    ports: [{target: 80, protocol: sctp}]\n"), nil, "app", "ports[0].protocol", `protocol "sctp" is not supported`},
		{"app_protocol https", svc("    ports: [{target: 80, app_protocol: https}]\n"), nil, "app", "ports[0].app_protocol", "not supported"},
		{"protocol and app_protocol disagree", svc("    ports: [{target: 80, protocol: grpc, app_protocol: http}]\n"), nil, "app", "ports[0].app_protocol", "contradicts"},
		{"port mode", svc("    ports: [{target: 80, mode: global}]\n"), nil, "app", "ports[0].mode", `port mode "global"`},
		{"duplicate target", svc("    ports: [{target: 80}, {target: 80, published: 8080}]\n"), nil, "app", "ports[1].target", "duplicate port 80/tcp (also ports[0])"},
		{"duplicate target with http protocol", svc("    ports: ['80:80', {target: 80, protocol: http, published: 81}]\n"), nil, "app", "ports[1].target", "duplicate port 80/tcp"},
		{"udp with an http app_protocol", svc("    ports: [{target: 53, protocol: udp, mode: ingress, app_protocol: http}]\n"), nil, "app", "ports[0].app_protocol", "needs a TCP port"},
		{"published range", svc("    ports: [{target: 80, published: '8000-8001'}]\n"), nil, "app", "ports[0].published", "ranges"},
		{"domainname without ingress", svc("    domainname: example.com\n    ports: [{target: 80, mode: host}]\n"), nil, "app", "domainname", "needs an ingress port"},
		{"domainname without ports", svc("    domainname: example.com\n"), nil, "app", "domainname", "needs an ingress port"},
		{"deploy mode global", svc("    deploy: {mode: global}\n"), nil, "app", "deploy.mode", `deploy mode "global"`},
		{"negative reservation cpus", svc("    deploy: {resources: {reservations: {cpus: '-0.5'}}}\n"), nil, "app", "deploy.resources.reservations.cpus", "negative"},
		{"negative limit cpus", svc("    deploy: {resources: {limits: {cpus: -1}}}\n"), nil, "app", "deploy.resources.limits.cpus", "negative"},
		{"dns label collision", "services:\n  my_app: {image: x}\n  my.app: {image: x}\n", nil, "my_app", "name", `both become the DNS name "my-app"`},
		{"dns label collision case", "services:\n  Web: {image: x}\n  web: {image: x}\n", nil, "web", "name", "DNS name"},
		{"missing build context", "services:\n  app:\n    build: ./nope\n", nil, "app", "build.context", "does not exist"},
		{"build context is a file", "services:\n  app:\n    build: ./file.txt\n", map[string]string{"file.txt": "x"}, "app", "build.context", "not a directory"},
		{"remote build context", "services:\n  app:\n    build: https://github.com/docker/getting-started.git\n", nil, "app", "build.context", "remote build contexts are not supported"},
		{"git build context", "services:\n  app:\n    build: git@github.com:org/repo.git\n", nil, "app", "build.context", "remote build contexts are not supported"},
		{"absolute dockerfile", "services:\n  app:\n    build: {context: ./app, dockerfile: /etc/Dockerfile}\n", nil, "app", "build.dockerfile", "not absolute"},
		{"dockerfile climbs out", "services:\n  app:\n    build: {context: ./app, dockerfile: ../Dockerfile}\n", map[string]string{"Dockerfile": "FROM scratch"}, "app", "build.dockerfile", "climbs out"},
		{"dockerfile climbs out after a detour", "services:\n  app:\n    build: {context: ./app, dockerfile: sub/../../Dockerfile}\n", nil, "app", "build.dockerfile", "climbs out"},
		{"inline dockerfile", "services:\n  app:\n    build: {context: ./app, dockerfile_inline: 'FROM scratch'}\n", nil, "app", "build.dockerfile_inline", "not supported"},
		{"provider type", "services:\n  app:\n    provider: {type: compose-extension}\n", nil, "app", "provider.type", "not supported"},
		{"model provider without model", "services:\n  app:\n    provider: {type: model}\n", nil, "app", "provider.options.model", "needs options.model"},
		{"two managed stores", "services:\n  db: {image: postgres:16, x-defang-postgres: true, x-defang-redis: true}\n", nil, "db", "x-defang-redis", "only one managed store"},
		{"bad managed value", "services:\n  db: {image: postgres:16, x-defang-postgres: [1]}\n", nil, "db", "x-defang-postgres", "must be true, false or a map"},
		{"bad allow-downtime", "services:\n  db: {image: postgres:16, x-defang-postgres: {allow-downtime: maybe}}\n", nil, "db", "x-defang-postgres", "allow-downtime must be true or false"},
		{"bad llm value", svc("    x-defang-llm: 3\n"), nil, "app", "x-defang-llm", "must be true or false"},
		{"required env_file missing", svc("    env_file: missing.env\n"), nil, "app", "env_file[0]", "not found"},
		{"undefined dependency", svc("    depends_on: [db]\n"), nil, "app", "depends_on", `undefined service "db"`},
		{"dependency disabled by profile", svc("    depends_on: [db]\n") + "  db: {image: x, profiles: [debug]}\n", nil, "app", "depends_on", "disabled by its profiles"},
		{"undefined volume", svc("    volumes: ['data:/data']\n"), nil, "app", "volumes[0]", `undefined volume "data"`},
		{"undefined model", svc("    models: [llm]\n"), nil, "app", "models", `undefined model "llm"`},
		{"healthcheck test prefix", svc("    healthcheck: {test: [FOO, bar]}\n"), nil, "app", "healthcheck.test", "must start with"},
		{"scale and replicas disagree", svc("    scale: 2\n    deploy: {replicas: 3}\n"), nil, "app", "scale", "disagree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := project(t, tt.files)
			_, _, err := Load(context.Background(), LoadOptions{ComposeYAML: tt.yaml, WorkingDir: dir})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			errs := errorsOf(t, err)
			if _, ok := find(errs, tt.service, tt.field, tt.want); !ok {
				t.Fatalf("want an error for service %q field %q containing %q, got:\n%s", tt.service, tt.field, tt.want, diagStrings(errs))
			}
		})
	}
}

// TestValidEdgeCases are close to the error rules but fine.
func TestValidEdgeCases(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"timeout below interval", svc("    healthcheck: {test: [CMD, 'true'], interval: 10s, timeout: 9s}\n")},
		{"only timeout", svc("    healthcheck: {test: [CMD, 'true'], timeout: 90s}\n")},
		{"managed store healthcheck is not run", "services:\n  db:\n    image: postgres:16\n    x-defang-postgres: true\n    healthcheck: {test: [CMD-SHELL, pg_isready], interval: 5s, timeout: 5s}\n"},
		{"replicated mode", svc("    deploy: {mode: replicated, replicas: 2}\n")},
		{"udp without mode", svc("    ports: [{target: 53, protocol: udp}]\n")},
		{"udp host", svc("    ports: [{target: 53, protocol: udp, mode: host}]\n")},
		{"udp explicit ingress", svc("    ports: [{target: 53, protocol: udp, mode: ingress}]\n")},
		{"udp short syntax", svc("    ports: ['53:53/udp']\n")},
		{"udp and tcp ingress on one port", svc("    ports: ['53:53/udp', '53:53/tcp']\n")},
		{"same target, other protocol", svc("    ports: [{target: 53, protocol: udp, mode: host}, {target: 53, mode: host}]\n")},
		{"dockerfile in a subdirectory", "services:\n  app:\n    build: {context: ., dockerfile: app/Dockerfile}\n"},
		{"domainname with ingress", svc("    domainname: example.com\n    ports: [80]\n")},
		{"model provider", "services:\n  llm:\n    provider: {type: model, options: {model: ai/smollm2}}\n"},
		{"optional env_file missing", svc("    env_file: [{path: missing.env, required: false}]\n")},
		{"optional dependency disabled by profile", svc("    depends_on: {db: {condition: service_started, required: false}}\n") + "  db: {image: x, profiles: [debug]}\n"},
		{"managed store false", "services:\n  db: {image: postgres:16, x-defang-postgres: false}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := loadYAML(t, tt.yaml); err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

// TestAllProblemsReported: one load reports every problem of a file, each
// naming its service and field.
func TestAllProblemsReported(t *testing.T) {
	yaml := `
services:
  web:
    build: ./missing
    hostname: web
    ports:
      - target: 0
      - target: 80
        protocol: sctp
    deploy:
      mode: global
  api:
    image: api
    dns: 1.1.1.1
    ports: [{target: 53, protocol: sctp}]
    healthcheck: {test: [CMD, 'true'], interval: 5s, timeout: 5s}
  worker: {}
`
	dir := project(t, nil)
	opts := LoadOptions{ComposeYAML: yaml, WorkingDir: dir}
	_, _, err := Load(context.Background(), opts)
	errs := errorsOf(t, err)
	want := []struct{ service, field string }{
		{"api", "dns"},
		{"api", "ports[0].protocol"},
		{"web", "deploy.mode"},
		{"web", "build.context"},
		{"web", "ports[0].target"},
		{"web", "ports[1].protocol"},
		{"worker", "image"},
	}
	for _, w := range want {
		if _, ok := find(errs, w.service, w.field, ""); !ok {
			t.Errorf("missing error for %s %s in:\n%s", w.service, w.field, diagStrings(errs))
		}
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(errs), len(want), diagStrings(errs))
	}
	for _, d := range errs {
		if d.Service == "" || d.Field == "" {
			t.Errorf("error without service or field: %v", d)
		}
	}
	msg := err.Error()
	if !strings.Contains(msg, "7 problems") || !strings.Contains(msg, `service "web": deploy.mode:`) {
		t.Errorf("error text does not list every problem:\n%s", msg)
	}
	// Diagnostics are deterministic: the same input gives the same error.
	for i := 0; i < 5; i++ {
		_, _, again := Load(context.Background(), opts)
		if again.Error() != msg {
			t.Fatalf("error text changed between loads:\n%s\n---\n%s", msg, again.Error())
		}
	}
}

func TestDNSLabel(t *testing.T) {
	long := strings.Repeat("a", 70)
	tests := []struct{ in, want string }{
		{"web", "web"},
		{"My_App", "my-app"},
		{"api.v2", "api-v2"},
		{"_private_", "private"},
		{"a--b", "a--b"},
		{"123", "123"},
	}
	for _, tt := range tests {
		if got := DNSLabel(tt.in); got != tt.want {
			t.Errorf("DNSLabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := DNSLabel(long)
	if len(got) > 63 || !strings.HasPrefix(got, strings.Repeat("a", 54)+"-") {
		t.Errorf("DNSLabel(long) = %q (%d chars)", got, len(got))
	}
	if got != DNSLabel(long) || got == DNSLabel(long+"b") {
		t.Error("shortened labels must be deterministic and distinct")
	}
	if got := DNSLabel("___"); !strings.HasPrefix(got, "svc-") {
		t.Errorf("DNSLabel(___) = %q", got)
	}
}

// Rules are plain functions: they also work on hand-built compose types.
func TestCheckUnsupportedFieldsDirect(t *testing.T) {
	s := types.ServiceConfig{Name: "x"}
	s.DNS = []string{"1.1.1.1"}
	s.GroupAdd = []string{"g"}
	got := checkUnsupportedFields(s)
	if len(got) != 2 || got[0].Field != "dns" || got[1].Field != "group_add" {
		t.Fatalf("got %v", got)
	}
	if d := checkImageOrBuild(types.ServiceConfig{Name: "x", Provider: &types.ServiceProviderConfig{Type: "model"}}); d != nil {
		t.Fatalf("provider services need no image: %v", d)
	}
}
