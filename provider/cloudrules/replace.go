package cloudrules

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Replacement rules: the input properties whose change makes the real
// provider replace a resource (delete and create it) instead of updating it
// in place. pulumi-aws takes them from terraform-provider-aws (ForceNew in
// the SDKv2 schema, RequiresReplace in the plugin framework), azure-native
// from the REST specs (path parameters, x-ms-mutability without "update")
// and its own forceNewMap. A stand-in that diffs by these rules makes an
// edit test count what a real `pulumi up` does: an environment edit of a
// Fargate service replaces its task definition (every field of it is
// ForceNew) and updates its service.
//
// Paths use StringRule.Path's syntax: "name", "deploymentController.type",
// "dnsConfig.dnsRecords[].type".

// replaceRule is one type's replace-on-change paths and where they come from.
type replaceRule struct {
	paths  []string
	source string
}

// tfReplaceSource is the terraform-provider-aws resource file a replacement rule comes from.
func tfReplaceSource(file string) string {
	return "terraform-provider-aws internal/service/" + file + " (ForceNew / RequiresReplace)"
}

// awsReplace covers every AWS type the components create, from the
// resource's schema in terraform-provider-aws (v5, which pulumi-aws v6
// bridges). Nested paths are listed where TF marks a nested field ForceNew
// and not its block. Tags never replace.
var awsReplace = map[string]replaceRule{
	"aws:acm/certificate:Certificate": {[]string{"domainName", "subjectAlternativeNames", "validationMethod",
		"keyAlgorithm", "certificateAuthorityArn"}, tfReplaceSource("acm/certificate.go")},
	// No Update: every argument replaces.
	"aws:acm/certificateValidation:CertificateValidation": {[]string{"certificateArn", "validationRecordFqdns"},
		tfReplaceSource("acm/certificate_validation.go")},
	"aws:appautoscaling/policy:Policy": {[]string{"name", "resourceId", "scalableDimension", "serviceNamespace"},
		tfReplaceSource("appautoscaling/policy.go")},
	"aws:appautoscaling/target:Target": {[]string{"resourceId", "scalableDimension", "serviceNamespace"},
		tfReplaceSource("appautoscaling/target.go")},
	"aws:autoscaling/group:Group":      {[]string{"name", "namePrefix"}, tfReplaceSource("autoscaling/group.go")},
	"aws:cloudwatch/logGroup:LogGroup": {[]string{"name", "namePrefix", "logGroupClass"}, tfReplaceSource("logs/group.go")},
	"aws:codebuild/project:Project":    {[]string{"name"}, tfReplaceSource("codebuild/project.go")},
	"aws:docdb/cluster:Cluster": {[]string{"clusterIdentifier", "clusterIdentifierPrefix", "availabilityZones",
		"dbSubnetGroupName", "engine", "kmsKeyId", "masterUsername", "snapshotIdentifier", "storageEncrypted",
		"restoreToPointInTime"}, tfReplaceSource("docdb/cluster.go")},
	"aws:docdb/clusterInstance:ClusterInstance": {[]string{"identifier", "identifierPrefix", "clusterIdentifier",
		"engine", "availabilityZone"}, tfReplaceSource("docdb/cluster_instance.go")},
	"aws:docdb/subnetGroup:SubnetGroup": {[]string{"name", "namePrefix"}, tfReplaceSource("docdb/subnet_group.go")},
	"aws:ec2/eip:Eip": {[]string{"domain", "vpc", "address", "customerOwnedIpv4Pool", "ipamPoolId",
		"networkBorderGroup", "publicIpv4Pool"}, tfReplaceSource("ec2/vpc_eip.go")},
	// vpcId is attached and detached in place.
	"aws:ec2/internetGateway:InternetGateway": {nil, tfReplaceSource("ec2/vpc_internet_gateway.go")},
	"aws:ec2/launchTemplate:LaunchTemplate":   {[]string{"name", "namePrefix"}, tfReplaceSource("ec2/ec2_launch_template.go")},
	"aws:ec2/natGateway:NatGateway": {[]string{"allocationId", "subnetId", "connectivityType", "privateIp"},
		tfReplaceSource("ec2/vpc_nat_gateway.go")},
	"aws:ec2/routeTable:RouteTable": {[]string{"vpcId"}, tfReplaceSource("ec2/vpc_route_table.go")},
	// routeTableId changes through ReplaceRouteTableAssociation.
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {[]string{"subnetId", "gatewayId"},
		tfReplaceSource("ec2/vpc_route_table_association.go")},
	"aws:ec2/securityGroup:SecurityGroup": {[]string{"name", "namePrefix", "description", "vpcId"},
		tfReplaceSource("ec2/vpc_security_group.go")},
	"aws:ec2/subnet:Subnet": {[]string{"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId",
		"outpostArn", "ipv6Native"}, tfReplaceSource("ec2/vpc_subnet.go")},
	"aws:ec2/vpc:Vpc": {[]string{"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"}, tfReplaceSource("ec2/vpc_.go")},
	"aws:ec2/vpcDhcpOptions:VpcDhcpOptions": {[]string{"domainName", "domainNameServers", "ntpServers",
		"netbiosNameServers", "netbiosNodeType", "ipv6AddressPreferredLeaseTime"}, tfReplaceSource("ec2/vpc_dhcp_options.go")},
	"aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation": {[]string{"vpcId"},
		tfReplaceSource("ec2/vpc_dhcp_options_association.go")},
	// No Update: every argument replaces.
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": {[]string{"repository", "policy"}, tfReplaceSource("ecr/lifecycle_policy.go")},
	"aws:ecr/repository:Repository":           {[]string{"name", "encryptionConfigurations"}, tfReplaceSource("ecr/repository.go")},
	"aws:ecs/capacityProvider:CapacityProvider": {[]string{"name", "autoScalingGroupProvider.autoScalingGroupArn"},
		tfReplaceSource("ecs/capacity_provider.go")},
	"aws:ecs/cluster:Cluster": {[]string{"name"}, tfReplaceSource("ecs/cluster.go")},
	"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {[]string{"clusterName"},
		tfReplaceSource("ecs/cluster_capacity_providers.go")},
	// taskDefinition, loadBalancers, capacityProviderStrategies,
	// networkConfiguration... update in place (UpdateService).
	"aws:ecs/service:Service": {[]string{"name", "cluster", "iamRole", "launchType", "schedulingStrategy",
		"deploymentController.type"}, tfReplaceSource("ecs/service.go")},
	// A task definition revision is immutable: every argument but tags,
	// skipDestroy and trackLatest replaces it (RegisterTaskDefinition).
	"aws:ecs/taskDefinition:TaskDefinition": {[]string{"containerDefinitions", "cpu", "enableFaultInjection",
		"ephemeralStorage", "executionRoleArn", "family", "inferenceAccelerators", "ipcMode", "memory",
		"networkMode", "pidMode", "placementConstraints", "proxyConfiguration", "requiresCompatibilities",
		"runtimePlatform", "taskRoleArn", "volumes"}, tfReplaceSource("ecs/task_definition.go")},
	"aws:elasticache/replicationGroup:ReplicationGroup": {[]string{"replicationGroupId", "atRestEncryptionEnabled",
		"dataTieringEnabled", "globalReplicationGroupId", "kmsKeyId", "networkType", "port",
		"preferredCacheClusterAzs", "snapshotArns", "snapshotName", "subnetGroupName"},
		tfReplaceSource("elasticache/replication_group.go")},
	"aws:elasticache/subnetGroup:SubnetGroup": {[]string{"name"}, tfReplaceSource("elasticache/subnet_group.go")},
	"aws:iam/instanceProfile:InstanceProfile": {[]string{"name", "namePrefix", "path"}, tfReplaceSource("iam/instance_profile.go")},
	"aws:iam/role:Role":                       {[]string{"name", "namePrefix", "path"}, tfReplaceSource("iam/role.go")},
	"aws:iam/rolePolicy:RolePolicy":           {[]string{"name", "namePrefix", "role"}, tfReplaceSource("iam/role_policy.go")},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {[]string{"role", "policyArn"},
		tfReplaceSource("iam/role_policy_attachment.go")},
	"aws:lb/listener:Listener":                       {[]string{"loadBalancerArn"}, tfReplaceSource("elbv2/listener.go")},
	"aws:lb/listenerCertificate:ListenerCertificate": {[]string{"listenerArn", "certificateArn"}, tfReplaceSource("elbv2/listener_certificate.go")},
	"aws:lb/listenerRule:ListenerRule":               {[]string{"listenerArn"}, tfReplaceSource("elbv2/listener_rule.go")},
	"aws:lb/loadBalancer:LoadBalancer": {[]string{"name", "namePrefix", "internal", "loadBalancerType",
		"customerOwnedIpv4Pool"}, tfReplaceSource("elbv2/load_balancer.go")},
	"aws:lb/targetGroup:TargetGroup": {[]string{"name", "namePrefix", "port", "protocol", "protocolVersion",
		"vpcId", "targetType", "ipAddressType"}, tfReplaceSource("elbv2/target_group.go")},
	// engineVersion, instanceClass, dbSubnetGroupName, port... are
	// modifications (ModifyDBInstance).
	"aws:rds/instance:Instance": {[]string{"identifier", "identifierPrefix", "availabilityZone",
		"characterSetName", "customIamInstanceProfile", "dbName", "engine", "kmsKeyId", "ncharCharacterSetName",
		"restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username"},
		tfReplaceSource("rds/instance.go") + ", read at commit 00e4b23838859616dd0ebc9d1fd9364c0f6bff22"},
	"aws:rds/subnetGroup:SubnetGroup": {[]string{"name", "namePrefix"}, tfReplaceSource("rds/subnet_group.go")},
	"aws:route53/record:Record":       {[]string{"name", "zoneId"}, tfReplaceSource("route53/record.go")},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {[]string{"bucket", "expectedBucketOwner"},
		tfReplaceSource("s3/bucket_lifecycle_configuration.go")},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {[]string{"bucket"}, tfReplaceSource("s3/bucket_ownership_controls.go")},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {[]string{"bucket"}, tfReplaceSource("s3/bucket_public_access_block.go")},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {
		[]string{"bucket", "expectedBucketOwner"}, tfReplaceSource("s3/bucket_server_side_encryption_configuration.go")},
	"aws:s3/bucketV2:BucketV2": {[]string{"bucket", "bucketPrefix", "objectLockEnabled"}, tfReplaceSource("s3/bucket.go")},
	"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": {[]string{"name", "vpc"},
		tfReplaceSource("servicediscovery/private_dns_namespace.go")},
	"aws:servicediscovery/service:Service": {[]string{"name", "namespaceId", "type", "healthCheckCustomConfig",
		"dnsConfig.namespaceId", "dnsConfig.routingPolicy", "dnsConfig.dnsRecords[].type", "healthCheckConfig.type"}, tfReplaceSource("servicediscovery/service.go")},
	"aws:ssm/parameter:Parameter": {[]string{"name"}, tfReplaceSource("ssm/parameter.go")},
	// Plugin framework: only the group is RequiresReplace.
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {[]string{"securityGroupId"},
		tfReplaceSource("ec2/vpc_security_group_ingress_rule.go")},
	// terraform-provider-random internal/provider/resource_password.go:
	// every attribute is RequiresReplace.
	"random:index/randomPassword:RandomPassword": {[]string{"keepers", "length", "lower", "minLower", "minNumeric",
		"minSpecial", "minUpper", "number", "numeric", "overrideSpecial", "special", "upper"},
		"terraform-provider-random internal/provider/resource_password.go (RequiresReplace)"},
}

// azureReplace covers the azure-native types the components create: the
// path parameters of each resource's PUT (resource group, parent and
// resource names), which azure-native's schema marks willReplaceOnChanges,
// plus location where the spec makes it create-only. azure-native's gen
// (provider/pkg/gen/properties.go, forceNew) replaces on properties whose
// x-ms-mutability lacks "update" and on those in forceNewMap
// (provider/pkg/gen/replacement.go): Authorization RoleAssignment
// principalId and scope; Network PrivateEndpoint subnet, VirtualNetwork
// location; Resources ResourceGroup location; Storage StorageAccount
// isHnsEnabled and location. The Network specs give location no
// x-ms-mutability, so a Network resource's location replaces only where
// forceNewMap says. For the other tracked resources the per-property
// x-ms-mutability data was not read here: location follows the ARM rule
// that a tracked resource's location is create-only (azure-openapi-validator
// rule LocationMustHaveXmsMutability, ARM guideline RPC-Put-V1-14), and is
// said so in the rule's source.
var azureReplace = map[string]replaceRule{
	"azure-native:resources:ResourceGroup": {[]string{"resourceGroupName", "location"}, anReplacement},
	"azure-native:network:VirtualNetwork": {[]string{"resourceGroupName", "virtualNetworkName", "location"},
		anReplacement},
	"azure-native:network:Subnet": {[]string{"resourceGroupName", "virtualNetworkName", "subnetName"},
		anReplacement},
	"azure-native:network:NetworkSecurityGroup": {[]string{"resourceGroupName", "networkSecurityGroupName"},
		anPath},
	"azure-native:network:PrivateZone": {[]string{"resourceGroupName", "privateZoneName"}, anPath},
	"azure-native:network:VirtualNetworkLink": {[]string{"resourceGroupName", "privateZoneName",
		"virtualNetworkLinkName"}, anPath},
	"azure-native:network:PrivateEndpoint": {[]string{"resourceGroupName", "privateEndpointName", "subnet"},
		anReplacement},
	"azure-native:network:PrivateDnsZoneGroup": {[]string{"resourceGroupName", "privateEndpointName",
		"privateDnsZoneGroupName"}, anPath},
	"azure-native:network:RecordSet": {[]string{"resourceGroupName", "zoneName", "relativeRecordSetName",
		"recordType"}, anPath},
	"azure-native:keyvault:Vault":  {[]string{"resourceGroupName", "vaultName", "location"}, anARM},
	"azure-native:keyvault:Secret": {[]string{"resourceGroupName", "vaultName", "secretName"}, anPath},
	"azure-native:storage:StorageAccount": {[]string{"resourceGroupName", "accountName", "location",
		"isHnsEnabled"}, anReplacement},
	"azure-native:storage:BlobContainer": {[]string{"resourceGroupName", "accountName", "containerName"},
		anReplacement},
	// A custom resource of azure-native: its schema marks these
	// WillReplaceOnChanges.
	"azure-native:storage:Blob": {[]string{"resourceGroupName", "accountName", "containerName", "blobName",
		"contentMd5", "source", "type"},
		"pulumi-azure-native provider/pkg/resources/customresources/custom_storage_azidentity.go (newBlob_azidentity)"},
	"azure-native:containerregistry:Registry": {[]string{"resourceGroupName", "registryName", "location"}, anARM},
	"azure-native:containerregistry:TaskRun": {[]string{"resourceGroupName", "registryName", "taskRunName",
		"location"}, anARM},
	"azure-native:operationalinsights:Workspace": {[]string{"resourceGroupName", "workspaceName", "location"}, anARM},
	"azure-native:managedidentity:UserAssignedIdentity": {[]string{"resourceGroupName", "resourceName", "location"},
		anARM},
	"azure-native:authorization:RoleAssignment": {[]string{"scope", "roleAssignmentName", "principalId"},
		anReplacement},
	"azure-native:app/v20240301:ManagedEnvironment": {[]string{"resourceGroupName", "environmentName", "location"},
		anARM},
	"azure-native:app/v20240301:ContainerApp": {[]string{"resourceGroupName", "containerAppName", "location"},
		anARM},
	"azure-native:app/v20240301:ManagedCertificate": {[]string{"resourceGroupName", "environmentName",
		"managedCertificateName", "location"}, anARM},
	"azure-native:insights:DiagnosticSetting": {[]string{"resourceUri", "name"}, anPath},
	"azure-native:cache/v20250401:RedisEnterprise": {[]string{"resourceGroupName", "clusterName", "location"},
		anARM},
	"azure-native:cache/v20250401:Database":  {[]string{"resourceGroupName", "clusterName", "databaseName"}, anPath},
	"azure-native:cognitiveservices:Account": {[]string{"resourceGroupName", "accountName", "location"}, anARM},
	"azure-native:cognitiveservices:Deployment": {[]string{"resourceGroupName", "accountName", "deploymentName"},
		anPath},
	"azure-native:dbforpostgresql/v20240801:Server": {[]string{"resourceGroupName", "serverName", "location"},
		anARM},
	"azure-native:dbforpostgresql/v20240801:Database": {[]string{"resourceGroupName", "serverName", "databaseName"},
		anPath},
}

const (
	anPath        = "pulumi-azure-native provider/pkg/gen: PUT path parameters are willReplaceOnChanges"
	anReplacement = anPath + "; provider/pkg/gen/replacement.go forceNewMap"
	anARM         = anPath + "; location create-only (ARM rule LocationMustHaveXmsMutability; per-property x-ms-mutability not read)"
)

// ReplaceOnChange lists the input property paths of typ whose change makes
// the real provider replace the resource, sorted; nil for a type without
// rules (or one, like an internet gateway, that only updates).
func ReplaceOnChange(typ string) []string {
	r, ok := replaceRuleOf(typ)
	if !ok || len(r.paths) == 0 {
		return nil
	}
	out := append([]string(nil), r.paths...)
	sort.Strings(out)
	return out
}

// ReplaceSource is where typ's replacement rules come from, "" without any.
func ReplaceSource(typ string) string {
	r, _ := replaceRuleOf(typ)
	return r.source
}

// HasReplaceRules says whether typ's replacement behaviour is known.
func HasReplaceRules(typ string) bool {
	_, ok := replaceRuleOf(typ)
	return ok
}

func replaceRuleOf(typ string) (replaceRule, bool) {
	if r, ok := awsReplace[typ]; ok {
		return r, true
	}
	r, ok := azureReplace[typ]
	return r, ok
}

// ReplacedKeys lists, sorted, the top-level input keys whose change between
// olds and news replaces a resource of typ: a key is listed when any of its
// ReplaceOnChange paths differs by same (the caller's value equality, which
// decides how unknowns and secrets count). Top-level paths compare the two
// values as they are; nested paths compare every value they reach.
func ReplacedKeys(typ string, olds, news property.Map, same func(a, b property.Value) bool) []string {
	keys := map[string]bool{}
	for _, p := range ReplaceOnChange(typ) {
		top := topKey(p)
		if keys[top] {
			continue
		}
		if top == p {
			if !same(olds.Get(p), news.Get(p)) {
				keys[top] = true
			}
			continue
		}
		// An unknown on the way reaches nothing in lookup; compare the
		// top-level values' unknowns first so that it still counts.
		if news.Get(top).IsComputed() && !olds.Get(top).IsComputed() {
			keys[top] = true
			continue
		}
		a, b := lookup(property.New(olds), p), lookup(property.New(news), p)
		if len(a) != len(b) {
			keys[top] = true
			continue
		}
		for i := range a {
			if a[i].path != b[i].path || !same(a[i].value, b[i].value) {
				keys[top] = true
				break
			}
		}
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// topKey is the first property name of a path.
func topKey(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 {
		path = path[:i]
	}
	return strings.TrimSuffix(path, "(json)")
}
