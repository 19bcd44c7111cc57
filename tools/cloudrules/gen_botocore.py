#!/usr/bin/env python3
"""Generate provider/cloudrules/zz_botocore.go from botocore's service models.

For every name and enum field our components set on an AWS resource, the
MAPPING below names the pulumi-aws type token and input path, and the
botocore service, API version and shape member the provider sends it as.
The generator reads botocore/data/<service>/<version>/service-2.json(.gz)
and writes what the model says of that member: min and max length (or
value, for integers), pattern and enum. Fields the model leaves
unconstrained are listed too (Constrained: false), so the Go test can check
that the generated file covers the whole mapping; their rules, where AWS
documents any, are in aws_documented.go and aws_terraform.go.

Run through `make cloud-rules` (mk/cloudrules.mk), which installs the pinned
botocore into a venv under .cache.
"""

import argparse
import gzip
import json
import os
import re
import sys

import botocore

# token, pulumi input path, botocore service, API version, shape.member
# (or "@Shape" for a named shape the member's own shape does not carry).
# One entry per line: the Go test (TestBotocoreCoversMapping) reads them.
MAPPING = [
    ("aws:lb/targetGroup:TargetGroup", "name", "elbv2", "2015-12-01", "CreateTargetGroupInput.Name"),
    ("aws:lb/targetGroup:TargetGroup", "protocol", "elbv2", "2015-12-01", "CreateTargetGroupInput.Protocol"),
    ("aws:lb/targetGroup:TargetGroup", "targetType", "elbv2", "2015-12-01", "CreateTargetGroupInput.TargetType"),
    ("aws:lb/targetGroup:TargetGroup", "healthCheck.protocol", "elbv2", "2015-12-01", "CreateTargetGroupInput.HealthCheckProtocol"),
    ("aws:lb/targetGroup:TargetGroup", "healthCheck.path", "elbv2", "2015-12-01", "CreateTargetGroupInput.HealthCheckPath"),
    ("aws:lb/loadBalancer:LoadBalancer", "name", "elbv2", "2015-12-01", "CreateLoadBalancerInput.Name"),
    ("aws:lb/loadBalancer:LoadBalancer", "loadBalancerType", "elbv2", "2015-12-01", "CreateLoadBalancerInput.Type"),
    ("aws:lb/listener:Listener", "protocol", "elbv2", "2015-12-01", "CreateListenerInput.Protocol"),
    ("aws:lb/listener:Listener", "defaultActions[].type", "elbv2", "2015-12-01", "Action.Type"),
    ("aws:lb/listener:Listener", "defaultActions[].redirect.statusCode", "elbv2", "2015-12-01", "RedirectActionConfig.StatusCode"),
    ("aws:lb/listener:Listener", "defaultActions[].redirect.protocol", "elbv2", "2015-12-01", "RedirectActionConfig.Protocol"),
    ("aws:lb/listener:Listener", "defaultActions[].fixedResponse.statusCode", "elbv2", "2015-12-01", "FixedResponseActionConfig.StatusCode"),
    ("aws:lb/listener:Listener", "defaultActions[].fixedResponse.contentType", "elbv2", "2015-12-01", "FixedResponseActionConfig.ContentType"),
    ("aws:lb/listenerRule:ListenerRule", "actions[].type", "elbv2", "2015-12-01", "Action.Type"),
    ("aws:lb/listenerRule:ListenerRule", "actions[].redirect.statusCode", "elbv2", "2015-12-01", "RedirectActionConfig.StatusCode"),
    ("aws:ecs/taskDefinition:TaskDefinition", "family", "ecs", "2014-11-13", "RegisterTaskDefinitionRequest.family"),
    ("aws:ecs/taskDefinition:TaskDefinition", "networkMode", "ecs", "2014-11-13", "RegisterTaskDefinitionRequest.networkMode"),
    ("aws:ecs/taskDefinition:TaskDefinition", "requiresCompatibilities[]", "ecs", "2014-11-13", "RegisterTaskDefinitionRequest.requiresCompatibilities"),
    ("aws:ecs/taskDefinition:TaskDefinition", "cpu", "ecs", "2014-11-13", "RegisterTaskDefinitionRequest.cpu"),
    ("aws:ecs/taskDefinition:TaskDefinition", "memory", "ecs", "2014-11-13", "RegisterTaskDefinitionRequest.memory"),
    ("aws:ecs/taskDefinition:TaskDefinition", "runtimePlatform.cpuArchitecture", "ecs", "2014-11-13", "RuntimePlatform.cpuArchitecture"),
    ("aws:ecs/taskDefinition:TaskDefinition", "runtimePlatform.operatingSystemFamily", "ecs", "2014-11-13", "RuntimePlatform.operatingSystemFamily"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].name", "ecs", "2014-11-13", "ContainerDefinition.name"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].portMappings[].name", "ecs", "2014-11-13", "PortMapping.name"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].portMappings[].protocol", "ecs", "2014-11-13", "PortMapping.protocol"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].portMappings[].appProtocol", "ecs", "2014-11-13", "PortMapping.appProtocol"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].logConfiguration.logDriver", "ecs", "2014-11-13", "LogConfiguration.logDriver"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].dependsOn[].condition", "ecs", "2014-11-13", "ContainerDependency.condition"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].resourceRequirements[].type", "ecs", "2014-11-13", "ResourceRequirement.type"),
    ("aws:ecs/taskDefinition:TaskDefinition", "containerDefinitions(json)[].ulimits[].name", "ecs", "2014-11-13", "Ulimit.name"),
    ("aws:ecs/service:Service", "name", "ecs", "2014-11-13", "CreateServiceRequest.serviceName"),
    ("aws:ecs/service:Service", "launchType", "ecs", "2014-11-13", "CreateServiceRequest.launchType"),
    ("aws:ecs/service:Service", "schedulingStrategy", "ecs", "2014-11-13", "CreateServiceRequest.schedulingStrategy"),
    ("aws:ecs/service:Service", "propagateTags", "ecs", "2014-11-13", "CreateServiceRequest.propagateTags"),
    ("aws:ecs/service:Service", "orderedPlacementStrategies[].type", "ecs", "2014-11-13", "PlacementStrategy.type"),
    ("aws:ecs/cluster:Cluster", "name", "ecs", "2014-11-13", "CreateClusterRequest.clusterName"),
    ("aws:ecs/cluster:Cluster", "settings[].name", "ecs", "2014-11-13", "ClusterSetting.name"),
    ("aws:ecs/capacityProvider:CapacityProvider", "name", "ecs", "2014-11-13", "CreateCapacityProviderRequest.name"),
    ("aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider.managedTerminationProtection", "ecs", "2014-11-13", "AutoScalingGroupProvider.managedTerminationProtection"),
    ("aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider.managedDraining", "ecs", "2014-11-13", "AutoScalingGroupProvider.managedDraining"),
    ("aws:ecs/capacityProvider:CapacityProvider", "autoScalingGroupProvider.managedScaling.status", "ecs", "2014-11-13", "ManagedScaling.status"),
    ("aws:rds/instance:Instance", "identifier", "rds", "2014-10-31", "CreateDBInstanceMessage.DBInstanceIdentifier"),
    ("aws:rds/instance:Instance", "engine", "rds", "2014-10-31", "CreateDBInstanceMessage.Engine"),
    ("aws:rds/instance:Instance", "storageType", "rds", "2014-10-31", "CreateDBInstanceMessage.StorageType"),
    ("aws:rds/subnetGroup:SubnetGroup", "name", "rds", "2014-10-31", "CreateDBSubnetGroupMessage.DBSubnetGroupName"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", "elasticache", "2015-02-02", "CreateReplicationGroupMessage.ReplicationGroupId"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "engine", "elasticache", "2015-02-02", "CreateReplicationGroupMessage.Engine"),
    ("aws:elasticache/subnetGroup:SubnetGroup", "name", "elasticache", "2015-02-02", "CreateCacheSubnetGroupMessage.CacheSubnetGroupName"),
    ("aws:docdb/cluster:Cluster", "clusterIdentifier", "docdb", "2014-10-31", "CreateDBClusterMessage.DBClusterIdentifier"),
    ("aws:docdb/cluster:Cluster", "engine", "docdb", "2014-10-31", "CreateDBClusterMessage.Engine"),
    ("aws:docdb/clusterInstance:ClusterInstance", "identifier", "docdb", "2014-10-31", "CreateDBInstanceMessage.DBInstanceIdentifier"),
    ("aws:docdb/subnetGroup:SubnetGroup", "name", "docdb", "2014-10-31", "CreateDBSubnetGroupMessage.DBSubnetGroupName"),
    ("aws:iam/role:Role", "name", "iam", "2010-05-08", "CreateRoleRequest.RoleName"),
    ("aws:iam/role:Role", "path", "iam", "2010-05-08", "CreateRoleRequest.Path"),
    ("aws:iam/role:Role", "description", "iam", "2010-05-08", "CreateRoleRequest.Description"),
    ("aws:iam/rolePolicy:RolePolicy", "name", "iam", "2010-05-08", "PutRolePolicyRequest.PolicyName"),
    ("aws:iam/instanceProfile:InstanceProfile", "name", "iam", "2010-05-08", "CreateInstanceProfileRequest.InstanceProfileName"),
    ("aws:s3/bucketV2:BucketV2", "bucket", "s3", "2006-03-01", "CreateBucketRequest.Bucket"),
    ("aws:codebuild/project:Project", "name", "codebuild", "2016-10-06", "CreateProjectInput.name"),
    ("aws:codebuild/project:Project", "description", "codebuild", "2016-10-06", "CreateProjectInput.description"),
    ("aws:codebuild/project:Project", "buildTimeout", "codebuild", "2016-10-06", "CreateProjectInput.timeoutInMinutes"),
    ("aws:codebuild/project:Project", "environment.type", "codebuild", "2016-10-06", "ProjectEnvironment.type"),
    ("aws:codebuild/project:Project", "environment.computeType", "codebuild", "2016-10-06", "ProjectEnvironment.computeType"),
    ("aws:codebuild/project:Project", "environment.imagePullCredentialsType", "codebuild", "2016-10-06", "ProjectEnvironment.imagePullCredentialsType"),
    ("aws:codebuild/project:Project", "source.type", "codebuild", "2016-10-06", "ProjectSource.type"),
    ("aws:codebuild/project:Project", "artifacts.type", "codebuild", "2016-10-06", "ProjectArtifacts.type"),
    ("aws:codebuild/project:Project", "logsConfig.cloudwatchLogs.status", "codebuild", "2016-10-06", "CloudWatchLogsConfig.status"),
    ("aws:codebuild/project:Project", "logsConfig.s3Logs.status", "codebuild", "2016-10-06", "S3LogsConfig.status"),
    ("aws:cloudwatch/logGroup:LogGroup", "name", "logs", "2014-03-28", "CreateLogGroupRequest.logGroupName"),
    ("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", "logs", "2014-03-28", "PutRetentionPolicyRequest.retentionInDays"),
    ("aws:ssm/parameter:Parameter", "name", "ssm", "2014-11-06", "PutParameterRequest.Name"),
    ("aws:ssm/parameter:Parameter", "type", "ssm", "2014-11-06", "PutParameterRequest.Type"),
    ("aws:ssm/parameter:Parameter", "description", "ssm", "2014-11-06", "PutParameterRequest.Description"),
    ("aws:ssm/parameter:Parameter", "tier", "ssm", "2014-11-06", "PutParameterRequest.Tier"),
    ("aws:servicediscovery/service:Service", "name", "servicediscovery", "2017-03-14", "CreateServiceRequest.Name"),
    ("aws:servicediscovery/service:Service", "dnsConfig.dnsRecords[].type", "servicediscovery", "2017-03-14", "DnsRecord.Type"),
    ("aws:servicediscovery/service:Service", "dnsConfig.routingPolicy", "servicediscovery", "2017-03-14", "DnsConfig.RoutingPolicy"),
    ("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "name", "servicediscovery", "2017-03-14", "CreatePrivateDnsNamespaceRequest.Name"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "name", "ec2", "2016-11-15", "@LaunchTemplateName"),
    ("aws:ec2/securityGroup:SecurityGroup", "name", "ec2", "2016-11-15", "CreateSecurityGroupRequest.GroupName"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings[].ebs.volumeType", "ec2", "2016-11-15", "LaunchTemplateEbsBlockDeviceRequest.VolumeType"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.httpTokens", "ec2", "2016-11-15", "LaunchTemplateInstanceMetadataOptionsRequest.HttpTokens"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.httpEndpoint", "ec2", "2016-11-15", "LaunchTemplateInstanceMetadataOptionsRequest.HttpEndpoint"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "tagSpecifications[].resourceType", "ec2", "2016-11-15", "LaunchTemplateTagSpecificationRequest.ResourceType"),
    ("aws:ec2/eip:Eip", "domain", "ec2", "2016-11-15", "AllocateAddressRequest.Domain"),
    ("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "rules[].status", "s3", "2006-03-01", "LifecycleRule.Status"),
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "rule.objectOwnership", "s3", "2006-03-01", "OwnershipControlsRule.ObjectOwnership"),
    ("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "rules[].applyServerSideEncryptionByDefault.sseAlgorithm", "s3", "2006-03-01", "ServerSideEncryptionByDefault.SSEAlgorithm"),
    ("aws:lb/listener:Listener", "defaultActions[].fixedResponse.messageBody", "elbv2", "2015-12-01", "FixedResponseActionConfig.MessageBody"),
    ("aws:autoscaling/group:Group", "mixedInstancesPolicy.instancesDistribution.spotAllocationStrategy", "autoscaling", "2011-01-01", "InstancesDistribution.SpotAllocationStrategy"),
    ("aws:autoscaling/group:Group", "name", "autoscaling", "2011-01-01", "CreateAutoScalingGroupType.AutoScalingGroupName"),
    ("aws:autoscaling/group:Group", "healthCheckType", "autoscaling", "2011-01-01", "CreateAutoScalingGroupType.HealthCheckType"),
    ("aws:ecr/repository:Repository", "name", "ecr", "2015-09-21", "CreateRepositoryRequest.repositoryName"),
    ("aws:ecr/repository:Repository", "imageTagMutability", "ecr", "2015-09-21", "CreateRepositoryRequest.imageTagMutability"),
    ("aws:ecr/repository:Repository", "encryptionConfigurations[].encryptionType", "ecr", "2015-09-21", "EncryptionConfiguration.encryptionType"),
    ("aws:appautoscaling/target:Target", "serviceNamespace", "application-autoscaling", "2016-02-06", "RegisterScalableTargetRequest.ServiceNamespace"),
    ("aws:appautoscaling/target:Target", "scalableDimension", "application-autoscaling", "2016-02-06", "RegisterScalableTargetRequest.ScalableDimension"),
    ("aws:appautoscaling/target:Target", "resourceId", "application-autoscaling", "2016-02-06", "RegisterScalableTargetRequest.ResourceId"),
    ("aws:appautoscaling/policy:Policy", "name", "application-autoscaling", "2016-02-06", "PutScalingPolicyRequest.PolicyName"),
    ("aws:appautoscaling/policy:Policy", "policyType", "application-autoscaling", "2016-02-06", "PutScalingPolicyRequest.PolicyType"),
    ("aws:appautoscaling/policy:Policy", "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType", "application-autoscaling", "2016-02-06", "PredefinedMetricSpecification.PredefinedMetricType"),
    ("aws:acm/certificate:Certificate", "domainName", "acm", "2015-12-08", "RequestCertificateRequest.DomainName"),
    ("aws:acm/certificate:Certificate", "validationMethod", "acm", "2015-12-08", "RequestCertificateRequest.ValidationMethod"),
    ("aws:route53/record:Record", "name", "route53", "2013-04-01", "ResourceRecordSet.Name"),
    ("aws:route53/record:Record", "type", "route53", "2013-04-01", "ResourceRecordSet.Type"),
    # The network and the resources without a name of their own: what the
    # model says of the values we set (most are ids and CIDRs it leaves
    # unconstrained; listing them keeps every type we create in the table).
    ("aws:ec2/vpc:Vpc", "cidrBlock", "ec2", "2016-11-15", "CreateVpcRequest.CidrBlock"),
    ("aws:ec2/vpc:Vpc", "instanceTenancy", "ec2", "2016-11-15", "CreateVpcRequest.InstanceTenancy"),
    ("aws:ec2/subnet:Subnet", "cidrBlock", "ec2", "2016-11-15", "CreateSubnetRequest.CidrBlock"),
    ("aws:ec2/subnet:Subnet", "availabilityZone", "ec2", "2016-11-15", "CreateSubnetRequest.AvailabilityZone"),
    ("aws:ec2/internetGateway:InternetGateway", "vpcId", "ec2", "2016-11-15", "AttachInternetGatewayRequest.VpcId"),
    ("aws:ec2/natGateway:NatGateway", "connectivityType", "ec2", "2016-11-15", "CreateNatGatewayRequest.ConnectivityType"),
    ("aws:ec2/natGateway:NatGateway", "subnetId", "ec2", "2016-11-15", "CreateNatGatewayRequest.SubnetId"),
    ("aws:ec2/routeTable:RouteTable", "routes[].cidrBlock", "ec2", "2016-11-15", "CreateRouteRequest.DestinationCidrBlock"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "subnetId", "ec2", "2016-11-15", "AssociateRouteTableRequest.SubnetId"),
    ("aws:ec2/vpcDhcpOptions:VpcDhcpOptions", "domainName", "ec2", "2016-11-15", "NewDhcpConfiguration.Key"),
    ("aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation", "dhcpOptionsId", "ec2", "2016-11-15", "AssociateDhcpOptionsRequest.DhcpOptionsId"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ipProtocol", "ec2", "2016-11-15", "IpPermission.IpProtocol"),
    ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "policy", "ecr", "2015-09-21", "PutLifecyclePolicyRequest.lifecyclePolicyText"),
    ("aws:ecr/lifecyclePolicy:LifecyclePolicy", "repository", "ecr", "2015-09-21", "PutLifecyclePolicyRequest.repositoryName"),
    ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "capacityProviders[]", "ecs", "2014-11-13", "CapacityProviderStrategyItem.capacityProvider"),
    ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies[].weight", "ecs", "2014-11-13", "CapacityProviderStrategyItem.weight"),
    ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "defaultCapacityProviderStrategies[].base", "ecs", "2014-11-13", "CapacityProviderStrategyItem.base"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket", "s3", "2006-03-01", "PutPublicAccessBlockRequest.Bucket"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role", "iam", "2010-05-08", "AttachRolePolicyRequest.RoleName"),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", "iam", "2010-05-08", "AttachRolePolicyRequest.PolicyArn"),
    # CertificateValidation is terraform's waiter on DescribeCertificate.
    ("aws:acm/certificateValidation:CertificateValidation", "certificateArn", "acm", "2015-12-08", "DescribeCertificateRequest.CertificateArn"),
    ("aws:lb/listenerCertificate:ListenerCertificate", "listenerArn", "elbv2", "2015-12-01", "AddListenerCertificatesInput.ListenerArn"),
    ("aws:lb/listenerCertificate:ListenerCertificate", "certificateArn", "elbv2", "2015-12-01", "Certificate.CertificateArn"),
]

# Patterns RE2 (Go's regexp) cannot compile as botocore writes them (Java
# regular expressions), rewritten to the same language. The original is
# checked, so a botocore upgrade that changes it fails here instead of
# silently keeping a stale translation.
TRANSLATIONS = {
    # servicediscovery ServiceName: the lookahead (?=^.{1,127}$) only caps the
    # length, which becomes Max 127.
    ("servicediscovery", "ServiceName"): (
        r"((?=^.{1,127}$)^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)",
        r"(^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])(\.([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9]))*$)|(^\.$)",
        {"max": 127},
    ),
    # servicediscovery NamespaceNamePrivate: (?!arn:) becomes NotPrefix.
    ("servicediscovery", "NamespaceNamePrivate"): (
        r"^(?!arn:)[!-~]{1,253}$",
        r"^[!-~]{1,253}$",
        {"notPrefix": ["arn:"]},
    ),
    # acm DomainNameString: each (?!-) label start becomes an explicit first
    # character that is not a hyphen.
    ("acm", "DomainNameString"): (
        r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])",
        r"(\*\.)?(([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\.)+([A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])",
        {},
    ),
}

# Java's UTF-16 surrogate pair range (every code point above the BMP), as
# the XML-string shapes of autoscaling and application-autoscaling write it.
SURROGATES = r"\uD800\uDC00-\uDBFF\uDFFF"

LOOKAROUND = re.compile(r"\(\?[=!<]")


def to_re2(pattern):
    """Java pattern -> RE2, or None when it cannot be translated."""
    p = pattern.replace(SURROGATES, r"\x{10000}-\x{10FFFF}")
    # \p{Print} is Java's POSIX class: printable US-ASCII.
    p = p.replace(r"\p{Print}", r"[\x{20}-\x{7E}]")
    p = re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: r"\x{" + m.group(1) + "}", p)
    if LOOKAROUND.search(p) or re.search(r"\\[1-9]", p):
        return None
    return p


def load(data, service, version):
    base = os.path.join(data, service, version, "service-2.json")
    if os.path.exists(base + ".gz"):
        with gzip.open(base + ".gz", "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(base, encoding="utf-8") as f:
        return json.load(f)


DAYS = re.compile(r"Possible values are:\s*([0-9 ,and]+)\.")


def describe(models, data, token, path, service, version, ref):
    """The constraints of one mapping entry, as a dict."""
    key = (service, version)
    if key not in models:
        models[key] = load(data, service, version)
    shapes = models[key]["shapes"]
    if ref.startswith("@"):
        shape_name = ref[1:]
    else:
        struct, member = ref.split(".")
        shape_name = shapes[struct]["members"][member]["shape"]
    shape = shapes[shape_name]
    if shape["type"] == "list":
        shape_name = shape["member"]["shape"]
        shape = shapes[shape_name]
        if not path.endswith("[]"):
            raise SystemExit(f"{token} {path}: {ref} is a list; the path must end in []")
    source = f"botocore {botocore.__version__} {service} {version} {ref.lstrip('@')} ({shape_name})"
    out = {"token": token, "path": path, "source": source, "kind": shape["type"], "notes": []}
    for k in ("min", "max", "enum"):
        if k in shape:
            out[k] = shape[k]
    if "pattern" in shape:
        pat = shape["pattern"]
        tr = TRANSLATIONS.get((service, shape_name))
        if tr:
            if tr[0] != pat:
                raise SystemExit(f"{service} {shape_name}: pattern changed to {pat!r}; update TRANSLATIONS")
            out["pattern"] = tr[1]
            for k, v in tr[2].items():
                out[k] = v
            out["notes"].append(f"pattern translated to RE2 from {pat}")
        else:
            re2 = to_re2(pat)
            if re2 is None:
                out["notes"].append(f"pattern skipped, RE2 cannot express it: {pat}")
            else:
                out["pattern"] = re2
                if re2 != pat:
                    out["notes"].append(f"pattern translated to RE2 from {pat}")
    if shape["type"] == "integer" and "enum" not in out:
        # logs Days carries its values only in its documentation.
        m = DAYS.search(shape.get("documentation", ""))
        if m:
            out["enum"] = [int(x) for x in re.findall(r"\d+", m.group(1))]
            out["notes"].append("values from the shape's documentation")
    out["constrained"] = any(k in out for k in ("min", "max", "pattern", "enum", "notPrefix"))
    return out


def go_str(s):
    return json.dumps(s, ensure_ascii=False)


def go_raw(s):
    if "`" in s:
        return go_str(s)
    return "`" + s + "`"


def render(entries):
    version = botocore.__version__
    lines = [
        f"// Code generated by tools/cloudrules/gen_botocore.py from botocore {version}; DO NOT EDIT.",
        "// Regenerate with `make cloud-rules`.",
        "",
        "package cloudrules",
        "",
        'import "regexp"',
        "",
        "// BotocoreVersion is the botocore release (PyPI) whose service models",
        "// the rules in this file come from.",
        f'const BotocoreVersion = "{version}"',
        "",
        "// botocoreField is one entry of the generator's mapping: a pulumi-aws",
        "// input and the botocore shape it is sent as. Constrained is false when",
        "// the model says nothing of it (the documented rules are elsewhere).",
        "type botocoreField struct {",
        "\tToken, Path, Source string",
        "\tConstrained        bool",
        "}",
        "",
        "var botocoreFields = []botocoreField{",
    ]
    for e in entries:
        lines.append(f"\t{{Token: {go_str(e['token'])}, Path: {go_str(e['path'])}, Source: {go_str(e['source'])}, Constrained: {str(e['constrained']).lower()}}},")
    lines += ["}", "", "func init() {"]
    by_token = {}
    for e in entries:
        if e["constrained"]:
            by_token.setdefault(e["token"], []).append(e)
    for token in sorted(by_token):
        strs = [e for e in by_token[token] if e["kind"] == "string"]
        ints = [e for e in by_token[token] if e["kind"] == "integer"]
        if strs:
            lines.append(f"\tRegister(TypeRules{{Token: {go_str(token)}, Strings: []StringRule{{")
            for e in strs:
                for n in e["notes"]:
                    lines.append(f"\t\t// {e['path']}: {n}")
                parts = [f"Path: {go_str(e['path'])}"]
                if e.get("min"):
                    parts.append(f"Min: {e['min']}")
                if e.get("max"):
                    parts.append(f"Max: {e['max']}")
                if "pattern" in e:
                    # Anchored as a whole: AWS matches the entire value, and
                    # an unanchored alternation such as IAM's path pattern
                    # "(/)|(/...+/)" would otherwise match only its first
                    # branch's prefix.
                    parts.append(f"Pattern: regexp.MustCompile({go_raw('^(?:' + e['pattern'] + ')$')})")
                if "enum" in e:
                    parts.append("Enum: []string{" + ", ".join(go_str(x) for x in e["enum"]) + "}")
                if "notPrefix" in e:
                    parts.append("NotPrefix: []string{" + ", ".join(go_str(x) for x in e["notPrefix"]) + "}")
                parts.append("Style: StyleAWSAPI")
                parts.append(f"Source: {go_str(e['source'])}")
                lines.append("\t\t{" + ", ".join(parts) + "},")
            lines.append("\t}})")
        for e in ints:
            for n in e["notes"]:
                lines.append(f"\t// {e['path']}: {n}")
            parts = [f"Path: {go_str(e['path'])}"]
            if "min" in e:
                parts.append(f"Min: intp({e['min']})")
            if "max" in e:
                parts.append(f"Max: intp({e['max']})")
            if "enum" in e:
                parts.append("Enum: []int{" + ", ".join(str(x) for x in e["enum"]) + "}")
            parts.append("Style: StyleAWSAPI")
            parts.append(f"Source: {go_str(e['source'])}")
            lines.append(f"\tRegisterInts({go_str(token)}, IntRule{{" + ", ".join(parts) + "})")
    lines += ["}", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--expect-version", required=True, help="the pinned botocore version (refuse any other)")
    args = ap.parse_args()
    if botocore.__version__ != args.expect_version:
        sys.exit(f"botocore {botocore.__version__} is installed, {args.expect_version} is pinned")
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    models = {}
    entries = [describe(models, data, *m) for m in MAPPING]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(render(entries))
    print(f"wrote {args.out}: {len(entries)} fields, {sum(e['constrained'] for e in entries)} constrained, botocore {botocore.__version__}")


if __name__ == "__main__":
    main()
