package plan

import (
	"context"
	"strings"
	"testing"
)

// Two services that publish the same port, as many public compose files
// have it (every web app on 80): with a domain the HTTPS listener routes
// them by host name; without one, the error says why and how to fix it.
func TestSamePublishedPortOnTwoServices(t *testing.T) {
	const yaml = `
services:
  web:
    image: nginx:1.27
    ports: ["80:80"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:80/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
  admin:
    image: nginx:1.27
    ports: ["80:8080"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
`
	t.Run("with a domain", func(t *testing.T) {
		res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "balanced", Domain: "example.com"})
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		hosts := map[string]bool{}
		for _, r := range res.Resources {
			if r.Type != "aws:lb/listenerRule:ListenerRule" {
				continue
			}
			for _, h := range []string{"web--80.example.com", "admin--8080.example.com"} {
				if strings.Contains(r.Name, h) {
					hosts[h] = true
				}
			}
		}
		if len(hosts) != 2 {
			t.Errorf("want a host rule for each service, got %v", hosts)
		}
		if got := res.Outputs["endpoints"]; !strings.Contains(toString(got), "https://admin--8080.example.com") {
			t.Errorf("endpoints = %v", got)
		}
	})
	t.Run("without a domain", func(t *testing.T) {
		_, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "balanced"})
		if err == nil {
			t.Fatal("plan succeeded; two services cannot share a listener port without a domain")
		}
		for _, want := range []string{`service "web"`, "ports", "published port 80", `service "admin"`, "host name", "another published port", "domain"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error should mention %q: %v", want, err)
			}
		}
	})
	t.Run("azure", func(t *testing.T) {
		// Each Container App has its own ingress host name.
		if _, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "azure", Mode: "balanced"}); err != nil {
			t.Fatalf("plan: %v", err)
		}
	})
	t.Run("tcp ports even with a domain", func(t *testing.T) {
		tcp := strings.ReplaceAll(yaml, `["80:80"]`, `[{target: 80, published: 5000, app_protocol: tcp}]`)
		tcp = strings.ReplaceAll(tcp, `["80:8080"]`, `[{target: 8080, published: 5000, app_protocol: tcp}]`)
		_, err := Run(context.Background(), Options{ComposeYAML: tcp, Cloud: "aws", Mode: "balanced", Domain: "example.com"})
		if err == nil || !strings.Contains(err.Error(), "published port 5000") || !strings.Contains(err.Error(), "TCP") {
			t.Fatalf("want an error that TCP ports are routed by port alone, got %v", err)
		}
	})
}

func toString(v any) string {
	var sb strings.Builder
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			sb.WriteString(k + "=")
			if s, ok := x.(string); ok {
				sb.WriteString(s)
			}
			sb.WriteString(" ")
		}
	}
	return sb.String()
}
