package aws

import (
	"fmt"
	"slices"
	"sort"

	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// Options are the Project inputs that matter on AWS.
type Options struct {
	Mode mode.Mode
	// Config holds the secret config values by name (nil: none).
	Config pulumi.StringMapInput
	// Domain is a public DNS zone for HTTPS hostnames (<service>--<port>.<domain>);
	// PublicZoneId is its Route53 zone, looked up by name when nil.
	Domain       string
	PublicZoneId pulumi.StringInput
	// Adopt an existing VPC when VpcId is set.
	VpcId            pulumi.StringInput
	PublicSubnetIds  pulumi.StringArrayInput
	PrivateSubnetIds pulumi.StringArrayInput
}

// ServiceInfo is what the Project reports about each service (shared by
// both clouds, provider/spec).
type ServiceInfo = spec.ServiceInfo

// Result holds the handles a surrounding stack needs.
type Result struct {
	Endpoints           pulumi.StringMapOutput
	Services            map[string]ServiceInfo
	VpcId               pulumi.StringOutput
	PublicSubnetIds     pulumi.StringArrayOutput
	PrivateSubnetIds    pulumi.StringArrayOutput
	ClusterName         pulumi.StringOutput
	LoadBalancerDnsName pulumi.StringOutput
	SecurityGroupIds    pulumi.StringMapOutput
	// DnsRecords are the records the user must add by hand (a domainname
	// outside the Project's zone); empty when none.
	DnsRecords DnsRecordArrayOutput
}

// Service kinds reported in the Project's services output.
const (
	KindIngress = spec.KindIngress
	KindPrivate = spec.KindPrivate
	KindWorker  = spec.KindWorker
	KindManaged = spec.KindManaged
)

// PrivateDomain is the private DNS domain of a project's services.
func PrivateDomain(projectName, stack string) string {
	return compose.DNSLabel(projectName) + "." + compose.DNSLabel(stack) + ".internal"
}

// Deploy creates the AWS resources of a compose project under parent.
func Deploy(ctx *pulumi.Context, parent pulumi.Resource, project *compose.Project, opts Options) (*Result, error) {
	if err := CheckLimits(project); err != nil {
		return nil, err
	}
	if project.IsEmpty() {
		// Nothing to run, so nothing to pay for: not even a network.
		empty := pulumi.String("").ToStringOutput()
		return &Result{Endpoints: pulumi.StringMap{}.ToStringMapOutput(), Services: map[string]ServiceInfo{},
			VpcId: empty, PublicSubnetIds: pulumi.StringArray{}.ToStringArrayOutput(), PrivateSubnetIds: pulumi.StringArray{}.ToStringArrayOutput(),
			ClusterName: empty, LoadBalancerDnsName: empty, SecurityGroupIds: pulumi.StringMap{}.ToStringMapOutput(),
			DnsRecords: dnsRecordsOutput(nil)}, nil
	}
	name := compose.DNSLabel(project.Name)
	modeName := string(opts.Mode)
	parentOpt := pulumi.Parent(parent)
	domain := PrivateDomain(project.Name, ctx.Stack())

	network, err := NewNetwork(ctx, name, NetworkArgs{
		Mode: modeName, PrivateDomain: domain, ComposeNetworks: project.Networks,
		VpcId: opts.VpcId, PublicSubnetIds: opts.PublicSubnetIds, PrivateSubnetIds: opts.PrivateSubnetIds,
	}, parentOpt)
	if err != nil {
		return nil, err
	}

	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := ecs.NewCluster(ctx, name, &ecs.ClusterArgs{
		Name: names.input(specCluster, name, name),
		Settings: ecs.ClusterSettingArray{&ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String(containerInsights(opts.Mode)),
		}},
	}, parentOpt)
	if err != nil {
		return nil, err
	}
	// GPU services run on EC2 capacity of their own, which must be attached
	// to the cluster before a service may use it.
	capacityProviders := pulumi.StringArray{pulumi.String("FARGATE"), pulumi.String("FARGATE_SPOT")}
	gpuCapacity := map[string]pulumi.StringOutput{}
	for _, s := range project.Services {
		if s.GPUs == 0 || !runsContainer(s) {
			continue
		}
		replicas := max(s.Replicas, 1)
		gpu, err := NewGpuCapacity(ctx, name+"-"+compose.DNSLabel(s.Name)+"-gpu", GpuCapacityArgs{
			ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
			Gpus: s.GPUs, Cpus: s.CPUs, MemoryMiB: int(s.MemoryMiB), Replicas: &replicas, Autoscaling: s.Autoscaling,
			ClusterName: cluster.Name, SubnetIds: network.TaskSubnetIds, VpcId: network.VpcId,
			AssignPublicIp: network.AssignPublicIp,
		}, parentOpt)
		if err != nil {
			return nil, err
		}
		gpuCapacity[s.Name] = gpu.CapacityProviderName
		capacityProviders = append(capacityProviders, gpu.CapacityProviderName)
	}
	clusterCapacity, err := ecs.NewClusterCapacityProviders(ctx, name, &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       cluster.Name,
		CapacityProviders: capacityProviders,
	}, parentOpt)
	if err != nil {
		return nil, err
	}

	var targets []IngressTarget
	for _, s := range project.Services {
		if err := checkUDPIngressPorts(s); err != nil {
			return nil, err
		}
		targets = append(targets, ingressTargets(s)...)
	}
	var balancer *LoadBalancer
	if len(targets) > 0 {
		balancer, err = NewLoadBalancer(ctx, name, LoadBalancerArgs{
			VpcId: network.VpcId, SubnetIds: network.PublicSubnetIds, Targets: targets,
			Domain: opts.Domain, ZoneId: opts.PublicZoneId,
		}, parentOpt)
		if err != nil {
			return nil, err
		}
	}

	var builds []BuildSpec
	for _, s := range project.Services {
		if s.Build != nil && runsContainer(s) {
			builds = append(builds, BuildSpec{
				Service: s.Name, Context: s.Build.Context, Dockerfile: s.Build.Dockerfile,
				Target: s.Build.Target, Args: s.Build.Args, Platform: s.Platform,
			})
		}
	}
	var pipeline *BuildPipeline
	if len(builds) > 0 {
		pipeline, err = NewBuildPipeline(ctx, name, BuildPipelineArgs{ProjectName: project.Name, Mode: modeName, Builds: builds}, parentOpt)
		if err != nil {
			return nil, err
		}
	}

	region := regionOf(ctx, parent)
	result := &Result{Services: map[string]ServiceInfo{}}
	securityGroups := pulumi.StringMap{}
	cfg := newConfigValues(project, opts.Config)
	stores := newStoreRefs()
	if err := deployStores(ctx, name, project, network, modeName, cfg, stores, result.Services, securityGroups, parentOpt); err != nil {
		return nil, err
	}
	llm, err := deployLLM(ctx, name, project, domain, modeName, network, cluster.Arn, clusterCapacity, region, cfg,
		securityGroups, result.Services, parentOpt)
	if err != nil {
		return nil, err
	}
	hosts := privateHosts(project, domain)
	llm.addHosts(hosts)
	params, err := newConfigParameters(ctx, name, project, cfg, hosts, stores, parentOpt)
	if err != nil {
		return nil, err
	}

	services := map[string]*FargateService{}
	endpoints := pulumi.StringMap{}
	for _, s := range compose.OrderByDependencies(project.Services) {
		if !runsContainer(s) {
			continue
		}
		env, unresolved, secretEnv := splitEnvironment(s, hosts)
		llm.environment(s.Name, env)
		secrets := pulumi.StringMap{}
		for _, e := range secretEnv {
			secrets[e.Name] = params.arnFor(s.Name, e)
		}
		var image pulumi.StringOutput
		var repoArn pulumi.StringInput
		if s.Build != nil {
			image = pipeline.ImageUris.MapIndex(pulumi.String(s.Name))
			repoArn = pipeline.RepositoryArns.MapIndex(pulumi.String(s.Name))
		} else {
			image = pulumi.String(s.Image).ToStringOutput()
		}
		// Every service names a capacity provider of the cluster in its
		// strategy (FARGATE, FARGATE_SPOT or its GPU capacity), which ECS
		// refuses until the provider is associated with the cluster: a
		// service must depend on the association, not only on the cluster
		// (https://github.com/aws/containers-roadmap/issues/631#issuecomment-816354807,
		// noted for AWS::ECS::ClusterCapacityProviderAssociations in
		// https://github.com/awsdocs/aws-cloudformation-user-guide/pull/1248).
		after := append([]pulumi.Resource{clusterCapacity}, llm.after(s.Name)...)
		for _, dep := range s.DependsOn {
			if svc, ok := services[dep]; ok {
				after = append(after, svc.ECSService())
			}
		}
		netSGs := pulumi.StringArray{}
		for _, n := range s.Networks {
			netSGs = append(netSGs, network.NetworkSecurityGroup.MapIndex(pulumi.String(n)))
		}
		args := FargateServiceArgs{
			ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
			Container: containerSpec(s, env),
			Image:     image, RepositoryArn: repoArn,
			ClusterArn: cluster.Arn, VpcId: network.VpcId, SubnetIds: network.TaskSubnetIds,
			AssignPublicIp: network.AssignPublicIp, PrivateNamespaceId: network.PrivateNamespaceId,
			NetworkSecurityGroupIds: netSGs, Secrets: secrets, Region: region, After: after,
		}
		if len(unresolved) > 0 {
			args.ResolvedEnvironment = stores.resolve(unresolved)
		}
		args.TaskPolicy = llm.taskPolicy(ctx, s.Name, region, parent)
		args.Autoscaling = s.Autoscaling
		args.PolicyArns = s.Policies
		args.Ulimits = s.Ulimits
		if provider, ok := gpuCapacity[s.Name]; ok {
			args.CapacityProviderName = provider
		}
		if balancer != nil && len(s.IngressPorts()) > 0 {
			args.AlbSecurityGroupId = balancer.AlbSecurityGroupId
			args.NlbSecurityGroupId = balancer.NlbSecurityGroupId
			args.NlbHealthCheckPorts = nlbHealthCheckPorts(ingressTargets(s))
			args.TargetGroupArns = balancer.RoutedTargetGroups(s.Name)
			args.After = append(args.After, balancer.Routes(s.Name)...)
		}
		svc, err := NewFargateService(ctx, name+"-"+compose.DNSLabel(s.Name), args, parentOpt)
		if err != nil {
			return nil, err
		}
		services[s.Name] = svc
		securityGroups[s.Name] = svc.SecurityGroupId

		info := ServiceInfo{Kind: KindWorker, Image: image, PrivateHostname: pulumi.String("").ToStringOutput(),
			Urls: pulumi.StringArray{}.ToStringArrayOutput()}
		if len(s.Ports) > 0 {
			info.Kind, info.PrivateHostname = KindPrivate, pulumi.String(hosts[s.Name]).ToStringOutput()
		}
		if ingress := s.IngressPorts(); len(ingress) > 0 {
			info.Kind = KindIngress
			var urls pulumi.StringArray
			for _, port := range ingress {
				urls = append(urls, balancer.Endpoints.MapIndex(pulumi.String(fmt.Sprintf("%s:%d", s.Name, port.Target))))
			}
			info.Urls = urls.ToStringArrayOutput()
			endpoints[s.Name] = urls[0].ToStringOutput()
			if s.DomainName != "" {
				// The service's own domain is its address.
				endpoints[s.Name] = balancer.DomainNameUrls.MapIndex(pulumi.String(s.Name))
			}
		}
		result.Services[s.Name] = info
	}

	result.Endpoints = endpoints.ToStringMapOutput()
	result.VpcId = network.VpcId
	result.PublicSubnetIds = network.PublicSubnetIds
	result.PrivateSubnetIds = network.PrivateSubnetIds
	result.ClusterName = cluster.Name
	result.LoadBalancerDnsName = pulumi.String("").ToStringOutput()
	result.DnsRecords = dnsRecordsOutput(nil)
	if balancer != nil {
		result.LoadBalancerDnsName = balancer.DnsName
		result.DnsRecords = balancer.DnsRecords
	}
	result.SecurityGroupIds = securityGroups.ToStringMapOutput()
	return result, nil
}

// runsContainer reports whether a compose service becomes a container
// service of its own: not a managed store, not a model provider (served by
// an LLM gateway).
func runsContainer(s *compose.Service) bool { return !s.IsManaged() && s.ProviderModel == "" }

// privateHosts maps each service with ports to its private hostname, and
// each managed store to the placeholder of its endpoint (see store_refs.go).
func privateHosts(project *compose.Project, domain string) map[string]string {
	hosts := map[string]string{}
	for _, s := range project.Services {
		switch {
		case s.IsManaged():
			hosts[s.Name] = storeHost(s.Name)
		case len(s.Ports) > 0:
			hosts[s.Name] = compose.DNSLabel(s.Name) + "." + domain
		}
	}
	return hosts
}

// regionOf is the region of the AWS provider that parent's children use.
func regionOf(ctx *pulumi.Context, parent pulumi.Resource) pulumi.StringOutput {
	return awssdk.GetRegionOutput(ctx, awssdk.GetRegionOutputArgs{}, pulumi.Parent(parent)).Name()
}

func containerInsights(m mode.Mode) string {
	if m == mode.HighAvailability {
		return "enabled"
	}
	return "disabled"
}

func ingressTargets(s *compose.Service) []IngressTarget {
	var out []IngressTarget
	for _, port := range s.IngressPorts() {
		t := IngressTarget{Service: s.Name, Port: int(port.Target), PublishedPort: int(port.Published),
			AppProtocol: port.AppProtocol, DomainName: s.DomainName}
		if port.Protocol == compose.ProtocolUDP {
			t.Protocol = compose.ProtocolUDP
			t.HealthCheckPort, t.HealthCheckPath = udpHealthCheck(s)
		} else if t.AppProtocol == "" {
			t.AppProtocol = compose.AppProtocolHTTP
		}
		if hc := s.Healthcheck; hc != nil {
			if t.Protocol == compose.ProtocolUDP {
				// Its path, if any, is udpHealthCheck's.
			} else if hc.HTTPPath != "" && (hc.HTTPPort == 0 || hc.HTTPPort == port.Target) {
				t.HealthCheckPath = hc.HTTPPath
			}
			t.HealthCheckIntervalSeconds = hc.IntervalSeconds
			t.HealthCheckTimeoutSeconds = hc.TimeoutSeconds
			t.HealthCheckRetries = hc.Retries
		}
		out = append(out, t)
	}
	return out
}

// checkUDPIngressPorts refuses a UDP ingress port whose container port the
// service also declares over TCP: the task definition would map it twice,
// and ECS does not load-balance a container port that two port mappings
// use ("Container port ... is used in more than one port mapping":
// aws/amazon-ecs-agent#3428; AWS's advice, one ECS service per protocol, is
// quoted in aws/containers-roadmap#445).
func checkUDPIngressPorts(s *compose.Service) error {
	for _, p := range s.IngressPorts() {
		if p.Protocol != compose.ProtocolUDP {
			continue
		}
		for _, q := range s.Ports {
			if q.Target == p.Target && q.Protocol == compose.ProtocolTCP {
				return fmt.Errorf("service %q: ports: UDP ingress port %d is also a TCP port of the service; ECS load-balances one container port over one protocol (aws/amazon-ecs-agent#3428): serve TCP on another container port, or split the service in two", s.Name, p.Target)
			}
		}
	}
	return nil
}

// udpHealthCheck is the port (and HTTP path, when there is one) that the
// network load balancer probes a UDP ingress port of s on: it checks UDP
// targets over TCP or HTTP only
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
// The compose healthcheck's URL when it names a port, else the service's
// lowest TCP port; 0 when it has none (the
// load balancer then says so).
func udpHealthCheck(s *compose.Service) (int, string) {
	if hc := s.Healthcheck; hc != nil && hc.HTTPPath != "" && hc.HTTPPort != 0 {
		return int(hc.HTTPPort), hc.HTTPPath
	}
	for _, p := range s.Ports { // sorted by target
		if p.Protocol == compose.ProtocolTCP {
			return int(p.Target), ""
		}
	}
	return 0, ""
}

// nlbHealthCheckPorts are the TCP ports the network load balancer probes
// UDP targets of these on, for the service's security group to admit.
func nlbHealthCheckPorts(targets []IngressTarget) []int {
	var out []int
	for _, t := range targets {
		if t.HealthCheckPort != 0 && !slices.Contains(out, t.HealthCheckPort) {
			out = append(out, t.HealthCheckPort)
		}
	}
	sort.Ints(out)
	return out
}

// splitEnvironment rewrites the service names in a service's environment
// and sorts the values into plain ones, plain ones that name a managed store
// (resolved once its endpoint is known) and secret ones (read from config,
// or given a store's password: storeSecret).
func splitEnvironment(s *compose.Service, hosts map[string]string) (plain, unresolved map[string]string, secret []compose.EnvVar) {
	plain, unresolved = map[string]string{}, map[string]string{}
	for _, e := range s.Environment {
		if len(e.ServiceRefs) > 0 {
			e.Value = compose.RewriteServiceRefs(e.Value, hosts)
		}
		switch {
		case e.IsSecret() || storeSecret(e.Value):
			secret = append(secret, e)
		case hasStoreRefs(e.Value):
			unresolved[e.Name] = e.Value
		default:
			plain[e.Name] = e.Value
		}
	}
	return plain, unresolved, secret
}

func containerSpec(s *compose.Service, env map[string]string) ContainerSpec {
	spec := ContainerSpec{
		Command: s.Command, Entrypoint: s.Entrypoint, WorkingDir: s.WorkingDir, User: s.User,
		Environment: env, Cpus: s.CPUs, MemoryMiB: int(s.MemoryMiB), Gpus: s.GPUs,
		StopGracePeriodSeconds: s.StopGracePeriodSeconds, Platform: s.Platform,
	}
	replicas := s.Replicas
	if replicas == 0 {
		replicas = 1
	}
	spec.Replicas = &replicas
	for _, port := range s.Ports {
		spec.Ports = append(spec.Ports, ContainerPort{Port: int(port.Target), Protocol: port.Protocol, Mode: port.Mode, AppProtocol: port.AppProtocol})
	}
	if hc := s.Healthcheck; hc != nil {
		spec.Healthcheck = &ContainerHealthcheck{
			Test: hc.Test, IntervalSeconds: hc.IntervalSeconds, TimeoutSeconds: hc.TimeoutSeconds,
			Retries: hc.Retries, StartPeriodSeconds: hc.StartPeriodSeconds,
		}
	}
	return spec
}
