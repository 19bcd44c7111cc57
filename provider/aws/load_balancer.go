package aws

import (
	"fmt"
	"sort"

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
	// AppProtocol is http (ALB) or tcp (NLB).
	AppProtocol     string `pulumi:"appProtocol,optional"`
	HealthCheckPath string `pulumi:"healthCheckPath,optional"`
	// HealthCheckIntervalSeconds etc. come from the compose healthcheck.
	HealthCheckIntervalSeconds int `pulumi:"healthCheckIntervalSeconds,optional"`
	HealthCheckTimeoutSeconds  int `pulumi:"healthCheckTimeoutSeconds,optional"`
	HealthCheckRetries         int `pulumi:"healthCheckRetries,optional"`
}

func (t *IngressTarget) Annotate(a infer.Annotator) {
	a.Describe(&t.Service, "The compose service name.")
	a.Describe(&t.Port, "The container (target) port.")
	a.Describe(&t.PublishedPort, "The listener port on the load balancer; defaults to port.")
	a.Describe(&t.AppProtocol, "http (application load balancer, the default) or tcp (network load balancer).")
	a.Describe(&t.HealthCheckPath, "Path the load balancer probes; taken from a curl/wget URL in the compose healthcheck. When empty, `/` is probed and any HTTP answer below 500 counts as healthy.")
	a.Describe(&t.HealthCheckIntervalSeconds, "Seconds between probes (5-300).")
	a.Describe(&t.HealthCheckTimeoutSeconds, "Probe timeout in seconds (2-120, below the interval).")
	a.Describe(&t.HealthCheckRetries, "Failed probes before a target is unhealthy (2-10).")
}

// key identifies a target in the targetGroupArns output: "service:port".
func (t IngressTarget) key() string { return fmt.Sprintf("%s:%d", t.Service, t.Port) }

func (t IngressTarget) published() int {
	if t.PublishedPort != 0 {
		return t.PublishedPort
	}
	return t.Port
}

func (t IngressTarget) isTCP() bool { return t.AppProtocol == "tcp" }

// LoadBalancerArgs are the inputs of defang:aws:LoadBalancer.
type LoadBalancerArgs struct {
	VpcId     pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds pulumi.StringArrayInput `pulumi:"subnetIds"`
	Targets   []IngressTarget         `pulumi:"targets"`
}

func (a *LoadBalancerArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.VpcId, "The VPC of the load balancers and target groups.")
	an.Describe(&a.SubnetIds, "Public subnets the load balancers live in.")
	an.Describe(&a.Targets, "The ingress ports of the project's services. Each published port gets one listener; two services cannot publish the same port.")
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
}

func (l *LoadBalancer) Annotate(a infer.Annotator) {
	a.SetToken("aws", "LoadBalancer")
	a.Describe(&l, "The load balancers of a Defang project: an application load balancer with one HTTP listener per published port, and a network load balancer for TCP ingress ports. Only the listener ports are open to the world.")
	a.Describe(&l.DnsName, "DNS name of the application load balancer (empty when no HTTP ingress).")
	a.Describe(&l.NlbDnsName, "DNS name of the network load balancer (empty when no TCP ingress).")
	a.Describe(&l.AlbSecurityGroupId, "Security group of the application load balancer; services admit it on their HTTP ingress ports.")
	a.Describe(&l.NlbSecurityGroupId, "Security group of the network load balancer; services admit it on their TCP ingress ports.")
	a.Describe(&l.TargetGroupArns, "`service:port` to the ARN of its target group.")
	a.Describe(&l.Endpoints, "`service:port` to its public URL.")
}

// NewLoadBalancer creates the load balancers, listeners and target groups.
func NewLoadBalancer(ctx *pulumi.Context, name string, args LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	comp := &LoadBalancer{}
	if err := ctx.RegisterComponentResource("defang:aws:LoadBalancer", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	targets := append([]IngressTarget(nil), args.Targets...)
	sort.Slice(targets, func(i, j int) bool { return targets[i].key() < targets[j].key() })
	if err := checkPublishedPorts(targets); err != nil {
		return nil, err
	}
	var httpTargets, tcpTargets []IngressTarget
	for _, t := range targets {
		if t.isTCP() {
			tcpTargets = append(tcpTargets, t)
		} else {
			httpTargets = append(httpTargets, t)
		}
	}

	tgArns := pulumi.StringMap{}
	endpoints := pulumi.StringMap{}
	empty := pulumi.String("").ToStringOutput()
	comp.DnsName, comp.NlbDnsName, comp.AlbSecurityGroupId, comp.NlbSecurityGroupId = empty, empty, empty, empty

	for _, kind := range []struct {
		suffix, lbType, scheme string
		targets                []IngressTarget
		dns, sg                *pulumi.StringOutput
	}{
		{"alb", "application", "http", httpTargets, &comp.DnsName, &comp.AlbSecurityGroupId},
		{"nlb", "network", "tcp", tcpTargets, &comp.NlbDnsName, &comp.NlbSecurityGroupId},
	} {
		if len(kind.targets) == 0 {
			continue
		}
		sg, err := ec2.NewSecurityGroup(ctx, name+"-"+kind.suffix, &ec2.SecurityGroupArgs{
			VpcId:       args.VpcId,
			Description: pulumi.String("Load balancer listeners"),
			Egress:      allEgress(),
		}, parent)
		if err != nil {
			return nil, err
		}
		// The only rules open to the world: the listener ports.
		for _, port := range publishedPorts(kind.targets) {
			if _, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-%s-%d", name, kind.suffix, port), &vpc.SecurityGroupIngressRuleArgs{
				SecurityGroupId: sg.ID(),
				IpProtocol:      pulumi.String("tcp"),
				FromPort:        pulumi.Int(port),
				ToPort:          pulumi.Int(port),
				CidrIpv4:        pulumi.String("0.0.0.0/0"),
				Description:     pulumi.Sprintf("Listener port %d", port),
			}, parent); err != nil {
				return nil, err
			}
		}
		balancer, err := lb.NewLoadBalancer(ctx, name+"-"+kind.suffix, &lb.LoadBalancerArgs{
			LoadBalancerType: pulumi.String(kind.lbType),
			Internal:         pulumi.Bool(false),
			Subnets:          args.SubnetIds,
			SecurityGroups:   pulumi.StringArray{sg.ID()},
			DropInvalidHeaderFields: func() pulumi.BoolPtrInput {
				if kind.lbType == "application" {
					return pulumi.Bool(true)
				}
				return nil
			}(),
		}, parent)
		if err != nil {
			return nil, err
		}
		for _, t := range kind.targets {
			tg, err := lb.NewTargetGroup(ctx, fmt.Sprintf("%s-%s-%d", name, t.Service, t.Port), targetGroupArgs(args.VpcId, t), parent)
			if err != nil {
				return nil, err
			}
			protocol := "HTTP"
			if t.isTCP() {
				protocol = "TCP"
			}
			if _, err := lb.NewListener(ctx, fmt.Sprintf("%s-%s-%d", name, kind.suffix, t.published()), &lb.ListenerArgs{
				LoadBalancerArn: balancer.Arn,
				Port:            pulumi.Int(t.published()),
				Protocol:        pulumi.String(protocol),
				DefaultActions: lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
					Type: pulumi.String("forward"), TargetGroupArn: tg.Arn,
				}},
			}, parent); err != nil {
				return nil, err
			}
			tgArns[t.key()] = tg.Arn
			endpoints[t.key()] = endpointURL(kind.scheme, balancer.DnsName, t.published())
		}
		*kind.dns = balancer.DnsName
		*kind.sg = sg.ID().ToStringOutput()
	}
	comp.TargetGroupArns = tgArns.ToStringMapOutput()
	comp.Endpoints = endpoints.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// checkPublishedPorts rejects two services on the same listener port: like
// `docker compose` refusing a host port that is already allocated.
func checkPublishedPorts(targets []IngressTarget) error {
	owner := map[int]string{}
	for _, t := range targets {
		if prev, ok := owner[t.published()]; ok && prev != t.Service {
			return fmt.Errorf("service %q: ports: published port %d is also published by service %q; give one of them another published port", t.Service, t.published(), prev)
		}
		owner[t.published()] = t.Service
	}
	return nil
}

func publishedPorts(targets []IngressTarget) []int {
	seen := map[int]bool{}
	var ports []int
	for _, t := range targets {
		if !seen[t.published()] {
			seen[t.published()] = true
			ports = append(ports, t.published())
		}
	}
	sort.Ints(ports)
	return ports
}

func endpointURL(scheme string, dns pulumi.StringOutput, port int) pulumi.StringOutput {
	if scheme == "http" && port == 80 {
		return pulumi.Sprintf("http://%s", dns)
	}
	return pulumi.Sprintf("%s://%s:%d", scheme, dns, port)
}

// targetGroupArgs maps a compose healthcheck to the target group's probe,
// within the ranges that ELB accepts.
func targetGroupArgs(vpcID pulumi.StringInput, t IngressTarget) *lb.TargetGroupArgs {
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
	if t.isTCP() {
		args.Protocol = pulumi.String("TCP")
		args.HealthCheck = &lb.TargetGroupHealthCheckArgs{
			Protocol: pulumi.String("TCP"), Interval: pulumi.Int(interval),
			HealthyThreshold: pulumi.Int(threshold), UnhealthyThreshold: pulumi.Int(threshold),
		}
		return args
	}
	path, matcher := t.HealthCheckPath, "200-399"
	if path == "" {
		// No URL in the healthcheck: any HTTP answer means the server is up.
		path, matcher = "/", "200-499"
	}
	args.Protocol = pulumi.String("HTTP")
	args.ProtocolVersion = pulumi.String("HTTP1")
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
