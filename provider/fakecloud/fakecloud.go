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
)

// AccountID is the AWS account the fake cloud answers with.
const AccountID = "123456789012"

// Invoke tokens AWSInvoke answers.
const (
	GetAvailabilityZones = "aws:index/getAvailabilityZones:getAvailabilityZones"
	GetRegion            = "aws:index/getRegion:getRegion"
	GetCallerIdentity    = "aws:index/getCallerIdentity:getCallerIdentity"
	GetPartition         = "aws:index/getPartition:getPartition"
)

// UnknownInvokeError is returned by AWSInvoke for a token it has no answer for.
type UnknownInvokeError struct{ Token string }

func (e *UnknownInvokeError) Error() string {
	return fmt.Sprintf("the fake cloud has no answer for the invoke %s", e.Token)
}

// AWSInvoke answers an AWS provider invoke (data source) in region. A token
// it does not know returns an *UnknownInvokeError.
func AWSInvoke(token, region string) (property.Map, error) {
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
// provider's: an ARN, a name (autonamed as the logical name plus a stable
// suffix when the inputs have none) and the few outputs our components read
// (a load balancer's dnsName, a repository's repositoryUrl, a bucket's
// bucket). EC2 resources and private DNS namespaces get ids in AWS's shape
// (vpc-..., ns-...); everything else has its physical name as id.
//
// Secret inputs stay secret in the outputs.
func AWSState(typ, name, region string, inputs property.Map) (string, property.Map) {
	state := inputs.AsMap()
	short := shortHash(typ, name)
	str := func(key string) string {
		if v, ok := state[key]; ok && v.IsString() {
			return v.AsString()
		}
		return ""
	}
	physical := str("name")
	if physical == "" {
		// Pulumi autonames: the logical name plus a random suffix; here a
		// stable hash stands in for the suffix.
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
	default:
		if prefix, ok := ec2Prefixes[typ]; ok {
			id = prefix + "-" + short
		}
	}
	return id, property.NewMap(state)
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
