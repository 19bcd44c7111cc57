package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Invoke tokens of the fake Route 53 and ACM.
const (
	// GetZone looks a hosted zone up by name. The fake account hosts a
	// public zone for every name except names under NoZoneTLD, for which
	// it answers the real provider's "not found" error.
	GetZone = "aws:route53/getZone:getZone"
	// GetCertificate looks an ACM certificate up by domain. The fake ACM
	// holds an ISSUED certificate for every name in IssuedDomain (the
	// domain itself and the names that end in "."+IssuedDomain), standing
	// in for a domain whose validation records the user has already added
	// at their DNS provider; for any other name it answers the real
	// provider's "not found" error.
	GetCertificate = "aws:acm/getCertificate:getCertificate"
)

// NoZoneTLD is the top-level domain (RFC 2606's .invalid) under which the
// fake account has no hosted zone.
const NoZoneTLD = "invalid"

// IssuedDomain is the domain whose names have an ISSUED certificate in the
// fake ACM (RFC 2606's .example).
const IssuedDomain = "issued.example"

// ALB and NLB canonical hosted zone ids (the real us-east-1 values), the
// target zone of Route 53 alias records.
const (
	albZoneID = "Z35SXDOTRQ7X7K"
	nlbZoneID = "Z26RNL4JYFTOTI"
)

// dnsInvoke answers the Route 53 and ACM invokes; ok is false for any
// other token.
func dnsInvoke(token, region string, args []property.Map) (out property.Map, ok bool, err error) {
	arg := func(key string) string {
		for _, a := range args {
			if v, found := a.GetOk(key); found && v.IsString() {
				return v.AsString()
			}
		}
		return ""
	}
	switch token {
	case GetZone:
		name := normalizeDNSName(arg("name"))
		if name == "" || name == NoZoneTLD || strings.HasSuffix(name, "."+NoZoneTLD) {
			return property.Map{}, true, fmt.Errorf("no matching Route53Zone found")
		}
		id := ZoneID(name)
		return property.NewMap(map[string]property.Value{
			"id": property.New(id), "zoneId": property.New(id), "name": property.New(name),
			"arn":             property.New("arn:aws:route53:::hostedzone/" + id),
			"privateZone":     property.New(false),
			"callerReference": property.New(id), "comment": property.New(""),
			"nameServers": property.New(strings2values([]string{
				"ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net",
			})),
			"primaryNameServer":      property.New("ns-1.awsdns-01.org"),
			"resourceRecordSetCount": property.New(2.0),
		}), true, nil
	case GetCertificate:
		domain := normalizeDNSName(arg("domain"))
		if domain == "" || (domain != IssuedDomain && !strings.HasSuffix(domain, "."+IssuedDomain)) {
			return property.Map{}, true, fmt.Errorf("no ACM Certificate matching domain (%s)", domain)
		}
		return property.NewMap(map[string]property.Value{
			"id": property.New(domain), "domain": property.New(domain),
			"arn":    property.New(certificateARN(region, "issued::"+domain)),
			"status": property.New("ISSUED"),
		}), true, nil
	}
	return property.Map{}, false, nil
}

// addDNSOutputs adds the outputs of the Route 53, ACM and load balancer
// resources that DNS and certificates read: a certificate's ARN and its
// DNS validation records, a record's fqdn, a load balancer's canonical
// hosted zone.
func addDNSOutputs(typ, name, region string, state map[string]property.Value) {
	str := func(key string) string {
		if v, ok := state[key]; ok && v.IsString() {
			return v.AsString()
		}
		return ""
	}
	switch typ {
	case "aws:lb/loadBalancer:LoadBalancer":
		if str("loadBalancerType") == "network" {
			state["zoneId"] = property.New(nlbZoneID)
		} else {
			state["zoneId"] = property.New(albZoneID)
		}
	case "aws:acm/certificate:Certificate":
		state["arn"] = property.New(certificateARN(region, name))
		state["status"] = property.New("PENDING_VALIDATION")
		domains := []string{str("domainName")}
		if sans, ok := state["subjectAlternativeNames"]; ok && sans.IsArray() {
			for _, v := range sans.AsArray().All {
				if v.IsString() && v.AsString() != domains[0] {
					domains = append(domains, v.AsString())
				}
			}
		}
		var options []property.Value
		for _, d := range domains {
			name, value := ValidationRecord(d)
			options = append(options, property.New(property.NewMap(map[string]property.Value{
				"domainName": property.New(d), "resourceRecordName": property.New(name),
				"resourceRecordType": property.New("CNAME"), "resourceRecordValue": property.New(value),
			})))
		}
		state["domainValidationOptions"] = property.New(property.NewArray(options))
	case "aws:route53/record:Record":
		state["fqdn"] = property.New(normalizeDNSName(str("name")))
	}
}

// ZoneID is the id of the fake public hosted zone of name.
func ZoneID(name string) string {
	sum := sha256.Sum256([]byte("zone::" + normalizeDNSName(name)))
	return "Z" + strings.ToUpper(hex.EncodeToString(sum[:]))[:20]
}

// ValidationRecord is the CNAME (name and value, both with a trailing dot)
// that the fake ACM asks for to validate domain. As in ACM, a wildcard and
// its base domain ("*.example.com" and "example.com") share one record.
func ValidationRecord(domain string) (name, value string) {
	base := strings.TrimPrefix(normalizeDNSName(domain), "*.")
	sum := sha256.Sum256([]byte("acm::" + base))
	h := hex.EncodeToString(sum[:])
	return "_" + h[:32] + "." + base + ".", "_" + h[32:64] + ".acm-validations.aws."
}

func certificateARN(region, key string) string {
	sum := sha256.Sum256([]byte("certificate::" + key))
	return fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", region, AccountID, uuidOf(hex.EncodeToString(sum[:])))
}

func uuidOf(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func normalizeDNSName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}
