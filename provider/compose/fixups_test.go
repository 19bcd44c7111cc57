package compose

import (
	"reflect"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestFixupPorts(t *testing.T) {
	tests := []struct {
		name string
		in   []Port
		want []Port
	}{
		{"no mode is ingress http",
			[]Port{{Target: 80, Protocol: "tcp"}},
			[]Port{{Target: 80, Published: 80, Protocol: "tcp", AppProtocol: "http", Mode: "ingress"}}},
		{"udp without mode is host",
			[]Port{{Target: 53, Protocol: "udp"}},
			[]Port{{Target: 53, Published: 53, Protocol: "udp", Mode: "host"}}},
		{"udp ingress has no app protocol",
			[]Port{{Target: 53, Protocol: "udp", Mode: "ingress"}},
			[]Port{{Target: 53, Published: 53, Protocol: "udp", Mode: "ingress"}}},
		{"host keeps empty app protocol",
			[]Port{{Target: 5432, Protocol: "tcp", Mode: "host"}},
			[]Port{{Target: 5432, Published: 5432, Protocol: "tcp", Mode: "host"}}},
		{"grpc kept, published kept",
			[]Port{{Target: 50051, Published: 443, Protocol: "tcp", AppProtocol: "grpc", Mode: "ingress"}},
			[]Port{{Target: 50051, Published: 443, Protocol: "tcp", AppProtocol: "grpc", Mode: "ingress"}}},
		{"sorted by target then protocol",
			[]Port{{Target: 90, Protocol: "tcp"}, {Target: 53, Protocol: "udp"}, {Target: 53, Protocol: "tcp", Mode: "host"}},
			[]Port{
				{Target: 53, Published: 53, Protocol: "tcp", Mode: "host"},
				{Target: 53, Published: 53, Protocol: "udp", Mode: "host"},
				{Target: 90, Published: 90, Protocol: "tcp", AppProtocol: "http", Mode: "ingress"},
			}},
	}
	for _, tt := range tests {
		if got := fixupPorts(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestPortsFromCompose(t *testing.T) {
	yaml := svc(`    ports:
      - "8080:80"
      - 9000
      - target: 50051
        protocol: grpc
      - target: 3000
        protocol: http2
        mode: ingress
      - target: 7000
        app_protocol: tcp
      - target: 5000
        mode: host
      - target: 53
        protocol: udp
      - "5353:1053/udp"
`)
	p, _ := mustLoad(t, yaml)
	want := []Port{
		{Target: 53, Published: 53, Protocol: "udp", Mode: "host"},
		{Target: 80, Published: 8080, Protocol: "tcp", AppProtocol: "http", Mode: "ingress"},
		{Target: 1053, Published: 5353, Protocol: "udp", Mode: "ingress"},
		{Target: 3000, Published: 3000, Protocol: "tcp", AppProtocol: "http2", Mode: "ingress"},
		{Target: 5000, Published: 5000, Protocol: "tcp", Mode: "host"},
		{Target: 7000, Published: 7000, Protocol: "tcp", AppProtocol: "tcp", Mode: "ingress"},
		{Target: 9000, Published: 9000, Protocol: "tcp", AppProtocol: "http", Mode: "ingress"},
		{Target: 50051, Published: 50051, Protocol: "tcp", AppProtocol: "grpc", Mode: "ingress"},
	}
	if got := p.Service("app").Ports; !reflect.DeepEqual(got, want) {
		t.Fatalf("ports:\n got %+v\nwant %+v", got, want)
	}
	if p.Service("app").Ports[5].IsHTTP() {
		t.Error("an app_protocol tcp ingress port is not HTTP")
	}
	if p.Service("app").Ports[2].IsHTTP() {
		t.Error("a UDP ingress port is not HTTP")
	}
}

func TestManagedStoreFixups(t *testing.T) {
	yaml := `
services:
  pg: {image: postgres:16.4, x-defang-postgres: true}
  pgport: {image: postgres, x-defang-postgres: true, ports: [{target: 5433, mode: host}]}
  cache: {image: redis:7, x-defang-redis: {allow-downtime: true}}
  docs: {image: mongo:7.0, x-defang-mongodb: {from-snapshot: snap-1}}
  plain: {image: nginx}
`
	p, _ := mustLoad(t, yaml)
	host := func(port uint32) []Port {
		return []Port{{Target: port, Published: port, Protocol: "tcp", Mode: "host"}}
	}
	tests := []struct {
		name  string
		ports []Port
		store *ManagedStore
		get   func(*Service) *ManagedStore
	}{
		{"pg", host(5432), &ManagedStore{Version: "16", Image: "postgres:16.4", Port: 5432}, func(s *Service) *ManagedStore { return s.Postgres }},
		{"pgport", host(5433), &ManagedStore{Image: "postgres", Port: 5433}, func(s *Service) *ManagedStore { return s.Postgres }},
		{"cache", host(6379), &ManagedStore{Version: "7", Image: "redis:7", AllowDowntime: true, Port: 6379}, func(s *Service) *ManagedStore { return s.Redis }},
		{"docs", host(27017), &ManagedStore{Version: "7", Image: "mongo:7.0", FromSnapshot: "snap-1", Port: 27017}, func(s *Service) *ManagedStore { return s.Mongo }},
	}
	for _, tt := range tests {
		s := p.Service(tt.name)
		if !reflect.DeepEqual(s.Ports, tt.ports) {
			t.Errorf("%s ports = %+v, want %+v", tt.name, s.Ports, tt.ports)
		}
		if got := tt.get(s); !reflect.DeepEqual(got, tt.store) {
			t.Errorf("%s store = %+v, want %+v", tt.name, got, tt.store)
		}
	}
	if plain := p.Service("plain"); plain.IsManaged() || len(plain.Ports) != 0 {
		t.Errorf("plain = %+v", plain)
	}
}

func TestDefaults(t *testing.T) {
	yaml := `
services:
  app:
    build: ./app
  args:
    build:
      context: ./app
      dockerfile: sub/Dockerfile.prod
      target: runtime
      shm_size: 1gb
      args: {A: "1", B: null}
  one: {image: x, scale: 3}
  zero: {image: x, deploy: {replicas: 0}}
`
	p, _ := mustLoad(t, yaml)
	app := p.Service("app")
	if app.Replicas != 1 || app.Build.Dockerfile != "Dockerfile" || app.Build.Context != p.WorkingDir+"/app" {
		t.Errorf("app defaults: replicas %d build %+v", app.Replicas, app.Build)
	}
	if app.Command != nil || app.Entrypoint != nil || app.Healthcheck != nil {
		t.Errorf("unset fields must stay nil: %+v", app)
	}
	if !reflect.DeepEqual(app.Networks, []string{"default"}) || !reflect.DeepEqual(p.Networks, []string{"default"}) {
		t.Errorf("networks: %v %v", app.Networks, p.Networks)
	}
	b := p.Service("args").Build
	if b.Dockerfile != "sub/Dockerfile.prod" || b.Target != "runtime" || b.ShmSizeBytes != 1<<30 ||
		!reflect.DeepEqual(b.SortedArgs(), []string{"A=1"}) {
		t.Errorf("build: %+v", b)
	}
	if p.Service("one").Replicas != 3 || p.Service("zero").Replicas != 0 {
		t.Errorf("replicas: %d %d", p.Service("one").Replicas, p.Service("zero").Replicas)
	}
}

// TestDefangFixups: what Defang deploys deploys here too, fixed up, each with
// a warning that names the service, the field and what was done.
func TestDefangFixups(t *testing.T) {
	sized := "    deploy: {resources: {reservations: {memory: 256M}}}\n"
	tests := []struct {
		name, yaml, service, field, want string
		check                            func(*testing.T, *Project)
	}{
		{"healthcheck timeout equals interval", svc(sized + "    healthcheck: {test: [CMD, 'true'], interval: 10s, timeout: 10s}\n"),
			"app", "healthcheck.timeout", "timeout (10s) is not shorter than interval (10s); it is clamped to 9s",
			func(t *testing.T, p *Project) {
				if hc := p.Service("app").Healthcheck; hc.IntervalSeconds != 10 || hc.TimeoutSeconds != 9 {
					t.Errorf("healthcheck = %+v, want interval 10 timeout 9", hc)
				}
			}},
		{"healthcheck timeout above interval", svc(sized + "    healthcheck: {test: [CMD, 'true'], interval: 5s, timeout: 1m}\n"),
			"app", "healthcheck.timeout", "clamped to 4s",
			func(t *testing.T, p *Project) {
				if hc := p.Service("app").Healthcheck; hc.TimeoutSeconds != 4 {
					t.Errorf("timeout = %d, want 4", hc.TimeoutSeconds)
				}
			}},
		{"healthcheck interval of one second", svc(sized + "    healthcheck: {test: [CMD, 'true'], interval: 1s, timeout: 3s}\n"),
			"app", "healthcheck.timeout", "clamped to 500ms", nil},
		{"hostname", svc(sized + "    hostname: web\n"),
			"app", "hostname", "hostname \"web\" is ignored: other services reach this one by its service name (app)", nil},
		{"undeclared network", svc(sized + "    networks: [back]\n"),
			"app", "networks", "network \"back\" is not declared in the top-level networks; it is declared implicitly",
			func(t *testing.T, p *Project) {
				if got := p.Service("app").Networks; !reflect.DeepEqual(got, []string{"back"}) {
					t.Errorf("networks = %v, want [back]", got)
				}
			}},
		{"no services", "services: {}\n", "", "services", "defines no services; nothing is deployed",
			func(t *testing.T, p *Project) {
				if len(p.Services) != 0 || len(p.Networks) != 0 {
					t.Errorf("project = %+v, want no services and no networks", p)
				}
			}},
		{"every service disabled by profiles", "services:\n  app: {image: x, profiles: [debug]}\n", "", "services", "the enabled profiles disable every service (app); nothing is deployed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, warns := mustLoad(t, tt.yaml)
			if _, ok := find(warns, tt.service, tt.field, tt.want); !ok {
				t.Fatalf("want a warning for %q %q containing %q, got:\n%s", tt.service, tt.field, tt.want, diagStrings(warns))
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestClampHealthcheckTimeout(t *testing.T) {
	d := func(s string) *types.Duration {
		v, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		td := types.Duration(v)
		return &td
	}
	tests := []struct {
		name        string
		in          *types.HealthCheckConfig
		wantTimeout string // "" when unchanged
		wantWarn    bool
	}{
		{"nil", nil, "", false},
		{"no interval", &types.HealthCheckConfig{Timeout: d("90s")}, "", false},
		{"no timeout", &types.HealthCheckConfig{Interval: d("1s")}, "", false},
		{"below", &types.HealthCheckConfig{Interval: d("10s"), Timeout: d("9s")}, "", false},
		{"disabled", &types.HealthCheckConfig{Disable: true, Interval: d("1s"), Timeout: d("9s")}, "", false},
		{"equal", &types.HealthCheckConfig{Interval: d("10s"), Timeout: d("10s")}, "9s", true},
		{"above", &types.HealthCheckConfig{Interval: d("30s"), Timeout: d("2m")}, "29s", true},
		{"short interval", &types.HealthCheckConfig{Interval: d("1500ms"), Timeout: d("2s")}, "500ms", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before *types.HealthCheckConfig
			if tt.in != nil {
				c := *tt.in
				before = &c
			}
			got, warns := clampHealthcheckTimeout("app", tt.in)
			if (len(warns) > 0) != tt.wantWarn {
				t.Fatalf("warnings = %v, want some: %v", warns, tt.wantWarn)
			}
			for _, w := range warns {
				if w.Service != "app" || w.Field != "healthcheck.timeout" {
					t.Errorf("warning %+v does not name the service and field", w)
				}
			}
			if tt.in != nil && !reflect.DeepEqual(*tt.in, *before) {
				t.Errorf("input modified: %+v", *tt.in)
			}
			if tt.wantTimeout == "" {
				if !reflect.DeepEqual(got, tt.in) {
					t.Errorf("got %+v, want the input unchanged", got)
				}
				return
			}
			if got == nil || got.Timeout == nil || *got.Timeout != *d(tt.wantTimeout) {
				t.Errorf("timeout = %v, want %s", got, tt.wantTimeout)
			}
		})
	}
}
