package compose

import (
	"strings"
	"testing"
)

func TestWarningRules(t *testing.T) {
	sized := "    deploy: {resources: {reservations: {memory: 256M}}}\n"
	tests := []struct {
		name    string
		yaml    string
		service string
		field   string
		want    string
	}{
		{"volumes", svc(sized + "    volumes: ['./data:/data']\n"), "app", "volumes", "not supported yet"},
		{"volumes_from", svc(sized+"    volumes_from: [other]\n") + "  other: {image: x, deploy: {resources: {reservations: {memory: 1G}}}}\n", "app", "volumes_from", "not supported yet"},
		{"no memory", svc(""), "app", "deploy.resources.reservations.memory", "no memory reservation"},
		{"ingress without healthcheck", svc(sized + "    ports: [8080]\n"), "app", "healthcheck", "ingress port 8080 has no healthcheck"},
		{"udp ingress without healthcheck", svc(sized + "    ports: ['53:53/udp']\n"), "app", "healthcheck", "probes UDP port 53 over TCP"},
		{"udp without mode", svc(sized + "    ports: [{target: 53, protocol: udp}]\n"), "app", "ports[0].mode", "UDP port 53 has no mode: it is a host port"},
		{"postgres without extension", "services:\n  db: {image: 'postgres:16', deploy: {resources: {reservations: {memory: 1G}}}}\n", "db", "image", "add x-defang-postgres: true"},
		{"redis without extension", "services:\n  cache: {image: 'docker.io/library/redis:7-alpine'}\n", "cache", "image", "add x-defang-redis: true"},
		{"valkey without extension", "services:\n  cache: {image: 'valkey/valkey:8'}\n", "cache", "image", "x-defang-redis"},
		{"mongo without extension", "services:\n  m: {image: 'mongo@sha256:0123'}\n", "m", "image", "x-defang-mongodb"},
		{"mysql", "services:\n  m: {image: 'mysql:8'}\n", "m", "image", "will run as a container without persistent storage"},
		{"rabbitmq", "services:\n  q: {image: 'rabbitmq:3-management'}\n", "q", "image", "without persistent storage"},
		{"published differs", svc(sized + "    ports: ['8080:80']\n"), "app", "ports[0].published", "published port 8080 differs from target port 80"},
		{"secret literal", svc(sized + "    environment: {DB_PASSWORD: hunter2}\n"), "app", "environment.DB_PASSWORD", "looks like a secret"},
		{"api key literal", svc(sized + "    environment: [OPENAI_API_KEY=sk-123]\n"), "app", "environment.OPENAI_API_KEY", "pulumi config set --secret OPENAI_API_KEY"},
		{"quoted value", svc(sized + "    environment: ['MODE=\"prod\"']\n"), "app", "environment.MODE", "wrapped in quotes"},
		{"unknown extension", svc(sized + "    x-defang-postgress: true\n"), "app", "x-defang-postgress", "unknown extension"},
		{"unknown store option", "services:\n  db: {image: 'postgres:16', x-defang-postgres: {size: big}}\n", "db", "x-defang-postgres.size", "unknown option"},
		{"restart no", svc(sized + "    restart: 'no'\n"), "app", "restart", "runs again and again"},
		{"restart policy none", svc("    deploy: {restart_policy: {condition: none}, resources: {reservations: {memory: 1G}}}\n"), "app", "deploy.restart_policy.condition", "not honoured"},
		{"expose", svc(sized + "    expose: [3000]\n"), "app", "expose", "mode: host"},
		{"network_mode", svc(sized + "    network_mode: host\n"), "app", "network_mode", "ignored"},
		{"privileged", svc(sized + "    privileged: true\n"), "app", "privileged", "not supported"},
		{"missing Dockerfile", "services:\n  app: {build: {context: ./app, dockerfile: Other.Dockerfile}, deploy: {resources: {reservations: {memory: 1G}}}}\n", "app", "build.dockerfile", "no Other.Dockerfile"},
		{"additional contexts", "services:\n  app: {build: {context: ./app, additional_contexts: {x: ./app}}}\n", "app", "build.additional_contexts", "ignored"},
		{"empty healthcheck test", svc(sized + "    healthcheck: {interval: 10s}\n"), "app", "healthcheck.test", "no test"},
		{"managed store ingress", "services:\n  db: {image: 'postgres:16', x-defang-postgres: true, ports: ['5432:5432']}\n", "db", "ports", "only reachable privately"},
		{"literal template beside config", svc(sized + "    environment: {URL: 'x${PW}y$${OTHER}'}\n"), "app", "environment.URL", "literal ${OTHER}"},
		{"version", "version: '3.8'\n" + svc(sized), "", "version", "obsolete"},
		{"jobs", svc(sized) + "jobs:\n  once: {image: x, triggers: {manual: true}}\n", "", "jobs", "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, warns := mustLoad(t, tt.yaml)
			if _, ok := find(warns, tt.service, tt.field, tt.want); !ok {
				t.Fatalf("want a warning for %q %q containing %q, got:\n%s", tt.service, tt.field, tt.want, diagStrings(warns))
			}
		})
	}
}

// TestQuietWhenFine: a well-formed service warns about nothing.
func TestQuietWhenFine(t *testing.T) {
	yaml := `
services:
  app:
    build: ./app
    ports: [{target: 8080, mode: ingress}]
    healthcheck: {test: [CMD, curl, -f, "http://localhost:8080/health"]}
    deploy: {resources: {reservations: {cpus: "0.5", memory: 512M}}}
    environment:
      DB_PASSWORD:
      TOKEN_URL: https://auth.example.com/token
      SECRET_ROTATION_DAYS: "30"
      API_KEY_ENABLED: "true"
      DATABASE_URL: postgres://u:${DB_PASSWORD}@db:5432/app
  db:
    image: postgres:16
    x-defang-postgres: {allow-downtime: true, from-snapshot: snap-1}
    environment: [DB_PASSWORD]
`
	_, warns := mustLoad(t, yaml)
	if len(warns) != 0 {
		t.Fatalf("unexpected warnings:\n%s", diagStrings(warns))
	}
}

func TestModeWarnings(t *testing.T) {
	yaml := `
services:
  single: {image: x}
  two: {image: x, deploy: {replicas: 2}}
  scaled: {image: x, x-defang-autoscaling: true}
  off: {image: x, deploy: {replicas: 0}}
  db: {image: postgres:16, x-defang-postgres: true}
  llm: {provider: {type: model, options: {model: ai/smollm2}}}
`
	p, _ := mustLoad(t, yaml)
	for _, mode := range []string{"affordable", "balanced", ""} {
		if got := ModeWarnings(p, mode); len(got) != 0 {
			t.Errorf("mode %q: %v", mode, got)
		}
	}
	got := ModeWarnings(p, "high_availability")
	if len(got) != 1 || got[0].Service != "single" || got[0].Field != "deploy.replicas" {
		t.Fatalf("high_availability warnings = %v", got)
	}
	if ModeWarnings(nil, "high_availability") != nil {
		t.Fatal("nil project")
	}
}

func TestLooksSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"PASSWORD": true, "db_password": true, "JWT_SECRET": true, "GITHUB_TOKEN": true, "OPENAI_API_KEY": true,
		"AWS_SECRET_ACCESS_KEY": true, "SSH_PRIVATE_KEY": true, "USER": false, "PORT": false,
		"PASSWORD_FILE": false, "TOKEN_URL": false, "KEYCLOAK_HOST": false,
	} {
		if got := looksSecret(name); got != want {
			t.Errorf("looksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestModeWarningsGPUInAffordable(t *testing.T) {
	p, _ := mustLoad(t, `
services:
  model:
    image: x
    deploy: {resources: {reservations: {memory: 1G, devices: [{capabilities: [gpu]}]}}}
`)
	got := ModeWarnings(p, "affordable")
	if len(got) != 1 || got[0].Service != "model" || got[0].Field != "deploy.resources.reservations.devices" ||
		!strings.Contains(got[0].Message, "no outbound internet") {
		t.Fatalf("affordable warnings = %v", got)
	}
	if got := ModeWarnings(p, "balanced"); len(got) != 0 {
		t.Errorf("balanced warnings = %v", got)
	}
}
