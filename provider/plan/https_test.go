package plan

// What the plan says about plain HTTP and about capacity that differs from
// the mode's (issue 13, defect 6 and Deliver 7; defect 7's arm64 on Spot).

import (
	"context"
	"strings"
	"testing"
)

const httpsCompose = `
name: shop
services:
  web:
    image: nginx:1.27
    ports: ["8080:8080", "3000:3000"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
  named:
    image: nginx:1.27
    domainname: named.example.org
    ports: ["9000:9000", "9001:9001"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:9000/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
  mqtt:
    image: eclipse-mosquitto:2
    ports: [{target: 1883, published: 1883, mode: ingress, app_protocol: tcp}]
    healthcheck: {test: ["CMD", "true"]}
    deploy: {resources: {reservations: {memory: 256M}}}
`

// armService runs on AWS only: Container Apps run linux/amd64 images.
const armService = `
  arm:
    image: nginx:1.27
    platform: linux/arm64
    deploy: {resources: {reservations: {memory: 256M}}}
`

func planWarnings(t *testing.T, opts Options) []string {
	t.Helper()
	opts.ComposeYAML = httpsCompose
	if opts.Cloud == "aws" {
		opts.ComposeYAML += armService
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Warnings
}

func warningsAbout(warnings []string, service, text string) []string {
	var out []string
	for _, w := range warnings {
		if strings.Contains(w, `service "`+service+`"`) && strings.Contains(w, text) {
			out = append(out, w)
		}
	}
	return out
}

// Without a domain, every published HTTP port that no domainname serves
// over HTTPS is plain HTTP on AWS, and the plan says so, naming the
// service and the port.
func TestPlanWarnsOfPlainHTTPWithoutDomain(t *testing.T) {
	w := planWarnings(t, Options{Cloud: "aws", Mode: "balanced"})
	for _, port := range []string{"8080", "3000", "9001"} {
		svc := "web"
		if port == "9001" {
			svc = "named"
		}
		if got := warningsAbout(w, svc, "port "+port+" is plain HTTP"); len(got) != 1 {
			t.Errorf("want one plain-HTTP warning for %s port %s, got %q in %q", svc, port, got, w)
		}
	}
	// named's first port is served at https://named.example.org; TCP ports
	// are not HTTP.
	if got := warningsAbout(w, "named", "port 9000 is plain HTTP"); len(got) != 0 {
		t.Errorf("the domainname's port gets HTTPS: %q", got)
	}
	if got := warningsAbout(w, "mqtt", "plain HTTP"); len(got) != 0 {
		t.Errorf("a TCP port is not HTTP: %q", got)
	}
	// With a domain every published HTTP port redirects to HTTPS.
	if got := warningsAbout(planWarnings(t, Options{Cloud: "aws", Mode: "balanced", Domain: "example.com"}), "web", "plain HTTP"); len(got) != 0 {
		t.Errorf("with a domain there is no plain HTTP: %q", got)
	}
}

// On Azure the main HTTP port of an app is HTTPS on its default domain
// (HTTP redirected); the other ports are TCP mappings without TLS.
func TestPlanWarnsOfPlainHTTPOnAzure(t *testing.T) {
	w := planWarnings(t, Options{Cloud: "azure", Mode: "balanced"})
	// compose sorts web's ports: 3000 is its main port, 8080 a TCP mapping.
	if got := warningsAbout(w, "web", "port 8080 is exposed"); len(got) != 1 || !strings.Contains(got[0], "without TLS") {
		t.Errorf("web's second port is plain TCP: %q in %q", got, w)
	}
	if got := warningsAbout(w, "web", "port 3000 is exposed"); len(got) != 0 {
		t.Errorf("web's main port is HTTPS: %q", got)
	}
	if got := warningsAbout(w, "web", "plain HTTP"); len(got) != 0 {
		t.Errorf("no AWS load balancer warnings on Azure: %q", got)
	}
}

// In affordable mode an arm64 service runs on Fargate, not Fargate Spot,
// and the plan names it.
func TestPlanWarnsOfArm64OnFargate(t *testing.T) {
	w := planWarnings(t, Options{Cloud: "aws", Mode: "affordable"})
	if got := warningsAbout(w, "arm", "Fargate Spot"); len(got) != 1 {
		t.Errorf("want a warning that arm runs on Fargate, not Spot: %q", w)
	}
	if got := warningsAbout(w, "web", "Fargate Spot"); len(got) != 0 {
		t.Errorf("x86 services stay on Spot: %q", got)
	}
	if got := warningsAbout(planWarnings(t, Options{Cloud: "aws", Mode: "balanced"}), "arm", "Fargate Spot"); len(got) != 0 {
		t.Errorf("balanced runs on Fargate anyway: %q", got)
	}
}
