package fakecloud

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// The fake cloud autonames as pulumi-aws does (provider/cloudrules): each
// type's name property, separator, case and maximum.
func TestAWSStateAutonamesLikePulumiAWS(t *testing.T) {
	cases := []struct{ typ, logical, prop, want string }{
		{"aws:lb/targetGroup:TargetGroup", "shop-web-8080", "name", "shop-web-8080-"},
		{"aws:s3/bucketV2:BucketV2", "My-Shop-source", "bucket", "my-shop-source-"},
		{"aws:rds/instance:Instance", "shop-db", "identifier", "shop-db"},
		{"aws:elasticache/replicationGroup:ReplicationGroup", "Shop-Cache", "replicationGroupId", "shop-cache-"},
	}
	for _, c := range cases {
		id, state, err := AWSState(c.typ, c.logical, "us-east-1", property.Map{})
		got := state.Get(c.prop).AsString()
		if err != nil || !strings.HasPrefix(got, c.want) || len(got) != len(c.want)+7 || id != got {
			t.Errorf("%s %s: %s=%q id %q err %v, want %s + 7 random", c.typ, c.logical, c.prop, got, id, err, c.want)
		}
	}
	// An RDS endpoint names its autonamed identifier.
	_, db, _ := AWSState("aws:rds/instance:Instance", "shop-db", "us-east-1", property.Map{})
	if !strings.HasPrefix(db.Get("address").AsString(), db.Get("identifier").AsString()+".") {
		t.Errorf("rds address %v, identifier %v", db.Get("address"), db.Get("identifier"))
	}

	// Over the maximum: the provider's error, and outputs all the same.
	_, state, err := AWSState("aws:lb/targetGroup:TargetGroup", "my-shop-app-storefront-8080", "us-east-1", property.Map{})
	want := "could not make instance of 'aws:lb/targetGroup:TargetGroup': name 'my-shop-app-storefront-8080-' plus 7 random chars is longer than maximum length 32"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if !strings.HasPrefix(state.Get("name").AsString(), "my-shop-app-storefront-8080-") {
		t.Errorf("no outputs with the error: %v", state)
	}

	// A rule broken by an explicit input is an error too.
	bad := property.NewMap(map[string]property.Value{"name": property.New("my role")})
	if _, _, err := AWSState("aws:iam/role:Role", "exec", "us-east-1", bad); err == nil ||
		!strings.Contains(err.Error(), "failed to satisfy constraint") {
		t.Errorf("role named %q: %v", "my role", err)
	}
}
