package cloudrules

import "regexp"

// AWS rules that no model carries (botocore types these fields as plain
// strings) but AWS documents, each with its documentation URL. The load
// balancer and target group name rules (32, alphanumerics and hyphens, no
// leading or trailing hyphen, no "internal-") are documented too
// (API_CreateLoadBalancer.html, API_CreateTargetGroup.html), and are
// checked in terraform-provider-aws's wording in aws_terraform.go, which is
// what a preview shows.

const (
	docContainerDefinition = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
	docPortMapping         = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"
	docCapacityProvider    = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html"
	docCreateCluster       = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"
	docCreateService       = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"
	docRegisterTaskDef     = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"
	docBucketNaming        = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
	docCreateDBInstance    = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
	docDocDBCreateCluster  = "https://docs.aws.amazon.com/documentdb/latest/developerguide/API_CreateDBCluster.html"
	docPutParameter        = "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html"
	docCreateSecurityGroup = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
	// The constraints are also in botocore 1.44.5's elasticache model, in
	// the documentation of CreateReplicationGroupMessage.ReplicationGroupId.
	docReplicationGroup = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
)

var (
	// "Up to 255 letters (uppercase and lowercase), numbers, underscores,
	// and hyphens are allowed" (ECS names).
	docECSName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// "lowercase letters, numbers, underscores (_), and hyphens (-). The
	// name can't start with a hyphen."
	docPortMappingName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]*$`)
	// "lowercase letters, numbers, dots (.), and hyphens (-)", beginning
	// and ending with a letter or number.
	docBucketName = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
	// "must not contain two adjacent periods".
	docNoDoubleDot = regexp.MustCompile(`^([^.]|\.[^.])*\.?$`)
	// "1 to 40 alphanumeric characters or hyphens. The first character
	// must be a letter", "cannot end with a hyphen or contain two
	// consecutive hyphens" (ElastiCache replication group ids).
	docReplicationGroupID = regexp.MustCompile(`^[A-Za-z]([0-9A-Za-z]|-[0-9A-Za-z])*$`)
	// "a-z, A-Z, 0-9, and _.-", with "/" for hierarchies.
	docParameterName = regexp.MustCompile(`^[a-zA-Z0-9_./-]+$`)
)

// doc is a documented rule of path.
func doc(path string, max int, pattern *regexp.Regexp, describe, url string) StringRule {
	return StringRule{Path: path, Max: max, Pattern: pattern, Describe: describe, Style: StyleDoc, Source: url}
}

func init() {
	ecsName := "up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens"
	Register(TypeRules{Token: "aws:ecs/taskDefinition:TaskDefinition", Strings: []StringRule{
		doc("family", 255, docECSName, ecsName, docRegisterTaskDef),
		doc("containerDefinitions(json)[].name", 255, docECSName, ecsName, docContainerDefinition),
		doc("containerDefinitions(json)[].portMappings[].name", 64, docPortMappingName,
			"up to 64 lowercase letters, numbers, underscores and hyphens, not starting with a hyphen", docPortMapping),
	}})
	Register(TypeRules{Token: "aws:ecs/cluster:Cluster", Strings: []StringRule{doc("name", 255, docECSName, ecsName, docCreateCluster)}})
	Register(TypeRules{Token: "aws:ecs/service:Service", Strings: []StringRule{doc("name", 255, docECSName, ecsName, docCreateService)}})
	capacity := doc("name", 255, docECSName, ecsName+`, not prefixed with "aws", "ecs" or "fargate"`, docCapacityProvider)
	capacity.NotPrefix = []string{"aws", "ecs", "fargate"}
	Register(TypeRules{Token: "aws:ecs/capacityProvider:CapacityProvider", Strings: []StringRule{capacity}})

	bucket := doc("bucket", 63, docBucketName,
		"3 to 63 lowercase letters, numbers, dots and hyphens, beginning and ending with a letter or number", docBucketNaming)
	bucket.Min = 3
	bucket.NotPrefix = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	Register(TypeRules{Token: "aws:s3/bucketV2:BucketV2", Strings: []StringRule{
		bucket,
		doc("bucket", 0, docNoDoubleDot, "must not contain two adjacent periods", docBucketNaming),
	}})

	// RDS: "Must contain from 1 to 63 letters, numbers, or hyphens" (the
	// character rules are terraform-provider-aws's, aws_terraform.go).
	Register(TypeRules{Token: "aws:rds/instance:Instance", Strings: []StringRule{
		doc("identifier", 63, nil, "1 to 63 letters, numbers, or hyphens", docCreateDBInstance),
	}})
	Register(TypeRules{Token: "aws:docdb/cluster:Cluster", Strings: []StringRule{
		doc("clusterIdentifier", 63, nil, "1 to 63 letters, numbers, or hyphens", docDocDBCreateCluster),
	}})

	Register(TypeRules{Token: "aws:elasticache/replicationGroup:ReplicationGroup", Strings: []StringRule{
		doc("replicationGroupId", 40, docReplicationGroupID,
			"1 to 40 alphanumeric characters or hyphens, first a letter, not ending with a hyphen or containing two consecutive hyphens",
			docReplicationGroup),
	}})

	// SSM: "Parameter names can include only the following symbols and
	// letters: a-zA-Z0-9_.-" and "/" for hierarchies, and "can't be
	// prefixed with 'aws' or 'ssm' (case-insensitive)".
	param := doc("name", 0, docParameterName, "only a-zA-Z0-9_.- and / allowed; not prefixed with aws or ssm", docPutParameter)
	param.NotPrefix = []string{"aws", "ssm", "/aws", "/ssm"}
	Register(TypeRules{Token: "aws:ssm/parameter:Parameter", Strings: []StringRule{param}})

	// EC2: "Up to 255 characters in length. Cannot start with sg-."
	sg := doc("name", 255, nil, "up to 255 characters, not starting with sg-", docCreateSecurityGroup)
	sg.NotPrefix = []string{"sg-"}
	Register(TypeRules{Token: "aws:ec2/securityGroup:SecurityGroup", Strings: []StringRule{sg}})
}
