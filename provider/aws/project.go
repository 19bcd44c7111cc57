package aws

import (
	"fmt"
	"strings"

	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// Options are the Project inputs that matter on AWS.
type Options struct {
	Mode mode.Mode
	// Config holds the secret config values by name (nil: none).
	Config pulumi.StringMapInput
	// Adopt an existing VPC when VpcId is set.
	VpcId            pulumi.StringInput
	PublicSubnetIds  pulumi.StringArrayInput
	PrivateSubnetIds pulumi.StringArrayInput
}

// ServiceInfo is what the Project reports about each service.
type ServiceInfo struct {
	Kind            string
	Image           pulumi.StringOutput
	PrivateHostname pulumi.StringOutput
	Urls            pulumi.StringArrayOutput
}

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
}

// Service kinds reported in the Project's services output.
const (
	KindIngress = "ingress" // reachable through a load balancer
	KindPrivate = "private" // ports reachable only by the project's services
	KindWorker  = "worker"  // no ports
	KindManaged = "managed" // a managed store (RDS, ElastiCache, DocumentDB)
)

// Unsupported lists the compose features that parse but do not deploy on
// AWS yet, each as an error naming the service and field, so that nothing is
// silently dropped.
func Unsupported(p *compose.Project) compose.Errors {
	var errs compose.Errors
	notYet := func(service, field, what string) {
		errs = append(errs, compose.Diagnostic{Service: service, Field: field,
			Message: what + " is not supported on AWS yet"})
	}
	for _, s := range p.Services {
		switch {
		case s.Postgres != nil:
			notYet(s.Name, "x-defang-postgres", "managed Postgres")
		case s.Redis != nil:
			notYet(s.Name, "x-defang-redis", "managed Redis")
		case s.Mongo != nil:
			notYet(s.Name, "x-defang-mongodb", "managed MongoDB")
		}
		if s.LLM {
			notYet(s.Name, "x-defang-llm", "the LLM gateway")
		}
		if len(s.Models) > 0 {
			notYet(s.Name, "models", "compose models (the LLM gateway)")
		}
		if s.GPUs > 0 {
			notYet(s.Name, "deploy.resources.reservations.devices", "GPU capacity")
		}
		if s.DomainName != "" {
			notYet(s.Name, "domainname", "a custom domain (HTTPS with ACM)")
		}
		for i, port := range s.Ports {
			if port.Mode == compose.PortModeIngress && (port.AppProtocol == compose.AppProtocolHTTP2 || port.AppProtocol == compose.AppProtocolGRPC) {
				notYet(s.Name, fmt.Sprintf("ports[%d].app_protocol", i), port.AppProtocol+" ingress (it needs an HTTPS listener)")
			}
			if port.Mode == compose.PortModeIngress && port.Protocol == compose.ProtocolUDP {
				notYet(s.Name, fmt.Sprintf("ports[%d].protocol", i), "UDP ingress")
			}
		}
	}
	if len(p.Models) > 0 && len(errs) == 0 {
		notYet("", "models", "compose models (the LLM gateway)")
	}
	return errs
}

// PrivateDomain is the private DNS domain of a project's services.
func PrivateDomain(projectName, stack string) string {
	return compose.DNSLabel(projectName) + "." + compose.DNSLabel(stack) + ".internal"
}

// Deploy creates the AWS resources of a compose project under parent.
func Deploy(ctx *pulumi.Context, parent pulumi.Resource, project *compose.Project, opts Options) (*Result, error) {
	if errs := Unsupported(project); len(errs) > 0 {
		return nil, errs
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

	cluster, err := ecs.NewCluster(ctx, name, &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{&ecs.ClusterSettingArgs{
			Name: pulumi.String("containerInsights"), Value: pulumi.String(containerInsights(opts.Mode)),
		}},
	}, parentOpt)
	if err != nil {
		return nil, err
	}
	if _, err := ecs.NewClusterCapacityProviders(ctx, name, &ecs.ClusterCapacityProvidersArgs{
		ClusterName:       cluster.Name,
		CapacityProviders: pulumi.StringArray{pulumi.String("FARGATE"), pulumi.String("FARGATE_SPOT")},
	}, parentOpt); err != nil {
		return nil, err
	}

	var targets []IngressTarget
	for _, s := range project.Services {
		targets = append(targets, ingressTargets(s)...)
	}
	var balancer *LoadBalancer
	if len(targets) > 0 {
		balancer, err = NewLoadBalancer(ctx, name, LoadBalancerArgs{
			VpcId: network.VpcId, SubnetIds: network.PublicSubnetIds, Targets: targets,
		}, parentOpt)
		if err != nil {
			return nil, err
		}
	}

	var builds []BuildSpec
	for _, s := range project.Services {
		if s.Build != nil {
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

	cfg := newConfigValues(project, opts.Config)
	stores := newStoreRefs()
	hosts := privateHosts(project, domain)
	params, err := newConfigParameters(ctx, name, project, cfg, hosts, stores, parentOpt)
	if err != nil {
		return nil, err
	}

	region := regionOf(ctx, parent)
	result := &Result{Services: map[string]ServiceInfo{}}
	services := map[string]*FargateService{}
	securityGroups := pulumi.StringMap{}
	endpoints := pulumi.StringMap{}
	for _, s := range orderByDependencies(project.Services) {
		if s.IsManaged() {
			continue
		}
		env, unresolved, secretEnv := splitEnvironment(s, hosts)
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
		var after []pulumi.Resource
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
		if balancer != nil && len(s.IngressPorts()) > 0 {
			args.AlbSecurityGroupId = balancer.AlbSecurityGroupId
			args.NlbSecurityGroupId = balancer.NlbSecurityGroupId
			args.TargetGroupArns = targetGroupsOf(balancer.TargetGroupArns, s.Name)
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
		}
		result.Services[s.Name] = info
	}

	result.Endpoints = endpoints.ToStringMapOutput()
	result.VpcId = network.VpcId
	result.PublicSubnetIds = network.PublicSubnetIds
	result.PrivateSubnetIds = network.PrivateSubnetIds
	result.ClusterName = cluster.Name
	result.LoadBalancerDnsName = pulumi.String("").ToStringOutput()
	if balancer != nil {
		result.LoadBalancerDnsName = balancer.DnsName
	}
	result.SecurityGroupIds = securityGroups.ToStringMapOutput()
	return result, nil
}

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

// orderByDependencies returns the services so that each comes after the
// services it depends on (ties by name); compose-go already rejected cycles.
func orderByDependencies(services []*compose.Service) []*compose.Service {
	byName := map[string]*compose.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	var out []*compose.Service
	done := map[string]bool{}
	var visit func(s *compose.Service)
	visit = func(s *compose.Service) {
		if done[s.Name] {
			return
		}
		done[s.Name] = true
		for _, d := range s.DependsOn {
			if dep, ok := byName[d]; ok {
				visit(dep)
			}
		}
		out = append(out, s)
	}
	for _, s := range services {
		visit(s)
	}
	return out
}

func ingressTargets(s *compose.Service) []IngressTarget {
	var out []IngressTarget
	for _, port := range s.IngressPorts() {
		t := IngressTarget{Service: s.Name, Port: int(port.Target), PublishedPort: int(port.Published), AppProtocol: "http"}
		if port.AppProtocol == compose.AppProtocolTCP {
			t.AppProtocol = "tcp"
		}
		if hc := s.Healthcheck; hc != nil {
			if hc.HTTPPath != "" && (hc.HTTPPort == 0 || hc.HTTPPort == port.Target) {
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

// targetGroupsOf picks a service's target groups out of the load balancer's
// "service:port" map, keyed by port.
func targetGroupsOf(all pulumi.StringMapOutput, service string) pulumi.StringMapOutput {
	return all.ApplyT(func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if svc, port, ok := strings.Cut(k, ":"); ok && svc == service {
				out[port] = v
			}
		}
		return out
	}).(pulumi.StringMapOutput)
}

// splitEnvironment separates plain values (service names rewritten to
// private hostnames) from values that read config and must be secrets.
// splitEnvironment rewrites the service names in a service's environment
// and sorts the values into plain ones, plain ones that name a managed store
// (resolved once its endpoint is known) and secret ones (read from config).
func splitEnvironment(s *compose.Service, hosts map[string]string) (plain, unresolved map[string]string, secret []compose.EnvVar) {
	plain, unresolved = map[string]string{}, map[string]string{}
	for _, e := range s.Environment {
		if len(e.ServiceRefs) > 0 {
			e.Value = compose.RewriteServiceRefs(e.Value, hosts)
		}
		switch {
		case e.IsSecret():
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
		Environment: env, Cpus: s.CPUs, MemoryMiB: int(s.MemoryMiB),
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

