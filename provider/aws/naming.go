package aws

// Cloud names on AWS. Every name derived from project, stack and service
// names fits its limit for any names compose accepts (issue 13): names we
// set are made to fit with autonaming.Rule.Fit (cut, and a hash of the
// original whenever cutting or cleaning changed it), and a resource left to
// pulumi-aws's autonaming gets an explicit name whenever the provider's
// name (logical name, "-", 7 random characters) would not fit. The stack's
// pulumi:autonaming reaches the names we set (autonaming.Namer).
//
// Limits are those of ../shared/reference/cloud-name-limits.md; each rule
// below names its source.

import (
	"strconv"
	"strings"

	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/autonaming"
	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// AWS name limits of the paths we build (log groups, repositories).
const (
	// maxLogGroupName: botocore 1.44.5 logs CreateLogGroupRequest.logGroupName (1-512).
	maxLogGroupName = 512
	// maxECRRepoName: botocore 1.44.5 ecr CreateRepositoryRequest.repositoryName (2-256).
	maxECRRepoName = 256
)

// nameSpec is one resource type's name: what AWS accepts, and whether we
// leave it to pulumi-aws's autonaming when that fits (false: we always set
// it). How pulumi-aws autonames each type is cloudrules' (providerAuto).
type nameSpec struct {
	token     string
	rule      autonaming.Rule
	autonamed bool
}

const (
	leftToProvider = true
	alwaysSet      = false
)

// providerAuto is how pulumi-aws v6 autonames token (cloudrules, from its
// provider/resources.go and the bridge's defaults); nil when it does not.
func providerAuto(token string) *autonaming.Auto {
	r, ok := cloudrules.For(token)
	if !ok || r.Autoname == nil {
		return nil
	}
	a := r.Autoname
	return &autonaming.Auto{Max: a.Max, Sep: a.Separator, Random: a.RandomChars, Lower: a.Lowercase}
}

// The names we make, by type.
var (
	// ELBv2 load balancers and target groups: at most 32 letters, digits
	// and hyphens, no hyphen at either end; a load balancer's must not
	// start with "internal-" (botocore 1.44.5 elbv2 CreateLoadBalancerInput.Name
	// and CreateTargetGroupInput.Name docs; terraform-provider-aws
	// internal/service/elbv2 validName checks 32 at preview). pulumi-aws
	// autonames target groups with AutoName(32) and load balancers with the
	// 255 default (resources.go aws_lb_target_group, aws_lb).
	specLoadBalancer = nameSpec{"aws:lb/loadBalancer:LoadBalancer",
		autonaming.Rule{Max: 32, Extra: "-", Sep: '-', NotPrefix: []string{"internal-"}}, leftToProvider}
	specTargetGroup = nameSpec{"aws:lb/targetGroup:TargetGroup",
		autonaming.Rule{Max: 32, Extra: "-", Sep: '-'}, leftToProvider}
	// IAM: roles 1-64 and inline policies and instance profiles 1-128 of
	// [\w+=,.@-], unique case-insensitively, so we lowercase (botocore
	// 1.44.5 iam roleNameType, policyNameType, instanceProfileNameType).
	// pulumi-aws autonames roles with AutoName(64) (resources.go aws_iam_role).
	specRole = nameSpec{"aws:iam/role:Role",
		autonaming.Rule{Max: 64, Lower: true, Extra: "_+=,.@-", Sep: '-'}, leftToProvider}
	specRolePolicy = nameSpec{"aws:iam/rolePolicy:RolePolicy",
		autonaming.Rule{Max: 128, Lower: true, Extra: "_+=,.@-", Sep: '-'}, leftToProvider}
	specInstanceProfile = nameSpec{"aws:iam/instanceProfile:InstanceProfile",
		autonaming.Rule{Max: 128, Lower: true, Extra: "_+=,.@-", Sep: '-'}, leftToProvider}
	// S3 buckets: 3-63 lowercase letters, digits, '.' and '-', a letter or
	// digit at each end (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
	// we keep out '.' (it breaks virtual-hosted TLS). pulumi-aws
	// autonames them lowercased with AutoNameTransform(63) (resources.go aws_s3_bucket).
	specBucket = nameSpec{"aws:s3/bucketV2:BucketV2",
		autonaming.Rule{Min: 3, Max: 63, Lower: true, Extra: "-", Sep: '-'}, leftToProvider}
	// ECS clusters, services, task families and capacity providers: up to
	// 255 letters, digits, '_' and '-'; a capacity provider must not start
	// with "aws", "ecs" or "fargate" (botocore 1.44.5 ecs CreateCluster,
	// CreateService, RegisterTaskDefinition.family, CreateCapacityProvider docs).
	specCluster = nameSpec{"aws:ecs/cluster:Cluster",
		autonaming.Rule{Max: 255, Extra: "_-", Sep: '-'}, leftToProvider}
	specECSService = nameSpec{"aws:ecs/service:Service",
		autonaming.Rule{Max: 255, Extra: "_-", Sep: '-'}, leftToProvider}
	specTaskFamily = nameSpec{"aws:ecs/taskDefinition:TaskDefinition",
		autonaming.Rule{Max: 255, Extra: "_-", Sep: '-'}, alwaysSet}
	specCapacityProvider = nameSpec{"aws:ecs/capacityProvider:CapacityProvider",
		autonaming.Rule{Max: 255, Extra: "_-", Sep: '-', NotPrefix: []string{"aws", "ecs", "fargate"}}, alwaysSet}
	// CodeBuild projects: 2-150, a letter or digit first, then letters,
	// digits, '-' and '_' (botocore 1.44.5 codebuild ProjectName).
	specCodeBuild = nameSpec{"aws:codebuild/project:Project",
		autonaming.Rule{Min: 2, Max: 150, Extra: "_-", Sep: '-'}, leftToProvider}
	// EC2 security groups: up to 255, not starting with "sg-" (botocore
	// 1.44.5 ec2 CreateSecurityGroupRequest.GroupName docs); we keep to
	// letters, digits and '-'.
	specSecurityGroup = nameSpec{"aws:ec2/securityGroup:SecurityGroup",
		autonaming.Rule{Max: 255, Extra: "-", Sep: '-', NotPrefix: []string{"sg-"}}, leftToProvider}
	// Launch templates: 3-128 of [a-zA-Z0-9().\-/_] (botocore 1.44.5 ec2 LaunchTemplateName).
	specLaunchTemplate = nameSpec{"aws:ec2/launchTemplate:LaunchTemplate",
		autonaming.Rule{Min: 3, Max: 128, Extra: "-_", Sep: '-'}, leftToProvider}
	// Auto Scaling groups: 1-255 (botocore 1.44.5 autoscaling XmlStringMaxLen255).
	specAutoScalingGroup = nameSpec{"aws:autoscaling/group:Group",
		autonaming.Rule{Max: 255, Extra: "-_", Sep: '-'}, leftToProvider}
	// Application Auto Scaling policies: 1-256 (botocore 1.44.5
	// application-autoscaling PolicyName).
	specScalingPolicy = nameSpec{"aws:appautoscaling/policy:Policy",
		autonaming.Rule{Max: 256, Extra: "-_", Sep: '-'}, leftToProvider}
	// RDS and DocumentDB subnet groups: up to 255; terraform-provider-aws
	// validSubnetGroupName allows only lowercase [0-9a-z_ .-] at preview
	// (internal/service/rds/validate.go). ElastiCache's: up to 255 letters,
	// digits and hyphens, stored lowercase (botocore 1.44.5 elasticache
	// CreateCacheSubnetGroupMessage docs).
	specRDSSubnetGroup = nameSpec{"aws:rds/subnetGroup:SubnetGroup",
		autonaming.Rule{Max: 255, Lower: true, Extra: "-", Sep: '-'}, alwaysSet}
	specDocDBSubnetGroup = nameSpec{"aws:docdb/subnetGroup:SubnetGroup",
		autonaming.Rule{Max: 255, Lower: true, Extra: "-", Sep: '-'}, alwaysSet}
	specCacheSubnetGroup = nameSpec{"aws:elasticache/subnetGroup:SubnetGroup",
		autonaming.Rule{Max: 255, Lower: true, Extra: "-", Sep: '-'}, alwaysSet}
	// RDS instance and DocumentDB cluster and instance identifiers: 1-63
	// letters, digits and single hyphens, a letter first, no trailing
	// hyphen; lowercase at preview (terraform-provider-aws validIdentifier;
	// botocore 1.44.5 rds CreateDBInstanceMessage.DBInstanceIdentifier,
	// docdb CreateDBClusterMessage.DBClusterIdentifier docs).
	specDBInstance = nameSpec{"aws:rds/instance:Instance",
		autonaming.Rule{Max: 63, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}, alwaysSet}
	specDocDBCluster = nameSpec{"aws:docdb/cluster:Cluster",
		autonaming.Rule{Max: 63, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}, alwaysSet}
	specDocDBInstance = nameSpec{"aws:docdb/clusterInstance:ClusterInstance",
		autonaming.Rule{Max: 63, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}, alwaysSet}
	// ElastiCache replication group ids: 1-40, same shape (botocore 1.44.5
	// elasticache CreateReplicationGroupMessage.ReplicationGroupId docs).
	specReplicationGroup = nameSpec{"aws:elasticache/replicationGroup:ReplicationGroup",
		autonaming.Rule{Max: 40, Lower: true, Extra: "-", Sep: '-', LetterFirst: true}, alwaysSet}
)

// ECS container names: up to 255 letters, digits, '_' and '-'
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html, name).
// Port mapping names: up to 64 lowercase letters, digits, '_' and '-', not
// starting with '-' (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html, name).
var (
	containerNameRule   = autonaming.Rule{Max: 255, Extra: "_-", Sep: '-'}
	portMappingNameRule = autonaming.Rule{Max: 64, Lower: true, Extra: "_-", Sep: '-'}
)

// containerName is the ECS container name of a compose service: the
// service name where ECS accepts it, else cleaned with a hash of it.
// Everything that names the container (the service's load balancers)
// uses this.
func containerName(service string) string {
	return containerNameRule.Fit(service)
}

// portMappingName names a port mapping "<service>-<port>-<protocol>".
func portMappingName(service string, port int, protocol string) string {
	return portMappingNameRule.Fit(service + "-" + strconv.Itoa(port) + "-" + protocol)
}

// namer decides the names of one component's resources under the stack's
// pulumi:autonaming.
type namer struct{ n *autonaming.Namer }

func newNamer(ctx *pulumi.Context) (namer, error) {
	n, err := autonaming.NewNamer(ctx)
	return namer{n}, err
}

// name is the name of a resource of spec's type with logical name logical;
// base is the name before any pattern (see autonaming.Request.Base): the
// logical name from the names as the user wrote them, or our own name for
// types we always name. salt are the inputs whose change replaces the
// resource.
func (n namer) name(spec nameSpec, logical, base string, salt ...string) autonaming.Name {
	var auto *autonaming.Auto
	if spec.autonamed {
		auto = providerAuto(spec.token)
	}
	return n.n.Name(autonaming.Request{Type: spec.token, Logical: logical, Base: base, Rule: spec.rule, Auto: auto, Salt: salt})
}

// input is name's value as an input (nil: left to pulumi-aws).
func (n namer) input(spec nameSpec, logical, base string, salt ...string) pulumi.StringPtrInput {
	return n.name(spec, logical, base, salt...).Input()
}

// replaceOptions are the options a named resource needs: delete before
// replacing when its name has no random part (the engine's rule for
// autonaming patterns without one).
func replaceOptions(nm autonaming.Name) []pulumi.ResourceOption {
	if nm.DeleteFirst {
		return []pulumi.ResourceOption{pulumi.DeleteBeforeReplace(true)}
	}
	return nil
}

// rawLogical is logical with the (last) DNS label of service in it
// replaced by the service name as the user wrote it, so that names
// rewritten to fit keep "api.v2", "api-v2" and "api_v2" apart.
func rawLogical(logical, service string) string {
	label := compose.DNSLabel(service)
	if i := strings.LastIndex(logical, label); i >= 0 && label != service {
		return logical[:i] + service + logical[i+len(label):]
	}
	return logical
}

// physicalRule is the shape of names that every AWS name field accepts:
// lowercase letters, digits and single hyphens.
var physicalRule = autonaming.Rule{Lower: true, Extra: "-", Sep: '-'}

// physicalName joins parts with "-" into a name of at most max lowercase
// letters, digits and hyphens. A name that already is one is kept; any
// other is cleaned and, cut to fit, ends with a hash of the original, so
// that names sharing a prefix, or differing only in characters AWS does not
// accept ("api.v2", "api_v2"), stay distinct. The same parts always give
// the same name.
func physicalName(max int, parts ...string) string {
	r := physicalRule
	r.Max = max
	return r.Fit(strings.Join(parts, "-"))
}

// sanitizeName is s in lowercase letters, digits and single hyphens; the
// logical-name part of a compose network name.
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') {
			r = '-'
		}
		if r == '-' && (b.Len() == 0 || strings.HasSuffix(b.String(), "-")) {
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), "-")
}

// logGroupName is "/defang/<part>/<part>/...", within CloudWatch's limit.
func logGroupName(parts ...string) string {
	return "/" + hierarchicalName(maxLogGroupName-1, append([]string{"defang"}, parts...)...)
}

// repositoryName is "defang/<project>-<stack>/<service>" within ECR's limit.
func repositoryName(project, stack, service string) string {
	return hierarchicalName(maxECRRepoName, "defang", project+"-"+stack, service)
}

// hierarchicalName joins parts, each made a physicalName segment (with a
// hash of the part when cleaning changed it), with "/", and shortens the
// result with a hash when it is longer than max.
func hierarchicalName(max int, parts ...string) string {
	clean := make([]string, len(parts))
	for i, p := range parts {
		clean[i] = physicalName(255, p)
	}
	full := strings.Join(clean, "/")
	if len(full) <= max {
		return full
	}
	suffix := autonaming.Hash(full)
	return strings.TrimRight(full[:max-len(suffix)-1], "-/") + "-" + suffix
}

// targetGroupArgs are targetGroupArgs with the target group's name. Port,
// protocol and protocol version replace a target group (ForceNew in
// terraform-provider-aws aws_lb_target_group), and ELBv2 refuses a second
// target group of the same name while the first exists; it cannot be
// deleted first either, as a listener still forwards to it. So they salt
// the name's random part: a replacement created before the old one is
// deleted gets another name. (The VPC id replaces one too, but is known only
// at `up`; the network is not replaced under a running project.)
func (n namer) targetGroupArgs(logical string, vpcID pulumi.StringInput, t IngressTarget, protocol string) *lb.TargetGroupArgs {
	args := targetGroupArgs(vpcID, t, protocol)
	args.Name = n.input(specTargetGroup, logical, logical, strconv.Itoa(t.Port), protocol, t.protocolVersion())
	return args
}

// bucketName is the name of the S3 bucket logical. Bucket names are global
// across all accounts. Left to pulumi-aws (default mode and a logical name
// that fits), its random suffix keeps the name unique. A name we set is
// deterministic, so the account and region it is made in salt its random
// part: the same project and stack deployed from another account or region
// get another bucket. (A pattern without random parts names the bucket the
// same everywhere: the user's choice.)
func (n namer) bucketName(ctx *pulumi.Context, logical string, parent pulumi.ResourceOrInvokeOption) pulumi.StringPtrInput {
	if n.name(specBucket, logical, logical).Value == "" {
		return nil
	}
	account := awssdk.GetCallerIdentityOutput(ctx, awssdk.GetCallerIdentityOutputArgs{}, parent).AccountId()
	region := awssdk.GetRegionOutput(ctx, awssdk.GetRegionOutputArgs{}, parent).Name()
	return pulumi.All(account, region).ApplyT(func(v []any) string {
		return n.name(specBucket, logical, logical, v[0].(string), v[1].(string)).Value
	}).(pulumi.StringOutput)
}
