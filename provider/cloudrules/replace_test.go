package cloudrules

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// createdTypes are the cloud resource types the components create: the
// types of `defang-plan --format json` over ../shared/corpus (both clouds,
// all three modes) and the tokens registered in provider/aws and
// provider/azure (ACM, Route 53, RDS, Postgres Flexible Server...).
var createdTypes = []string{
	"aws:acm/certificate:Certificate",
	"aws:acm/certificateValidation:CertificateValidation",
	"aws:appautoscaling/policy:Policy",
	"aws:appautoscaling/target:Target",
	"aws:autoscaling/group:Group",
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:codebuild/project:Project",
	"aws:docdb/cluster:Cluster",
	"aws:docdb/clusterInstance:ClusterInstance",
	"aws:docdb/subnetGroup:SubnetGroup",
	"aws:ec2/eip:Eip",
	"aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:ec2/natGateway:NatGateway",
	"aws:ec2/routeTable:RouteTable",
	"aws:ec2/routeTableAssociation:RouteTableAssociation",
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/subnet:Subnet",
	"aws:ec2/vpc:Vpc",
	"aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
	"aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy",
	"aws:ecr/repository:Repository",
	"aws:ecs/capacityProvider:CapacityProvider",
	"aws:ecs/cluster:Cluster",
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
	"aws:ecs/service:Service",
	"aws:ecs/taskDefinition:TaskDefinition",
	"aws:elasticache/replicationGroup:ReplicationGroup",
	"aws:elasticache/subnetGroup:SubnetGroup",
	"aws:iam/instanceProfile:InstanceProfile",
	"aws:iam/role:Role",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
	"aws:lb/listener:Listener",
	"aws:lb/listenerCertificate:ListenerCertificate",
	"aws:lb/listenerRule:ListenerRule",
	"aws:lb/loadBalancer:LoadBalancer",
	"aws:lb/targetGroup:TargetGroup",
	"aws:rds/instance:Instance",
	"aws:rds/subnetGroup:SubnetGroup",
	"aws:route53/record:Record",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
	"aws:s3/bucketV2:BucketV2",
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
	"aws:servicediscovery/service:Service",
	"aws:ssm/parameter:Parameter",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
	"azure-native:app/v20240301:ContainerApp",
	"azure-native:app/v20240301:ManagedCertificate",
	"azure-native:app/v20240301:ManagedEnvironment",
	"azure-native:authorization:RoleAssignment",
	"azure-native:cache/v20250401:Database",
	"azure-native:cache/v20250401:RedisEnterprise",
	"azure-native:cognitiveservices:Account",
	"azure-native:cognitiveservices:Deployment",
	"azure-native:containerregistry:Registry",
	"azure-native:containerregistry:TaskRun",
	"azure-native:dbforpostgresql/v20240801:Database",
	"azure-native:dbforpostgresql/v20240801:Server",
	"azure-native:insights:DiagnosticSetting",
	"azure-native:keyvault:Secret",
	"azure-native:keyvault:Vault",
	"azure-native:managedidentity:UserAssignedIdentity",
	"azure-native:network:NetworkSecurityGroup",
	"azure-native:network:PrivateDnsZoneGroup",
	"azure-native:network:PrivateEndpoint",
	"azure-native:network:PrivateZone",
	"azure-native:network:RecordSet",
	"azure-native:network:Subnet",
	"azure-native:network:VirtualNetwork",
	"azure-native:network:VirtualNetworkLink",
	"azure-native:operationalinsights:Workspace",
	"azure-native:resources:ResourceGroup",
	"azure-native:storage:Blob",
	"azure-native:storage:BlobContainer",
	"azure-native:storage:StorageAccount",
	"random:index/randomPassword:RandomPassword",
}

func TestEveryCreatedTypeHasReplaceRules(t *testing.T) {
	for _, typ := range createdTypes {
		if !HasReplaceRules(typ) {
			t.Errorf("%s has no replacement rules: a stand-in would update it in place whatever changes", typ)
		}
		if ReplaceSource(typ) == "" {
			t.Errorf("%s: replacement rules without a source", typ)
		}
	}
}

var pathSyntax = regexp.MustCompile(`^[a-z][A-Za-z0-9]*(\[\])?(\.[a-z][A-Za-z0-9]*(\[\])?)*$`)

func TestReplacePathsAreInputPaths(t *testing.T) {
	for _, rules := range []map[string]replaceRule{awsReplace, azureReplace} {
		for typ, r := range rules {
			seen := map[string]bool{}
			for _, p := range r.paths {
				if !pathSyntax.MatchString(p) {
					t.Errorf("%s: %q is not a camelCase input path", typ, p)
				}
				if seen[p] {
					t.Errorf("%s: %q listed twice", typ, p)
				}
				seen[p] = true
			}
		}
	}
}

func TestReplaceOnChange(t *testing.T) {
	td := ReplaceOnChange("aws:ecs/taskDefinition:TaskDefinition")
	for _, p := range []string{"containerDefinitions", "cpu", "memory", "family", "executionRoleArn", "taskRoleArn"} {
		if !contains(td, p) {
			t.Errorf("task definition: %q does not replace", p)
		}
	}
	if contains(td, "tags") {
		t.Errorf("task definition: tags replace")
	}
	svc := ReplaceOnChange("aws:ecs/service:Service")
	if contains(svc, "taskDefinition") || contains(svc, "desiredCount") || !contains(svc, "cluster") {
		t.Errorf("ecs service replaces on %v", svc)
	}
	if got := ReplaceOnChange("azure-native:app/v20240301:ContainerApp"); contains(got, "template") || !contains(got, "containerAppName") {
		t.Errorf("container app replaces on %v", got)
	}
	if got := ReplaceOnChange("aws:ec2/internetGateway:InternetGateway"); got != nil {
		t.Errorf("internet gateway replaces on %v", got)
	}
	if got := ReplaceOnChange("aws:nope/nope:Nope"); got != nil {
		t.Errorf("an unknown type replaces on %v", got)
	}
	if !reflect.DeepEqual(ReplaceOnChange("aws:lb/listener:Listener"), []string{"loadBalancerArn"}) {
		t.Errorf("listener: %v", ReplaceOnChange("aws:lb/listener:Listener"))
	}
}

func sameForTest(a, b property.Value) bool {
	if a.IsComputed() || b.IsComputed() {
		return false
	}
	return a.Equals(b)
}

func TestReplacedKeys(t *testing.T) {
	m := func(kv map[string]property.Value) property.Map { return property.NewMap(kv) }
	s := property.New[string]
	const svc = "aws:ecs/service:Service"
	olds := m(map[string]property.Value{
		"cluster": s("arn:c1"), "taskDefinition": s("arn:td:1"),
		"deploymentController": property.New(m(map[string]property.Value{"type": s("ECS")})),
	})
	cases := []struct {
		name string
		news map[string]property.Value
		want []string
	}{
		{"same", map[string]property.Value{}, nil},
		{"an update-only key", map[string]property.Value{"taskDefinition": s("arn:td:2")}, nil},
		{"a top-level ForceNew key", map[string]property.Value{"cluster": s("arn:c2")}, []string{"cluster"}},
		{"an unknown ForceNew key", map[string]property.Value{"cluster": property.New(property.Computed)}, []string{"cluster"}},
		{"a nested ForceNew field", map[string]property.Value{
			"deploymentController": property.New(m(map[string]property.Value{"type": s("CODE_DEPLOY")}))}, []string{"deploymentController"}},
		{"an unknown block over a nested field", map[string]property.Value{
			"deploymentController": property.New(property.Computed)}, []string{"deploymentController"}},
	}
	for _, tc := range cases {
		news := olds.AsMap()
		for k, v := range tc.news {
			news[k] = v
		}
		got := ReplacedKeys(svc, olds, property.NewMap(news), sameForTest)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ReplacedKeys = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Secretness is the caller's to judge: with an equality that ignores it,
	// making a value secret replaces nothing.
	secret := olds.Set("cluster", s("arn:c1").WithSecret(true))
	ignoreSecret := func(a, b property.Value) bool { return sameForTest(a.WithSecret(false), b.WithSecret(false)) }
	if got := ReplacedKeys(svc, olds, secret, ignoreSecret); len(got) != 0 {
		t.Errorf("a secret of the same value replaces %v", got)
	}
}

func TestReplacedKeysThroughArrays(t *testing.T) {
	const typ = "aws:servicediscovery/service:Service"
	s := property.New[string]
	dns := func(recordType string, ttl float64) property.Map {
		rec := property.New(property.NewMap(map[string]property.Value{"type": s(recordType), "ttl": property.New(ttl)}))
		cfg := property.NewMap(map[string]property.Value{
			"namespaceId": s("ns-1"), "dnsRecords": property.New(property.NewArray([]property.Value{rec})),
		})
		return property.NewMap(map[string]property.Value{"name": s("api"), "dnsConfig": property.New(cfg)})
	}
	if got := ReplacedKeys(typ, dns("A", 10), dns("A", 60), sameForTest); len(got) != 0 {
		t.Errorf("a TTL change replaces %v", got)
	}
	if got := ReplacedKeys(typ, dns("A", 10), dns("SRV", 10), sameForTest); !reflect.DeepEqual(got, []string{"dnsConfig"}) {
		t.Errorf("a record type change replaces %v, want dnsConfig", got)
	}
}
