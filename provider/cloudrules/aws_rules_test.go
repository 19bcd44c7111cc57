package cloudrules

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func props(kv ...any) property.Map {
	m := map[string]property.Value{}
	for i := 0; i < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			m[kv[i].(string)] = property.New(v)
		case float64:
			m[kv[i].(string)] = property.New(v)
		case []property.Value:
			m[kv[i].(string)] = property.New(property.NewArray(v))
		}
	}
	return property.NewMap(m)
}

const random = "0123456789abcdef"

func TestAWSAutonaming(t *testing.T) {
	cases := []struct {
		typ, logical, prop, want string
	}{
		{"aws:lb/targetGroup:TargetGroup", "web-8080", "name", "web-8080-0123456"},
		{"aws:iam/role:Role", "shop-api-exec", "name", "shop-api-exec-0123456"},
		{"aws:s3/bucketV2:BucketV2", "My-Shop-source", "bucket", "my-shop-source-0123456"},
		{"aws:rds/instance:Instance", "shop-db", "identifier", "shop-db0123456"},
		{"aws:elasticache/replicationGroup:ReplicationGroup", "Shop-Cache", "replicationGroupId", "shop-cache-0123456"},
		{"aws:ecs/cluster:Cluster", "shop", "name", "shop-0123456"},
	}
	for _, c := range cases {
		got, err := Autoname(c.typ, c.logical, random, property.Map{})
		if err != nil || got.Get(c.prop).AsString() != c.want {
			t.Errorf("%s %s: got %v %v, want %s=%s", c.typ, c.logical, got, err, c.prop, c.want)
		}
	}
	// The case: 27 characters plus "-" and 7 is over ELBv2's 32.
	_, err := Autoname("aws:lb/targetGroup:TargetGroup", "my-shop-app-storefront-8080", random, property.Map{})
	want := "could not make instance of 'aws:lb/targetGroup:TargetGroup': name 'my-shop-app-storefront-8080-' plus 7 random chars is longer than maximum length 32"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	// A load balancer autonames under the bridge's 255, and terraform's
	// validName then refuses the 33 characters at Check.
	named, err := Apply("aws:lb/loadBalancer:LoadBalancer", "nodejs-react-postgres-alb", random, property.Map{})
	if err == nil || !strings.Contains(err.Error(), `"name" cannot be longer than 32 characters`) || named.Get("name").AsString() != "nodejs-react-postgres-alb-0123456" {
		t.Errorf("load balancer: %v %v", named, err)
	}
}

func TestAWSRulesRefuseWhatAWSRefuses(t *testing.T) {
	cases := []struct {
		name, typ string
		inputs    property.Map
		want      string // "" passes
	}{
		{"container name with a dot", "aws:ecs/taskDefinition:TaskDefinition",
			props("family", "shop-api", "containerDefinitions", `[{"name":"Api.V2","portMappings":[{"name":"api-v2-80-tcp","protocol":"tcp"}]}]`),
			"containerDefinitions[0].name"},
		{"port mapping name uppercase", "aws:ecs/taskDefinition:TaskDefinition",
			props("family", "shop-api", "containerDefinitions", `[{"name":"api","portMappings":[{"name":"Api-80-tcp"}]}]`),
			"containerDefinitions[0].portMappings[0].name"},
		{"port mapping name over 64", "aws:ecs/taskDefinition:TaskDefinition",
			props("family", "shop-api", "containerDefinitions", `[{"name":"api","portMappings":[{"name":"`+strings.Repeat("a", 65)+`"}]}]`),
			"containerDefinitions[0].portMappings[0].name"},
		{"good task definition", "aws:ecs/taskDefinition:TaskDefinition",
			props("family", "shop-api", "networkMode", "awsvpc", "requiresCompatibilities", []property.Value{property.New("FARGATE")},
				"containerDefinitions", `[{"name":"api","portMappings":[{"name":"api-80-tcp","protocol":"tcp","appProtocol":"http"}]}]`), ""},
		{"network mode", "aws:ecs/taskDefinition:TaskDefinition", props("networkMode", "vpc"), "enum value set"},
		{"IAM role path /", "aws:iam/role:Role", props("name", "r", "path", "/"), ""},
		{"IAM role path /defang/", "aws:iam/role:Role", props("name", "r", "path", "/defang/"), ""},
		{"IAM role name with a space", "aws:iam/role:Role", props("name", "my role"), "regular expression pattern"},
		{"IAM role name over 64", "aws:iam/role:Role", props("name", strings.Repeat("r", 65)), "length less than or equal to 64"},
		{"log retention", "aws:cloudwatch/logGroup:LogGroup", props("name", "/defang/x", "retentionInDays", 45.0), "enum value set"},
		{"log retention 30", "aws:cloudwatch/logGroup:LogGroup", props("name", "/defang/x", "retentionInDays", 30.0), ""},
		{"codebuild timeout", "aws:codebuild/project:Project", props("name", "shop", "buildTimeout", 3000.0), "less than or equal to 2160"},
		{"codebuild name space", "aws:codebuild/project:Project", props("name", "my shop"), "regular expression pattern"},
		{"capacity provider prefix", "aws:ecs/capacityProvider:CapacityProvider", props("name", "ecs-shop-gpu"), `"ecs"`},
		{"bucket uppercase", "aws:s3/bucketV2:BucketV2", props("bucket", "My-Bucket"), "lowercase"},
		{"bucket", "aws:s3/bucketV2:BucketV2", props("bucket", "my-shop-source-0123456"), ""},
		{"rds identifier uppercase", "aws:rds/instance:Instance", props("identifier", "Shop-db"), "only lowercase alphanumeric"},
		{"rds identifier", "aws:rds/instance:Instance", props("identifier", "shop-db0123456", "engine", "postgres"), ""},
		{"target group name", "aws:lb/targetGroup:TargetGroup", props("name", "shop-web-8080-0123456", "protocol", "HTTP", "targetType", "ip"), ""},
		{"target group trailing hyphen", "aws:lb/targetGroup:TargetGroup", props("name", "shop-"), "cannot end with a hyphen"},
		{"load balancer internal-", "aws:lb/loadBalancer:LoadBalancer", props("name", "internal-shop"), `cannot begin with "internal-"`},
		{"ssm parameter", "aws:ssm/parameter:Parameter", props("name", "/defang/shop/dev/config/KEY", "type", "SecureString"), ""},
		{"ssm type", "aws:ssm/parameter:Parameter", props("name", "/defang/x", "type", "Secret"), "enum value set"},
		{"service discovery name", "aws:servicediscovery/service:Service", props("name", "api_v2"), ""},
		{"service discovery label over 63", "aws:servicediscovery/service:Service", props("name", strings.Repeat("a", 64)), "regular expression pattern"},
		{"autoscaling name", "aws:autoscaling/group:Group", props("name", "shop-gpu-0123456", "healthCheckType", "EC2"), ""},
		{"acm domain", "aws:acm/certificate:Certificate", props("domainName", "*.shop.example.com", "validationMethod", "DNS"), ""},
	}
	for _, c := range cases {
		vs := Check(c.typ, "res", c.inputs)
		switch {
		case c.want == "" && len(vs) > 0:
			t.Errorf("%s: refused: %v", c.name, vs)
		case c.want != "" && !strings.Contains(vs.Error(), c.want):
			t.Errorf("%s: want a violation mentioning %q, got %v", c.name, c.want, vs)
		}
	}
}

// Every AWS resource type our components create has its rules here (at the
// least: whether and how it is autonamed, or that it has none to check).
func TestEveryAWSTypeWeCreateHasRules(t *testing.T) {
	for _, typ := range []string{
		"aws:lb/targetGroup:TargetGroup", "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener",
		"aws:lb/listenerRule:ListenerRule", "aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service",
		"aws:ecs/cluster:Cluster", "aws:ecs/capacityProvider:CapacityProvider", "aws:iam/role:Role",
		"aws:iam/rolePolicy:RolePolicy", "aws:iam/instanceProfile:InstanceProfile", "aws:s3/bucketV2:BucketV2",
		"aws:ecr/repository:Repository", "aws:cloudwatch/logGroup:LogGroup", "aws:codebuild/project:Project",
		"aws:ssm/parameter:Parameter", "aws:servicediscovery/service:Service",
		"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "aws:ec2/securityGroup:SecurityGroup",
		"aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group", "aws:rds/instance:Instance",
		"aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/replicationGroup:ReplicationGroup",
		"aws:elasticache/subnetGroup:SubnetGroup", "aws:docdb/cluster:Cluster", "aws:docdb/clusterInstance:ClusterInstance",
		"aws:docdb/subnetGroup:SubnetGroup", "aws:appautoscaling/policy:Policy", "aws:appautoscaling/target:Target",
		"aws:acm/certificate:Certificate", "aws:route53/record:Record",
	} {
		if _, ok := For(typ); !ok {
			t.Errorf("%s: no rules", typ)
		}
	}
}

func TestReplicationGroupID(t *testing.T) {
	for id, ok := range map[string]bool{
		"shop-cache-0123456": true, "a": true, "Shop-Cache": true,
		"1shop": false, "shop-": false, "shop--cache": false, strings.Repeat("a", 41): false, "shop_cache": false,
	} {
		vs := Check("aws:elasticache/replicationGroup:ReplicationGroup", "r", props("replicationGroupId", id))
		if ok != (len(vs) == 0) {
			t.Errorf("%q: violations %v, want ok=%v", id, vs, ok)
		}
	}
}

func TestSubnetGroupNameNotDefault(t *testing.T) {
	for name, ok := range map[string]bool{"default": false, "Default": false, "defaults": true, "shop-db": true, "defaul": true} {
		vs := Check("aws:rds/subnetGroup:SubnetGroup", "s", props("name", name))
		refusedAsDefault := strings.Contains(vs.Error(), `"Default"`)
		if ok == refusedAsDefault {
			t.Errorf("%q: %v", name, vs)
		}
	}
}
