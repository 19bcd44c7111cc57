// Package fakecloud holds the answers a fake AWS gives: the invokes the
// components call (availability zones, region, caller identity, partition)
// and the outputs of created resources (ARNs, autonamed names, DNS names,
// repository URLs, EC2 ids). The offline plan (provider/plan) and the
// engine tests' stand-in providers (tests/standin) both use it, so that the
// plan and a real `pulumi up` against the stand-ins see the same cloud.
//
// Everything here is deterministic: the same type, name, region and inputs
// always give the same id and outputs.
package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
)

// AccountID is the AWS account the fake cloud answers with.
const AccountID = "123456789012"

// Invoke tokens AWSInvoke answers.
const (
	GetAvailabilityZones = "aws:index/getAvailabilityZones:getAvailabilityZones"
	GetRegion            = "aws:index/getRegion:getRegion"
	GetCallerIdentity    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetPartition         = "aws:index/getPartition:getPartition"
	// GetParameter reads an SSM parameter. The fake parameter store holds
	// one public parameter, whatever name is asked for: the ECS GPU AMI
	// (/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id),
	// an AMI id stable per region.
	GetParameter = "aws:ssm/getParameter:getParameter"
)

// gpuAMIParameter is the one parameter GetParameter answers with.
const gpuAMIParameter = "/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id"

// UnknownInvokeError is returned by AWSInvoke for a token it has no answer for.
type UnknownInvokeError struct{ Token string }

func (e *UnknownInvokeError) Error() string {
	return fmt.Sprintf("the fake cloud has no answer for the invoke %s", e.Token)
}

// AWSInvoke answers an AWS provider invoke (data source) in region. A token
// it does not know returns an *UnknownInvokeError. args are the invoke's
// arguments; only the Route 53 and ACM lookups read them (see dns.go).
func AWSInvoke(token, region string, args ...property.Map) (property.Map, error) {
	if strings.HasPrefix(token, "azure-native:") {
		return AzureInvoke(token, args...)
	}
	if out, ok, err := dnsInvoke(token, region, args); ok {
		return out, err
	}
	switch token {
	case GetAvailabilityZones:
		var names, ids []string
		for i, z := range []string{"a", "b", "c", "d"} {
			names = append(names, region+z)
			ids = append(ids, fmt.Sprintf("use1-az%d", i+1))
		}
		return property.NewMap(map[string]property.Value{
			"names": property.New(strings2values(names)), "zoneIds": property.New(strings2values(ids)),
			"id": property.New(region),
		}), nil
	case GetRegion:
		return property.NewMap(map[string]property.Value{
			"name": property.New(region), "id": property.New(region), "region": property.New(region),
			"endpoint": property.New("ec2." + region + ".amazonaws.com"),
		}), nil
	case GetCallerIdentity:
		return property.NewMap(map[string]property.Value{
			"accountId": property.New(AccountID), "id": property.New(AccountID),
			"arn": property.New("arn:aws:iam::" + AccountID + ":user/plan"), "userId": property.New("PLAN"),
		}), nil
	case GetPartition:
		return property.NewMap(map[string]property.Value{
			"partition": property.New("aws"), "dnsSuffix": property.New("amazonaws.com"),
		}), nil
	case GetParameter:
		if len(args) > 0 {
			if n, ok := args[0].GetOk("name"); ok && n.IsString() && n.AsString() != gpuAMIParameter {
				return property.Map{}, fmt.Errorf("the fake parameter store has no parameter %s", n.AsString())
			}
		}
		ami := property.New("ami-0" + shortHash("ami", region) + "0a1b")
		return property.NewMap(map[string]property.Value{
			"name": property.New(gpuAMIParameter), "id": property.New(gpuAMIParameter),
			"arn":  property.New("arn:aws:ssm:" + region + "::parameter" + gpuAMIParameter),
			"type": property.New("String"), "version": property.New(1.0),
			"value": ami, "insecureValue": ami, "withDecryption": property.New(true),
		}), nil
	}
	return property.Map{}, &UnknownInvokeError{Token: token}
}

// ec2Prefixes are the id prefixes of the EC2 resource types, by the last
// part of their type token.
var ec2Prefixes = map[string]string{
	"aws:ec2/vpc:Vpc":                         "vpc",
	"aws:ec2/subnet:Subnet":                   "subnet",
	"aws:ec2/securityGroup:SecurityGroup":     "sg",
	"aws:ec2/internetGateway:InternetGateway": "igw",
	"aws:ec2/natGateway:NatGateway":           "nat",
	"aws:ec2/routeTable:RouteTable":           "rtb",
	"aws:ec2/eip:Eip":                         "eipalloc",
	"aws:ec2/vpcDhcpOptions:VpcDhcpOptions":   "dopt",
}

// AWSState returns the id and outputs of a created AWS resource of type typ
// with the logical name name: its inputs, plus outputs shaped like the real
// provider's: an ARN, the name pulumi-aws would autoname when the inputs
// have none (see Autoname) and the few outputs our components read (a load
// balancer's dnsName, a repository's repositoryUrl, a bucket's bucket). EC2
// resources and private DNS namespaces get ids in AWS's shape (vpc-...,
// ns-...); everything else has its physical name as id.
//
// The error is what the real provider would refuse at Check: an autonamed
// name over the type's maximum, or an input that breaks the type's rules
// (provider/cloudrules). The id and outputs are returned with it all the
// same, autonamed past the maximum, so that a caller that collects every
// violation (the offline plan) can go on.
//
// Secret inputs stay secret in the outputs.
func AWSState(typ, name, region string, inputs property.Map) (string, property.Map, error) {
	named, err := Autoname(typ, name, inputs)
	if err == nil {
		err = cloudrules.Check(typ, name, named).Err()
	}
	id, state := awsState(typ, name, region, named)
	return id, state, err
}

// Suffix is the fake cloud's stand-in for a provider's random suffix: a
// stable hex hash of the type and logical name (12 characters; providers
// take the first 7 or 8).
func Suffix(typ, name string) string { return shortHash(typ, name) }

// Autoname names inputs as the real provider does at Check when the type
// autonames and the name input is absent (cloudrules.Autoname), with Suffix
// as the random part. When the name would be over the type's maximum it
// returns the error the real provider gives, and inputs named past the
// maximum all the same.
func Autoname(typ, name string, inputs property.Map) (property.Map, error) {
	named, err := cloudrules.Autoname(typ, name, Suffix(typ, name), inputs)
	if err == nil {
		return named, nil
	}
	rules, _ := cloudrules.For(typ)
	a := *rules.Autoname
	a.Max = 0
	value, verr := cloudrules.AutonameValue(typ, name, Suffix(typ, name), a)
	if verr != nil {
		return inputs, err
	}
	return inputs.Set(a.Property, property.New(value)), err
}

// awsState is AWSState's id and outputs of inputs already autonamed.
func awsState(typ, name, region string, inputs property.Map) (string, property.Map) {
	state := inputs.AsMap()
	short := shortHash(typ, name)
	str := func(key string) string {
		if v, ok := state[key]; ok && v.IsString() {
			return v.AsString()
		}
		return ""
	}
	physical := str("name")
	if rules, ok := cloudrules.For(typ); ok && rules.Autoname != nil {
		physical = str(rules.Autoname.Property)
	}
	if physical == "" {
		// A type pulumi-aws does not autoname (no name input, or a
		// required one such as a task definition's family): a stable
		// stand-in physical name for its ARN and id, kept as "name" as
		// the fake cloud always has.
		physical = name + "-" + short[:7]
		state["name"] = property.New(physical)
	}
	service := "aws"
	if parts := strings.Split(typ, ":"); len(parts) == 3 {
		service = strings.Split(parts[1], "/")[0]
	}
	if _, ok := state["arn"]; !ok {
		state["arn"] = property.New(fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, AccountID, physical))
	}
	id := physical
	switch typ {
	case "aws:lb/loadBalancer:LoadBalancer":
		state["dnsName"] = property.New(fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", physical, short[:9], region))
	case "aws:ecr/repository:Repository":
		state["repositoryUrl"] = property.New(fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", AccountID, region, physical))
	case "aws:s3/bucketV2:BucketV2":
		state["bucket"] = property.New(physical)
	case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
		id = "ns-" + short
	case "aws:ec2/launchTemplate:LaunchTemplate":
		id = "lt-" + short
		state["latestVersion"] = property.New(1.0)
		state["defaultVersion"] = property.New(1.0)
	case "aws:autoscaling/group:Group":
		state["arn"] = property.New(fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s",
			region, AccountID, uuidLike(short), physical))
	case "aws:rds/instance:Instance":
		port := portOr(state, 5432)
		host := fmt.Sprintf("%s.%s.%s.rds.amazonaws.com", str("identifier"), short, region)
		state["address"], state["port"] = property.New(host), property.New(port)
		state["endpoint"] = property.New(fmt.Sprintf("%s:%d", host, int(port)))
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		suffix := fmt.Sprintf("%s.%s.%s.cache.amazonaws.com", str("replicationGroupId"), short[:6], region)
		state["primaryEndpointAddress"] = property.New("master." + suffix)
		state["readerEndpointAddress"] = property.New("replica." + suffix)
		state["port"] = property.New(portOr(state, 6379))
	case "aws:docdb/cluster:Cluster":
		state["endpoint"] = property.New(fmt.Sprintf("%s.cluster-%s.%s.docdb.amazonaws.com", str("clusterIdentifier"), short, region))
		state["readerEndpoint"] = property.New(fmt.Sprintf("%s.cluster-ro-%s.%s.docdb.amazonaws.com", str("clusterIdentifier"), short, region))
		state["port"] = property.New(portOr(state, 27017))
	default:
		if prefix, ok := ec2Prefixes[typ]; ok {
			id = prefix + "-" + short
		}
	}
	addDNSOutputs(typ, name, region, state)
	return id, property.NewMap(state)
}

// uuidLike shapes a hash like the UUID in an Auto Scaling group ARN.
func uuidLike(h string) string {
	h = h + h + h
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// RandomPassword is the result of the random provider's RandomPassword
// named name: letters and digits, the same for the same name.
func RandomPassword(name string) string {
	return "Plan" + shortHash("random:index/randomPassword:RandomPassword", name) + "Password"
}

// portOr is the port input of a database, or def, its engine's default.
func portOr(state map[string]property.Value, def float64) float64 {
	if v, ok := state["port"]; ok && v.IsNumber() {
		return v.AsNumber()
	}
	return def
}

// shortHash is the hex SHA-256 of type and name, the source of every
// generated suffix and id.
func shortHash(typ, name string) string {
	sum := sha256.Sum256([]byte(typ + "::" + name))
	return hex.EncodeToString(sum[:])[:12]
}

func strings2values(ss []string) property.Array {
	vals := make([]property.Value, len(ss))
	for i, s := range ss {
		vals[i] = property.New(s)
	}
	return property.NewArray(vals)
}
