package aws

// DNS names, ACM certificates and Route 53 records of the load balancer.
//
// Choices (see also NewLoadBalancer):
//   - The project's domain gets ONE wildcard certificate, *.<domain>. Every
//     ingress hostname <service>--<port>.<domain> is a single label under the
//     domain, so the wildcard covers them all: adding a service or a port
//     changes no certificate (no re-validation, no listener update), and the
//     hostnames never appear in Certificate Transparency logs one by one.
//   - A service's compose `domainname:` gets a certificate of its own. When
//     it lies in the project's zone, its validation record and an alias
//     record go into that zone and the update waits for validation
//     (acm.CertificateValidation). Otherwise we cannot write its DNS: the
//     certificate is created without waiting, the records the user must add
//     are listed in the dnsRecords output, and the certificate is attached to
//     the HTTPS listener only once ACM reports one ISSUED for the name (see
//     issuedCertificateArn).
//   - Validation records are written with allowOverwrite, and once per base
//     name: ACM asks for the same CNAME for "*.example.com" and
//     "example.com", so a domainname at the zone apex reuses the wildcard's
//     record instead of fighting over it.

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/autonaming"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// maxDNSLabel is the longest DNS label (RFC 1035).
const maxDNSLabel = 63

// IngressHostname is the public hostname of an ingress port under domain:
// "<service>--<port>.<domain>", lowercase, with the service reduced to a DNS
// label. The first label never exceeds 63 characters: a long service name is
// cut and given a short hash of the full name, so that two long names that
// share a prefix stay distinct and the same name always gives the same host.
// With an empty domain it returns the label alone.
func IngressHostname(service string, port int, domain string) string {
	host := autonaming.DNSLabelWithSuffix(compose.DNSLabel(service), fmt.Sprintf("--%d", port), service)
	if d := normalizeDNSName(domain); d != "" {
		host += "." + d
	}
	return host
}

// normalizeDNSName lowercases a DNS name and drops a trailing dot.
func normalizeDNSName(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// checkDNSName returns name normalized, or an error naming what (e.g.
// `domain`, `service "web": domainname`) when it is not a valid public DNS
// name: at least two labels of letters, digits and inner hyphens, each at
// most 63 characters, 253 in all.
func checkDNSName(what, name string) (string, error) {
	n := normalizeDNSName(name)
	bad := func(why string) error {
		return fmt.Errorf("%s: %q is not a valid DNS name: %s", what, name, why)
	}
	if len(n) > 253 {
		return "", bad("longer than 253 characters")
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return "", bad("it needs at least two labels, like example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > maxDNSLabel {
			return "", bad("each label must have 1 to 63 characters")
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", bad("only letters, digits, '-' and '.' are allowed")
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad("a label cannot begin or end with '-'")
		}
	}
	return n, nil
}

// inZone reports whether name is zone or a name under it.
func inZone(name, zone string) bool {
	return zone != "" && (name == zone || strings.HasSuffix(name, "."+zone))
}

// DnsRecord is a record the user must create by hand (provider/spec).
type (
	DnsRecord            = spec.DnsRecord
	DnsRecordArrayOutput = spec.DnsRecordArrayOutput
)

// dnsRecordsOutput resolves records (each as name, type, value outputs) into
// one output, in the order given.
var dnsRecordsOutput = spec.DnsRecords

// targetRecordType is the record type that points a name at the load
// balancer: CNAME, except for what looks like a zone apex (two labels,
// e.g. example.org) where DNS forbids a CNAME; there the user needs the
// provider's ALIAS/ANAME. A heuristic: a name under a multi-label public
// suffix (example.co.uk) is reported as CNAME.
func targetRecordType(name string) string {
	if strings.Count(name, ".") == 1 {
		return "ALIAS"
	}
	return "CNAME"
}

// lookupPublicZone finds the id of the public Route 53 hosted zone named
// domain, at construction time, so that a missing zone fails with a sentence
// rather than an invoke error deep in an output.
func lookupPublicZone(ctx *pulumi.Context, domain string, opt pulumi.ResourceOrInvokeOption) (string, error) {
	zone, err := route53.LookupZone(ctx, &route53.LookupZoneArgs{Name: &domain, PrivateZone: pulumi.BoolRef(false)}, opt)
	if err != nil {
		return "", fmt.Errorf("domain %q: no public Route 53 hosted zone of that name was found in this account (%v); create the zone, or pass its id as aws.publicZoneId", domain, err)
	}
	return zone.ZoneId, nil
}

// issuedCertificateArn asks ACM for an ISSUED certificate of domain (the
// most recent one). It is how a domainname outside the project's zone gets
// onto the HTTPS listener: the load balancer rejects a certificate that is
// still pending validation, and we cannot wait for a validation that needs
// the user to act. So the first update creates the certificate and lists
// its records; once the user has added them and ACM has issued it, the
// next update finds it here and attaches it. The lookup fails when there is
// none; any failure counts as "not issued yet" and is logged.
func issuedCertificateArn(ctx *pulumi.Context, domain string, opt pulumi.ResourceOrInvokeOption, res pulumi.Resource) (string, bool) {
	cert, err := acm.LookupCertificate(ctx, &acm.LookupCertificateArgs{
		Domain: &domain, Statuses: []string{"ISSUED"}, MostRecent: pulumi.BoolRef(true),
	}, opt)
	if err != nil || cert == nil || cert.Arn == "" {
		_ = ctx.Log.Info(fmt.Sprintf("domainname %s: no ISSUED certificate yet; add the records of the dnsRecords output at its DNS provider, then run another update to serve it over HTTPS (%v)", domain, err), &pulumi.LogArgs{Resource: res})
		return "", false
	}
	return cert.Arn, true
}

// zoneDNS writes records into the project's public hosted zone.
type zoneDNS struct {
	name   string // the component name, prefix of logical names
	zoneID pulumi.StringInput
	parent pulumi.ResourceOption
	// validation records by base name ("*.example.com" -> "example.com").
	validation map[string]*route53.Record
}

func newZoneDNS(name string, zoneID pulumi.StringInput, parent pulumi.ResourceOption) *zoneDNS {
	return &zoneDNS{name: name, zoneID: zoneID, parent: parent, validation: map[string]*route53.Record{}}
}

// validate writes cert's DNS validation record into the zone (once per base
// name) and returns the certificate's ARN once ACM has issued it.
func (z *zoneDNS) validate(ctx *pulumi.Context, logical, certDomain string, cert *acm.Certificate) (pulumi.StringOutput, error) {
	base := strings.TrimPrefix(certDomain, "*.")
	rec, ok := z.validation[base]
	if !ok {
		dvo := cert.DomainValidationOptions.Index(pulumi.Int(0))
		var err error
		rec, err = route53.NewRecord(ctx, z.name+"-validation-"+base, &route53.RecordArgs{
			ZoneId:         z.zoneID,
			Name:           dvo.ResourceRecordName().Elem(),
			Type:           dvo.ResourceRecordType().Elem(),
			Records:        pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
			Ttl:            pulumi.Int(60),
			AllowOverwrite: pulumi.Bool(true),
		}, z.parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		z.validation[base] = rec
	}
	v, err := acm.NewCertificateValidation(ctx, logical, &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{rec.Fqdn},
	}, z.parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return v.CertificateArn, nil
}

// alias points host at the load balancer with a Route 53 alias A record.
func (z *zoneDNS) alias(ctx *pulumi.Context, host string, balancer *lb.LoadBalancer) error {
	_, err := route53.NewRecord(ctx, z.name+"-alias-"+host, &route53.RecordArgs{
		ZoneId: z.zoneID,
		Name:   pulumi.String(host),
		Type:   pulumi.String("A"),
		Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
			Name: balancer.DnsName, ZoneId: balancer.ZoneId, EvaluateTargetHealth: pulumi.Bool(true),
		}},
	}, z.parent)
	return err
}

// newDNSCertificate requests an ACM certificate for domain, validated by DNS.
func newDNSCertificate(ctx *pulumi.Context, logical, domain string, parent pulumi.ResourceOption) (*acm.Certificate, error) {
	return acm.NewCertificate(ctx, logical, &acm.CertificateArgs{
		DomainName:       pulumi.String(domain),
		ValidationMethod: pulumi.String("DNS"),
	}, parent)
}
