package aws

import (
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
		{"physical", physicalName(maxLoadBalancerName, long, "service", "8080"), maxLoadBalancerName},
		{"role", physicalName(maxRoleName, long, "exec"), maxRoleName},
		{"log group", logGroupName(long, "dev", long), maxLogGroupName},
		{"repository", repositoryName(long, "dev", long), maxECRRepoName},
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
	if got := physicalName(64, "My_Project", "Web.App"); got != "my-project-web-app" {
		t.Errorf("sanitize: %s", got)
	}
	if got := logGroupName("shop", "dev", "api"); got != "/defang/shop/dev/api" {
		t.Errorf("log group: %s", got)
	}
}
