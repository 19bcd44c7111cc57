package azure_test

// Component tests of the custom domains of defang:azure:ContainerApp: the
// records per host kind (subdomain or apex, inside the user's Azure DNS
// zone or not), the managed certificates, the ingress bindings before and
// after Azure issued a certificate, errors, determinism and exposure.

import (
	"context"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
	"github.com/DefangLabs/pulumi-defang/provider/propjson"
)

const (
	cdCertType      = "azure-native:app/v20240301:ManagedCertificate"
	cdRecordType    = "azure-native:network:RecordSet"
	cdLookupToken   = "azure-native:app/v20240301:getManagedCertificate"
	cdDefaultDomain = "happy-rock-1234.eastus.azurecontainerapps.io"
	cdStaticIP      = "20.30.40.50"
	cdVerification  = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
)

// cdInputs is an HTTP app (caAppInputs) with the environment's custom
// domain inputs and hosts.
func cdInputs(hosts ...string) map[string]property.Value {
	in := caAppInputs("balanced")
	in["customDomains"] = caStrs(hosts...)
	in["environmentDefaultDomain"] = caStr(cdDefaultDomain)
	in["environmentStaticIp"] = caStr(cdStaticIP)
	in["customDomainVerificationId"] = caStr(cdVerification)
	return in
}

func cdWithZone(in map[string]property.Value, zone, group string) map[string]property.Value {
	in["dnsZoneName"] = caStr(zone)
	if group != "" {
		in["dnsZoneResourceGroupName"] = caStr(group)
	}
	return in
}

// cdRecords lists the created record sets as "TYPE relative → values".
func cdRecords(t *testing.T, res []plan.Resource, zone, group string) map[string]plan.Resource {
	t.Helper()
	out := map[string]plan.Resource{}
	for _, r := range caOfType(res, cdRecordType) {
		in := r.Inputs
		if in["zoneName"] != zone || in["resourceGroupName"] != group || in["ttl"] != 3600.0 {
			t.Errorf("record %s: zone, group, TTL 3600: %v", r.Name, in)
		}
		var value string
		switch in["recordType"] {
		case "CNAME":
			value = caAt(in, "cnameRecord", "cname").(string)
		case "A":
			recs := in["aRecords"].([]any)
			if len(recs) != 1 {
				t.Errorf("record %s: one A record: %v", r.Name, recs)
			}
			value = recs[0].(map[string]any)["ipv4Address"].(string)
		case "TXT":
			recs := in["txtRecords"].([]any)
			if len(recs) != 1 {
				t.Errorf("record %s: one TXT record: %v", r.Name, recs)
			}
			value = caJSON(recs[0].(map[string]any)["value"])
		default:
			t.Errorf("record %s: type %v", r.Name, in["recordType"])
		}
		key := in["recordType"].(string) + " " + in["relativeRecordSetName"].(string) + " → " + value
		if _, dup := out[key]; dup {
			t.Errorf("record %s twice", key)
		}
		out[key] = r
	}
	return out
}

func cdDnsRecords(t *testing.T, state property.Map) []string {
	t.Helper()
	var out []string
	for _, r := range state.Get("dnsRecords").AsArray().All {
		m := r.AsMap()
		out = append(out, m.Get("type").AsString()+" "+m.Get("name").AsString()+" → "+m.Get("value").AsString())
	}
	return out
}

func cdBindings(t *testing.T, app plan.Resource) string {
	t.Helper()
	return caJSON(caAt(app.Inputs, "configuration", "ingress", "customDomains"))
}

func TestAzureCustomDomainSubdomainInZone(t *testing.T) {
	res, state := caConstruct(t, caAppToken, "shop-api", cdWithZone(cdInputs("WWW.Example.com."), "example.com", "dns-rg"))
	app := caOne(t, res, caAppType)
	records := cdRecords(t, res, "example.com", "dns-rg")
	cname, ok1 := records["CNAME www → api."+cdDefaultDomain]
	asuid, ok2 := records[`TXT asuid.www → ["`+cdVerification+`"]`]
	if !ok1 || !ok2 || len(records) != 2 {
		t.Fatalf("records of a subdomain in the zone: CNAME to the app's FQDN and asuid TXT, got %v", reflect.ValueOf(records).MapKeys())
	}
	// Azure checks the records when the host is added to the app.
	if !caContains(app.DependsOn, cname.URN) || !caContains(app.DependsOn, asuid.URN) {
		t.Errorf("the app must wait for its validation records: %v", app.DependsOn)
	}
	if got := cdBindings(t, app); got != `[{"bindingType":"Disabled","name":"www.example.com"}]` {
		t.Errorf("before Azure issued the certificate the host is registered without one: %s", got)
	}
	cert := caOne(t, res, cdCertType)
	in := cert.Inputs
	if caAt(in, "properties", "subjectName") != "www.example.com" || caAt(in, "properties", "domainControlValidation") != "CNAME" ||
		in["environmentName"] != "shop-dev" || in["resourceGroupName"] != "rg" {
		t.Errorf("certificate: %v", in)
	}
	if !caContains(cert.DependsOn, app.URN) {
		t.Errorf("the certificate needs the hostname on the app first: %v", cert.DependsOn)
	}
	if n := in["managedCertificateName"].(string); !regexp.MustCompile(`^mc-api-www-example-com-[0-9a-f]{8}$`).MatchString(n) {
		t.Errorf("certificate name %q", n)
	}
	if got := cdDnsRecords(t, state); len(got) != 0 {
		t.Errorf("nothing to create by hand: %v", got)
	}
	// The app's FQDN, the CNAME's target, is the deterministic one.
	if fqdn := state.Get("fqdn").AsString(); !strings.HasPrefix(fqdn, "api.") {
		t.Errorf("fqdn %q", fqdn)
	}
}

func TestAzureCustomDomainApexInZone(t *testing.T) {
	res, state := caConstruct(t, caAppToken, "shop-api", cdWithZone(cdInputs("example.com"), "example.com", "dns-rg"))
	app := caOne(t, res, caAppType)
	cert := caOne(t, res, cdCertType)
	if caAt(cert.Inputs, "properties", "domainControlValidation") != "TXT" {
		t.Errorf("an apex is validated by TXT: %v", cert.Inputs)
	}
	records := cdRecords(t, res, "example.com", "dns-rg")
	a, ok1 := records["A @ → "+cdStaticIP]
	asuid, ok2 := records[`TXT asuid → ["`+cdVerification+`"]`]
	if !ok1 || !ok2 || len(records) != 3 {
		t.Fatalf("records of an apex: A to the static IP, asuid TXT and _dnsauth TXT, got %v", reflect.ValueOf(records).MapKeys())
	}
	var dnsauth plan.Resource
	for k, r := range records {
		if strings.HasPrefix(k, "TXT _dnsauth → ") {
			dnsauth = r
			if k == `TXT _dnsauth → [""]` {
				t.Errorf("the _dnsauth record holds the certificate's validation token: %s", k)
			}
		}
	}
	if dnsauth.URN == "" {
		t.Fatalf("no _dnsauth record: %v", reflect.ValueOf(records).MapKeys())
	}
	if !caContains(dnsauth.DependsOn, cert.URN) {
		t.Errorf("the _dnsauth record takes the certificate's token: %v", dnsauth.DependsOn)
	}
	if !caContains(app.DependsOn, a.URN) || !caContains(app.DependsOn, asuid.URN) || caContains(app.DependsOn, dnsauth.URN) {
		t.Errorf("the app waits for A and asuid (not _dnsauth, which follows it): %v", app.DependsOn)
	}
	if got := cdDnsRecords(t, state); len(got) != 0 {
		t.Errorf("nothing to create by hand: %v", got)
	}
}

func TestAzureCustomDomainOutsideZone(t *testing.T) {
	defer azure.SetAsuidRecordExists(func(string) bool { return true })() // the user created the records
	res, state := caConstruct(t, caAppToken, "shop-api",
		cdWithZone(cdInputs("api.other.org", "other.org", "www.example.com"), "example.com", "dns-rg"))
	records := cdRecords(t, res, "example.com", "dns-rg")
	if len(records) != 2 {
		t.Errorf("only www.example.com is in the zone: %v", reflect.ValueOf(records).MapKeys())
	}
	got := cdDnsRecords(t, state)
	if len(got) != 5 {
		t.Fatalf("dnsRecords: %v", got)
	}
	want := []string{
		"CNAME api.other.org → api." + cdDefaultDomain,
		"TXT asuid.api.other.org → " + cdVerification,
		"A other.org → " + cdStaticIP,
		"TXT asuid.other.org → " + cdVerification,
	}
	if !reflect.DeepEqual(got[:4], want) || !strings.HasPrefix(got[4], "TXT _dnsauth.other.org → ") || got[4] == "TXT _dnsauth.other.org → " {
		t.Errorf("dnsRecords:\n got %q\nwant %q + _dnsauth.other.org", got, want)
	}
	// The token is the apex certificate's.
	certs := caOfType(res, cdCertType)
	if len(certs) != 3 {
		t.Fatalf("one certificate per host, got %d", len(certs))
	}
	validation := map[string]any{}
	for _, c := range certs {
		validation[caAt(c.Inputs, "properties", "subjectName").(string)] = caAt(c.Inputs, "properties", "domainControlValidation")
	}
	if !reflect.DeepEqual(validation, map[string]any{"api.other.org": "CNAME", "other.org": "TXT", "www.example.com": "CNAME"}) {
		t.Errorf("validation per host: %v", validation)
	}
	app := caOne(t, res, caAppType)
	if got := cdBindings(t, app); got != `[{"bindingType":"Disabled","name":"api.other.org"},{"bindingType":"Disabled","name":"other.org"},{"bindingType":"Disabled","name":"www.example.com"}]` {
		t.Errorf("bindings in the order given: %s", got)
	}
}

func TestAzureCustomDomainWithoutZoneGroup(t *testing.T) {
	defer azure.SetAsuidRecordExists(func(string) bool { return true })() // the user created the records
	for _, in := range []map[string]property.Value{
		cdWithZone(cdInputs("www.example.com", "example.com"), "example.com", ""),
		cdInputs("www.example.com", "example.com"),
	} {
		res, state := caConstruct(t, caAppToken, "shop-api", in)
		if n := len(caOfType(res, cdRecordType)); n != 0 {
			t.Errorf("no zone group: no records created, got %d", n)
		}
		got := cdDnsRecords(t, state)
		if len(got) != 5 || got[0] != "CNAME www.example.com → api."+cdDefaultDomain || got[2] != "A example.com → "+cdStaticIP {
			t.Errorf("every record is to be created by hand: %v", got)
		}
		if n := len(caOfType(res, cdCertType)); n != 2 {
			t.Errorf("certificates: %d", n)
		}
	}
}

func TestAzureCustomDomainNone(t *testing.T) {
	res, state := caConstruct(t, caAppToken, "shop-api", caAppInputs("balanced"))
	if len(caOfType(res, cdCertType))+len(caOfType(res, cdRecordType)) != 0 {
		t.Errorf("no custom domains, no certificates or records")
	}
	if caAt(caOne(t, res, caAppType).Inputs, "configuration", "ingress", "customDomains") != nil {
		t.Errorf("no customDomains on the ingress")
	}
	if v := state.Get("dnsRecords"); !v.IsArray() || v.AsArray().Len() != 0 {
		t.Errorf("dnsRecords is [] without custom domains: %v", v)
	}
}

func TestAzureCustomDomainErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(map[string]property.Value)
		want   []string
	}{
		{"internal app", func(in map[string]property.Value) {
			in["container"] = caObj(map[string]property.Value{"ports": caArr(caPort(8080, "host", "http"))})
		}, []string{`service "api"`, "customDomains", "internal"}},
		{"internal web port", func(in map[string]property.Value) {
			in["container"] = caObj(map[string]property.Value{"ports": caArr(caPort(80, "host", "http"))})
		}, []string{`service "api"`, "customDomains", "internal"}},
		{"tcp app", func(in map[string]property.Value) {
			in["container"] = caObj(map[string]property.Value{"ports": caArr(caPort(1883, "ingress", "tcp"))})
		}, []string{`service "api"`, "customDomains", "TCP"}},
		{"no ports", func(in map[string]property.Value) {
			in["container"] = caObj(map[string]property.Value{})
		}, []string{`service "api"`, "customDomains", "no ports"}},
		{"no default domain", func(in map[string]property.Value) { delete(in, "environmentDefaultDomain") },
			[]string{`service "api"`, "customDomains", "environmentDefaultDomain"}},
		{"no verification id", func(in map[string]property.Value) { delete(in, "customDomainVerificationId") },
			[]string{`service "api"`, "customDomains", "customDomainVerificationId"}},
		{"apex without static ip", func(in map[string]property.Value) {
			in["customDomains"] = caStrs("example.com")
			delete(in, "environmentStaticIp")
		}, []string{`service "api"`, "customDomains", "environmentStaticIp"}},
		{"bad host", func(in map[string]property.Value) {
			in["customDomains"] = caStrs("www.example.com", "bad_host.example.com")
		},
			[]string{`service "api"`, "customDomains[1]", "bad_host.example.com", "not a valid host name"}},
		{"wildcard", func(in map[string]property.Value) { in["customDomains"] = caStrs("*.example.com") },
			[]string{`service "api"`, "customDomains[0]", "wildcards"}},
		{"one label", func(in map[string]property.Value) { in["customDomains"] = caStrs("localhost") },
			[]string{`service "api"`, "customDomains[0]", "two labels"}},
		{"ip address", func(in map[string]property.Value) { in["customDomains"] = caStrs("10.0.0.1") },
			[]string{`service "api"`, "customDomains[0]", "IP address"}},
		{"duplicate", func(in map[string]property.Value) {
			in["customDomains"] = caStrs("www.example.com", "WWW.example.com.")
		},
			[]string{`service "api"`, "customDomains[1]", "www.example.com is listed twice"}},
		{"zone group without zone", func(in map[string]property.Value) { in["dnsZoneResourceGroupName"] = caStr("dns-rg") },
			[]string{`service "api"`, "dnsZoneResourceGroupName", "dnsZoneName"}},
		{"bad zone", func(in map[string]property.Value) { cdWithZone(in, "example..com", "dns-rg") },
			[]string{`service "api"`, "dnsZoneName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := cdInputs("www.example.com")
			tc.mutate(in)
			err := caConstructErr(t, caAppToken, in)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error should contain %q: %v", w, err)
				}
			}
		})
	}
}

func TestAzureCustomDomainDeterministic(t *testing.T) {
	in := func() map[string]property.Value {
		return cdWithZone(cdInputs("www.example.com", "example.com", "api.other.org"), "example.com", "dns-rg")
	}
	first, s1 := caConstruct(t, caAppToken, "shop-api", in())
	second, s2 := caConstruct(t, caAppToken, "shop-api", in())
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(s1, s2) {
		t.Errorf("the same inputs must plan the same resources")
	}
}

// TestAzureCustomDomainNoExposure: custom domains add certificates and DNS
// records, and change nothing else of the app's ingress.
func TestAzureCustomDomainNoExposure(t *testing.T) {
	plain, _ := caConstruct(t, caAppToken, "shop-api", caAppInputs("balanced"))
	res, _ := caConstruct(t, caAppToken, "shop-api", cdWithZone(cdInputs("www.example.com", "example.com"), "example.com", "dns-rg"))
	types := map[string]bool{}
	for _, r := range res {
		types[r.Type] = true
	}
	if !reflect.DeepEqual(types, map[string]bool{caAppToken: true, caAppType: true, cdCertType: true, cdRecordType: true}) {
		t.Errorf("resource types: %v", types)
	}
	before := caAt(caOne(t, plain, caAppType).Inputs, "configuration", "ingress").(map[string]any)
	after := caAt(caOne(t, res, caAppType).Inputs, "configuration", "ingress").(map[string]any)
	after = copyWithout(after, "customDomains")
	if !reflect.DeepEqual(before, after) {
		t.Errorf("ingress changed beyond customDomains:\n%s\n%s", caJSON(before), caJSON(after))
	}
	if after["allowInsecure"] != false || after["external"] != true {
		t.Errorf("ingress: %v", after)
	}
}

func copyWithout(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func TestAzureCustomDomainCertificateNames(t *testing.T) {
	defer azure.SetAsuidRecordExists(func(string) bool { return true })() // the user created the records
	long := strings.Repeat("sub", 20) + ".example.com"
	in := cdInputs(long, "a.b-c.example.com", "a-b.c.example.com", "a.b.c.example.com")
	in["serviceName"] = caStr(strings.Repeat("service", 10))
	res, _ := caConstruct(t, caAppToken, "long", in)
	names := map[string]bool{}
	re := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	for _, c := range caOfType(res, cdCertType) {
		n := c.Inputs["managedCertificateName"].(string)
		if len(n) > 60 || !re.MatchString(n) || names[n] {
			t.Errorf("certificate name %q: lowercase, at most 60 characters, unique", n)
		}
		names[n] = true
	}
	if len(names) != 4 {
		t.Errorf("names: %v", names)
	}
}

// --- Certificates that Azure has issued: a monitor of our own answers the
// certificate lookup, which the shared fake Azure leaves unanswered. ---

type cdRes struct {
	Type   string
	Inputs map[string]any
}

func cdConstructWithLookup(t *testing.T, inputs map[string]property.Value, lookup func(args property.Map) (property.Map, error)) ([]cdRes, property.Map) {
	t.Helper()
	prov, err := provider.New()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var res []cdRes
	mocks := &integration.MockResourceMonitor{
		CallF: func(args integration.MockCallArgs) (property.Map, error) {
			if string(args.Token) == cdLookupToken {
				return lookup(args.Args)
			}
			return fakecloud.AzureInvoke(string(args.Token), args.Args)
		},
		NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
			mu.Lock()
			res = append(res, cdRes{Type: string(args.TypeToken), Inputs: propjson.Map(args.Inputs)})
			mu.Unlock()
			if !args.Custom {
				return "", property.Map{}, nil
			}
			id, state := fakecloud.AzureState(string(args.TypeToken), args.Name, args.Inputs)
			return id, state, nil
		},
	}
	server, err := integration.NewServer(context.Background(), provider.Name, semver.MustParse("1.0.0"),
		integration.WithProvider(prov), integration.WithMocks(mocks))
	if err != nil {
		t.Fatal(err)
	}
	urn := presource.NewURN("dev", "shop", "", tokens.Type(caAppToken), "shop-api")
	resp, err := server.Construct(p.ConstructRequest{Urn: urn, Inputs: property.NewMap(inputs)})
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	return res, resp.State
}

func cdCertID(name string) string {
	return "/subscriptions/" + fakecloud.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/shop-dev/managedCertificates/" + name
}

func TestAzureCustomDomainIssuedCertificateIsBound(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	lookup := func(args property.Map) (property.Map, error) {
		name := args.Get("managedCertificateName").AsString()
		mu.Lock()
		asked = append(asked, args.Get("resourceGroupName").AsString()+"/"+args.Get("environmentName").AsString()+"/"+name)
		mu.Unlock()
		state := "Succeeded"
		if strings.Contains(name, "pending") {
			state = "Pending"
		}
		return property.NewMap(map[string]property.Value{
			"id": property.New(cdCertID(name)), "name": property.New(name),
			"properties": property.New(property.NewMap(map[string]property.Value{
				"provisioningState": property.New(state), "subjectName": property.New("x"),
			})),
		}), nil
	}
	res, _ := cdConstructWithLookup(t, cdWithZone(cdInputs("www.example.com", "pending.example.com"), "example.com", "dns-rg"), lookup)
	var app, cert map[string]any
	for _, r := range res {
		switch {
		case r.Type == caAppType:
			app = r.Inputs
		case r.Type == cdCertType && caAt(r.Inputs, "properties", "subjectName") == "www.example.com":
			cert = r.Inputs
		}
	}
	if app == nil || cert == nil {
		t.Fatalf("app or certificate missing: %v", res)
	}
	certName := cert["managedCertificateName"].(string)
	want := `[{"bindingType":"SniEnabled","certificateId":"` + cdCertID(certName) + `","name":"www.example.com"},{"bindingType":"Disabled","name":"pending.example.com"}]`
	if got := caJSON(caAt(app, "configuration", "ingress", "customDomains")); got != want {
		t.Errorf("an issued certificate is bound, a pending one not yet:\n got %s\nwant %s", got, want)
	}
	sort.Strings(asked)
	if len(asked) != 2 || asked[1] != "rg/shop-dev/"+certName {
		t.Errorf("lookups by the environment's group, name and the certificate's name: %v", asked)
	}
}

func TestAzureAppsEnvironmentCustomDomainVerificationId(t *testing.T) {
	_, state := caConstruct(t, caEnvToken, "shop", caEnvInputs("shop", "balanced"))
	id := state.Get("customDomainVerificationId").AsString()
	if id == "" || id != fakecloud.CustomDomainVerificationID(state.Get("environmentId").AsString()) {
		t.Errorf("customDomainVerificationId %q", id)
	}
}

// A host outside the zone whose records do not resolve yet stays off the
// app (Azure would refuse it) and gets no certificate; its records are
// listed, and the first update after they exist adds it.
func TestAzureCustomDomainWaitsForItsRecords(t *testing.T) {
	defer azure.SetAsuidRecordExists(func(host string) bool { return host == "ready.other.org" })()
	res, state := caConstruct(t, caAppToken, "shop-api", cdInputs("api.other.org", "ready.other.org"))
	app := caOne(t, res, "azure-native:app/v20240301:ContainerApp")
	domains, _ := caAt(app.Inputs, "configuration", "ingress", "customDomains").([]any)
	if len(domains) != 1 || caAt(domains[0], "name") != "ready.other.org" {
		t.Errorf("only the host whose records resolve is on the app: %v", domains)
	}
	certs := caOfType(res, "azure-native:app/v20240301:ManagedCertificate")
	if len(certs) != 1 || !strings.Contains(caJSON(certs[0].Inputs), "ready.other.org") {
		t.Errorf("one certificate, for ready.other.org: %v", certs)
	}
	got := cdDnsRecords(t, state)
	want := []string{
		"CNAME api.other.org → api." + cdDefaultDomain,
		"TXT asuid.api.other.org → " + cdVerification,
		"CNAME ready.other.org → api." + cdDefaultDomain,
		"TXT asuid.ready.other.org → " + cdVerification,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dnsRecords:\n got %q\nwant %q", got, want)
	}
}
