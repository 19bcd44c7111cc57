package aws_test

// Domains, certificates and HTTPS of defang:aws:LoadBalancer, constructed
// through the mock monitor, whose fake cloud (provider/fakecloud) hosts a
// public zone for every name except under .invalid, and has an ISSUED
// certificate for every name in issued.example.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/aws"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const (
	domLB               = "defang:aws:LoadBalancer"
	domCertType         = "aws:acm/certificate:Certificate"
	domValidationType   = "aws:acm/certificateValidation:CertificateValidation"
	domRecordType       = "aws:route53/record:Record"
	domListenerType     = "aws:lb/listener:Listener"
	domRuleType         = "aws:lb/listenerRule:ListenerRule"
	domListenerCertType = "aws:lb/listenerCertificate:ListenerCertificate"
	domTGType           = "aws:lb/targetGroup:TargetGroup"
	domIngressType      = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

func domTarget(service string, port, published int, proto, domainName string) property.Value {
	m := map[string]property.Value{"service": str(service), "port": property.New(float64(port)),
		"publishedPort": property.New(float64(published)), "appProtocol": str(proto)}
	if domainName != "" {
		m["domainName"] = str(domainName)
	}
	return obj(m)
}

func domLBInputs(domain string, targets ...property.Value) map[string]property.Value {
	in := map[string]property.Value{
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1", "subnet-2"),
		"targets": property.New(property.NewArray(targets)),
	}
	if domain != "" {
		in["domain"] = str(domain)
	}
	return in
}

func domByName(res []plan.Resource, typ, name string) *plan.Resource {
	for i := range res {
		if res[i].Type == typ && res[i].Name == name {
			return &res[i]
		}
	}
	return nil
}

func domDependsOn(r plan.Resource, typ, name string) bool {
	for _, d := range r.DependsOn {
		if strings.HasSuffix(d, typ+"::"+name) {
			return true
		}
	}
	return false
}

// domListeners: port -> the listener's inputs.
func domListeners(res []plan.Resource) map[float64]map[string]any {
	out := map[float64]map[string]any{}
	for _, l := range ofType(res, domListenerType) {
		out[l.Inputs["port"].(float64)] = l.Inputs
	}
	return out
}

func domDefaultAction(l map[string]any) map[string]any {
	return l["defaultActions"].([]any)[0].(map[string]any)
}

// domHostRules: host -> rule, for the rules on the listener named listener.
func domHostRules(res []plan.Resource, listener string) map[string]plan.Resource {
	out := map[string]plan.Resource{}
	for _, r := range ofType(res, domRuleType) {
		if !domDependsOn(r, domListenerType, listener) {
			continue
		}
		cond := r.Inputs["conditions"].([]any)[0].(map[string]any)
		host := cond["hostHeader"].(map[string]any)["values"].([]any)[0].(string)
		out[host] = r
	}
	return out
}

func domRuleAction(r plan.Resource) map[string]any {
	return r.Inputs["actions"].([]any)[0].(map[string]any)
}

func domOpenPorts(res []plan.Resource, sgName string) map[float64]bool {
	open := map[float64]bool{}
	for _, r := range ofType(res, domIngressType) {
		if r.Inputs["cidrIpv4"] == "0.0.0.0/0" && domDependsOn(r, "aws:ec2/securityGroup:SecurityGroup", sgName) {
			open[r.Inputs["fromPort"].(float64)] = true
		}
	}
	return open
}

func domDNSRecords(t *testing.T, state property.Map) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, v := range state.Get("dnsRecords").AsArray().All {
		m := map[string]string{}
		for k, f := range v.AsMap().All {
			m[k] = f.AsString()
		}
		out = append(out, m)
	}
	return out
}

func TestIngressHostname(t *testing.T) {
	for _, tc := range []struct {
		service string
		port    int
		domain  string
		want    string
	}{
		{"web", 8080, "example.com", "web--8080.example.com"},
		{"My_API", 80, "Example.COM.", "my-api--80.example.com"},
		{"web", 443, "", "web--443"},
	} {
		if got := aws.IngressHostname(tc.service, tc.port, tc.domain); got != tc.want {
			t.Errorf("IngressHostname(%q, %d, %q) = %q, want %q", tc.service, tc.port, tc.domain, got, tc.want)
		}
	}
	long := strings.Repeat("a-very-long-service-name-", 4)
	a := aws.IngressHostname(long+"one", 65535, "example.com")
	b := aws.IngressHostname(long+"two", 65535, "example.com")
	for _, h := range []string{a, b} {
		label := strings.SplitN(h, ".", 2)[0]
		if len(label) > 63 || !strings.HasSuffix(label, "--65535") || strings.Contains(strings.TrimSuffix(label, "--65535"), "--") {
			t.Errorf("long name: label %q (%d characters) should be at most 63, end in --65535, with no other --", label, len(label))
		}
	}
	if a == b {
		t.Errorf("two long names sharing a prefix should stay distinct: %s", a)
	}
	if a != aws.IngressHostname(long+"one", 65535, "example.com") {
		t.Error("IngressHostname is not deterministic")
	}
	// A label that fits exactly is kept whole.
	fits := strings.Repeat("x", 63-len("--8080"))
	if got := aws.IngressHostname(fits, 8080, "d.io"); got != fits+"--8080.d.io" {
		t.Errorf("a 63-character label should not be shortened: %s", got)
	}
}

func TestLoadBalancerWithoutDomainHasNoCertificates(t *testing.T) {
	res, state := construct(t, domLB, "shop", domLBInputs("",
		target("web", 8080, 80, "http"), target("admin", 3000, 3000, "http")))
	for _, typ := range []string{domCertType, domValidationType, domRecordType, domRuleType, domListenerCertType} {
		if n := len(ofType(res, typ)); n != 0 {
			t.Errorf("no domain: %d %s", n, typ)
		}
	}
	ls := domListeners(res)
	if len(ls) != 2 || ls[80]["protocol"] != "HTTP" || domDefaultAction(ls[80])["type"] != "forward" || domDefaultAction(ls[3000])["type"] != "forward" {
		t.Errorf("one forwarding HTTP listener per published port: %v", ls)
	}
	if open := domOpenPorts(res, "shop-alb"); len(open) != 2 || !open[80] || !open[3000] {
		t.Errorf("open ports %v", open)
	}
	if n := state.Get("dnsRecords").AsArray().Len(); n != 0 {
		t.Errorf("dnsRecords should be empty: %v", state.Get("dnsRecords"))
	}
	if u := state.Get("endpoints").AsMap().Get("admin:3000").AsString(); !strings.HasPrefix(u, "http://shop-alb-") || !strings.HasSuffix(u, ".elb.amazonaws.com:3000") {
		t.Errorf("endpoint without domain: %s", u)
	}
}

func TestLoadBalancerWithDomain(t *testing.T) {
	res, state := construct(t, domLB, "shop", domLBInputs("Example.com.",
		target("web", 8080, 80, "http"), target("admin", 3000, 3000, "http"),
		domTarget("api", 50051, 50051, "grpc", ""), domTarget("events", 9000, 9000, "http2", ""),
		target("mqtt", 1883, 1883, "tcp")))
	zoneID := fakecloud.ZoneID("example.com")

	// One wildcard certificate, validated through DNS in the zone.
	certs := ofType(res, domCertType)
	if len(certs) != 1 || certs[0].Inputs["domainName"] != "*.example.com" || certs[0].Inputs["validationMethod"] != "DNS" {
		t.Fatalf("want one DNS-validated *.example.com certificate: %+v", certs)
	}
	vname, vvalue := fakecloud.ValidationRecord("*.example.com")
	var validation, aliases []plan.Resource
	for _, r := range ofType(res, domRecordType) {
		if r.Inputs["zoneId"] != zoneID {
			t.Errorf("record %s should be in the looked-up zone %s: %v", r.Name, zoneID, r.Inputs["zoneId"])
		}
		if r.Inputs["type"] == "CNAME" {
			validation = append(validation, r)
		} else {
			aliases = append(aliases, r)
		}
	}
	if len(validation) != 1 || validation[0].Inputs["name"] != vname || validation[0].Inputs["allowOverwrite"] != true ||
		fmt.Sprint(validation[0].Inputs["records"]) != fmt.Sprint([]any{vvalue}) {
		t.Errorf("validation record: %+v", validation)
	}
	cv := ofType(res, domValidationType)
	if len(cv) != 1 || !domDependsOn(cv[0], domCertType, "shop-wildcard") || !domDependsOn(cv[0], domRecordType, validation[0].Name) {
		t.Fatalf("the update should wait for the certificate's validation: %+v", cv)
	}

	// HTTPS on 443 with TLS 1.3; every HTTP listener redirects.
	ls := domListeners(res)
	https := ls[443]
	wildcardArn := state.Get("certificateArns").AsMap().Get("*.example.com").AsString()
	if https == nil || https["protocol"] != "HTTPS" || https["sslPolicy"] != "ELBSecurityPolicy-TLS13-1-2-2021-06" || https["certificateArn"] != wildcardArn {
		t.Fatalf("HTTPS listener: %v (certificate %s)", https, wildcardArn)
	}
	if l := domByName(res, domListenerType, "shop-alb-https"); !domDependsOn(*l, domValidationType, "shop-wildcard") {
		t.Error("the HTTPS listener should take the certificate from its validation, so that it waits for ISSUED")
	}
	if a := domDefaultAction(https); a["type"] != "fixed-response" {
		t.Errorf("unknown hosts on HTTPS should get a 404: %v", a)
	}
	for _, port := range []float64{80, 3000, 9000, 50051} {
		l := ls[port]
		if l == nil || l["protocol"] != "HTTP" {
			t.Errorf("port %v: want an HTTP listener, got %v", port, l)
			continue
		}
		a := domDefaultAction(l)
		r, _ := a["redirect"].(map[string]any)
		if a["type"] != "redirect" || r["protocol"] != "HTTPS" || r["port"] != "443" || r["statusCode"] != "HTTP_301" {
			t.Errorf("port %v should redirect to HTTPS with a 301: %v", port, a)
		}
	}
	if len(ls) != 6 { // 80, 443, 3000, 9000, 50051 on the ALB, 1883 on the NLB
		t.Errorf("listeners: %v", ls)
	}

	// Host rules to the target groups.
	rules := domHostRules(res, "shop-alb-https")
	for _, host := range []string{"web--8080.example.com", "admin--3000.example.com", "api--50051.example.com", "events--9000.example.com"} {
		r, ok := rules[host]
		if !ok || domRuleAction(r)["type"] != "forward" {
			t.Errorf("no forwarding host rule for %s: %v", host, rules)
		}
	}
	priorities := map[any]bool{}
	for _, r := range rules {
		priorities[r.Inputs["priority"]] = true
	}
	if len(priorities) != len(rules) || len(rules) != 4 {
		t.Errorf("rule priorities must be distinct: %d rules, %d priorities", len(rules), len(priorities))
	}
	if r := rules["api--50051.example.com"]; !domDependsOn(r, domTGType, "shop-api-50051") {
		t.Errorf("api rule should forward to its target group: %v", r.DependsOn)
	}

	// Alias records, endpoints, exposure, protocol versions.
	aliased := map[string]bool{}
	for _, r := range aliases {
		alias := r.Inputs["aliases"].([]any)[0].(map[string]any)
		if r.Inputs["type"] != "A" || !strings.HasPrefix(alias["name"].(string), "shop-alb-") || alias["zoneId"] == "" {
			t.Errorf("alias record %s: %v", r.Name, r.Inputs)
		}
		aliased[r.Inputs["name"].(string)] = true
	}
	if len(aliased) != 4 || !aliased["web--8080.example.com"] || !aliased["api--50051.example.com"] {
		t.Errorf("alias records: %v", aliased)
	}
	eps := state.Get("endpoints").AsMap()
	for key, want := range map[string]string{
		"web:8080": "https://web--8080.example.com", "admin:3000": "https://admin--3000.example.com",
		"api:50051": "https://api--50051.example.com", "events:9000": "https://events--9000.example.com",
	} {
		if got := eps.Get(key).AsString(); got != want {
			t.Errorf("endpoint %s: got %s, want %s", key, got, want)
		}
	}
	if u := eps.Get("mqtt:1883").AsString(); !strings.HasPrefix(u, "tcp://") {
		t.Errorf("TCP endpoints stay on the NLB: %s", u)
	}
	if open := domOpenPorts(res, "shop-alb"); len(open) != 5 || !open[80] || !open[443] || !open[3000] || !open[9000] || !open[50051] {
		t.Errorf("only the ALB's listener ports may be open to the world: %v", open)
	}
	versions := map[string]any{}
	for _, tg := range ofType(res, domTGType) {
		versions[tg.Name] = tg.Inputs["protocolVersion"]
	}
	if versions["shop-api-50051"] != "GRPC" || versions["shop-events-9000"] != "HTTP2" || versions["shop-web-8080"] != "HTTP1" {
		t.Errorf("protocol versions: %v", versions)
	}
	if hc := domByName(res, domTGType, "shop-api-50051").Inputs["healthCheck"].(map[string]any); hc["matcher"] != "0-99" {
		t.Errorf("gRPC health check should accept any gRPC status: %v", hc)
	}
	if n := state.Get("dnsRecords").AsArray().Len(); n != 0 {
		t.Errorf("nothing to add by hand when the zone is ours: %v", state.Get("dnsRecords"))
	}
}

func TestLoadBalancerZoneIdAndMissingZone(t *testing.T) {
	// A given zone id is used as is, without a lookup: .invalid has no
	// zone in the fake account, so a lookup would fail.
	in := domLBInputs("shop.invalid", target("web", 8080, 80, "http"))
	in["zoneId"] = str("Z0GIVEN")
	res, state := construct(t, domLB, "shop", in)
	for _, r := range ofType(res, domRecordType) {
		if r.Inputs["zoneId"] != "Z0GIVEN" {
			t.Errorf("%s: zone %v, want Z0GIVEN", r.Name, r.Inputs["zoneId"])
		}
	}
	if u := state.Get("endpoints").AsMap().Get("web:8080").AsString(); u != "https://web--8080.shop.invalid" {
		t.Errorf("endpoint %s", u)
	}

	err := constructErr(t, domLB, domLBInputs("shop.invalid", target("web", 8080, 80, "http")))
	if !strings.Contains(err.Error(), `domain "shop.invalid"`) || !strings.Contains(err.Error(), "aws.publicZoneId") {
		t.Errorf("a missing zone should name the domain and the way out: %v", err)
	}
	in = domLBInputs("", target("web", 8080, 80, "http"))
	in["zoneId"] = str("Z0GIVEN")
	if err := constructErr(t, domLB, in); !strings.Contains(err.Error(), "zoneId needs domain") {
		t.Errorf("zoneId without domain: %v", err)
	}
	if err := constructErr(t, domLB, domLBInputs("bad_domain.com", target("web", 8080, 80, "http"))); !strings.Contains(err.Error(), "not a valid DNS name") {
		t.Errorf("invalid domain: %v", err)
	}
}

func TestDomainNameInsideZone(t *testing.T) {
	res, state := construct(t, domLB, "shop", domLBInputs("example.com",
		domTarget("web", 8080, 80, "http", "www.example.com"), domTarget("web", 9090, 9090, "http", "www.example.com"),
		domTarget("home", 3000, 3000, "http", "Example.com")))
	certs := map[string]plan.Resource{}
	for _, c := range ofType(res, domCertType) {
		certs[c.Inputs["domainName"].(string)] = c
	}
	if len(certs) != 3 || certs["www.example.com"].Name == "" || certs["example.com"].Name == "" {
		t.Fatalf("want the wildcard and one certificate per domainname: %v", certs)
	}
	validations := map[string]bool{}
	for _, v := range ofType(res, domValidationType) {
		validations[v.Name] = true
	}
	if !validations["shop-www.example.com"] || !validations["shop-example.com"] || len(validations) != 3 {
		t.Errorf("each certificate in our zone is waited for: %v", validations)
	}
	cnames, aliases := map[string]int{}, map[string]bool{}
	for _, r := range ofType(res, domRecordType) {
		if r.Inputs["type"] == "CNAME" {
			cnames[r.Inputs["name"].(string)]++
		} else {
			aliases[r.Inputs["name"].(string)] = true
		}
	}
	apex, _ := fakecloud.ValidationRecord("example.com")
	www, _ := fakecloud.ValidationRecord("www.example.com")
	if len(cnames) != 2 || cnames[apex] != 1 || cnames[www] != 1 {
		t.Errorf("one validation record per name; the apex shares the wildcard's: %v", cnames)
	}
	if !aliases["www.example.com"] || !aliases["example.com"] {
		t.Errorf("domainnames should be aliased in the zone: %v", aliases)
	}
	// Both on the HTTPS listener: the wildcard by default, the domainnames
	// as listener certificates, each taken from its validation.
	lcs := ofType(res, domListenerCertType)
	if len(lcs) != 2 {
		t.Fatalf("listener certificates: %+v", lcs)
	}
	for _, lc := range lcs {
		if !domDependsOn(lc, domValidationType, "shop-"+strings.TrimPrefix(lc.Name, "shop-https-")) {
			t.Errorf("%s should wait for its certificate's validation: %v", lc.Name, lc.DependsOn)
		}
	}
	rules := domHostRules(res, "shop-alb-https")
	if r, ok := rules["www.example.com"]; !ok || !domDependsOn(r, domTGType, "shop-web-8080") {
		t.Errorf("www.example.com should route to web's first HTTP port: %v", rules)
	}
	if _, ok := rules["example.com"]; !ok {
		t.Errorf("the apex should be routed: %v", rules)
	}
	if n := len(domHostRules(res, "shop-alb-80")); n != 0 {
		t.Errorf("port 80 redirects everything; no rules there: %d", n)
	}
	urls := state.Get("domainNameUrls").AsMap()
	if urls.Get("web").AsString() != "https://www.example.com" || urls.Get("home").AsString() != "https://example.com" {
		t.Errorf("domainNameUrls: %v", urls)
	}
	if n := state.Get("dnsRecords").AsArray().Len(); n != 0 {
		t.Errorf("nothing to add by hand: %v", state.Get("dnsRecords"))
	}
}

func TestDomainNameOutsideZone(t *testing.T) {
	res, state := construct(t, domLB, "shop", domLBInputs("example.com",
		domTarget("web", 8080, 80, "http", "app.example.org"),
		domTarget("shop", 3000, 3000, "http", "shop.issued.example")))
	// app.example.org: a certificate, not waited for, nothing in our zone.
	cert := domByName(res, domCertType, "shop-app.example.org")
	if cert == nil || cert.Inputs["domainName"] != "app.example.org" {
		t.Fatalf("app.example.org should get its certificate: %v", cert)
	}
	for _, v := range ofType(res, domValidationType) {
		if v.Name != "shop-wildcard" {
			t.Errorf("no validation wait outside our zone: %s", v.Name)
		}
	}
	for _, r := range ofType(res, domRecordType) {
		if name := r.Inputs["name"].(string); strings.Contains(name, "example.org") || strings.Contains(name, "issued.example") {
			t.Errorf("no record outside our zone: %s", name)
		}
	}
	// The records the user must add: validation and target, per domainname.
	recs := domDNSRecords(t, state)
	vname, vvalue := fakecloud.ValidationRecord("app.example.org")
	dns := state.Get("dnsName").AsString()
	want := map[string]map[string]string{
		vname:             {"type": "CNAME", "value": vvalue},
		"app.example.org": {"type": "CNAME", "value": dns},
	}
	found := 0
	for _, r := range recs {
		if w, ok := want[r["name"]]; ok {
			found++
			if r["type"] != w["type"] || r["value"] != w["value"] {
				t.Errorf("record %s: %v, want %v", r["name"], r, w)
			}
		}
	}
	if found != 2 || len(recs) != 4 {
		t.Errorf("dnsRecords: %v", recs)
	}
	// Not issued yet: not on the HTTPS listener; plain HTTP on port 80.
	if _, ok := domHostRules(res, "shop-alb-https")["app.example.org"]; ok {
		t.Error("app.example.org is not served over HTTPS before its certificate is issued")
	}
	r, ok := domHostRules(res, "shop-alb-80")["app.example.org"]
	if !ok || domRuleAction(r)["type"] != "forward" || !domDependsOn(r, domTGType, "shop-web-8080") {
		t.Errorf("app.example.org should be served over HTTP until issued: %+v", r)
	}
	// shop.issued.example: issued (the user added the records): attached.
	lcs := ofType(res, domListenerCertType)
	if len(lcs) != 1 || !strings.Contains(lcs[0].Inputs["certificateArn"].(string), ":certificate/") {
		t.Fatalf("the issued certificate should be attached: %+v", lcs)
	}
	if _, ok := domHostRules(res, "shop-alb-https")["shop.issued.example"]; !ok {
		t.Error("an issued domainname is routed on HTTPS")
	}
	if _, ok := domHostRules(res, "shop-alb-80")["shop.issued.example"]; ok {
		t.Error("port 80 already redirects everything with a domain")
	}
	urls := state.Get("domainNameUrls").AsMap()
	if urls.Get("web").AsString() != "http://app.example.org" || urls.Get("shop").AsString() != "https://shop.issued.example" {
		t.Errorf("domainNameUrls: %v", urls)
	}
}

func TestDomainNameWithoutDomain(t *testing.T) {
	res, state := construct(t, domLB, "shop", domLBInputs("",
		domTarget("web", 8080, 8080, "http", "app.example.org"),
		domTarget("api", 50051, 50051, "grpc", "api.issued.example")))
	ls := domListeners(res)
	// web keeps its HTTP listener; port 80 appears for the domainnames;
	// api (grpc) has no HTTP listener; HTTPS uses the issued certificate.
	if domDefaultAction(ls[8080])["type"] != "forward" || ls[50051] != nil {
		t.Errorf("listeners: %v", ls)
	}
	if ls[80] == nil || domDefaultAction(ls[80])["type"] != "fixed-response" {
		t.Errorf("port 80 for the domainnames, 404 by default: %v", ls[80])
	}
	https := ls[443]
	if https == nil || https["protocol"] != "HTTPS" || !strings.Contains(https["certificateArn"].(string), ":certificate/") {
		t.Fatalf("an HTTPS listener with the issued certificate: %v", https)
	}
	if n := len(ofType(res, domListenerCertType)); n != 0 {
		t.Errorf("the only issued certificate is the listener's default: %d listener certificates", n)
	}
	if r, ok := domHostRules(res, "shop-alb-https")["api.issued.example"]; !ok || !domDependsOn(r, domTGType, "shop-api-50051") {
		t.Errorf("api.issued.example routes to the grpc target: %v", r)
	}
	rules80 := domHostRules(res, "shop-alb-80")
	if a := domRuleAction(rules80["api.issued.example"]); a["type"] != "redirect" {
		t.Errorf("issued domainname: HTTP redirects: %v", a)
	}
	if a := domRuleAction(rules80["app.example.org"]); a["type"] != "forward" {
		t.Errorf("pending domainname: served over HTTP: %v", a)
	}
	if open := domOpenPorts(res, "shop-alb"); len(open) != 3 || !open[80] || !open[443] || !open[8080] {
		t.Errorf("open ports %v", open)
	}
	if tg := domByName(res, domTGType, "shop-api-50051"); tg.Inputs["protocolVersion"] != "GRPC" {
		t.Errorf("grpc target group: %v", tg.Inputs["protocolVersion"])
	}
	eps := state.Get("endpoints").AsMap()
	if eps.Get("api:50051").AsString() != "https://api.issued.example" || !strings.HasSuffix(eps.Get("web:8080").AsString(), ".elb.amazonaws.com:8080") {
		t.Errorf("endpoints: %v", eps)
	}
	if n := len(ofType(res, domValidationType)); n != 0 {
		t.Errorf("no zone of ours: nothing to wait for, got %d validations", n)
	}
	if recs := domDNSRecords(t, state); len(recs) != 4 {
		t.Errorf("dnsRecords: %v", recs)
	}
	// Before any certificate is issued there is no HTTPS listener at all.
	res, _ = construct(t, domLB, "shop", domLBInputs("", domTarget("web", 8080, 8080, "http", "app.example.org")))
	if ls := domListeners(res); ls[443] != nil || len(ls) != 2 {
		t.Errorf("no HTTPS before a certificate is issued: %v", ls)
	}
}

func TestLoadBalancerHTTPSErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		domain  string
		targets []property.Value
		want    []string
	}{
		{"grpc without HTTPS", "", []property.Value{target("web", 80, 80, "http"), domTarget("api", 50051, 50051, "grpc", "")},
			[]string{`service "api"`, "port 50051", "grpc ingress needs HTTPS: give the Project a domain"}},
		{"http2 on a port the domainname does not route", "", []property.Value{
			domTarget("api", 8080, 8080, "http", "api.example.org"), domTarget("api", 9090, 9090, "http2", "api.example.org")},
			[]string{`service "api"`, "port 9090", "http2 ingress needs HTTPS"}},
		{"same domainname twice", "example.com", []property.Value{
			domTarget("a", 80, 80, "http", "x.example.com"), domTarget("b", 81, 81, "http", "x.example.com")},
			[]string{`domainname "x.example.com"`, `service "a"`, `service "b"`}},
		{"domainname with tcp only", "", []property.Value{domTarget("db", 5432, 5432, "tcp", "db.example.org")},
			[]string{`service "db"`, "needs an HTTP ingress port"}},
		{"plain HTTP on 443 next to a domainname", "", []property.Value{
			domTarget("a", 80, 80, "http", "a.example.org"), domTarget("b", 8443, 443, "http", "")},
			[]string{`service "b"`, "443"}},
		{"invalid domainname", "", []property.Value{domTarget("a", 80, 80, "http", "not a name")},
			[]string{`service "a": domainname`, "not a valid DNS name"}},
		{"unknown app protocol", "", []property.Value{domTarget("a", 80, 80, "quic", "")},
			[]string{`service "a"`, `"quic"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := constructErr(t, domLB, domLBInputs(tc.domain, tc.targets...))
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q should contain %q", err, w)
				}
			}
		})
	}
}

// The same inputs give the same plan, byte for byte.
func TestLoadBalancerDomainDeterministic(t *testing.T) {
	in := func() map[string]property.Value {
		return domLBInputs("example.com", target("web", 8080, 80, "http"), domTarget("api", 50051, 50051, "grpc", "api.example.org"),
			domTarget("home", 3000, 3000, "http", "example.com"))
	}
	a, sa := construct(t, domLB, "shop", in())
	b, sb := construct(t, domLB, "shop", in())
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) || !property.New(sa).Equals(property.New(sb)) {
		t.Error("two constructions with the same inputs differ")
	}
}
