package compose

import (
	"reflect"
	"testing"
)

func TestHealthcheckHTTP(t *testing.T) {
	tests := []struct {
		name string
		test []string
		path string
		port uint32
	}{
		{"curl", []string{"CMD", "curl", "-f", "http://localhost:3000/health"}, "/health", 3000},
		{"curl no path", []string{"CMD", "curl", "-f", "http://localhost:8080"}, "/", 8080},
		{"curl no port", []string{"CMD", "curl", "-f", "http://localhost/"}, "/", 80},
		{"https", []string{"CMD", "curl", "-kf", "https://127.0.0.1/ready"}, "/ready", 443},
		{"wget spider", []string{"CMD", "wget", "--spider", "-q", "http://0.0.0.0:5000/ping?x=1"}, "/ping", 5000},
		{"bare host:port after curl", []string{"CMD", "curl", "-f", "127.0.0.1:3001"}, "/", 3001},
		{"bare host:port/path", []string{"CMD", "/usr/bin/curl", "localhost:8000/api/health"}, "/api/health", 8000},
		{"shell with ||", []string{"CMD-SHELL", "wget -q --spider http://localhost:3000/ || exit 1"}, "/", 3000},
		{"shell after &&", []string{"CMD-SHELL", "test -f /ready && curl -fsS 'http://localhost:9090/metrics' >/dev/null"}, "/metrics", 9090},
		{"shell with redirect digits", []string{"CMD-SHELL", "curl -f http://localhost:81/ 2>&1"}, "/", 81},
		{"python urllib argv", []string{"CMD", "python3", "-c", "import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()", "http://localhost:8081/"}, "/", 8081},
		{"python urllib inline", []string{"CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"}, "/health", 8000},
		{"node fetch in shell", []string{"CMD-SHELL", `node -e "fetch('http://localhost:4000/up').then(r=>process.exit(r.ok?0:1))"`}, "/up", 4000},
		{"unbalanced quotes fall back to words", []string{"CMD-SHELL", `curl -f http://localhost:7000/x "oops`}, "/x", 7000},
		{"no URL", []string{"CMD-SHELL", "pg_isready -U postgres"}, "", 0},
		{"remote host is not the container", []string{"CMD", "curl", "-f", "http://example.com/"}, "", 0},
		{"bare host:port without curl", []string{"CMD", "nc", "-z", "localhost:5432"}, "", 0},
		{"flag is not a URL", []string{"CMD", "curl", "--max-time", "5", "http://localhost:1234/a/b"}, "/a/b", 1234},
		{"first URL wins", []string{"CMD-SHELL", "curl http://localhost:1/a || curl http://localhost:2/b"}, "/a", 1},
		{"bad port", []string{"CMD", "curl", "http://localhost:99999/"}, "", 0},
		{"empty", nil, "", 0},
	}
	for _, tt := range tests {
		path, port := healthcheckHTTP(tt.test)
		if path != tt.path || port != tt.port {
			t.Errorf("%s: got (%q, %d), want (%q, %d)", tt.name, path, port, tt.path, tt.port)
		}
	}
}

func TestHealthcheckConversion(t *testing.T) {
	yaml := `
services:
  full:
    image: x
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/ok"]
      interval: 1m30s
      timeout: 1500ms
      start_period: 10s
      retries: 4
  shell:
    image: x
    healthcheck:
      test: curl -f http://localhost/ || exit 1
  disabled:
    image: x
    healthcheck: {disable: true}
  none:
    image: x
    healthcheck: {test: ["NONE"]}
`
	p, _ := mustLoad(t, yaml)
	want := &Healthcheck{
		Test:            []string{"CMD", "curl", "-f", "http://localhost:8080/ok"},
		IntervalSeconds: 90, TimeoutSeconds: 2, StartPeriodSeconds: 10, Retries: 4,
		HTTPPath: "/ok", HTTPPort: 8080,
	}
	if got := p.Service("full").Healthcheck; !reflect.DeepEqual(got, want) {
		t.Errorf("full: %+v", got)
	}
	if got := p.Service("shell").Healthcheck; !reflect.DeepEqual(got.Test, []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}) || got.HTTPPort != 80 {
		t.Errorf("shell: %+v", got)
	}
	if p.Service("disabled").Healthcheck != nil || p.Service("none").Healthcheck != nil {
		t.Error("disabled healthchecks must be nil")
	}
}
