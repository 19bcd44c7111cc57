package aws_test

// Creation order that AWS refuses or races (issue 13, defect 7): the plan's
// dependsOn lists (explicit and property dependencies) must carry what the
// cloud needs to exist first.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const (
	ordServiceType  = "aws:ecs/service:Service"
	ordCapacityType = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
)

// ordProject plans a Project on AWS from inline compose YAML.
func ordProject(t *testing.T, yaml, mode, domain string) []plan.Resource {
	t.Helper()
	in := map[string]property.Value{"composeYaml": str(yaml), "cloud": str("aws"), "mode": str(mode)}
	if domain != "" {
		in["domain"] = str(domain)
	}
	res, _, err := plan.Construct(context.Background(), plan.Target{Token: "defang:index:Project", Name: "shop", Project: "shop"}, property.NewMap(in))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

const ordCompose = `
name: shop
services:
  web:
    image: nginx:1.27
    ports: ["8080:8080", "3000:3000"]
    healthcheck: {test: ["CMD", "curl", "-f", "http://localhost:8080/"]}
    deploy: {resources: {reservations: {memory: 256M}}}
  named:
    image: nginx:1.27
    domainname: named.issued.example
    ports: ["9000:9000"]
    deploy: {resources: {reservations: {memory: 256M}}}
  worker:
    image: busybox:1.36
    deploy: {resources: {reservations: {memory: 256M}}}
  ai-runner:
    provider: {type: model, options: {model: ai/mistral}}
  consumer:
    image: c:1
    depends_on: [ai-runner]
    deploy: {resources: {reservations: {memory: 256M}}}
  tcp:
    image: eclipse-mosquitto:2
    ports: [{target: 1883, published: 1883, mode: ingress, app_protocol: tcp}]
    deploy: {resources: {reservations: {memory: 256M}}}
`

// ECS refuses a service whose capacityProviderStrategy names a provider
// that is not associated with the cluster yet, so every service (not only
// GPU ones, and the LLM gateways too) waits for the association.
func TestEveryServiceWaitsForClusterCapacityProviders(t *testing.T) {
	for _, mode := range []string{"affordable", "balanced", "high_availability"} {
		res := ordProject(t, ordCompose, mode, "")
		services := ofType(res, ordServiceType)
		if len(services) != 6 {
			t.Fatalf("%s: want 6 ECS services, got %d", mode, len(services))
		}
		for _, s := range services {
			if !domDependsOn(s, ordCapacityType, "shop") {
				t.Errorf("%s: ECS service %s does not depend on the cluster's capacity providers", mode, s.Name)
			}
		}
	}
}

// routesTo lists the listeners and listener rules whose actions reference
// the target group named tg.
func routesTo(res []plan.Resource, tg string) []string {
	var out []string
	for _, r := range res {
		if (r.Type == domListenerType || r.Type == domRuleType) && domDependsOn(r, domTGType, tg) {
			out = append(out, r.Type+"::"+r.Name)
		}
	}
	return out
}

// AWS refuses an ECS service whose target group has no load balancer yet
// ("The target group with targetGroupArn ... does not have an associated
// load balancer"): a target group is associated once a listener or a
// listener rule forwards to it, so the service waits for those.
func TestServicesWaitForTheirListeners(t *testing.T) {
	for _, domain := range []string{"", "example.com"} {
		res := ordProject(t, ordCompose, "balanced", domain)
		for svc, tgs := range map[string][]string{
			"shop-web":   {"shop-web-8080", "shop-web-3000"},
			"shop-named": {"shop-named-9000"},
			"shop-tcp":   {"shop-tcp-1883"},
		} {
			s := domByName(res, ordServiceType, svc)
			if s == nil {
				t.Fatalf("no ECS service %s", svc)
			}
			for _, tg := range tgs {
				routes := routesTo(res, tg)
				if len(routes) == 0 {
					t.Errorf("domain %q: nothing forwards to target group %s", domain, tg)
				}
				for _, r := range routes {
					typ, name, _ := strings.Cut(r, "::")
					if !domDependsOn(*s, typ, name) {
						t.Errorf("domain %q: %s does not wait for %s, which forwards to %s", domain, svc, r, tg)
					}
				}
			}
		}
	}
}

// A final snapshot identifier must be new for each incarnation of a store:
// RDS, DocumentDB and ElastiCache refuse to delete a store whose final
// snapshot name is already taken, which a fixed name is after the first
// destroy (or a replacement). The name carries a RandomId kept in state,
// renewed with the store, so that it stays the same across ups.
func TestFinalSnapshotIdentifierPerIncarnation(t *testing.T) {
	const randomID = "random:index/randomId:RandomId"
	for _, ms := range managedStores {
		t.Run(ms.token, func(t *testing.T) {
			final := func(extra map[string]property.Value) (string, map[string]any) {
				res, _ := construct(t, ms.token, "shop-db", storeInputs("high_availability", extra))
				ids := ofType(res, randomID)
				if len(ids) != 1 {
					t.Fatalf("want one RandomId for the final snapshot, got %d", len(ids))
				}
				store := one(t, res, ms.store)
				if !domDependsOn(store, randomID, ids[0].Name) {
					t.Errorf("the store's final snapshot identifier does not come from the RandomId: %v", store.DependsOn)
				}
				id, _ := store.Inputs["finalSnapshotIdentifier"].(string)
				keepers, _ := ids[0].Inputs["keepers"].(map[string]any)
				return id, keepers
			}
			first, keepers := final(nil)
			if !regexp.MustCompile(`^[a-z][a-z0-9-]*-final-[0-9a-f]{8}$`).MatchString(first) || len(first) > 255 || strings.Contains(first, "--") {
				t.Errorf("final snapshot identifier %q", first)
			}
			if again, _ := final(nil); again != first {
				t.Errorf("not deterministic: %q then %q", first, again)
			}
			if keepers["identifier"] == nil {
				t.Errorf("the RandomId must be renewed with the store's identifier: keepers %v", keepers)
			}
			// With allowDowntime, a new snapshot to restore from replaces
			// the store, and so renews the identifier.
			_, restored := final(map[string]property.Value{"allowDowntime": property.New(true), "fromSnapshot": str("snap-1")})
			if fmt.Sprint(restored) == fmt.Sprint(keepers) {
				t.Errorf("keepers should follow what replaces the store: %v", restored)
			}
		})
	}
	// Other modes take no final snapshot, and need no RandomId.
	res, _ := construct(t, "defang:aws:ManagedPostgres", "shop-db", storeInputs("balanced", nil))
	if n := len(ofType(res, randomID)); n != 0 {
		t.Errorf("balanced: %d RandomIds", n)
	}
}

// Fargate Spot runs X86_64 Linux tasks only ("Linux tasks with the ARM64
// architecture don't support the Fargate Spot capacity provider",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html):
// in affordable mode an arm64 service runs on FARGATE.
func TestArm64ServiceIsNotOnFargateSpot(t *testing.T) {
	for platform, want := range map[string]string{"linux/arm64": "FARGATE", "linux/amd64": "FARGATE_SPOT", "": "FARGATE_SPOT"} {
		in := fargateInputs("affordable")
		c := in["container"].AsMap().Set("platform", str(platform))
		in["container"] = property.New(c)
		res, _ := construct(t, "defang:aws:FargateService", "shop-api", in)
		svc := one(t, res, ordServiceType)
		strategy := svc.Inputs["capacityProviderStrategies"].([]any)[0].(map[string]any)
		if strategy["capacityProvider"] != want {
			t.Errorf("platform %q in affordable: capacity %v, want %s", platform, strategy["capacityProvider"], want)
		}
	}
}

// HTTPS everywhere a domain gives it (issue 13, defect 6). With the
// Project's domain every published HTTP port's listener redirects to HTTPS.
// With a service's domainname whose certificate serves, a request for that
// name on any published HTTP port (not only 80) is redirected to
// https://<domainname>; other host names (the load balancer's own) still
// reach the port's service over HTTP, as the endpoints say.
func TestPublishedHTTPPortsRedirectWhereADomainGivesHTTPS(t *testing.T) {
	isRedirect := func(a map[string]any) bool {
		r, _ := a["redirect"].(map[string]any)
		return a["type"] == "redirect" && r["protocol"] == "HTTPS" && r["port"] == "443" && r["statusCode"] == "HTTP_301"
	}
	res, _ := construct(t, domLB, "shop", domLBInputs("example.com",
		target("web", 8080, 8080, "http"), target("admin", 3000, 3000, "http"), target("site", 80, 80, "http")))
	for port, l := range domListeners(res) {
		if port != 443 && !isRedirect(domDefaultAction(l)) {
			t.Errorf("domain: listener %v does not redirect to HTTPS: %v", port, domDefaultAction(l))
		}
	}

	res, _ = construct(t, domLB, "shop", domLBInputs("",
		domTarget("web", 8080, 8080, "http", "web.issued.example"), domTarget("web", 9090, 9090, "http", "web.issued.example"),
		target("admin", 3000, 3000, "http"),
		domTarget("pending", 7000, 7000, "http", "pending.example.org")))
	ls := domListeners(res)
	for _, port := range []float64{8080, 9090, 3000, 7000} {
		if a := domDefaultAction(ls[port]); a["type"] != "forward" {
			t.Errorf("port %v: other hosts are forwarded as before: %v", port, a)
		}
		rules := domHostRules(res, fmt.Sprintf("shop-alb-%v", port))
		r, ok := rules["web.issued.example"]
		if !ok || !isRedirect(domRuleAction(r)) {
			t.Errorf("port %v: http://web.issued.example:%v should redirect to HTTPS: %v", port, port, rules)
		}
		if _, ok := rules["pending.example.org"]; ok {
			t.Errorf("port %v: a domainname without a certificate yet has no HTTPS to redirect to", port)
		}
	}
	if r, ok := domHostRules(res, "shop-alb-80")["web.issued.example"]; !ok || !isRedirect(domRuleAction(r)) {
		t.Errorf("port 80 redirects the domainname as before")
	}
}

// A grpc port served only through its service's domainname has no listener
// until ACM issues the name's certificate (outside the Project's zone,
// nothing waits for it). Its target group then has no load balancer, which
// ECS refuses: the service starts without that port on the load balancer,
// and gets it on the first update after the certificate is issued.
func TestUnroutedTargetGroupIsNotOnTheService(t *testing.T) {
	yaml := `
name: shop
services:
  api:
    image: api:1
    domainname: api.example.org
    ports: [{target: 5051, published: 5051, mode: ingress, app_protocol: grpc}, "8080:8080"]
    healthcheck: {test: ["CMD", "true"]}
    deploy: {resources: {reservations: {memory: 256M}}}
`
	res := ordProject(t, yaml, "balanced", "")
	svc := domByName(res, ordServiceType, "shop-api")
	lbs, _ := svc.Inputs["loadBalancers"].([]any)
	var ports []any
	for _, l := range lbs {
		ports = append(ports, l.(map[string]any)["containerPort"])
	}
	if fmt.Sprint(ports) != "[8080]" {
		t.Errorf("only the routed port is on the load balancer: %v", ports)
	}
	if routes := routesTo(res, "shop-api-5051"); len(routes) != 0 {
		t.Fatalf("the grpc port should have no route before its certificate: %v", routes)
	}
	// Once the certificate is issued (issued.example in the fake cloud),
	// the port is routed and on the service.
	res = ordProject(t, strings.Replace(yaml, "api.example.org", "api.issued.example", 1), "balanced", "")
	lbs, _ = domByName(res, ordServiceType, "shop-api").Inputs["loadBalancers"].([]any)
	if len(lbs) != 2 {
		t.Errorf("both ports on the load balancer once routed: %v", lbs)
	}
}
