package aws

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// The container shape is shared by both clouds (provider/spec).
type (
	ContainerSpec        = spec.Container
	ContainerPort        = spec.Port
	ContainerHealthcheck = spec.Healthcheck
)

// FargateServiceArgs are the inputs of defang:aws:FargateService.
type FargateServiceArgs struct {
	ProjectName string        `pulumi:"projectName"`
	ServiceName string        `pulumi:"serviceName"`
	Mode        string        `pulumi:"mode,optional"`
	Container   ContainerSpec `pulumi:"container"`

	Image pulumi.StringInput `pulumi:"image"`
	// RepositoryArn scopes the execution role's image pull to our ECR
	// repository; empty for public images.
	RepositoryArn      pulumi.StringInput      `pulumi:"repositoryArn,optional"`
	ClusterArn         pulumi.StringInput      `pulumi:"clusterArn"`
	VpcId              pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds          pulumi.StringArrayInput `pulumi:"subnetIds"`
	AssignPublicIp     pulumi.BoolInput        `pulumi:"assignPublicIp,optional"`
	PrivateNamespaceId pulumi.StringInput      `pulumi:"privateNamespaceId,optional"`
	// NetworkSecurityGroupIds mark the compose networks the service joins:
	// its tasks carry them, and its ports admit them.
	NetworkSecurityGroupIds pulumi.StringArrayInput `pulumi:"networkSecurityGroupIds,optional"`
	AlbSecurityGroupId      pulumi.StringInput      `pulumi:"albSecurityGroupId,optional"`
	NlbSecurityGroupId      pulumi.StringInput      `pulumi:"nlbSecurityGroupId,optional"`
	TargetGroupArns         pulumi.StringMapInput   `pulumi:"targetGroupArns,optional"`
	NlbHealthCheckPorts     []int                   `pulumi:"nlbHealthCheckPorts,optional"`
	Secrets                 pulumi.StringMapInput   `pulumi:"secrets,optional"`
	Region                  pulumi.StringInput      `pulumi:"region"`
	Autoscaling             bool                    `pulumi:"autoscaling,optional"`

	// After holds the resources this service starts after (compose
	// depends_on: the ECSService of each dependency). Go callers only: it is
	// not part of the schema.
	After []pulumi.Resource
	// ResolvedEnvironment holds environment values known only at deploy
	// time (e.g. a value rewritten to a managed store's endpoint); they
	// override Container.Environment. Go callers only.
	ResolvedEnvironment pulumi.StringMapInput
	// TaskPolicy is an IAM policy document (JSON) granted to the task role,
	// e.g. Bedrock invoke rights for x-defang-llm. Go callers only.
	TaskPolicy pulumi.StringInput
	// PolicyArns are managed IAM policies attached to the task role (a
	// service's x-defang-policies). Go callers only.
	PolicyArns []string
	// Ulimits are the container's compose ulimits (names as ECS takes
	// them: CheckLimits refuses others). Go callers only.
	Ulimits []compose.Ulimit
	// CapacityProviderName is the ECS capacity provider of the service's
	// GpuCapacity, required when Container.Gpus > 0 (the capacity provider
	// must already be associated with the cluster: pass that association in
	// After). Go callers only.
	CapacityProviderName pulumi.StringInput
}

func (a *FargateServiceArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service name.")
	an.Describe(&a.Mode, "Deployment mode: capacity (Fargate Spot in affordable), update style and log retention follow it.")
	an.Describe(&a.Container, "What the compose service asks of its container.")
	an.Describe(&a.Image, "The image, by digest when it was built in the cloud.")
	an.Describe(&a.RepositoryArn, "The ECR repository of a built image; the execution role may pull from it only.")
	an.Describe(&a.ClusterArn, "The ECS cluster.")
	an.Describe(&a.VpcId, "The VPC of the service's security group.")
	an.Describe(&a.SubnetIds, "Subnets the tasks run in.")
	an.Describe(&a.AssignPublicIp, "Give tasks a public IP (needed without a NAT gateway).")
	an.Describe(&a.PrivateNamespaceId, "Cloud Map namespace to register `<service>` in, for services with ports.")
	an.Describe(&a.NetworkSecurityGroupIds, "Security groups of the compose networks the service joins.")
	an.Describe(&a.AlbSecurityGroupId, "Security group of the application load balancer, admitted on HTTP ingress ports.")
	an.Describe(&a.NlbSecurityGroupId, "Security group of the network load balancer, admitted on TCP and UDP ingress ports and on nlbHealthCheckPorts.")
	an.Describe(&a.NlbHealthCheckPorts, "TCP ports the network load balancer probes the service's UDP ingress ports on (it checks UDP targets over TCP or HTTP only); admitted from its security group.")
	an.Describe(&a.TargetGroupArns, "Container port (as a string) to the target group that forwards to it.")
	an.Describe(&a.Secrets, "Environment variable name to the ARN of the SSM SecureString parameter that holds its value.")
	an.Describe(&a.Region, "The AWS region, for the log driver.")
	an.Describe(&a.Autoscaling, "Scale the task count on average CPU (x-defang-autoscaling): from the replica count up to 2× (affordable), 4× (balanced) or 10× (high_availability), tracking 70%, 60% or 50% CPU. The service then leaves its desired count to the autoscaler.")
}

// FargateService is defang:aws:FargateService: one compose service on ECS.
type FargateService struct {
	pulumi.ResourceState

	ServiceName       pulumi.StringOutput `pulumi:"serviceName"`
	TaskDefinitionArn pulumi.StringOutput `pulumi:"taskDefinitionArn"`
	SecurityGroupId   pulumi.StringOutput `pulumi:"securityGroupId"`
	LogGroupName      pulumi.StringOutput `pulumi:"logGroupName"`
	TaskRoleArn       pulumi.StringOutput `pulumi:"taskRoleArn"`
	ExecutionRoleArn  pulumi.StringOutput `pulumi:"executionRoleArn"`

	// ecsService is what dependents start after. Depending on the component
	// itself would expand to whichever children were registered at that
	// moment, which is racy and makes plans differ between runs.
	ecsService *ecs.Service
}

// ECSService is the ECS service that compose dependents start after.
func (f *FargateService) ECSService() pulumi.Resource { return f.ecsService }

func (f *FargateService) Annotate(a infer.Annotator) {
	a.SetToken("aws", "FargateService")
	a.Describe(&f, "One compose service on Amazon ECS: task definition sized from the Fargate table, service (Fargate or Fargate Spot per mode; EC2 GPU capacity for a service that reserves GPUs), task and execution roles with least privilege, log group, security group, service discovery registration and, with autoscaling, a CPU target-tracking policy.")
	a.Describe(&f.ServiceName, "The ECS service name.")
	a.Describe(&f.TaskDefinitionArn, "The task definition ARN.")
	a.Describe(&f.SecurityGroupId, "The service's own security group.")
	a.Describe(&f.LogGroupName, "The CloudWatch log group of the containers.")
	a.Describe(&f.TaskRoleArn, "The role the application runs as; it has no permissions until you attach some.")
	a.Describe(&f.ExecutionRoleArn, "The role ECS uses to pull the image, write logs and read the service's secrets.")
}

// NewFargateService creates one compose service on Fargate.
func NewFargateService(ctx *pulumi.Context, name string, args FargateServiceArgs, opts ...pulumi.ResourceOption) (*FargateService, error) {
	comp := &FargateService{}
	if err := ctx.RegisterComponentResource("defang:aws:FargateService", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	settings := settingsFor(m)
	spec := args.Container
	size, err := taskSize(args)
	if err != nil {
		return nil, err
	}
	gpu := spec.Gpus > 0
	parent := pulumi.Parent(comp)
	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	raw := rawLogical(name, args.ServiceName)

	logGroup, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(logGroupName(args.ProjectName, ctx.Stack(), args.ServiceName)),
		RetentionInDays: pulumi.Int(settings.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}

	taskRole, err := iam.NewRole(ctx, name+"-task", &iam.RoleArgs{
		Name:             names.input(specRole, name+"-task", raw+"-task"),
		AssumeRolePolicy: pulumi.String(ecsTasksTrustPolicy),
		Description:      pulumi.Sprintf("Application role of %s/%s; no permissions by default", args.ProjectName, args.ServiceName),
	}, parent)
	if err != nil {
		return nil, err
	}
	execRole, err := iam.NewRole(ctx, name+"-exec", &iam.RoleArgs{
		Name:             names.input(specRole, name+"-exec", raw+"-exec"),
		AssumeRolePolicy: pulumi.String(ecsTasksTrustPolicy),
		Description:      pulumi.Sprintf("ECS execution role of %s/%s", args.ProjectName, args.ServiceName),
	}, parent)
	if err != nil {
		return nil, err
	}
	secrets := pulumi.StringMap{}.ToStringMapOutput()
	if args.Secrets != nil {
		secrets = args.Secrets.ToStringMapOutput()
	}
	repoArn := pulumi.String("").ToStringOutput()
	if args.RepositoryArn != nil {
		repoArn = args.RepositoryArn.ToStringOutput()
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-exec", &iam.RolePolicyArgs{
		Name:   names.input(specRolePolicy, name+"-exec", raw+"-exec"),
		Role:   execRole.Name,
		Policy: pulumi.All(logGroup.Arn, repoArn, secrets).ApplyT(executionPolicy),
	}, parent); err != nil {
		return nil, err
	}

	if args.TaskPolicy != nil {
		if _, err := iam.NewRolePolicy(ctx, name+"-task", &iam.RolePolicyArgs{
			Name: names.input(specRolePolicy, name+"-task", raw+"-task"),
			Role: taskRole.Name, Policy: args.TaskPolicy,
		}, parent); err != nil {
			return nil, err
		}
	}
	// The service starts after its grants, so that its first tasks do not
	// fail for want of the permissions they were given.
	after := append([]pulumi.Resource{}, args.After...)
	for _, arn := range args.PolicyArns {
		if !iamPolicyARN.MatchString(arn) {
			return nil, fmt.Errorf("service %q: x-defang-policies: %q is not an IAM policy ARN", args.ServiceName, arn)
		}
		att, err := iam.NewRolePolicyAttachment(ctx, policyAttachmentName(name, arn), &iam.RolePolicyAttachmentArgs{
			Role: taskRole.Name, PolicyArn: pulumi.String(arn),
		}, parent)
		if err != nil {
			return nil, err
		}
		after = append(after, att)
	}
	resolved := pulumi.StringMap{}.ToStringMapOutput()
	if args.ResolvedEnvironment != nil {
		resolved = args.ResolvedEnvironment.ToStringMapOutput()
	}
	containerDefs := pulumi.All(args.Image, secrets, args.Region, logGroup.Name, resolved).ApplyT(
		func(v []any) (string, error) {
			withResolved := spec
			withResolved.Environment = map[string]string{}
			for k, val := range spec.Environment {
				withResolved.Environment[k] = val
			}
			for k, val := range v[4].(map[string]string) {
				withResolved.Environment[k] = val
			}
			return containerDefinitions(args.ServiceName, withResolved, v[0].(string), v[1].(map[string]string), v[2].(string), v[3].(string), args.Ulimits)
		}).(pulumi.StringOutput)
	arch := "X86_64"
	if isArm64(spec.Platform) {
		arch = "ARM64"
	}
	compatibility := "FARGATE"
	if gpu {
		compatibility = "EC2"
	}
	taskDef, err := ecs.NewTaskDefinition(ctx, name, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(names.name(specTaskFamily, name, physicalName(255, args.ProjectName, ctx.Stack(), args.ServiceName)).Value),
		Cpu:                     pulumi.String(strconv.Itoa(size.CPU)),
		Memory:                  pulumi.String(strconv.FormatInt(size.MemoryMiB, 10)),
		NetworkMode:             pulumi.String("awsvpc"),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String(compatibility)},
		ExecutionRoleArn:        execRole.Arn,
		TaskRoleArn:             taskRole.Arn,
		ContainerDefinitions:    containerDefs,
		RuntimePlatform: &ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"), CpuArchitecture: pulumi.String(arch),
		},
	}, parent)
	if err != nil {
		return nil, err
	}

	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Name:        names.input(specSecurityGroup, name, raw),
		VpcId:       args.VpcId,
		Description: pulumi.Sprintf("Service %s: admits its load balancer and its compose networks on its ports", args.ServiceName),
		Egress:      allEgress(),
	}, parent)
	if err != nil {
		return nil, err
	}
	if err := serviceIngressRules(ctx, name, sg, args, parent); err != nil {
		return nil, err
	}

	var registries *ecs.ServiceServiceRegistriesArgs
	if len(spec.Ports) > 0 && args.PrivateNamespaceId != nil {
		// Register <service>.<private domain> so that peers reach it by name.
		disc, err := servicediscovery.NewService(ctx, name, &servicediscovery.ServiceArgs{
			Name: pulumi.String(compose.DNSLabel(args.ServiceName)),
			DnsConfig: &servicediscovery.ServiceDnsConfigArgs{
				NamespaceId:   args.PrivateNamespaceId,
				RoutingPolicy: pulumi.String("MULTIVALUE"),
				DnsRecords: servicediscovery.ServiceDnsConfigDnsRecordArray{
					&servicediscovery.ServiceDnsConfigDnsRecordArgs{Type: pulumi.String("A"), Ttl: pulumi.Int(10)},
				},
			},
			HealthCheckCustomConfig: &servicediscovery.ServiceHealthCheckCustomConfigArgs{FailureThreshold: pulumi.Int(1)},
			ForceDestroy:            pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nil, err
		}
		registries = &ecs.ServiceServiceRegistriesArgs{RegistryArn: disc.Arn}
	}

	var lbs ecs.ServiceLoadBalancerArray
	// A map whose keys are known here (the Project's) lists exactly the
	// routed ports: a port it leaves out has a target group without a load
	// balancer, which ECS refuses (LoadBalancer.RoutedTargetGroups).
	routed, knownPorts := args.TargetGroupArns.(pulumi.StringMap)
	for _, port := range spec.Ports {
		if port.Mode != "ingress" || args.TargetGroupArns == nil {
			continue
		}
		if _, ok := routed[strconv.Itoa(port.Port)]; knownPorts && !ok {
			continue
		}
		lbs = append(lbs, &ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: args.TargetGroupArns.ToStringMapOutput().MapIndex(pulumi.String(strconv.Itoa(port.Port))),
			ContainerName:  pulumi.String(containerName(args.ServiceName)),
			ContainerPort:  pulumi.Int(port.Port),
		})
	}
	var capacity pulumi.StringInput = pulumi.String("FARGATE")
	switch {
	case gpu:
		capacity = args.CapacityProviderName
	case settings.Spot && arch == "ARM64":
		// "Linux tasks with the ARM64 architecture don't support the
		// Fargate Spot capacity provider"
		// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html):
		// an arm64 service stays on FARGATE in affordable mode; the plan
		// warns (Warnings).
	case settings.Spot:
		capacity = pulumi.String("FARGATE_SPOT")
	}
	// Tasks on EC2 (awsvpc) cannot have a public IP: GPU services leave
	// assignPublicIp unset whatever the network says.
	assignPublicIP := args.AssignPublicIp
	if gpu {
		assignPublicIP = nil
	}
	replicas := 1
	if spec.Replicas != nil {
		replicas = *spec.Replicas
	}
	// An ECS service's name is unique in its cluster while it exists: a
	// fixed name is replaced delete-first (replaceOptions).
	serviceName := names.name(specECSService, name, raw)
	serviceArgs := &ecs.ServiceArgs{
		Name:           serviceName.Input(),
		Cluster:        args.ClusterArn,
		TaskDefinition: taskDef.Arn,
		DesiredCount:   pulumi.Int(replicas),
		CapacityProviderStrategies: ecs.ServiceCapacityProviderStrategyArray{
			&ecs.ServiceCapacityProviderStrategyArgs{CapacityProvider: capacity, Weight: pulumi.Int(1)},
		},
		NetworkConfiguration: &ecs.ServiceNetworkConfigurationArgs{
			Subnets:        args.SubnetIds,
			SecurityGroups: pulumi.StringArray{sg.ID()}.ToStringArrayOutput().ApplyT(appendNetworkSGs(args.NetworkSecurityGroupIds)).(pulumi.StringArrayOutput),
			AssignPublicIp: assignPublicIP,
		},
		LoadBalancers:                   lbs,
		ServiceRegistries:               registries,
		DeploymentMinimumHealthyPercent: pulumi.Int(settings.MinHealthyPercent),
		DeploymentMaximumPercent:        pulumi.Int(settings.MaxPercent),
		DeploymentCircuitBreaker: &ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable: pulumi.Bool(settings.CircuitBreaker), Rollback: pulumi.Bool(settings.CircuitBreaker),
		},
		PropagateTags:        pulumi.String("SERVICE"),
		EnableEcsManagedTags: pulumi.Bool(true),
	}
	if len(lbs) > 0 {
		grace := 30
		if spec.Healthcheck != nil && spec.Healthcheck.StartPeriodSeconds > grace {
			grace = spec.Healthcheck.StartPeriodSeconds
		}
		serviceArgs.HealthCheckGracePeriodSeconds = pulumi.Int(grace)
	}
	if gpu {
		// Fargate spreads tasks over the subnets' zones by itself; on EC2
		// the placement strategy asks for it.
		serviceArgs.OrderedPlacementStrategies = ecs.ServiceOrderedPlacementStrategyArray{
			&ecs.ServiceOrderedPlacementStrategyArgs{Type: pulumi.String("spread"), Field: pulumi.String("attribute:ecs.availability-zone")},
		}
	}
	serviceOpts := []pulumi.ResourceOption{parent, pulumi.DependsOn(after)}
	if args.Autoscaling {
		// The autoscaler owns the task count: an `up` must not reset it to
		// the replica count (the autoscaling minimum follows replicas).
		serviceOpts = append(serviceOpts, pulumi.IgnoreChanges([]string{"desiredCount"}))
	}
	serviceOpts = append(serviceOpts, replaceOptions(serviceName)...)
	service, err := ecs.NewService(ctx, name, serviceArgs, serviceOpts...)
	if err != nil {
		return nil, err
	}
	if args.Autoscaling {
		if err := serviceAutoscaling(ctx, name, service, settings, replicas, parent); err != nil {
			return nil, err
		}
	}

	comp.ecsService = service
	comp.ServiceName = service.Name
	comp.TaskDefinitionArn = taskDef.Arn
	comp.SecurityGroupId = sg.ID().ToStringOutput()
	comp.LogGroupName = logGroup.Name
	comp.TaskRoleArn = taskRole.Arn
	comp.ExecutionRoleArn = execRole.Arn
	return comp, outputs.Register(ctx, comp)
}

func appendNetworkSGs(networkSGs pulumi.StringArrayInput) func([]string) pulumi.StringArrayOutput {
	return func(own []string) pulumi.StringArrayOutput {
		if networkSGs == nil {
			return pulumi.ToStringArray(own).ToStringArrayOutput()
		}
		return networkSGs.ToStringArrayOutput().ApplyT(func(nets []string) []string {
			return append(append([]string(nil), own...), nets...)
		}).(pulumi.StringArrayOutput)
	}
}

// serviceIngressRules opens the service's ports to exactly: the ALB on HTTP
// ingress ports, the NLB on TCP and UDP ingress ports and on the TCP ports it
// probes UDP ones on, and the members of the compose networks it joins on
// every declared port. Nothing is open to the world: a UDP target group
// preserves the client's IP (it cannot be turned off), yet a rule that
// references the load balancer's security group admits its traffic even so
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html),
// so the clients' addresses need no rule here.
func serviceIngressRules(ctx *pulumi.Context, name string, sg *ec2.SecurityGroup, args FargateServiceArgs, parent pulumi.ResourceOption) error {
	rule := func(suffix string, port ContainerPort, source pulumi.StringInput, desc string) error {
		protocol := port.Protocol
		if protocol == "" {
			protocol = "tcp"
		}
		_, err := vpc.NewSecurityGroupIngressRule(ctx, fmt.Sprintf("%s-%s-%d-%s", name, suffix, port.Port, protocol), &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           sg.ID(),
			IpProtocol:                pulumi.String(protocol),
			FromPort:                  pulumi.Int(port.Port),
			ToPort:                    pulumi.Int(port.Port),
			ReferencedSecurityGroupId: source,
			Description:               pulumi.String(desc),
		}, parent)
		return err
	}
	nlbPorts := map[int]bool{}
	for _, port := range args.Container.Ports {
		if port.Mode == "ingress" && port.Protocol != "udp" && port.AppProtocol == "tcp" {
			nlbPorts[port.Port] = true
		}
	}
	for _, port := range args.Container.Ports {
		if port.Mode == "ingress" {
			if (port.AppProtocol == "tcp" || port.Protocol == "udp") && args.NlbSecurityGroupId != nil {
				if err := rule("nlb", port, args.NlbSecurityGroupId, "From the network load balancer"); err != nil {
					return err
				}
			} else if port.AppProtocol != "tcp" && port.Protocol != "udp" && args.AlbSecurityGroupId != nil {
				if err := rule("alb", port, args.AlbSecurityGroupId, "From the application load balancer"); err != nil {
					return err
				}
			}
		}
	}
	for _, p := range args.NlbHealthCheckPorts {
		if !nlbPorts[p] && args.NlbSecurityGroupId != nil {
			if err := rule("nlbhc", ContainerPort{Port: p, Protocol: "tcp"}, args.NlbSecurityGroupId, "Health checks of the network load balancer"); err != nil {
				return err
			}
		}
	}
	// One rule per (network, port). The network list is an input whose
	// length is known at plan time only through the caller, so the caller
	// passes one group per compose network the service joins, in order.
	if args.NetworkSecurityGroupIds == nil {
		return nil
	}
	nets := args.NetworkSecurityGroupIds.ToStringArrayOutput()
	for i := 0; i < networkCount(args); i++ {
		for _, port := range args.Container.Ports {
			if err := rule(fmt.Sprintf("net%d", i), port, nets.Index(pulumi.Int(i)), "From its compose networks"); err != nil {
				return err
			}
		}
	}
	return nil
}

// networkCount is the number of compose networks the service joins. Go
// callers (the Project) pass a pulumi.StringArray whose length is known; for
// an unknown-length input we fall back to one group.
func networkCount(args FargateServiceArgs) int {
	if arr, ok := args.NetworkSecurityGroupIds.(pulumi.StringArray); ok {
		return len(arr)
	}
	return 1
}

const ecsTasksTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type policyStatement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

func (d policyDocument) String() string {
	b, _ := json.Marshal(d) // plain structs of strings: cannot fail
	return string(b)
}

// executionPolicy grants ECS what it needs to start this service's tasks and
// nothing more: write to its log group, pull its image, read its secrets.
func executionPolicy(v []any) string {
	logGroupArn, repoArn, secrets := v[0].(string), v[1].(string), v[2].(map[string]string)
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{{
		Sid: "Logs", Effect: "Allow",
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{logGroupArn + ":*"},
	}}}
	if repoArn != "" {
		doc.Statement = append(doc.Statement,
			// GetAuthorizationToken has no resource-level form: AWS only
			// accepts "*" for it. The pull itself is scoped to our repository.
			policyStatement{Sid: "EcrLogin", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
			policyStatement{Sid: "EcrPull", Effect: "Allow",
				Action:   []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				Resource: []string{repoArn}})
	}
	if len(secrets) > 0 {
		arns := sortedValues(secrets)
		doc.Statement = append(doc.Statement, policyStatement{Sid: "Secrets", Effect: "Allow",
			Action: []string{"ssm:GetParameters"}, Resource: arns})
	}
	return doc.String()
}

func sortedValues(m map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range m {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type kv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type secretRef struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

type portMapping struct {
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	Name          string `json:"name"`
	AppProtocol   string `json:"appProtocol,omitempty"`
}

type healthCheck struct {
	Command     []string `json:"command"`
	Interval    int      `json:"interval"`
	Timeout     int      `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod int      `json:"startPeriod,omitempty"`
}

type logConfiguration struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options"` // encoding/json sorts map keys
}

type resourceRequirement struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type containerDefinition struct {
	Name             string           `json:"name"`
	Image            string           `json:"image"`
	Essential        bool             `json:"essential"`
	Command          []string         `json:"command,omitempty"`
	EntryPoint       []string         `json:"entryPoint,omitempty"`
	WorkingDirectory string           `json:"workingDirectory,omitempty"`
	User             string           `json:"user,omitempty"`
	Environment      []kv             `json:"environment"`
	Secrets          []secretRef      `json:"secrets,omitempty"`
	PortMappings     []portMapping    `json:"portMappings"`
	HealthCheck      *healthCheck     `json:"healthCheck,omitempty"`
	StopTimeout      int              `json:"stopTimeout,omitempty"`
	LogConfiguration logConfiguration `json:"logConfiguration"`
	// ResourceRequirements reserves GPUs (EC2 only).
	ResourceRequirements []resourceRequirement `json:"resourceRequirements,omitempty"`
	Ulimits              []ulimit              `json:"ulimits,omitempty"`
}

// ulimit is an ECS Ulimit
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Ulimit.html),
// which Fargate tasks take.
type ulimit struct {
	Name      string `json:"name"`
	SoftLimit int    `json:"softLimit"`
	HardLimit int    `json:"hardLimit"`
}

// containerDefinitions renders the task's container definition JSON, sorted
// so that the same service always gives the same bytes.
func containerDefinitions(service string, spec ContainerSpec, image string, secrets map[string]string, region, logGroup string, ulimits []compose.Ulimit) (string, error) {
	def := containerDefinition{
		Name: containerName(service), Image: image, Essential: true,
		Command: spec.Command, EntryPoint: spec.Entrypoint, WorkingDirectory: spec.WorkingDir, User: spec.User,
		Environment:  []kv{},
		PortMappings: []portMapping{},
		LogConfiguration: logConfiguration{LogDriver: "awslogs", Options: map[string]string{
			"awslogs-group": logGroup, "awslogs-region": region, "awslogs-stream-prefix": compose.DNSLabel(service),
		}},
	}
	for _, k := range sortedKeys(spec.Environment) {
		def.Environment = append(def.Environment, kv{k, spec.Environment[k]})
	}
	for _, u := range ulimits {
		def.Ulimits = append(def.Ulimits, ulimit{Name: u.Name, SoftLimit: u.Soft, HardLimit: u.Hard})
	}
	for _, k := range sortedKeys(secrets) {
		def.Secrets = append(def.Secrets, secretRef{k, secrets[k]})
	}
	for _, port := range spec.Ports {
		protocol := port.Protocol
		if protocol == "" {
			protocol = "tcp"
		}
		pm := portMapping{ContainerPort: port.Port, Protocol: protocol, Name: portMappingName(service, port.Port, protocol)}
		switch port.AppProtocol {
		case "http", "http2", "grpc":
			pm.AppProtocol = port.AppProtocol
		}
		def.PortMappings = append(def.PortMappings, pm)
	}
	if hc := spec.Healthcheck; hc != nil && len(hc.Test) > 0 {
		interval := clamp(orDefault(hc.IntervalSeconds, 30), 5, 300)
		timeout := clamp(orDefault(hc.TimeoutSeconds, 5), 2, 60)
		def.HealthCheck = &healthCheck{
			Command: hc.Test, Interval: interval, Timeout: timeout,
			Retries: clamp(orDefault(hc.Retries, 3), 1, 10), StartPeriod: clamp(hc.StartPeriodSeconds, 0, 300),
		}
	}
	if spec.StopGracePeriodSeconds > 0 {
		def.StopTimeout = clamp(spec.StopGracePeriodSeconds, 2, 120)
	}
	if spec.Gpus > 0 {
		def.ResourceRequirements = []resourceRequirement{{Type: "GPU", Value: strconv.Itoa(spec.Gpus)}}
	}
	b, err := json.Marshal([]containerDefinition{def})
	return string(b), err
}

// taskSize is the task-level CPU and memory of a service: the smallest
// Fargate size that holds its reservation, or for a GPU service (on EC2,
// where any size the instance holds is valid) the reservation itself. It
// also checks what a GPU service needs from its caller.
func taskSize(args FargateServiceArgs) (fargateSize, error) {
	spec := args.Container
	fail := func(field string, err error) (fargateSize, error) {
		return fargateSize{}, fmt.Errorf("service %q: %s: %w", args.ServiceName, field, err)
	}
	if spec.Gpus < 0 {
		return fail("deploy.resources", fmt.Errorf("negative GPU count %d", spec.Gpus))
	}
	if spec.Gpus == 0 {
		cpus, memory := spec.Cpus, int64(spec.MemoryMiB)
		if cpus == 0 {
			cpus = defaultCPUs
		}
		if memory == 0 {
			memory = defaultMemoryMiB
		}
		size, err := fargateTaskSize(cpus, memory)
		if err != nil {
			return fail("deploy.resources", err)
		}
		return size, nil
	}
	if spec.Platform != "" && spec.Platform != "linux/amd64" {
		return fail("platform", fmt.Errorf("GPU services run on linux/amd64 only, not %s", spec.Platform))
	}
	cpu, memory, err := gpuTaskSize(spec.Cpus, spec.MemoryMiB)
	if err != nil {
		return fail("deploy.resources", err)
	}
	if _, err := gpuInstanceType(spec.Gpus, cpu, memory); err != nil {
		return fail("deploy.resources", err)
	}
	if args.CapacityProviderName == nil {
		return fail("deploy.resources.reservations.devices",
			fmt.Errorf("%d GPUs need EC2 GPU capacity: create a GpuCapacity for the service, add its capacity provider to the cluster and pass its name as CapacityProviderName", spec.Gpus))
	}
	return fargateSize{CPU: cpu, MemoryMiB: memory}, nil
}
