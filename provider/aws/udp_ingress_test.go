package aws_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func udpTarget(service string, port, healthPort int) property.Value {
	m := map[string]property.Value{"service": str(service), "port": property.New(float64(port)), "protocol": str("udp")}
	if healthPort != 0 {
		m["healthCheckPort"] = property.New(float64(healthPort))
	}
	return obj(m)
}

// A UDP port gets a UDP listener and target group on the network load
// balancer, probed over TCP on its health check port, next to TCP ones.
func TestLoadBalancerUDP(t *testing.T) {
	res, state := construct(t, "defang:aws:LoadBalancer", "shop", map[string]property.Value{
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1", "subnet-2"),
		"targets": property.New(property.NewArray([]property.Value{
			udpTarget("syslog", 514, 8080), udpTarget("dns", 53, 53), target("mqtt", 1883, 1883, "tcp"),
		})),
	})
	if lbs := ofType(res, "aws:lb/loadBalancer:LoadBalancer"); len(lbs) != 1 || lbs[0].Inputs["loadBalancerType"] != "network" {
		t.Fatalf("want one network load balancer, got %v", lbs)
	}
	listeners := map[float64]string{}
	for _, l := range ofType(res, "aws:lb/listener:Listener") {
		listeners[l.Inputs["port"].(float64)] = l.Inputs["protocol"].(string)
	}
	if len(listeners) != 3 || listeners[514] != "UDP" || listeners[53] != "UDP" || listeners[1883] != "TCP" {
		t.Errorf("listeners: %v", listeners)
	}
	tgs := map[float64]map[string]any{}
	for _, tg := range ofType(res, "aws:lb/targetGroup:TargetGroup") {
		tgs[tg.Inputs["port"].(float64)] = tg.Inputs
	}
	if tgs[514]["protocol"] != "UDP" || tgs[53]["protocol"] != "UDP" || tgs[1883]["protocol"] != "TCP" {
		t.Errorf("target group protocols: 514 %v, 53 %v, 1883 %v", tgs[514]["protocol"], tgs[53]["protocol"], tgs[1883]["protocol"])
	}
	if hc := tgs[514]["healthCheck"].(map[string]any); hc["protocol"] != "TCP" || hc["port"] != "8080" {
		t.Errorf("a UDP target is probed over TCP on its health check port: %v", hc)
	}
	if hc := tgs[53]["healthCheck"].(map[string]any); hc["protocol"] != "TCP" || hc["port"] != "53" {
		t.Errorf("a DNS server is probed over TCP on 53: %v", hc)
	}
	if hc := tgs[1883]["healthCheck"].(map[string]any); hc["protocol"] != "TCP" || hc["port"] != nil {
		t.Errorf("a TCP target is probed over TCP on its own port: %v", hc)
	}
	open := map[string]bool{}
	for _, r := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if r.Inputs["cidrIpv4"] == "0.0.0.0/0" {
			open[r.Inputs["ipProtocol"].(string)+":"+jsonNum(r.Inputs["fromPort"])] = true
		}
	}
	if len(open) != 3 || !open["udp:514"] || !open["udp:53"] || !open["tcp:1883"] {
		t.Errorf("the listener ports, each with its protocol, are the only ones open to the world: %v", open)
	}
	if u := state.Get("endpoints").AsMap().Get("syslog:514").AsString(); !strings.HasPrefix(u, "udp://") {
		t.Errorf("a UDP endpoint is udp://: %s", u)
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestLoadBalancerUDPErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		targets []property.Value
		want    []string
	}{
		{"no health check port", []property.Value{udpTarget("dns", 53, 0)}, []string{`service "dns"`, "UDP port 53", "health check"}},
		{"udp twin of an http port", []property.Value{udpTarget("dns", 53, 8080), target("dns", 53, 53, "http")}, []string{`service "dns"`, "port 53", "HTTP port", "one protocol"}},
		{"udp twin of a tcp port", []property.Value{udpTarget("dns", 53, 53), target("dns", 53, 53, "tcp")}, []string{`service "dns"`, "port 53", "amazon-ecs-agent#3428"}},
		{"udp with an http app protocol", []property.Value{obj(map[string]property.Value{"service": str("dns"), "port": property.New(53.0), "protocol": str("udp"), "appProtocol": str("http")})}, []string{`service "dns"`, "53/udp", "needs a TCP port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := constructErr(t, "defang:aws:LoadBalancer", map[string]property.Value{
				"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1"), "targets": property.New(property.NewArray(tc.targets)),
			})
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error should contain %q: %v", w, err)
				}
			}
		})
	}
}

// The service admits the network load balancer's security group on its UDP
// port and on the TCP port it is probed on, and nothing from the world: the
// client IPs that UDP preserves need no rule of their own.
func TestFargateServiceUDPIngress(t *testing.T) {
	in := fargateInputs("balanced")
	in["container"] = obj(map[string]property.Value{
		"cpus": property.New(0.25), "memoryMiB": property.New(512.0),
		"ports": property.New(property.NewArray([]property.Value{
			obj(map[string]property.Value{"port": property.New(53.0), "mode": str("ingress"), "protocol": str("udp")}),
			obj(map[string]property.Value{"port": property.New(8080.0), "mode": str("host"), "protocol": str("tcp")}),
		})),
	})
	in["nlbSecurityGroupId"] = str("sg-nlb")
	in["nlbHealthCheckPorts"] = property.New(property.NewArray([]property.Value{property.New(8080.0)}))
	in["targetGroupArns"] = obj(map[string]property.Value{"53": str("arn:tg")})
	res, _ := construct(t, "defang:aws:FargateService", "shop-dns", in)
	fromNLB := map[string]bool{}
	for _, r := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if r.Inputs["cidrIpv4"] != nil {
			t.Errorf("%s: no service port is open to addresses: %v", r.Name, r.Inputs)
		}
		if r.Inputs["referencedSecurityGroupId"] == "sg-nlb" {
			fromNLB[r.Inputs["ipProtocol"].(string)+":"+jsonNum(r.Inputs["fromPort"])] = true
		}
		if r.Inputs["referencedSecurityGroupId"] == "sg-alb" {
			t.Errorf("%s: a UDP port is not the application load balancer's", r.Name)
		}
	}
	if len(fromNLB) != 2 || !fromNLB["udp:53"] || !fromNLB["tcp:8080"] {
		t.Errorf("from the network load balancer: %v", fromNLB)
	}
	td := ofType(res, "aws:ecs/taskDefinition:TaskDefinition")[0]
	var defs []map[string]any
	if err := json.Unmarshal([]byte(td.Inputs["containerDefinitions"].(string)), &defs); err != nil {
		t.Fatal(err)
	}
	pm := defs[0]["portMappings"].([]any)[0].(map[string]any)
	if pm["containerPort"] != 53.0 || pm["protocol"] != "udp" {
		t.Errorf("port mapping: %v", pm)
	}
}

// A UDP target whose compose healthcheck curls a URL with a port is probed
// over HTTP on that port and path.
func TestLoadBalancerUDPHTTPHealthCheck(t *testing.T) {
	tg := map[string]property.Value{"service": str("dns"), "port": property.New(53.0), "protocol": str("udp"),
		"healthCheckPort": property.New(8080.0), "healthCheckPath": str("/health")}
	res, _ := construct(t, "defang:aws:LoadBalancer", "shop", map[string]property.Value{
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1"),
		"targets": property.New(property.NewArray([]property.Value{obj(tg)})),
	})
	hc := ofType(res, "aws:lb/targetGroup:TargetGroup")[0].Inputs["healthCheck"].(map[string]any)
	if hc["protocol"] != "HTTP" || hc["port"] != "8080" || hc["path"] != "/health" {
		t.Errorf("health check: %v", hc)
	}
}
