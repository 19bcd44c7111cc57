package plan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

const udpCompose = `
services:
  dns:
    image: coredns/coredns:1.11.1
    ports:
      - "53:53/udp"
      - {target: 8053, mode: host}
  syslog:
    image: balabit/syslog-ng:4.7.1
    ports:
      - target: 514
        protocol: udp
        mode: ingress
      - {target: 8080, mode: host}
  tftp:
    image: pghalliday/tftp:latest
    ports: ["69:69/udp", {target: 9000, mode: host}]
    healthcheck: {test: [CMD, curl, -f, "http://localhost:9100/ready"]}
`

// On AWS a UDP ingress port, in the short or the long syntax, is a UDP
// listener of the network load balancer. It is probed over TCP on a port its
// service serves (or over HTTP on its healthcheck's URL), which its security
// group admits from the load balancer only.
func TestUDPIngressPlansOnAWS(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: udpCompose, Cloud: "aws", Mode: "balanced"})
	if err != nil {
		t.Fatal(err)
	}
	listeners := map[float64]string{}
	tgs := map[float64]map[string]any{}
	var hcRules, worldRules []string
	for _, r := range res.Resources {
		switch r.Type {
		case "aws:lb/listener:Listener":
			listeners[r.Inputs["port"].(float64)] = r.Inputs["protocol"].(string)
		case "aws:lb/targetGroup:TargetGroup":
			tgs[r.Inputs["port"].(float64)] = r.Inputs
		case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
			if r.Inputs["cidrIpv4"] == "0.0.0.0/0" {
				worldRules = append(worldRules, r.Name)
			}
			if r.Inputs["description"] == "Health checks of the network load balancer" {
				hcRules = append(hcRules, r.Name)
			}
		}
	}
	if listeners[53] != "UDP" || listeners[514] != "UDP" || listeners[69] != "UDP" || len(listeners) != 3 {
		t.Errorf("listeners: %v", listeners)
	}
	if tgs[53]["protocol"] != "UDP" || tgs[514]["protocol"] != "UDP" {
		t.Errorf("target groups: 53 %v, 514 %v", tgs[53]["protocol"], tgs[514]["protocol"])
	}
	if hc := tgs[514]["healthCheck"].(map[string]any); hc["protocol"] != "TCP" || hc["port"] != "8080" {
		t.Errorf("syslog is probed over TCP on its TCP port 8080: %v", hc)
	}
	if hc := tgs[69]["healthCheck"].(map[string]any); hc["protocol"] != "HTTP" || hc["port"] != "9100" || hc["path"] != "/ready" {
		t.Errorf("tftp is probed on its healthcheck's URL: %v", hc)
	}
	if hc := tgs[53]["healthCheck"].(map[string]any); hc["protocol"] != "TCP" || hc["port"] != "8053" {
		t.Errorf("dns is probed over TCP on its TCP port 8053: %v", hc)
	}
	joined := strings.Join(hcRules, " ")
	if len(hcRules) != 3 || !strings.Contains(joined, "dns-nlbhc-8053-tcp") || !strings.Contains(joined, "syslog-nlbhc-8080-tcp") || !strings.Contains(joined, "tftp-nlbhc-9100-tcp") {
		t.Errorf("the services admit the health checks from the load balancer on 8053, 8080 and 9100: %v", hcRules)
	}
	if len(worldRules) != 3 {
		t.Errorf("only the listener ports (53/udp, 69/udp, 514/udp) are open to the world: %v", worldRules)
	}
}

// A UDP ingress port that the service also declares over TCP (ingress or
// host) would need one container port load-balanced over two protocols,
// which ECS refuses.
func TestUDPAndTCPOnOnePortOnAWS(t *testing.T) {
	for _, tcp := range []string{"{target: 53, app_protocol: tcp}", "{target: 53, mode: host}"} {
		yaml := "services:\n  dns:\n    image: coredns/coredns:1.11.1\n    ports: ['53:53/udp', " + tcp + "]\n"
		_, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "balanced"})
		if err == nil || !strings.Contains(err.Error(), `service "dns"`) || !strings.Contains(err.Error(), "one protocol") {
			t.Errorf("%s: want an error naming the service and why, got %v", tcp, err)
		}
	}
}

// A UDP-only service with no TCP port cannot be health-checked by the
// network load balancer: the plan says so, naming the service.
func TestUDPIngressNeedsAHealthCheckPortOnAWS(t *testing.T) {
	yaml := "services:\n  dns:\n    image: coredns/coredns:1.11.1\n    ports: ['53:53/udp']\n"
	_, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "balanced"})
	if err == nil || !strings.Contains(err.Error(), `service "dns"`) || !strings.Contains(err.Error(), "health check") {
		t.Fatalf("want an error naming the service and the health check, got %v", err)
	}
}

// On Azure, Container Apps ingress has no UDP, and a host port is served by
// the same (internal) ingress: the fallback to host mode cannot serve it
// either, and the error says so.
func TestUDPIngressOnAzureIsALimit(t *testing.T) {
	_, err := Run(context.Background(), Options{ComposeYAML: udpCompose, Cloud: "azure", Mode: "balanced"})
	var problems compose.Errors
	if !errors.As(err, &problems) {
		t.Fatalf("want compose errors, got %v", err)
	}
	for _, svc := range []string{"dns", "syslog", "tftp"} {
		found := false
		for _, p := range problems {
			if p.Service == svc && strings.Contains(p.Message, "Azure Container Apps carry TCP only") && strings.Contains(p.Message, "host mode") {
				found = true
			}
		}
		if !found {
			t.Errorf("want an error for %s saying host mode cannot serve UDP either, got %v", svc, problems)
		}
	}
}
