package fakecloud

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func TestDNSInvokes(t *testing.T) {
	name := func(k, v string) property.Map {
		return property.NewMap(map[string]property.Value{k: property.New(v)})
	}
	zone, err := AWSInvoke(GetZone, "us-east-1", name("name", "Example.com."))
	if err != nil || zone.Get("zoneId").AsString() != ZoneID("example.com") || zone.Get("name").AsString() != "example.com" ||
		zone.Get("privateZone").AsBool() {
		t.Errorf("zone %v, %v", zone, err)
	}
	if _, err := AWSInvoke(GetZone, "us-east-1", name("name", "shop.invalid")); err == nil || !strings.Contains(err.Error(), "no matching Route53Zone found") {
		t.Errorf("a name under .invalid has no zone: %v", err)
	}
	if _, err := AWSInvoke(GetZone, "us-east-1"); err == nil {
		t.Error("a lookup without a name finds nothing")
	}
	cert, err := AWSInvoke(GetCertificate, "us-east-1", name("domain", "app.issued.example"))
	if err != nil || cert.Get("status").AsString() != "ISSUED" || !strings.HasPrefix(cert.Get("arn").AsString(), "arn:aws:acm:us-east-1:"+AccountID+":certificate/") {
		t.Errorf("issued certificate %v, %v", cert, err)
	}
	if _, err := AWSInvoke(GetCertificate, "us-east-1", name("domain", "app.example.org")); err == nil {
		t.Error("no certificate is issued outside issued.example")
	}
}

func TestDNSState(t *testing.T) {
	_, cert, _ := AWSState("aws:acm/certificate:Certificate", "c", "us-east-1", property.NewMap(map[string]property.Value{
		"domainName": property.New("*.example.com"), "validationMethod": property.New("DNS"),
	}))
	dvo := cert.Get("domainValidationOptions").AsArray()
	n, v := ValidationRecord("example.com")
	if dvo.Len() != 1 || dvo.Get(0).AsMap().Get("resourceRecordName").AsString() != n ||
		dvo.Get(0).AsMap().Get("resourceRecordValue").AsString() != v || dvo.Get(0).AsMap().Get("resourceRecordType").AsString() != "CNAME" {
		t.Errorf("validation options %v", dvo)
	}
	if !strings.HasPrefix(n, "_") || !strings.HasSuffix(n, ".example.com.") || !strings.HasSuffix(v, ".acm-validations.aws.") {
		t.Errorf("validation record %s -> %s", n, v)
	}
	_, rec, _ := AWSState("aws:route53/record:Record", "r", "us-east-1", property.NewMap(map[string]property.Value{"name": property.New(n)}))
	if rec.Get("fqdn").AsString() != strings.TrimSuffix(n, ".") {
		t.Errorf("fqdn %v", rec.Get("fqdn"))
	}
	_, alb, _ := AWSState("aws:lb/loadBalancer:LoadBalancer", "a", "us-east-1", property.NewMap(map[string]property.Value{"loadBalancerType": property.New("application")}))
	_, nlb, _ := AWSState("aws:lb/loadBalancer:LoadBalancer", "n", "us-east-1", property.NewMap(map[string]property.Value{"loadBalancerType": property.New("network")}))
	if alb.Get("zoneId").AsString() == "" || alb.Get("zoneId").AsString() == nlb.Get("zoneId").AsString() {
		t.Errorf("load balancer zones %v %v", alb.Get("zoneId"), nlb.Get("zoneId"))
	}
}
