package aws

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
)

// IngressTarget is one service port published through a load balancer.
type IngressTarget struct {
	Service       string `pulumi:"service"`
	Port          int    `pulumi:"port"`
	PublishedPort int    `pulumi:"publishedPort,optional"`
	// AppProtocol is http, http2 or grpc (ALB) or tcp (NLB).
	AppProtocol string `pulumi:"appProtocol,optional"`
	// Protocol is tcp (the default) or udp (NLB).
	Protocol        string `pulumi:"protocol,optional"`
	HealthCheckPath string `pulumi:"healthCheckPath,optional"`
	// HealthCheckIntervalSeconds etc. come from the compose healthcheck.
	HealthCheckIntervalSeconds int `pulumi:"healthCheckIntervalSeconds,optional"`
	HealthCheckTimeoutSeconds  int `pulumi:"healthCheckTimeoutSeconds,optional"`
	HealthCheckRetries         int `pulumi:"healthCheckRetries,optional"`
	// HealthCheckPort is the TCP port a UDP target is probed on.
	HealthCheckPort int `pulumi:"healthCheckPort,optional"`
	// DomainName is the service's compose `domainname:`, on every target of
	// that service.
	DomainName string `pulumi:"domainName,optional"`
}

func (t *IngressTarget) Annotate(a infer.Annotator) {
	a.Describe(&t.Service, "The compose service name.")
	a.Describe(&t.Port, "The container (target) port.")
	a.Describe(&t.PublishedPort, "The listener port on the load balancer; defaults to port.")
	a.Describe(&t.AppProtocol, "http (application load balancer, the default), http2 or grpc (application load balancer behind HTTPS: needs a domain, or the service's domainName), or tcp (network load balancer).")
	a.Describe(&t.HealthCheckPath, "Path the load balancer probes; taken from a curl/wget URL in the compose healthcheck. When empty, `/` is probed and any HTTP answer below 500 counts as healthy.")
	a.Describe(&t.HealthCheckIntervalSeconds, "Seconds between probes (5-300).")
	a.Describe(&t.HealthCheckTimeoutSeconds, "Probe timeout in seconds (2-120, below the interval).")
	a.Describe(&t.HealthCheckRetries, "Failed probes before a target is unhealthy (2-10).")
	a.Describe(&t.Protocol, "tcp (the default) or udp. A udp port is served by a UDP listener of the network load balancer; a service cannot have a tcp and a udp target on the same port (ECS load-balances one container port over one protocol).")
	a.Describe(&t.HealthCheckPort, "For a udp target (required): the TCP port the network load balancer probes (it checks UDP targets over TCP or HTTP only), over HTTP on healthCheckPath when that is set, else over TCP.")
	a.Describe(&t.DomainName, "The service's compose `domainname:` (give it on every target of the service). It gets its own certificate and is routed to the service's first HTTP ingress port (the lowest port).")
}

// key identifies a target in the targetGroupArns output: "service:port".
func (t IngressTarget) key() string { return fmt.Sprintf("%s:%d", t.Service, t.Port) }

func (t IngressTarget) published() int {
	if t.PublishedPort != 0 {
		return t.PublishedPort
	}
	return t.Port
}

// isTCP is true for a target of the network load balancer: a raw TCP port
// (app_protocol tcp) or a UDP port.
func (t IngressTarget) isTCP() bool { return t.AppProtocol == "tcp" || t.isUDP() }

func (t IngressTarget) isUDP() bool { return t.Protocol == "udp" }

// isHTTP1 is true for a plain HTTP target, the only kind an HTTP listener
// can serve; http2 and grpc targets need the HTTPS listener.
func (t IngressTarget) isHTTP1() bool { return !t.isTCP() && t.protocolVersion() == "HTTP1" }

// protocolVersion is the target group's protocol version (ALB targets).
func (t IngressTarget) protocolVersion() string {
	switch t.AppProtocol {
	case "http2":
		return "HTTP2"
	case "grpc":
		return "GRPC"
	}
	return "HTTP1"
}

// LoadBalancerArgs are the inputs of defang:aws:LoadBalancer.
type LoadBalancerArgs struct {
	VpcId     pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds pulumi.StringArrayInput `pulumi:"subnetIds"`
	Targets   []IngressTarget         `pulumi:"targets"`
	// Domain is a public DNS zone: each HTTP ingress port is served at
	// https://<service>--<port>.<domain>.
	Domain string `pulumi:"domain,optional"`
	// ZoneId is the Route 53 public hosted zone of Domain; looked up by
	// name when not given.
	ZoneId pulumi.StringInput `pulumi:"zoneId,optional"`
}

func (a *LoadBalancerArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.VpcId, "The VPC of the load balancers and target groups.")
	an.Describe(&a.SubnetIds, "Public subnets the load balancers live in.")
	an.Describe(&a.Targets, "The ingress ports of the project's services. Each published HTTP port gets one listener; two services may share a published HTTP port only with a domain, which routes them by host name.")
	an.Describe(&a.Domain, "A DNS name with a Route 53 public hosted zone in this account. Each HTTP ingress port is then served at `https://<service>--<port>.<domain>` behind one HTTPS listener (a wildcard ACM certificate validated in the zone), and every HTTP listener redirects to HTTPS.")
	an.Describe(&a.ZoneId, "The id of the public hosted zone of `domain`; when not given, the zone is looked up by name.")
}

// LoadBalancer is defang:aws:LoadBalancer: one shared ALB for HTTP ingress
// ports and one NLB for TCP ingress ports, each created only when needed.
type LoadBalancer struct {
	pulumi.ResourceState

	DnsName            pulumi.StringOutput    `pulumi:"dnsName"`
	NlbDnsName         pulumi.StringOutput    `pulumi:"nlbDnsName"`
	AlbSecurityGroupId pulumi.StringOutput    `pulumi:"albSecurityGroupId"`
	NlbSecurityGroupId pulumi.StringOutput    `pulumi:"nlbSecurityGroupId"`
	TargetGroupArns    pulumi.StringMapOutput `pulumi:"targetGroupArns"`
	// Endpoints maps "service:port" to its public URL.
	Endpoints pulumi.StringMapOutput `pulumi:"endpoints"`
	// DomainNameUrls maps a service with a domainname to its URL there.
	DomainNameUrls pulumi.StringMapOutput `pulumi:"domainNameUrls"`
	// CertificateArns maps each certificate's domain to its ARN.
	CertificateArns pulumi.StringMapOutput `pulumi:"certificateArns"`
	// DnsRecords are the records the user must create by hand.
	DnsRecords DnsRecordArrayOutput `pulumi:"dnsRecords"`

	// routes maps "service:port" to the listeners and listener rules that
	// forward to its target group (see Routes). Go callers only.
	routes map[string][]pulumi.Resource
}

// Routes lists the listeners and listener rules that forward to service's
// target groups, for its ECS service to start after: ELB associates a
// target group with a load balancer only once a listener or rule forwards
// to it, and ECS refuses a service whose target group has none
// (InvalidParameterException "The target group with targetGroupArn ... does
// not have an associated load balancer": terraform-provider-aws's own
// acceptance tests hit it, https://github.com/hashicorp/terraform/pull/8190).
// The property dependency on the target group's ARN alone does not order
// the service after them.
func (l *LoadBalancer) Routes(service string) []pulumi.Resource {
	var out []pulumi.Resource
	for _, key := range sortedKeys(l.routes) {
		if svc, _, ok := strings.Cut(key, ":"); ok && svc == service {
			out = append(out, l.routes[key]...)
		}
	}
	return out
}

// RoutedTargetGroups maps each port of service (as a string) whose target
// group a listener or rule forwards to, to that target group's ARN. A port
// without one (a grpc or http2 port served only through a domainname whose
// certificate is not issued yet) is left out: ECS refuses a service with a
// target group that has no load balancer, so the service starts without
// that port on the load balancer and gets it once the port is routed
// (UpdateService changes a service's load balancers in place since 2022:
// https://aws.amazon.com/about-aws/whats-new/2022/03/amazon-ecs-service-api-updating-elastic-load-balancers-service-registries-tag-propagation-ecs-managed-tags/,
// hashicorp/terraform-provider-aws#23596).
func (l *LoadBalancer) RoutedTargetGroups(service string) pulumi.StringMap {
	out := pulumi.StringMap{}
	for _, key := range sortedKeys(l.routes) {
		if svc, port, ok := strings.Cut(key, ":"); ok && svc == service {
			out[port] = l.TargetGroupArns.MapIndex(pulumi.String(key))
		}
	}
	return out
}

// route records that res forwards to the target group of target key.
func (l *LoadBalancer) route(key string, res pulumi.Resource) {
	if l.routes == nil {
		l.routes = map[string][]pulumi.Resource{}
	}
	l.routes[key] = append(l.routes[key], res)
}

func (l *LoadBalancer) Annotate(a infer.Annotator) {
	a.SetToken("aws", "LoadBalancer")
	a.Describe(&l, "The load balancers of a Defang project: an application load balancer for HTTP ingress ports (one HTTP listener per published port; with a domain, HTTPS with ACM certificates, host names per port and HTTP redirected to HTTPS), and a network load balancer for TCP and UDP ingress ports. Only the listener ports are open to the world.")
	a.Describe(&l.DnsName, "DNS name of the application load balancer (empty when no HTTP ingress).")
	a.Describe(&l.NlbDnsName, "DNS name of the network load balancer (empty when no TCP or UDP ingress).")
	a.Describe(&l.AlbSecurityGroupId, "Security group of the application load balancer; services admit it on their HTTP ingress ports.")
	a.Describe(&l.NlbSecurityGroupId, "Security group of the network load balancer; services admit it on their TCP and UDP ingress ports and the TCP ports it probes UDP ones on.")
	a.Describe(&l.TargetGroupArns, "`service:port` to the ARN of its target group.")
	a.Describe(&l.Endpoints, "`service:port` to its public URL: `https://<service>--<port>.<domain>` with a domain, else the load balancer's DNS name (`http://`, or `tcp://` / `udp://` for TCP and UDP ports); an http2/grpc port served through its service's domainName has `https://<domainName>`.")
	a.Describe(&l.DomainNameUrls, "Service to the URL of its domainName: `https://` once its certificate is on the HTTPS listener, `http://` before that.")
	a.Describe(&l.CertificateArns, "Domain of each ACM certificate created (`*.<domain>`, each domainName) to its ARN.")
	a.Describe(&l.DnsRecords, "DNS records to create by hand for each domainName outside the domain's zone: its certificate's validation CNAME and the name pointing at the load balancer. Empty when there are none.")
}

// NewLoadBalancer creates the load balancers, listeners and target groups,
// and, with a domain or domainnames, the certificates and DNS records.
//
// Without a domain and without domainnames the application load balancer
// has one HTTP listener per published port, forwarding to its target.
//
// With a domain, HTTP ports are told apart by host name, not by port: one
// HTTPS listener on 443 (TLS 1.3 policy, the wildcard certificate as its
// default) routes each <service>--<port>.<domain> to its target group by
// host header, and port 80 and every other published HTTP port get a
// listener that redirects to HTTPS (301), so http://host:published still
// arrives. Unknown hosts get a 404.
//
// A domainname is routed by host header to its service's first HTTP port
// (the lowest). Inside the domain's zone it is validated and aliased there
// and the update waits for its certificate. Outside (or with no domain) we
// cannot write its DNS: its records are listed in dnsRecords; until ACM
// issues its certificate it is served over plain HTTP on port 80 (http
// targets only), and from the update after that on, over HTTPS with HTTP
// redirected: requests for the domainname on port 80 and on every other
// published HTTP port are redirected to https://<domainname>. Without a domain, an HTTPS listener exists only once such a
// certificate is issued (the load balancer rejects a pending certificate),
// and port 80 gets a listener (404 by default) for the domainnames.
func NewLoadBalancer(ctx *pulumi.Context, name string, args LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	comp := &LoadBalancer{}
	if err := ctx.RegisterComponentResource("defang:aws:LoadBalancer", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	targets := append([]IngressTarget(nil), args.Targets...)
	sort.Slice(targets, func(i, j int) bool { return targets[i].key() < targets[j].key() })
	var httpTargets, nlbTargets []IngressTarget
	for _, t := range targets {
		switch t.AppProtocol {
		case "", "http", "http2", "grpc", "tcp":
		default:
			return nil, fmt.Errorf("service %q: port %d: appProtocol %q is not one of http, http2, grpc, tcp", t.Service, t.Port, t.AppProtocol)
		}
		switch t.Protocol {
		case "", "tcp":
		case "udp":
			if t.AppProtocol != "" && t.AppProtocol != "tcp" {
				return nil, fmt.Errorf("service %q: port %d/udp: appProtocol %q needs a TCP port", t.Service, t.Port, t.AppProtocol)
			}
		default:
			return nil, fmt.Errorf("service %q: port %d: protocol %q is not tcp or udp", t.Service, t.Port, t.Protocol)
		}
		if t.isTCP() {
			nlbTargets = append(nlbTargets, t)
		} else {
			httpTargets = append(httpTargets, t)
		}
	}
	if err := checkNLBTargets(nlbTargets, httpTargets); err != nil {
		return nil, err
	}
	domain := ""
	if args.Domain != "" {
		d, err := checkDNSName("domain", args.Domain)
		if err != nil {
			return nil, err
		}
		domain = d
	}
	if err := checkPublishedPorts(targets, domain); err != nil {
		return nil, err
	}
	if args.ZoneId != nil && domain == "" {
		return nil, fmt.Errorf("zoneId needs domain: give the name of the hosted zone as domain")
	}
	named, err := domainNameTargets(targets)
	if err != nil {
		return nil, err
	}
	if err := checkHTTPS(httpTargets, domain, named); err != nil {
		return nil, err
	}

	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	tgArns := pulumi.StringMap{}
	endpoints := pulumi.StringMap{}
	empty := pulumi.String("").ToStringOutput()
	comp.DnsName, comp.NlbDnsName, comp.AlbSecurityGroupId, comp.NlbSecurityGroupId = empty, empty, empty, empty
	comp.DomainNameUrls = pulumi.StringMap{}.ToStringMapOutput()
	comp.CertificateArns = pulumi.StringMap{}.ToStringMapOutput()
	comp.DnsRecords = dnsRecordsOutput(nil)

	if len(httpTargets) > 0 {
		if err := newApplicationLB(ctx, comp, name, args, httpTargets, domain, named, tgArns, endpoints, parent); err != nil {
			return nil, err
		}
	}
	if len(nlbTargets) > 0 {
		sg, balancer, err := newBalancer(ctx, name, "nlb", "network", args, nlbListenerPorts(nlbTargets), parent)
		if err != nil {
			return nil, err
		}
		for _, t := range nlbTargets {
			tgName := fmt.Sprintf("%s-%s-%d", name, t.Service, t.Port)
			tg, err := lb.NewTargetGroup(ctx, tgName, names.targetGroupArgs(tgName, args.VpcId, t, t.nlbProtocol()), parent)
			if err != nil {
				return nil, err
			}
			listener, err := lb.NewListener(ctx, fmt.Sprintf("%s-nlb-%d", name, t.published()), &lb.ListenerArgs{
				LoadBalancerArn: balancer.Arn,
				Port:            pulumi.Int(t.published()),
				Protocol:        pulumi.String(t.nlbProtocol()),
				DefaultActions:  forward(tg),
			}, parent)
			if err != nil {
				return nil, err
			}
			comp.route(t.key(), listener)
			tgArns[t.key()] = tg.Arn
			endpoints[t.key()] = endpointURL(strings.ToLower(t.nlbProtocol()), balancer.DnsName, t.published())
		}
		comp.NlbDnsName = balancer.DnsName
		comp.NlbSecurityGroupId = sg.ID().ToStringOutput()
	}
	comp.TargetGroupArns = tgArns.ToStringMapOutput()
	comp.Endpoints = endpoints.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// namedTarget is a service's domainname and the target it routes to.
type namedTarget struct {
	domain string // normalized
	target IngressTarget
}

// domainNameTargets pairs each domainname with its service's first HTTP
// target (the lowest port), sorted by domainname.
func domainNameTargets(targets []IngressTarget) ([]namedTarget, error) {
	byService := map[string]*namedTarget{}
	var services []string
	for _, t := range targets {
		if t.DomainName == "" {
			continue
		}
		d, err := checkDNSName(fmt.Sprintf("service %q: domainname", t.Service), t.DomainName)
		if err != nil {
			return nil, err
		}
		nt, ok := byService[t.Service]
		if !ok {
			nt = &namedTarget{domain: d}
			byService[t.Service] = nt
			services = append(services, t.Service)
		} else if nt.domain != d {
			return nil, fmt.Errorf("service %q: domainname: its targets disagree (%q and %q)", t.Service, nt.domain, d)
		}
		if !t.isTCP() && (nt.target.Service == "" || t.Port < nt.target.Port) {
			nt.target = t
		}
	}
	owner := map[string]string{}
	var out []namedTarget
	for _, s := range services {
		nt := byService[s]
		if nt.target.Service == "" {
			return nil, fmt.Errorf("service %q: domainname %q needs an HTTP ingress port (http, http2 or grpc); its ingress ports are all tcp", s, nt.domain)
		}
		if prev, ok := owner[nt.domain]; ok {
			return nil, fmt.Errorf("service %q: domainname %q is also the domainname of service %q", s, nt.domain, prev)
		}
		owner[nt.domain] = s
		out = append(out, *nt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].domain < out[j].domain })
	return out, nil
}

// checkHTTPS rejects http2/grpc targets that no HTTPS listener would serve,
// and, without a domain, a plain HTTP listener on 443 where the HTTPS
// listener of the domainnames must go.
func checkHTTPS(httpTargets []IngressTarget, domain string, named []namedTarget) error {
	routed := map[string]string{} // target key -> domainname
	for _, n := range named {
		routed[n.target.key()] = n.domain
	}
	for _, t := range httpTargets {
		if t.isHTTP1() || domain != "" || routed[t.key()] != "" {
			continue
		}
		return fmt.Errorf("service %q: port %d: %s ingress needs HTTPS: give the Project a domain (a domainname serves only its service's first HTTP port)", t.Service, t.Port, t.AppProtocol)
	}
	if domain == "" && len(named) > 0 {
		for _, t := range httpTargets {
			if t.isHTTP1() && t.published() == 443 {
				return fmt.Errorf("service %q: port %d is published on 443 as plain HTTP, but 443 is the HTTPS listener of domainname %q; publish it on another port", t.Service, t.Port, named[0].domain)
			}
		}
	}
	return nil
}

// httpListener is one HTTP listener of the application load balancer.
type httpListener struct {
	port int
	// action: "forward" to target, "redirect" to HTTPS, or "notFound".
	action string
	target IngressTarget
	res    *lb.Listener
}

const (
	httpsPort = 443
	// sslPolicy: TLS 1.3 and 1.2 only.
	sslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
)

// newApplicationLB builds the application load balancer of the HTTP
// targets; see NewLoadBalancer for the layout.
func newApplicationLB(ctx *pulumi.Context, comp *LoadBalancer, name string, args LoadBalancerArgs, httpTargets []IngressTarget,
	domain string, named []namedTarget, tgArns, endpoints pulumi.StringMap, parent pulumi.ResourceOrInvokeOption) error {
	// Which domainnames can be on the HTTPS listener in this update: those
	// in our zone (we validate them and wait), and the others once ACM has
	// issued a certificate for them.
	issued := map[string]string{}
	for _, n := range named {
		if !inZone(n.domain, domain) {
			if arn, ok := issuedCertificateArn(ctx, n.domain, parent, comp); ok {
				issued[n.domain] = arn
			}
		}
	}
	usable := func(n namedTarget) bool { return inZone(n.domain, domain) || issued[n.domain] != "" }
	https := domain != ""
	for _, n := range named {
		https = https || usable(n)
	}

	// The HTTP listeners, by port.
	listeners := map[int]*httpListener{}
	if domain != "" {
		listeners[80] = &httpListener{port: 80, action: "redirect"}
		for _, t := range httpTargets {
			if t.published() != httpsPort {
				listeners[t.published()] = &httpListener{port: t.published(), action: "redirect"}
			}
		}
	} else {
		for _, t := range httpTargets {
			if !t.isHTTP1() {
				continue
			}
			if prev, ok := listeners[t.published()]; ok {
				return fmt.Errorf("service %q: ports %d and %d are both published on %d; give one of them another published port", t.Service, prev.target.Port, t.Port, t.published())
			}
			listeners[t.published()] = &httpListener{port: t.published(), action: "forward", target: t}
		}
		if _, ok := listeners[80]; !ok && len(named) > 0 {
			listeners[80] = &httpListener{port: 80, action: "notFound"}
		}
	}
	var ports []int
	for p := range listeners {
		ports = append(ports, p)
	}
	if https {
		ports = append(ports, httpsPort)
	}
	sort.Ints(ports)

	var zone *zoneDNS
	if domain != "" {
		zoneID := args.ZoneId
		if zoneID == nil {
			id, err := lookupPublicZone(ctx, domain, parent)
			if err != nil {
				return err
			}
			zoneID = pulumi.String(id)
		}
		zone = newZoneDNS(name, zoneID, parent)
	}

	albPorts := make([]listenerPort, len(ports))
	for i, p := range ports {
		albPorts[i] = listenerPort{p, "tcp"}
	}
	sg, balancer, err := newBalancer(ctx, name, "alb", "application", args, albPorts, parent)
	if err != nil {
		return err
	}
	names, err := newNamer(ctx)
	if err != nil {
		return err
	}
	tgs := map[string]*lb.TargetGroup{}
	for _, t := range httpTargets {
		tgName := fmt.Sprintf("%s-%s-%d", name, t.Service, t.Port)
		tg, err := lb.NewTargetGroup(ctx, tgName, names.targetGroupArgs(tgName, args.VpcId, t, "HTTP"), parent)
		if err != nil {
			return err
		}
		tgs[t.key()] = tg
		tgArns[t.key()] = tg.Arn
	}
	for _, p := range ports {
		l := listeners[p]
		if l == nil {
			continue
		}
		var actions lb.ListenerDefaultActionArray
		switch l.action {
		case "forward":
			actions = forward(tgs[l.target.key()])
		case "redirect":
			actions = lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
				Type: pulumi.String("redirect"), Redirect: &lb.ListenerDefaultActionRedirectArgs{
					Protocol: pulumi.String("HTTPS"), Port: pulumi.String(fmt.Sprint(httpsPort)), StatusCode: pulumi.String("HTTP_301"),
				},
			}}
		default:
			actions = notFound()
		}
		l.res, err = lb.NewListener(ctx, fmt.Sprintf("%s-alb-%d", name, p), &lb.ListenerArgs{
			LoadBalancerArn: balancer.Arn,
			Port:            pulumi.Int(p),
			Protocol:        pulumi.String("HTTP"),
			DefaultActions:  actions,
		}, parent)
		if err != nil {
			return err
		}
		if l.action == "forward" {
			comp.route(l.target.key(), l.res)
		}
	}

	// Certificates: the domain's wildcard, then one per domainname.
	certArns := pulumi.StringMap{}
	var defaultCert pulumi.StringInput
	type extraCert struct {
		domain string
		arn    pulumi.StringInput
	}
	var extraCerts []extraCert // attached with ListenerCertificate
	var userRecords [][3]pulumi.StringOutput
	if domain != "" {
		wildcard := "*." + domain
		cert, err := newDNSCertificate(ctx, name+"-wildcard", wildcard, parent)
		if err != nil {
			return err
		}
		certArns[wildcard] = cert.Arn
		if defaultCert, err = zone.validate(ctx, name+"-wildcard", wildcard, cert); err != nil {
			return err
		}
	}
	for _, n := range named {
		cert, err := newDNSCertificate(ctx, name+"-"+n.domain, n.domain, parent)
		if err != nil {
			return err
		}
		certArns[n.domain] = cert.Arn
		var arn pulumi.StringInput
		if inZone(n.domain, domain) {
			validated, err := zone.validate(ctx, name+"-"+n.domain, n.domain, cert)
			if err != nil {
				return err
			}
			if err := zone.alias(ctx, n.domain, balancer); err != nil {
				return err
			}
			arn = validated
		} else {
			dvo := cert.DomainValidationOptions.Index(pulumi.Int(0))
			userRecords = append(userRecords,
				[3]pulumi.StringOutput{dvo.ResourceRecordName().Elem(), dvo.ResourceRecordType().Elem(), dvo.ResourceRecordValue().Elem()},
				[3]pulumi.StringOutput{pulumi.String(n.domain).ToStringOutput(), pulumi.String(targetRecordType(n.domain)).ToStringOutput(), balancer.DnsName})
			if a := issued[n.domain]; a != "" {
				arn = pulumi.String(a)
			}
		}
		switch {
		case arn == nil:
		case defaultCert == nil:
			defaultCert = arn
		default:
			extraCerts = append(extraCerts, extraCert{n.domain, arn})
		}
	}

	// The HTTPS listener and its host rules.
	type hostRoute struct {
		host   string
		target IngressTarget
	}
	var routes []hostRoute
	if domain != "" {
		for _, t := range httpTargets {
			routes = append(routes, hostRoute{IngressHostname(t.Service, t.Port, domain), t})
		}
	}
	for _, n := range named {
		if usable(n) {
			routes = append(routes, hostRoute{n.domain, n.target})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].host < routes[j].host })
	if https {
		listener, err := lb.NewListener(ctx, name+"-alb-https", &lb.ListenerArgs{
			LoadBalancerArn: balancer.Arn,
			Port:            pulumi.Int(httpsPort),
			Protocol:        pulumi.String("HTTPS"),
			SslPolicy:       pulumi.String(sslPolicy),
			CertificateArn:  defaultCert,
			DefaultActions:  notFound(),
		}, parent)
		if err != nil {
			return err
		}
		for _, c := range extraCerts {
			if _, err := lb.NewListenerCertificate(ctx, name+"-https-"+c.domain, &lb.ListenerCertificateArgs{
				ListenerArn: listener.Arn, CertificateArn: c.arn,
			}, parent); err != nil {
				return err
			}
		}
		for i, r := range routes {
			rule, err := hostRule(ctx, name+"-https-"+r.host, listener, i+1, r.host, ruleForward(tgs[r.target.key()]), parent)
			if err != nil {
				return err
			}
			comp.route(r.target.key(), rule)
		}
	}
	// Port 80 for the domainnames: before their certificate serves, plain
	// HTTP (http targets only); after, a redirect where port 80 does not
	// redirect everything already.
	priority := 0
	for _, n := range named {
		var action lb.ListenerRuleActionArray
		forwards := false
		switch {
		case usable(n) && listeners[80].action != "redirect":
			action = ruleRedirect()
		case !usable(n) && n.target.isHTTP1():
			action, forwards = ruleForward(tgs[n.target.key()]), true
		default:
			continue
		}
		priority++
		rule, err := hostRule(ctx, name+"-http-"+n.domain, listeners[80].res, priority, n.domain, action, parent)
		if err != nil {
			return err
		}
		if forwards {
			comp.route(n.target.key(), rule)
		}
	}
	// The other published HTTP ports: a request for a domainname whose
	// certificate serves is redirected to https://<domainname> on those too
	// (HTTPS everywhere a domain gives it); other host names, such as the
	// load balancer's own, still reach the port's service. A host condition
	// matches "the host name of each request"
	// (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html),
	// so http://<domainname>:<port> matches too. With a domain these
	// listeners redirect everything already.
	for _, p := range ports {
		l := listeners[p]
		if l == nil || p == 80 || l.action == "redirect" {
			continue
		}
		priority := 0
		for _, n := range named {
			if !usable(n) {
				continue
			}
			priority++
			if _, err := hostRule(ctx, fmt.Sprintf("%s-http%d-%s", name, p, n.domain), l.res, priority, n.domain, ruleRedirect(), parent); err != nil {
				return err
			}
		}
	}

	// Names in our zone, and the endpoints.
	routedBy := map[string]string{}
	for _, n := range named {
		routedBy[n.target.key()] = n.domain
	}
	for _, t := range httpTargets {
		switch {
		case domain != "":
			host := IngressHostname(t.Service, t.Port, domain)
			if err := zone.alias(ctx, host, balancer); err != nil {
				return err
			}
			endpoints[t.key()] = pulumi.String("https://" + host).ToStringOutput()
		case t.isHTTP1():
			endpoints[t.key()] = endpointURL("http", balancer.DnsName, t.published())
		default: // http2/grpc served through its service's domainname
			endpoints[t.key()] = pulumi.String("https://" + routedBy[t.key()]).ToStringOutput()
		}
	}
	domainURLs := pulumi.StringMap{}
	for _, n := range named {
		scheme := "https"
		if !usable(n) && n.target.isHTTP1() {
			scheme = "http"
		}
		domainURLs[n.target.Service] = pulumi.String(scheme + "://" + n.domain)
	}

	comp.DnsName = balancer.DnsName
	comp.AlbSecurityGroupId = sg.ID().ToStringOutput()
	comp.DomainNameUrls = domainURLs.ToStringMapOutput()
	comp.CertificateArns = certArns.ToStringMapOutput()
	comp.DnsRecords = dnsRecordsOutput(userRecords)
	return nil
}

// listenerPort is a listener port and the IP protocol it receives.
type listenerPort struct {
	port     int
	protocol string // tcp or udp
}

// newBalancer creates a load balancer of lbType and its security group,
// open to the world on the listener ports only.
func newBalancer(ctx *pulumi.Context, name, suffix, lbType string, args LoadBalancerArgs, ports []listenerPort, parent pulumi.ResourceOrInvokeOption) (*ec2.SecurityGroup, *lb.LoadBalancer, error) {
	names, err := newNamer(ctx)
	if err != nil {
		return nil, nil, err
	}
	sg, err := ec2.NewSecurityGroup(ctx, name+"-"+suffix, &ec2.SecurityGroupArgs{
		Name:        names.input(specSecurityGroup, name+"-"+suffix, name+"-"+suffix),
		VpcId:       args.VpcId,
		Description: pulumi.String("Load balancer listeners"),
		Egress:      allEgress(),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	// The only rules open to the world: the listener ports.
	// The NLB's security group filters UDP too: a UDP listener needs its
	// own rule (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).
	for _, lp := range ports {
		logical := fmt.Sprintf("%s-%s-%d", name, suffix, lp.port)
		if lp.protocol != "tcp" {
			logical += "-" + lp.protocol // TCP rules keep the names they had
		}
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, logical, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: sg.ID(),
			IpProtocol:      pulumi.String(lp.protocol),
			FromPort:        pulumi.Int(lp.port),
			ToPort:          pulumi.Int(lp.port),
			CidrIpv4:        pulumi.String("0.0.0.0/0"),
			Description:     pulumi.Sprintf("Listener port %d/%s", lp.port, lp.protocol),
		}, parent); err != nil {
			return nil, nil, err
		}
	}
	var dropInvalid pulumi.BoolPtrInput
	if lbType == "application" {
		dropInvalid = pulumi.Bool(true)
	}
	// Type and scheme replace a load balancer (ForceNew) and its name is
	// unique in the region while it exists: they salt the name.
	lbName := names.name(specLoadBalancer, name+"-"+suffix, name+"-"+suffix, lbType, "internet-facing")
	balancer, err := lb.NewLoadBalancer(ctx, name+"-"+suffix, &lb.LoadBalancerArgs{
		Name:                    lbName.Input(),
		LoadBalancerType:        pulumi.String(lbType),
		Internal:                pulumi.Bool(false),
		Subnets:                 args.SubnetIds,
		SecurityGroups:          pulumi.StringArray{sg.ID()},
		DropInvalidHeaderFields: dropInvalid,
	}, append([]pulumi.ResourceOption{parent}, replaceOptions(lbName)...)...)
	if err != nil {
		return nil, nil, err
	}
	return sg, balancer, nil
}

func forward(tg *lb.TargetGroup) lb.ListenerDefaultActionArray {
	return lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
		Type: pulumi.String("forward"), TargetGroupArn: tg.Arn,
	}}
}

// notFound answers hosts that no rule routes.
func notFound() lb.ListenerDefaultActionArray {
	return lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
		Type: pulumi.String("fixed-response"), FixedResponse: &lb.ListenerDefaultActionFixedResponseArgs{
			ContentType: pulumi.String("text/plain"), MessageBody: pulumi.String("Not Found"), StatusCode: pulumi.String("404"),
		},
	}}
}

func ruleForward(tg *lb.TargetGroup) lb.ListenerRuleActionArray {
	return lb.ListenerRuleActionArray{&lb.ListenerRuleActionArgs{Type: pulumi.String("forward"), TargetGroupArn: tg.Arn}}
}

func ruleRedirect() lb.ListenerRuleActionArray {
	return lb.ListenerRuleActionArray{&lb.ListenerRuleActionArgs{
		Type: pulumi.String("redirect"), Redirect: &lb.ListenerRuleActionRedirectArgs{
			Protocol: pulumi.String("HTTPS"), Port: pulumi.String(fmt.Sprint(httpsPort)), StatusCode: pulumi.String("HTTP_301"),
		},
	}}
}

// hostRule routes one host name. Host conditions never overlap, so the
// priorities (1, 2, ... in host order) only need to be distinct.
func hostRule(ctx *pulumi.Context, logical string, listener *lb.Listener, priority int, host string, actions lb.ListenerRuleActionArray, parent pulumi.ResourceOrInvokeOption) (*lb.ListenerRule, error) {
	return lb.NewListenerRule(ctx, logical, &lb.ListenerRuleArgs{
		ListenerArn: listener.Arn,
		Priority:    pulumi.Int(priority),
		Actions:     actions,
		Conditions: lb.ListenerRuleConditionArray{&lb.ListenerRuleConditionArgs{
			HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.StringArray{pulumi.String(host)}},
		}},
	}, parent)
}

// checkPublishedPorts rejects two services on the same listener port, like
// `docker compose` refusing a host port that is already allocated, unless a
// domain tells them apart: HTTP ports then share the HTTPS listener, routed
// by host name (<service>--<port>.<domain>). TCP ports are routed by port
// alone, domain or not.
func checkPublishedPorts(targets []IngressTarget, domain string) error {
	type owner struct {
		service string
		tcp     bool
	}
	owners := map[int]owner{}
	for _, t := range targets {
		prev, ok := owners[t.published()]
		if !ok || prev.service == t.Service {
			owners[t.published()] = owner{t.Service, t.isTCP()}
			continue
		}
		switch {
		case domain != "" && !prev.tcp && !t.isTCP():
			continue
		case prev.tcp || t.isTCP():
			return fmt.Errorf("service %q: ports: published port %d is also published by service %q, and a TCP port is routed by its port alone (there is no host name to tell the services apart); publish one of them on another published port", t.Service, t.published(), prev.service)
		default:
			return fmt.Errorf("service %q: ports: published port %d is also published by service %q: without a domain one load balancer listener serves each published port and there is no host name to tell the services apart; publish one of them on another published port (e.g. \"8081:%d\"), or set the Project's domain to serve each at its own host name", t.Service, t.published(), prev.service, t.Port)
		}
	}
	return nil
}

// nlbProtocol is the protocol of a network load balancer target's target
// group and listener.
func (t IngressTarget) nlbProtocol() string {
	if t.isUDP() {
		return "UDP"
	}
	return "TCP"
}

// checkNLBTargets checks the targets of the network load balancer. A TCP
// and a UDP target on the same port of a service would take one TCP_UDP
// target group, but ECS does not load-balance a container port that two
// port mappings use ("Container port ... is used in more than one port
// mapping": aws/amazon-ecs-agent#3428; AWS's advice is one ECS service per
// protocol behind the TCP_UDP target group, quoted in
// aws/containers-roadmap#445 from
// https://aws.amazon.com/about-aws/whats-new/2020/07/aws-fargate-for-amazon-ecs-now-supports-udp-load-balancing-with-network-load-balancer/),
// so it is refused, as is a UDP port on the port of an HTTP target (both
// would be the target "service:port"). A UDP target needs a health check
// port.
func checkNLBTargets(nlb, http []IngressTarget) error {
	taken := map[string]string{}
	for _, t := range http {
		taken[t.key()] = "an HTTP port"
	}
	for _, t := range nlb {
		if other, ok := taken[t.key()]; ok {
			return fmt.Errorf("service %q: ports: port %d is both %s and a UDP or TCP port of the network load balancer; ECS load-balances one container port over one protocol (aws/amazon-ecs-agent#3428): serve the other protocol on another port", t.Service, t.Port, other)
		}
		taken[t.key()] = "a TCP or UDP port"
		if t.isUDP() && t.HealthCheckPort == 0 {
			return fmt.Errorf("service %q: ports: UDP port %d needs a TCP port for the load balancer's health check (a network load balancer checks UDP targets over TCP or HTTP only: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html); add a TCP port, or a healthcheck that curls http://localhost:<port>/", t.Service, t.Port)
		}
	}
	return nil
}

// nlbListenerPorts are the listener ports of the network load balancer with
// their IP protocols.
func nlbListenerPorts(targets []IngressTarget) []listenerPort {
	seen := map[listenerPort]bool{}
	var ports []listenerPort
	for _, t := range targets {
		lp := listenerPort{t.published(), strings.ToLower(t.nlbProtocol())}
		if !seen[lp] {
			seen[lp] = true
			ports = append(ports, lp)
		}
	}
	sort.Slice(ports, func(i, j int) bool {
		if ports[i].port != ports[j].port {
			return ports[i].port < ports[j].port
		}
		return ports[i].protocol < ports[j].protocol
	})
	return ports
}

func endpointURL(scheme string, dns pulumi.StringOutput, port int) pulumi.StringOutput {
	if scheme == "http" && port == 80 {
		return pulumi.Sprintf("http://%s", dns)
	}
	return pulumi.Sprintf("%s://%s:%d", scheme, dns, port)
}

// targetGroupArgs maps a compose healthcheck to the target group's probe,
// within the ranges that ELB accepts. protocol is the target group's: HTTP
// (ALB), or TCP or UDP (NLB).
func targetGroupArgs(vpcID pulumi.StringInput, t IngressTarget, protocol string) *lb.TargetGroupArgs {
	interval := clamp(orDefault(t.HealthCheckIntervalSeconds, 30), 5, 300)
	timeout := clamp(orDefault(t.HealthCheckTimeoutSeconds, 5), 2, 120)
	if timeout >= interval {
		timeout = interval - 1
	}
	threshold := clamp(orDefault(t.HealthCheckRetries, 3), 2, 10)
	args := &lb.TargetGroupArgs{
		VpcId:               vpcID,
		TargetType:          pulumi.String("ip"), // Fargate tasks register by IP
		Port:                pulumi.Int(t.Port),
		DeregistrationDelay: pulumi.Int(30),
	}
	if protocol != "HTTP" {
		args.Protocol = pulumi.String(protocol)
		// A TCP target is probed over TCP on its own port. A UDP one
		// cannot be: the load balancer checks UDP targets
		// over TCP, HTTP or HTTPS only
		// (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html),
		// so it is probed on the service's health check port: over HTTP on
		// the compose healthcheck's URL when it has one, else over TCP.
		hc := &lb.TargetGroupHealthCheckArgs{
			Protocol: pulumi.String("TCP"), Interval: pulumi.Int(interval),
			HealthyThreshold: pulumi.Int(threshold), UnhealthyThreshold: pulumi.Int(threshold),
		}
		if protocol == "UDP" {
			hc.Port = pulumi.String(strconv.Itoa(t.HealthCheckPort))
			if t.HealthCheckPath != "" {
				hc.Protocol, hc.Path, hc.Matcher = pulumi.String("HTTP"), pulumi.String(t.HealthCheckPath), pulumi.String("200-399")
				hc.Timeout = pulumi.Int(timeout)
			}
		}
		args.HealthCheck = hc
		return args
	}
	path, matcher := t.HealthCheckPath, "200-399"
	if path == "" {
		// No URL in the healthcheck: any HTTP answer means the server is up.
		path, matcher = "/", "200-499"
	}
	if t.protocolVersion() == "GRPC" {
		// A gRPC probe is a gRPC call; ALB's default method answers
		// UNIMPLEMENTED (12) on any gRPC server, so any status code
		// means the server is up.
		path, matcher = "/AWS.ALB/healthcheck", "0-99"
	}
	args.Protocol = pulumi.String("HTTP")
	args.ProtocolVersion = pulumi.String(t.protocolVersion())
	args.HealthCheck = &lb.TargetGroupHealthCheckArgs{
		Protocol: pulumi.String("HTTP"), Path: pulumi.String(path), Matcher: pulumi.String(matcher),
		Interval: pulumi.Int(interval), Timeout: pulumi.Int(timeout),
		HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(threshold),
	}
	return args
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
