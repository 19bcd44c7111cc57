package cloudrules

// How pulumi-aws v6 (the version our SDK asks for, 6.83.2) autonames each
// resource type our components create, when the name input is left out.
//
// Sources (pulumi/pulumi-aws, read through the search tool):
//   - provider/resources.go @00ba5ea5 (v6): the per-type overrides cited
//     beside each entry below;
//   - provider/autonaming.go (setAutonaming): every other resource whose TF
//     schema has an Optional or Required "name" gets
//     tfbridge.AutoName("name", 255, "-");
//   - pulumi-terraform-bridge pkg/tfbridge: AutoName(prop, max, sep) and
//     AutoNameTransform(prop, max, fn) append 7 random characters (the
//     latter with separator "-"), through pulumi's resource.NewUniqueName,
//     which refuses a name longer than max (see AutonameError).
// ../shared/reference/cloud-name-limits.md collects the same facts.

// bridgeDefault is setAutonaming's AutoName("name", 255, "-").
func bridgeDefault() *Autonaming {
	return &Autonaming{Property: "name", Max: 255, Separator: "-", RandomChars: 7,
		Source: "pulumi-aws provider/autonaming.go setAutonaming: tfbridge.AutoName(\"name\", 255, \"-\")"}
}

// Types autonamed by the bridge default: their TF schema has an optional or
// required "name" and resources.go gives them no override.
var awsDefaultAutonamed = []string{
	"aws:lb/loadBalancer:LoadBalancer", // resources.go: aws_lb has no Fields override (ELB's 32 is checked by TF, aws_terraform.go)
	"aws:ecs/cluster:Cluster",
	"aws:ecs/service:Service",
	"aws:ecs/capacityProvider:CapacityProvider",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:iam/instanceProfile:InstanceProfile",
	"aws:ecr/repository:Repository",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:codebuild/project:Project",
	"aws:ssm/parameter:Parameter",
	"aws:servicediscovery/service:Service",
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:autoscaling/group:Group",
	"aws:rds/subnetGroup:SubnetGroup",
	"aws:elasticache/subnetGroup:SubnetGroup",
	"aws:docdb/subnetGroup:SubnetGroup",
	"aws:appautoscaling/policy:Policy",
}

// Not autonamed, though they have a name-like input: aws:ecs/taskDefinition
// (family is required and not "name"), aws:docdb/cluster (clusterIdentifier)
// and aws:docdb/clusterInstance (identifier) (TF names them "tf-..." itself;
// our components always set them), aws:route53/record (its name is the DNS
// name). Types with no name at all (VPCs, subnets, listeners, attachments,
// S3 bucket settings) have no entry.

func init() {
	for _, tok := range awsDefaultAutonamed {
		Register(TypeRules{Token: tok, Autoname: bridgeDefault()})
	}
	Register(TypeRules{Token: "aws:lb/targetGroup:TargetGroup", Autoname: &Autonaming{
		Property: "name", Max: 32, Separator: "-", RandomChars: 7,
		Source: "pulumi-aws provider/resources.go aws_lb_target_group: \"name\": tfbridge.AutoName(\"name\", 32, \"-\")"}})
	Register(TypeRules{Token: "aws:iam/role:Role", Autoname: &Autonaming{
		Property: "name", Max: 64, Separator: "-", RandomChars: 7,
		Source: "pulumi-aws provider/resources.go aws_iam_role: \"name\": tfbridge.AutoName(\"name\", 64, \"-\")"}})
	Register(TypeRules{Token: "aws:s3/bucketV2:BucketV2", Autoname: &Autonaming{
		Property: "bucket", Max: 63, Separator: "-", RandomChars: 7, Lowercase: true,
		Source: "pulumi-aws provider/resources.go aws_s3_bucket (BucketV2): tfbridge.AutoNameTransform(\"bucket\", 63, strings.ToLower)"}})
	Register(TypeRules{Token: "aws:elasticache/replicationGroup:ReplicationGroup", Autoname: &Autonaming{
		Property: "replicationGroupId", Max: 40, Separator: "-", RandomChars: 7, Lowercase: true,
		Source: "pulumi-aws provider/resources.go aws_elasticache_replication_group: tfbridge.AutoNameTransform(\"replicationGroupId\", 40, strings.ToLower)"}})
	// RDS: resource.NewUniqueHex(name, 7, 255): no separator, case kept.
	// resources.go caps SQL Server at 3 random characters and 15 in all;
	// our components create no SQL Server, so the general case is the rule.
	Register(TypeRules{Token: "aws:rds/instance:Instance", Autoname: &Autonaming{
		Property: "identifier", Max: 255, Separator: "", RandomChars: 7,
		Source: "pulumi-aws provider/resources.go aws_db_instance identifier Default: resource.NewUniqueHex(name, 7, 255)"}})
}
