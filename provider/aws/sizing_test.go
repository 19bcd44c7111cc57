package aws

import (
	"regexp"
	"strings"
	"testing"
)

func TestFargateTaskSize(t *testing.T) {
	for _, tc := range []struct {
		cpus   float64
		mem    int64
		want   fargateSize
		errStr string
	}{
		{0.25, 512, fargateSize{256, 512}, ""},
		{0.25, 600, fargateSize{256, 1024}, ""},
		{0.5, 512, fargateSize{512, 1024}, ""},
		{1, 3000, fargateSize{1024, 3072}, ""},
		{0.25, 9000, fargateSize{2048, 9216}, ""},
		{4, 31 * 1024, fargateSize{8192, 32768}, ""},
		{16, 120 * 1024, fargateSize{16384, 122880}, ""},
		{16.5, 512, fargateSize{}, "16 vCPU"},
		{1, 121 * 1024, fargateSize{}, "120 GB"},
		{-1, 512, fargateSize{}, "negative"},
	} {
		got, err := fargateTaskSize(tc.cpus, tc.mem)
		if tc.errStr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errStr) {
				t.Errorf("%v/%d: want error %q, got %v", tc.cpus, tc.mem, tc.errStr, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v/%d: got %+v %v, want %+v", tc.cpus, tc.mem, got, err, tc.want)
		}
	}
}

func TestNamesRespectAWSLimits(t *testing.T) {
	long := strings.Repeat("very-long-project-name-", 20)
	for _, tc := range []struct {
		name string
		got  string
		max  int
	}{
		{"physical", physicalName(specLoadBalancer.rule.Max, long, "service", "8080"), 32},
		{"role", physicalName(specRole.rule.Max, long, "exec"), 64},
		{"log group", logGroupName(long, "dev", long), maxLogGroupName},
		{"repository", repositoryName(long, "dev", long), maxECRRepoName},
		{"container", containerName(strings.Repeat("Api.V2", 60)), 255},
		{"port mapping", portMappingName(strings.Repeat("x", 63), 65535, "tcp"), 64},
	} {
		if len(tc.got) > tc.max {
			t.Errorf("%s: %d characters > %d: %s", tc.name, len(tc.got), tc.max, tc.got)
		}
	}
	a := physicalName(32, long, "service-a")
	b := physicalName(32, long, "service-b")
	if a == b {
		t.Errorf("two long names sharing a prefix must stay distinct: %s", a)
	}
	if physicalName(32, long, "x") != physicalName(32, long, "x") {
		t.Error("names must be deterministic")
	}
	if got := physicalName(64, "my-project", "web-app"); got != "my-project-web-app" {
		t.Errorf("a name that fits is kept: %s", got)
	}
	if got := logGroupName("shop", "dev", "api"); got != "/defang/shop/dev/api" {
		t.Errorf("log group: %s", got)
	}
}

// Names that sanitizing rewrites keep a hash of the original (issue 13):
// "api.v2", "api-v2" and "api_v2" give three names, and ECS container
// and port mapping names keep to ECS's characters.
func TestNamesKeepRewrittenNamesApart(t *testing.T) {
	for _, f := range []struct {
		what string
		fn   func(string) string
	}{
		{"physical", func(s string) string { return physicalName(63, "shop", "dev", s) }},
		{"log group", func(s string) string { return logGroupName("shop", "dev", s) }},
		{"repository", func(s string) string { return repositoryName("shop", "dev", s) }},
		{"container", containerName},
		{"port mapping", func(s string) string { return portMappingName(s, 80, "tcp") }},
	} {
		seen := map[string]string{}
		for _, s := range []string{"api.v2", "api-v2", "api_v2", "Api-V2"} {
			got := f.fn(s)
			if other, ok := seen[got]; ok {
				t.Errorf("%s: %q and %q both give %q", f.what, other, s, got)
			}
			seen[got] = s
		}
	}
	if got := containerName("Api.V2"); !regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`).MatchString(got) {
		t.Errorf("container name %q", got)
	}
	if got := portMappingName("Api.V2", 8080, "tcp"); !regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]{0,63}$`).MatchString(got) {
		t.Errorf("port mapping name %q", got)
	}
}

// Every type we leave to pulumi-aws's autonaming has its autonaming in
// cloudrules: without it the namer would set a fixed name.
func TestNameSpecsLeftToTheProviderHaveItsAutonaming(t *testing.T) {
	for _, s := range []nameSpec{specLoadBalancer, specTargetGroup, specRole, specRolePolicy, specInstanceProfile,
		specBucket, specCluster, specECSService, specCodeBuild, specSecurityGroup, specLaunchTemplate,
		specAutoScalingGroup, specScalingPolicy} {
		if !s.autonamed || providerAuto(s.token) == nil {
			t.Errorf("%s: no pulumi-aws autonaming in cloudrules", s.token)
		}
	}
}
