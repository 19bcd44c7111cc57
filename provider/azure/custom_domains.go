package azure

// Custom domains of a Container App, with Azure managed certificates.
//
// Azure's flow (Container Apps, "custom domains and managed certificates"):
//
//  1. DNS: a subdomain needs a CNAME <host> → <app>.<defaultDomain> and an
//     apex domain an A <host> → the environment's static IP; both need a TXT
//     asuid.<host> → the environment's custom domain verification id. Azure
//     checks these when the hostname is added to the app, so the app depends
//     on the records we create, and records the user creates by hand must
//     exist before the update that adds the host.
//  2. The hostname goes on the app's ingress (customDomains) with
//     bindingType Disabled: served over HTTP only, no certificate.
//  3. A managed certificate for the host, in the environment, once the host
//     is on the app (it depends on the app): validated by CNAME for a
//     subdomain, by a TXT _dnsauth.<host> → the certificate's validation
//     token for an apex domain.
//  4. Once Azure has issued it, the hostname is bound to it (SniEnabled).
//
// Container Apps cannot bind a certificate in the update that registers its
// hostname (the certificate needs the hostname first, and the app's update
// cannot wait for the certificate it must itself precede), so steps 2-4 do
// not fit in one update. As on AWS (issuedCertificateArn), each update looks
// the certificate up by its deterministic name; while it is missing or not
// yet Succeeded the host is registered Disabled, and the first update after
// Azure issued it binds it (SniEnabled). So HTTPS on a custom domain starts
// with the update after issuance, usually the second one.

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	apps "github.com/pulumi/pulumi-azure-native-sdk/app/v2/v20240301"
	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

const (
	// maxManagedCertName bounds managed certificate names: the API states
	// no limit, the CLI generates names under 40 characters; 60 keeps
	// clear of any ARM child-name limit.
	maxManagedCertName = 60
	// customDomainTTL is the TTL of the DNS records we create.
	customDomainTTL = 3600
	// certificateSucceeded is the provisioning state of an issued managed
	// certificate.
	certificateSucceeded = "Succeeded"
)

// customHost is one custom domain of an app.
type customHost struct {
	name string // normalized host name
	apex bool   // A record and TXT validation, rather than CNAME
	// inZone: its records go into the user's Azure DNS zone, where
	// relative is its name ("@" at the apex).
	inZone   bool
	relative string
	certName string
	// pending: outside the zone, and its asuid TXT record does not resolve
	// yet. Azure would refuse the host on the app, so it is left off (and
	// gets no certificate) until an update after the user created the
	// records listed in dnsRecords.
	pending bool
}

// asuidRecordExists reports whether the TXT record asuid.<host> resolves:
// the user created the records of a host outside the zone. A variable so
// that tests answer without DNS.
var asuidRecordExists = func(host string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	txt, err := net.DefaultResolver.LookupTXT(ctx, "asuid."+host)
	return err == nil && len(txt) > 0
}

// customDomainsPlan is the custom domains of one app, checked before any
// resource is registered.
type customDomainsPlan struct {
	hosts []customHost
}

// planCustomDomains checks args.CustomDomains against the app's ingress and
// the environment inputs. Errors name the service and the field.
func planCustomDomains(args ContainerAppArgs, ingress *ingressPlan, appName string) (*customDomainsPlan, error) {
	service := args.ServiceName
	fail := func(field, format string, a ...any) (*customDomainsPlan, error) {
		return nil, fmt.Errorf("service %q: %s: %s", service, field, fmt.Sprintf(format, a...))
	}
	zone := ""
	if args.DnsZoneName != "" {
		z, err := checkHostName(args.DnsZoneName)
		if err != nil {
			return fail("dnsZoneName", "%v", err)
		}
		zone = z
	}
	if args.DnsZoneResourceGroupName != nil && zone == "" {
		return fail("dnsZoneResourceGroupName", "set without dnsZoneName: name the Azure DNS zone too")
	}
	if len(args.CustomDomains) == 0 {
		return &customDomainsPlan{}, nil
	}
	switch {
	case ingress == nil:
		return fail("customDomains", "the service has no ports: a custom domain needs an ingress port served over HTTP")
	case !ingress.external:
		return fail("customDomains", "the app's main port %d is internal (mode host): a custom domain needs an ingress port (mode ingress)", ingress.targetPort)
	case !ingress.isHTTP():
		return fail("customDomains", "the app's main port %d is TCP ingress: custom domains are served over HTTP(S) only", ingress.targetPort)
	}
	var missing []string
	if args.EnvironmentDefaultDomain == nil {
		missing = append(missing, "environmentDefaultDomain")
	}
	if args.CustomDomainVerificationId == nil {
		missing = append(missing, "customDomainVerificationId")
	}
	p := &customDomainsPlan{}
	seen := map[string]bool{}
	for i, h := range args.CustomDomains {
		field := fmt.Sprintf("customDomains[%d]", i)
		host, err := checkHostName(h)
		if err != nil {
			return fail(field, "%v", err)
		}
		if seen[host] {
			return fail(field, "%s is listed twice", host)
		}
		seen[host] = true
		ch := customHost{name: host, certName: managedCertName(appName, host)}
		if zone != "" && (host == zone || strings.HasSuffix(host, "."+zone)) {
			ch.apex = host == zone
			ch.inZone = args.DnsZoneResourceGroupName != nil
			ch.relative = "@"
			if !ch.apex {
				ch.relative = strings.TrimSuffix(host, "."+zone)
			}
		} else {
			// Outside the zone: what looks like an apex (two labels,
			// e.g. example.org) is one, as on AWS (targetRecordType). A
			// heuristic: a name under a multi-label public suffix
			// (example.co.uk) is taken for a subdomain.
			ch.apex = strings.Count(host, ".") == 1
			ch.pending = !asuidRecordExists(host)
		}
		p.hosts = append(p.hosts, ch)
	}
	if p.hasApex() && args.EnvironmentStaticIp == nil {
		missing = append(missing, "environmentStaticIp")
	}
	if len(missing) > 0 {
		return fail("customDomains", "%s required: pass the AppsEnvironment's defaultDomain, customDomainVerificationId and (for apex domains) staticIp", strings.Join(missing, ", "))
	}
	return p, nil
}

func (p *customDomainsPlan) hasApex() bool {
	for _, h := range p.hosts {
		if h.apex {
			return true
		}
	}
	return false
}

// checkHostName returns name normalized (lowercase, no trailing dot), or an
// error when it is not a public DNS name: two labels or more of letters,
// digits and inner hyphens, each at most 63 characters, 253 in all.
func checkHostName(name string) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not a valid host name: %s", name, why)
	}
	if len(n) > 253 {
		return bad("longer than 253 characters")
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return bad("it needs at least two labels, like example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return bad("each label must have 1 to 63 characters")
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return bad("only letters, digits, '-' and '.' are allowed (no wildcards: managed certificates name one host)")
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return bad("a label cannot begin or end with '-'")
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return bad("an IP address is not a host name")
	}
	return n, nil
}

// managedCertName is the name of the managed certificate of host on app:
// mc-<app>-<host>-<hash>, lowercase letters, digits and hyphens, at most
// maxManagedCertName characters. A host always has a '.', so dashedName
// always adds the hash, which keeps hosts that differ only in '.' and '-'
// (a.b.com, a-b.com) apart.
func managedCertName(appName, host string) string {
	return dashedName(maxManagedCertName, "mc", appName, host)
}

// customDomains is what newCustomDomains registered before the app.
type customDomains struct {
	plan      *customDomainsPlan
	name      string // the component name, prefix of logical names
	args      ContainerAppArgs
	appFqdn   pulumi.StringOutput
	parent    pulumi.ResourceOrInvokeOption
	envGroup  pulumi.StringOutput
	envName   pulumi.StringOutput
	dependsOn []pulumi.Resource
	// bindings is the app's ingress customDomains.
	bindings apps.CustomDomainArrayOutput
}

// newCustomDomains creates, in the user's zone, the records Azure checks
// when a hostname is added (CNAME or A, and asuid TXT), and works out the
// app's ingress customDomains. Call before creating the app; its
// dependsOn are the app's dependencies.
func newCustomDomains(ctx *pulumi.Context, name string, args ContainerAppArgs, p *customDomainsPlan, appName string, comp pulumi.Resource) (*customDomains, error) {
	cd := &customDomains{plan: p, name: name, args: args, parent: pulumi.Parent(comp)}
	if len(p.hosts) == 0 {
		return cd, nil
	}
	envID := args.EnvironmentId.ToStringOutput()
	cd.envName = envID.ApplyT(func(id string) string { return lastSegment(id) }).(pulumi.StringOutput)
	// The certificates live in the environment's group, which the
	// environment id names; the app's group when it does not.
	cd.envGroup = pulumi.All(envID, args.ResourceGroupName.ToStringOutput()).ApplyT(func(v []any) string {
		if g := resourceGroupOf(v[0].(string)); g != "" {
			return g
		}
		return v[1].(string)
	}).(pulumi.StringOutput)
	// The app's FQDN is deterministic, known before the app exists.
	cd.appFqdn = pulumi.Sprintf("%s.%s", appName, args.EnvironmentDefaultDomain)

	for _, h := range p.hosts {
		if !h.inZone {
			continue
		}
		target, err := cd.record(ctx, h, "", h.targetType(), cd.targetValue(h))
		if err != nil {
			return nil, err
		}
		asuid, err := cd.record(ctx, h, "asuid", "TXT", args.CustomDomainVerificationId.ToStringOutput())
		if err != nil {
			return nil, err
		}
		cd.dependsOn = append(cd.dependsOn, target, asuid)
	}

	// The binding of each host: its certificate when Azure has issued it,
	// else none (Disabled). Looked up on every update, in an apply since
	// the environment is usually an output of this deployment; no resource
	// is created in it.
	hosts := p.hosts
	cd.bindings = pulumi.All(cd.envName, cd.envGroup).ApplyT(func(v []any) []apps.CustomDomain {
		envName, group := v[0].(string), v[1].(string)
		out := make([]apps.CustomDomain, 0, len(hosts))
		for _, h := range hosts {
			if h.pending {
				continue
			}
			host := h.name
			d := apps.CustomDomain{Name: host, BindingType: pulumi.StringRef("Disabled")}
			if id, ok := issuedManagedCertificate(ctx, envName, group, h, cd.parent, comp); ok {
				d.BindingType, d.CertificateId = pulumi.StringRef("SniEnabled"), pulumi.StringRef(id)
			}
			out = append(out, d)
		}
		return out
	}).(apps.CustomDomainArrayOutput)
	return cd, nil
}

// issuedManagedCertificate looks up the managed certificate of h and returns
// its id when Azure has issued it. Any failure (most often: not created
// yet) or a state other than Succeeded means "not issued yet": the host
// stays registered without TLS until an update after issuance.
func issuedManagedCertificate(ctx *pulumi.Context, envName, group string, h customHost, opt pulumi.ResourceOrInvokeOption, res pulumi.Resource) (string, bool) {
	cert, err := apps.LookupManagedCertificate(ctx, &apps.LookupManagedCertificateArgs{
		EnvironmentName: envName, ResourceGroupName: group, ManagedCertificateName: h.certName,
	}, opt)
	state := ""
	if err == nil && cert != nil {
		state = cert.Properties.ProvisioningState
	}
	if err != nil || cert == nil || cert.Id == "" || state != certificateSucceeded {
		why := fmt.Sprintf("state %q", state)
		if err != nil {
			why = err.Error()
		}
		records := "its records in the dnsRecords output"
		if h.inZone {
			records = "the records created in the DNS zone"
		}
		_ = ctx.Log.Info(fmt.Sprintf("custom domain %s: its managed certificate %s is not issued yet (%s); the host stays registered without a certificate (bindingType Disabled), and HTTPS on it starts with the first update after Azure issues it (validation uses %s)",
			h.name, h.certName, why, records), &pulumi.LogArgs{Resource: res})
		return "", false
	}
	return cert.Id, true
}

// certificates creates the managed certificate of each host (after the app,
// which must carry the hostname first) and, for an apex in the zone, its
// _dnsauth TXT validation record. It returns the records the user must
// create by hand, in host order.
func (cd *customDomains) certificates(ctx *pulumi.Context, app *apps.ContainerApp) (spec.DnsRecordArrayOutput, error) {
	var manual [][3]pulumi.StringOutput
	str := func(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }
	for _, h := range cd.plan.hosts {
		if h.pending {
			_ = ctx.Log.Info(fmt.Sprintf("custom domain %s: asuid.%s does not resolve yet: the host is added to the app, and its certificate requested, on the first update after the records in dnsRecords exist", h.name, h.name), &pulumi.LogArgs{Resource: app})
			manual = append(manual,
				[3]pulumi.StringOutput{str(h.name), str(h.targetType()), cd.targetValue(h)},
				[3]pulumi.StringOutput{str("asuid." + h.name), str("TXT"), cd.args.CustomDomainVerificationId.ToStringOutput()})
			continue
		}
		validation := "CNAME"
		if h.apex {
			validation = "TXT"
		}
		certArgs := &apps.ManagedCertificateArgs{
			EnvironmentName:        cd.envName,
			ResourceGroupName:      cd.envGroup,
			ManagedCertificateName: pulumi.String(h.certName),
			Properties: &apps.ManagedCertificatePropertiesArgs{
				SubjectName:             pulumi.String(h.name),
				DomainControlValidation: pulumi.String(validation),
			},
		}
		if cd.args.Location != "" {
			certArgs.Location = pulumi.String(cd.args.Location)
		}
		cert, err := apps.NewManagedCertificate(ctx, cd.name+"-cert-"+h.name, certArgs, cd.parent, pulumi.DependsOn([]pulumi.Resource{app}))
		if err != nil {
			return spec.DnsRecordArrayOutput{}, err
		}
		token := cert.Properties.ValidationToken()
		if h.inZone {
			if h.apex {
				if _, err := cd.record(ctx, h, "_dnsauth", "TXT", token); err != nil {
					return spec.DnsRecordArrayOutput{}, err
				}
			}
			continue
		}
		manual = append(manual,
			[3]pulumi.StringOutput{str(h.name), str(h.targetType()), cd.targetValue(h)},
			[3]pulumi.StringOutput{str("asuid." + h.name), str("TXT"), cd.args.CustomDomainVerificationId.ToStringOutput()})
		if h.apex {
			manual = append(manual, [3]pulumi.StringOutput{str("_dnsauth." + h.name), str("TXT"), token})
		}
	}
	return spec.DnsRecords(manual), nil
}

// targetType is the record that points h at the app: CNAME, or A at an apex.
func (h customHost) targetType() string {
	if h.apex {
		return "A"
	}
	return "CNAME"
}

func (cd *customDomains) targetValue(h customHost) pulumi.StringOutput {
	if h.apex {
		return cd.args.EnvironmentStaticIp.ToStringOutput()
	}
	return cd.appFqdn
}

// record creates one record set (one record) in the user's zone: label.<host>
// (the host itself when label is ""), typ A, CNAME or TXT.
func (cd *customDomains) record(ctx *pulumi.Context, h customHost, label, typ string, value pulumi.StringOutput) (*network.RecordSet, error) {
	relative, fqdn := h.relative, h.name
	if label != "" {
		relative, fqdn = prefixRelative(label, h.relative), label+"."+h.name
	}
	args := &network.RecordSetArgs{
		ResourceGroupName:     cd.args.DnsZoneResourceGroupName,
		ZoneName:              pulumi.String(cd.args.zoneName()),
		RelativeRecordSetName: pulumi.String(relative),
		RecordType:            pulumi.String(typ),
		Ttl:                   pulumi.Float64(customDomainTTL),
	}
	switch typ {
	case "A":
		args.ARecords = network.ARecordArray{&network.ARecordArgs{Ipv4Address: value}}
	case "CNAME":
		args.CnameRecord = &network.CnameRecordArgs{Cname: value}
	case "TXT":
		args.TxtRecords = network.TxtRecordArray{&network.TxtRecordArgs{Value: pulumi.StringArray{value}}}
	}
	return network.NewRecordSet(ctx, cd.name+"-"+strings.ToLower(typ)+"-"+fqdn, args, cd.parent)
}

// zoneName is the normalized DNS zone name.
func (a ContainerAppArgs) zoneName() string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a.DnsZoneName)), ".")
}

// prefixRelative is the relative name of label.<host> for a host whose
// relative name is rel ("@" at the apex).
func prefixRelative(label, rel string) string {
	if rel == "@" {
		return label
	}
	return label + "." + rel
}

// lastSegment is the part of an ARM id after its last '/'.
func lastSegment(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}

// resourceGroupOf is the resource group an ARM id names, or "".
func resourceGroupOf(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourceGroups") {
			return parts[i+1]
		}
	}
	return ""
}
