package aws

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// GPUAMIParameter is the public SSM parameter in which AWS publishes the
// current ECS-optimised Amazon Linux 2 GPU AMI (NVIDIA driver, CUDA and the
// NVIDIA container runtime installed) of each region.
const GPUAMIParameter = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id"

// gpuInstance is one EC2 instance type that GPU services run on.
type gpuInstance struct {
	Type      string
	GPUs      int
	VCPUs     int
	MemoryGiB int
}

// gpuInstances are the g5 types (NVIDIA A10G, 24 GB of GPU memory each),
// cheapest first (us-east-1 on-demand prices: 1.01, 1.21, 1.62, 2.45, 4.10,
// 5.67, 8.14 and 16.29 USD an hour). One family, so that a service keeps the
// same GPU model when only its CPU or memory reservation changes:
//
//	GPUs   instance types (the first that also holds the CPU and memory)
//	1      g5.xlarge, g5.2xlarge, g5.4xlarge, g5.8xlarge, g5.16xlarge
//	2-4    g5.12xlarge, g5.24xlarge
//	5-8    g5.48xlarge
//
// More than 8 GPUs in one task is not supported (no single g5 has more).
var gpuInstances = []gpuInstance{
	{"g5.xlarge", 1, 4, 16},
	{"g5.2xlarge", 1, 8, 32},
	{"g5.4xlarge", 1, 16, 64},
	{"g5.8xlarge", 1, 32, 128},
	{"g5.16xlarge", 1, 64, 256},
	{"g5.12xlarge", 4, 48, 192},
	{"g5.24xlarge", 4, 96, 384},
	{"g5.48xlarge", 8, 192, 768},
}

// gpuUsableMemoryPercent is the share of an instance's memory we count on
// for tasks: the ECS agent registers less than the nominal memory (the
// kernel, the NVIDIA driver and the agent itself use some), so a task that
// reserves exactly 16 GiB would never be placed on a 16 GiB instance.
const gpuUsableMemoryPercent = 90

// minEC2TaskCPU is ECS's least task-level CPU on EC2 (0.125 vCPU).
const minEC2TaskCPU = 128

// gpuTaskSize is the task-level CPU (units, 1024 = 1 vCPU) and memory (MiB)
// of a GPU service. EC2 tasks are not limited to the Fargate table: the
// reservation is used as it is (unset means the Fargate defaults, so that a
// compose file reserves the same on both), and the instance type is chosen
// to hold it.
func gpuTaskSize(cpus float64, memoryMiB int) (int, int64, error) {
	if cpus < 0 || memoryMiB < 0 {
		return 0, 0, fmt.Errorf("negative resources (cpus %v, memory %d MiB)", cpus, memoryMiB)
	}
	if cpus == 0 {
		cpus = defaultCPUs
	}
	mem := int64(memoryMiB)
	if mem == 0 {
		mem = defaultMemoryMiB
	}
	return max(int(math.Ceil(cpus*1024)), minEC2TaskCPU), mem, nil
}

// gpuInstanceType picks the cheapest instance type of gpuInstances with at
// least gpus GPUs that also holds the task's CPU units and memory.
func gpuInstanceType(gpus, cpuUnits int, memoryMiB int64) (gpuInstance, error) {
	if gpus < 1 {
		return gpuInstance{}, fmt.Errorf("a GPU instance needs at least one GPU, got %d", gpus)
	}
	for _, it := range gpuInstances {
		usable := int64(it.MemoryGiB) * 1024 * gpuUsableMemoryPercent / 100
		if it.GPUs >= gpus && it.VCPUs*1024 >= cpuUnits && usable >= memoryMiB {
			return it, nil
		}
	}
	return gpuInstance{}, fmt.Errorf("%d GPUs, %g vCPU and %d MiB exceed the largest GPU instance (g5.48xlarge: 8 GPUs, 192 vCPU, 768 GiB)",
		gpus, float64(cpuUnits)/1024, memoryMiB)
}

// GPUInstanceType is the EC2 instance type a GPU service with this
// reservation runs on (for estimates and reports); the error names what does
// not fit.
func GPUInstanceType(gpus int, cpus float64, memoryMiB int) (string, error) {
	cpu, mem, err := gpuTaskSize(cpus, memoryMiB)
	if err != nil {
		return "", err
	}
	it, err := gpuInstanceType(gpus, cpu, mem)
	return it.Type, err
}

// gpuMaxInstances is the most instances a GPU service's Auto Scaling group
// may run: one task per instance (the instance type is the smallest that
// holds one task), for the most tasks the service runs (its replicas, or the
// autoscaling maximum) during a deployment, which in balanced and
// high_availability starts the new tasks before it stops the old ones
// (maximum percent 200).
func gpuMaxInstances(s modeSettings, replicas int, autoscaling bool) int {
	_, most := s.taskCountRange(max(replicas, 1), autoscaling)
	return max(1, (most*s.MaxPercent+99)/100)
}

// GPU instances' root volume: the GPU AMI plus CUDA images, which are large
// (10-20 GB each, and a deployment holds two versions).
const gpuRootVolumeGiB = 100

// GpuCapacityArgs are the inputs of defang:aws:GpuCapacity.
type GpuCapacityArgs struct {
	ProjectName string  `pulumi:"projectName"`
	ServiceName string  `pulumi:"serviceName"`
	Mode        string  `pulumi:"mode,optional"`
	Gpus        int     `pulumi:"gpus"`
	Cpus        float64 `pulumi:"cpus,optional"`
	MemoryMiB   int     `pulumi:"memoryMiB,optional"`
	Replicas    *int    `pulumi:"replicas,optional"`
	Autoscaling bool    `pulumi:"autoscaling,optional"`

	ClusterName      pulumi.StringInput      `pulumi:"clusterName"`
	SubnetIds        pulumi.StringArrayInput `pulumi:"subnetIds"`
	SecurityGroupIds pulumi.StringArrayInput `pulumi:"securityGroupIds,optional"`
	VpcId            pulumi.StringInput      `pulumi:"vpcId,optional"`
	AssignPublicIp   pulumi.BoolInput        `pulumi:"assignPublicIp,optional"`
}

func (a *GpuCapacityArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service the capacity is for.")
	an.Describe(&a.Mode, "Deployment mode: Spot instances in affordable, on-demand otherwise; the instance ceiling follows the mode's deployment style.")
	an.Describe(&a.Gpus, "GPUs one task reserves (1-8).")
	an.Describe(&a.Cpus, "vCPUs one task reserves (default 0.25); the instance type is chosen to hold it.")
	an.Describe(&a.MemoryMiB, "Memory in MiB one task reserves (default 512); the instance type is chosen to hold it.")
	an.Describe(&a.Replicas, "The service's task count (default 1); it bounds the number of instances.")
	an.Describe(&a.Autoscaling, "The service autoscales: allow as many instances as its autoscaling maximum.")
	an.Describe(&a.ClusterName, "The ECS cluster the instances join.")
	an.Describe(&a.SubnetIds, "Subnets the instances run in (the service's task subnets).")
	an.Describe(&a.SecurityGroupIds, "Security groups of the instances' primary network interface. When absent, an egress-only group is created in vpcId.")
	an.Describe(&a.VpcId, "The VPC of the egress-only security group created when securityGroupIds is absent.")
	an.Describe(&a.AssignPublicIp, "Give instances a public IP, so that the ECS agent reaches AWS from subnets without a NAT gateway. The GPU tasks themselves never get one.")
}

// GpuCapacity is defang:aws:GpuCapacity: EC2 GPU instances for one service.
type GpuCapacity struct {
	pulumi.ResourceState

	CapacityProviderName pulumi.StringOutput `pulumi:"capacityProviderName"`
	AutoScalingGroupName pulumi.StringOutput `pulumi:"autoScalingGroupName"`
	InstanceType         pulumi.StringOutput `pulumi:"instanceType"`
}

func (g *GpuCapacity) Annotate(a infer.Annotator) {
	a.SetToken("aws", "GpuCapacity")
	a.Describe(&g, "EC2 GPU capacity for one compose service on Amazon ECS: the ECS-optimised GPU AMI, an instance role and profile, a launch template (IMDSv2 only, encrypted root volume), an Auto Scaling group (Spot in affordable mode) that ECS scales from zero through a capacity provider with managed scaling and termination protection. Add the capacity provider to the cluster and give its name to the service.")
	a.Describe(&g.CapacityProviderName, "The ECS capacity provider name.")
	a.Describe(&g.AutoScalingGroupName, "The Auto Scaling group name.")
	a.Describe(&g.InstanceType, "The EC2 instance type chosen for the service's GPU, CPU and memory reservation.")
}

const ec2TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// ecsInstanceRolePolicy is AWS's managed policy for ECS container
// instances, the documented minimum for an instance to register with a
// cluster, pull from ECR and write to CloudWatch Logs on behalf of tasks.
const ecsInstanceRolePolicy = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"

// NewGpuCapacity creates the GPU instances one service runs on.
func NewGpuCapacity(ctx *pulumi.Context, name string, args GpuCapacityArgs, opts ...pulumi.ResourceOption) (*GpuCapacity, error) {
	comp := &GpuCapacity{}
	if err := ctx.RegisterComponentResource("defang:aws:GpuCapacity", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	settings := settingsFor(m)
	cpuUnits, memory, err := gpuTaskSize(args.Cpus, args.MemoryMiB)
	if err != nil {
		return nil, fmt.Errorf("service %q: deploy.resources: %w", args.ServiceName, err)
	}
	instance, err := gpuInstanceType(args.Gpus, cpuUnits, memory)
	if err != nil {
		return nil, fmt.Errorf("service %q: deploy.resources: %w", args.ServiceName, err)
	}
	if args.ClusterName == nil || args.SubnetIds == nil {
		return nil, fmt.Errorf("gpu capacity %s: clusterName and subnetIds are required", name)
	}
	if args.SecurityGroupIds == nil && args.VpcId == nil {
		return nil, fmt.Errorf("gpu capacity %s: give securityGroupIds, or vpcId to create an egress-only security group", name)
	}
	replicas := 1
	if args.Replicas != nil {
		replicas = *args.Replicas
	}
	maxInstances := gpuMaxInstances(settings, replicas, args.Autoscaling)
	parent := pulumi.Parent(comp)
	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	raw := rawLogical(name, args.ServiceName)

	ami := ssm.LookupParameterOutput(ctx, ssm.LookupParameterOutputArgs{
		Name: pulumi.String(GPUAMIParameter),
	}, pulumi.Parent(comp)).InsecureValue() // a public AMI id, not a secret

	role, err := iam.NewRole(ctx, name+"-instance", &iam.RoleArgs{
		Name:             names.input(specRole, name+"-instance", raw+"-instance"),
		AssumeRolePolicy: pulumi.String(ec2TrustPolicy),
		Description:      pulumi.Sprintf("ECS GPU container instances of %s/%s", args.ProjectName, args.ServiceName),
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, name+"-instance", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(ecsInstanceRolePolicy),
	}, parent); err != nil {
		return nil, err
	}
	profile, err := iam.NewInstanceProfile(ctx, name, &iam.InstanceProfileArgs{
		Name: names.input(specInstanceProfile, name, raw), Role: role.Name,
	}, parent)
	if err != nil {
		return nil, err
	}

	securityGroups := args.SecurityGroupIds
	if securityGroups == nil {
		sg, err := ec2.NewSecurityGroup(ctx, name+"-instance", &ec2.SecurityGroupArgs{
			Name:        names.input(specSecurityGroup, name+"-instance", raw+"-instance"),
			VpcId:       args.VpcId,
			Description: pulumi.Sprintf("GPU instances of %s: outbound only (tasks have their own groups)", args.ServiceName),
			Egress:      allEgress(),
		}, parent)
		if err != nil {
			return nil, err
		}
		securityGroups = pulumi.StringArray{sg.ID()}
	}
	publicIP := pulumi.String("false").ToStringOutput()
	if args.AssignPublicIp != nil {
		publicIP = args.AssignPublicIp.ToBoolOutput().ApplyT(strconv.FormatBool).(pulumi.StringOutput)
	}
	userData := args.ClusterName.ToStringOutput().ApplyT(func(cluster string) string {
		return gpuUserData(cluster, settings.Spot)
	}).(pulumi.StringOutput)

	lt, err := ec2.NewLaunchTemplate(ctx, name, &ec2.LaunchTemplateArgs{
		Name:               names.input(specLaunchTemplate, name, raw),
		Description:        pulumi.Sprintf("ECS GPU instances of %s/%s", args.ProjectName, args.ServiceName),
		ImageId:            ami,
		InstanceType:       pulumi.String(instance.Type),
		IamInstanceProfile: &ec2.LaunchTemplateIamInstanceProfileArgs{Arn: profile.Arn},
		// IMDSv2 only. A hop limit of 2 lets the ECS agent's container
		// reach the metadata service; tasks (awsvpc) are cut off from it by
		// ECS_AWSVPC_BLOCK_IMDS in the user data.
		MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"), HttpTokens: pulumi.String("required"),
			HttpPutResponseHopLimit: pulumi.Int(2),
		},
		BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{&ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String("/dev/xvda"), // the root device of Amazon Linux 2 AMIs
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				Encrypted: pulumi.String("true"), VolumeType: pulumi.String("gp3"),
				VolumeSize: pulumi.Int(gpuRootVolumeGiB), DeleteOnTermination: pulumi.String("true"),
			},
		}},
		NetworkInterfaces: ec2.LaunchTemplateNetworkInterfaceArray{&ec2.LaunchTemplateNetworkInterfaceArgs{
			DeviceIndex: pulumi.Int(0), AssociatePublicIpAddress: publicIP,
			SecurityGroups: securityGroups, DeleteOnTermination: pulumi.String("true"),
		}},
		UserData:             userData,
		UpdateDefaultVersion: pulumi.Bool(true),
		TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{&ec2.LaunchTemplateTagSpecificationArgs{
			ResourceType: pulumi.String("instance"),
			Tags:         pulumi.StringMap{"Name": pulumi.Sprintf("%s-%s-gpu", args.ProjectName, args.ServiceName)},
		}},
	}, parent)
	if err != nil {
		return nil, err
	}
	// The group follows the template's latest version, so that a new AMI or
	// instance type reaches the instances launched after the update.
	version := lt.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput)

	groupArgs := &autoscaling.GroupArgs{
		Name: names.input(specAutoScalingGroup, name, raw),
		// ECS sets the desired capacity through the capacity provider;
		// from zero when the service runs no task.
		MinSize:            pulumi.Int(0),
		MaxSize:            pulumi.Int(maxInstances),
		VpcZoneIdentifiers: args.SubnetIds,
		// Managed termination protection: ECS protects instances that run
		// tasks from scale-in and lifts the protection once they are empty.
		ProtectFromScaleIn: pulumi.Bool(true),
		HealthCheckType:    pulumi.String("EC2"),
		Tags: autoscaling.GroupTagArray{
			// ECS adds this tag to groups it manages; declaring it keeps a
			// second `up` from removing it.
			&autoscaling.GroupTagArgs{Key: pulumi.String("AmazonECSManaged"), Value: pulumi.String("true"), PropagateAtLaunch: pulumi.Bool(true)},
		},
	}
	if settings.Spot {
		// affordable: Spot only (on-demand base 0, 0% above it), from the
		// pools least likely to be interrupted, and replaced early when AWS
		// signals a rebalance.
		groupArgs.CapacityRebalance = pulumi.Bool(true)
		groupArgs.MixedInstancesPolicy = &autoscaling.GroupMixedInstancesPolicyArgs{
			InstancesDistribution: &autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs{
				OnDemandBaseCapacity:                pulumi.Int(0),
				OnDemandPercentageAboveBaseCapacity: pulumi.Int(0),
				SpotAllocationStrategy:              pulumi.String("price-capacity-optimized"),
			},
			LaunchTemplate: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs{
				LaunchTemplateSpecification: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs{
					LaunchTemplateId: lt.ID(), Version: version,
				},
				Overrides: autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArray{
					&autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs{InstanceType: pulumi.String(instance.Type)},
				},
			},
		}
	} else {
		groupArgs.LaunchTemplate = &autoscaling.GroupLaunchTemplateArgs{Id: lt.ID(), Version: version}
	}
	group, err := autoscaling.NewGroup(ctx, name, groupArgs, parent)
	if err != nil {
		return nil, err
	}

	provider, err := ecs.NewCapacityProvider(ctx, name, &ecs.CapacityProviderArgs{
		// Named explicitly: ECS rejects names that start with aws, ecs or
		// fargate, which an autoname from a project called "aws-..." would.
		Name: pulumi.String(names.name(specCapacityProvider, name, physicalName(255, "defang", args.ProjectName, ctx.Stack(), args.ServiceName, "gpu")).Value),
		AutoScalingGroupProvider: &ecs.CapacityProviderAutoScalingGroupProviderArgs{
			AutoScalingGroupArn:          group.Arn,
			ManagedTerminationProtection: pulumi.String("ENABLED"),
			ManagedDraining:              pulumi.String("ENABLED"),
			ManagedScaling: &ecs.CapacityProviderAutoScalingGroupProviderManagedScalingArgs{
				Status:                 pulumi.String("ENABLED"),
				TargetCapacity:         pulumi.Int(100), // no idle instance beyond what tasks need
				MinimumScalingStepSize: pulumi.Int(1),
				MaximumScalingStepSize: pulumi.Int(maxInstances),
				InstanceWarmupPeriod:   pulumi.Int(300),
			},
		},
	}, parent)
	if err != nil {
		return nil, err
	}

	comp.CapacityProviderName = provider.Name
	comp.AutoScalingGroupName = group.Name
	comp.InstanceType = pulumi.String(instance.Type).ToStringOutput()
	return comp, outputs.Register(ctx, comp)
}

// gpuUserData is the instance's user data (base64, as launch templates
// take it): join the cluster with GPU support, keep tasks away from the
// instance's metadata (and so from the instance role), and drain Spot
// instances when AWS announces their interruption.
func gpuUserData(cluster string, spot bool) string {
	script := "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\n" +
		"ECS_CLUSTER=" + cluster + "\n" +
		"ECS_ENABLE_GPU_SUPPORT=true\n" +
		"ECS_AWSVPC_BLOCK_IMDS=true\n"
	if spot {
		script += "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n"
	}
	script += "EOF\n"
	return base64.StdEncoding.EncodeToString([]byte(script))
}
