package fakecloud

import (
	"errors"
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func TestAWSInvoke(t *testing.T) {
	zones, err := AWSInvoke(GetAvailabilityZones, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	names := zones.Get("names").AsArray()
	if names.Len() != 4 || names.Get(0).AsString() != "eu-west-1a" || names.Get(3).AsString() != "eu-west-1d" {
		t.Errorf("zones %v", zones)
	}
	id, err := AWSInvoke(GetCallerIdentity, "eu-west-1")
	if err != nil || id.Get("accountId").AsString() != AccountID {
		t.Errorf("caller identity %v, %v", id, err)
	}
	for _, tok := range []string{GetRegion, GetPartition} {
		if _, err := AWSInvoke(tok, "eu-west-1"); err != nil {
			t.Errorf("%s: %v", tok, err)
		}
	}
	_, err = AWSInvoke("aws:ec2/getVpc:getVpc", "eu-west-1")
	var unknown *UnknownInvokeError
	if !errors.As(err, &unknown) || unknown.Token != "aws:ec2/getVpc:getVpc" {
		t.Errorf("unknown invoke error %v", err)
	}
}

func TestAWSState(t *testing.T) {
	secret := property.New("hunter2").WithSecret(true)
	inputs := property.NewMap(map[string]property.Value{"password": secret})
	id, state, err := AWSState("aws:lb/loadBalancer:LoadBalancer", "web", "us-east-1", inputs)
	if err != nil {
		t.Fatal(err)
	}
	name := state.Get("name").AsString()
	if !regexp.MustCompile(`^web-[0-9a-f]{7}$`).MatchString(name) || id != name {
		t.Errorf("autonamed %q, id %q", name, id)
	}
	if got := state.Get("arn").AsString(); got != "arn:aws:lb:us-east-1:"+AccountID+":"+name {
		t.Errorf("arn %q", got)
	}
	if !regexp.MustCompile(`^web-[0-9a-f]{7}-[0-9a-f]{9}\.us-east-1\.elb\.amazonaws\.com$`).MatchString(state.Get("dnsName").AsString()) {
		t.Errorf("dnsName %v", state.Get("dnsName"))
	}
	if !state.Get("password").Equals(secret) {
		t.Errorf("the secret input is not a secret output: %v", state.Get("password"))
	}
	id2, state2, _ := AWSState("aws:lb/loadBalancer:LoadBalancer", "web", "us-east-1", inputs)
	if id2 != id || !property.New(state2).Equals(property.New(state)) {
		t.Error("AWSState is not deterministic")
	}

	named := property.NewMap(map[string]property.Value{"name": property.New("repo")})
	id, state, _ = AWSState("aws:ecr/repository:Repository", "r", "us-east-1", named)
	if id != "repo" || state.Get("repositoryUrl").AsString() != AccountID+".dkr.ecr.us-east-1.amazonaws.com/repo" {
		t.Errorf("repository %q %v", id, state)
	}
	for typ, prefix := range map[string]string{
		"aws:ec2/vpc:Vpc": "vpc-", "aws:ec2/eip:Eip": "eipalloc-",
		"aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "ns-",
	} {
		if id, _, _ := AWSState(typ, "x", "us-east-1", property.Map{}); !regexp.MustCompile("^" + prefix + "[0-9a-f]{12}$").MatchString(id) {
			t.Errorf("%s id %q", typ, id)
		}
	}
	bucket := property.NewMap(map[string]property.Value{"bucket": property.New("repo")})
	if _, state, _ := AWSState("aws:s3/bucketV2:BucketV2", "b", "us-east-1", bucket); state.Get("bucket").AsString() != "repo" {
		t.Errorf("bucket %v", state)
	}
}
