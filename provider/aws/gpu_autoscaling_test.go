package aws

// GPU and autoscaling tests that need Go-only inputs (CapacityProviderName)
// or resource options (ignoreChanges), which the schema-level component
// tests (plan.Construct, mode_matrix_test.go) cannot pass or see: the
// components run here under Pulumi's own mock monitor, answered by the same
// fake cloud as the offline plan.

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

func mustMode(t *testing.T, name string) mode.Mode {
	t.Helper()
	m, err := mode.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type mockedResource struct {
	Type, Name    string
	Inputs        map[string]any
	IgnoreChanges []string
	Parent        string
}

type recordingMocks struct {
	mu  sync.Mutex
	all []mockedResource
}

func (m *recordingMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := mockedResource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs.Mappable()}
	if rpc := args.RegisterRPC; rpc != nil {
		r.IgnoreChanges, r.Parent = rpc.GetIgnoreChanges(), rpc.GetParent()
	}
	m.mu.Lock()
	m.all = append(m.all, r)
	m.mu.Unlock()
	if !args.Custom {
		return "", resource.PropertyMap{}, nil
	}
	id, state, err := fakecloud.AWSState(args.TypeToken, args.Name, "us-east-1", resource.FromResourcePropertyMap(args.Inputs))
	return id, resource.ToResourcePropertyMap(state), err
}

func (m *recordingMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	out, err := fakecloud.AWSInvoke(args.Token, "us-east-1", resource.FromResourcePropertyMap(args.Args))
	return resource.ToResourcePropertyMap(out), err
}

func (m *recordingMocks) ofType(typ string) []mockedResource {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []mockedResource
	for _, r := range m.all {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func runMocked(t *testing.T, body func(ctx *pulumi.Context) error) (*recordingMocks, error) {
	t.Helper()
	mocks := &recordingMocks{}
	err := pulumi.RunErr(body, pulumi.WithMocks("shop", "dev", mocks))
	return mocks, err
}

func one(t *testing.T, m *recordingMocks, typ string) mockedResource {
	t.Helper()
	got := m.ofType(typ)
	if len(got) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(got))
	}
	return got[0]
}

func gpuServiceArgs(mode string, gpus int) FargateServiceArgs {
	replicas := 2
	return FargateServiceArgs{
		ProjectName: "shop", ServiceName: "app", Mode: mode,
		Container: ContainerSpec{
			Cpus: 3, MemoryMiB: 5000, Gpus: gpus, Replicas: &replicas,
			Ports: []ContainerPort{{Port: 5000, Mode: "ingress", AppProtocol: "http"}},
		},
		Image: pulumi.String("app:1"), ClusterArn: pulumi.String("arn:aws:ecs:us-east-1:123456789012:cluster/shop"),
		VpcId: pulumi.String("vpc-1"), SubnetIds: pulumi.ToStringArray([]string{"subnet-a", "subnet-b", "subnet-c"}),
		AssignPublicIp: pulumi.Bool(true), Region: pulumi.String("us-east-1"),
	}
}

func TestGPUInstanceTypeTable(t *testing.T) {
	for _, tc := range []struct {
		gpus   int
		cpus   float64
		memory int
		want   string
	}{
		{1, 0, 0, "g5.xlarge"},          // defaults: 0.25 vCPU, 512 MiB
		{1, 1, 2048, "g5.xlarge"},       // python-implicit-gpu
		{1, 4, 14 * 1024, "g5.xlarge"},  // fits 90% of 16 GiB
		{1, 4, 16 * 1024, "g5.2xlarge"}, // all of 16 GiB does not fit
		{1, 6, 0, "g5.2xlarge"},
		{1, 16, 0, "g5.4xlarge"},
		{1, 17, 0, "g5.8xlarge"},
		{1, 33, 0, "g5.16xlarge"},
		{1, 65, 0, "g5.24xlarge"}, // more vCPU than any 1-GPU g5: the 4-GPU one
		{2, 1, 0, "g5.12xlarge"},
		{4, 1, 0, "g5.12xlarge"},
		{4, 64, 0, "g5.24xlarge"},
		{4, 8, 200 * 1024, "g5.24xlarge"},
		{5, 1, 0, "g5.48xlarge"},
		{8, 1, 0, "g5.48xlarge"},
	} {
		cpu, mem, err := gpuTaskSize(tc.cpus, tc.memory)
		if err != nil {
			t.Fatal(err)
		}
		got, err := gpuInstanceType(tc.gpus, cpu, mem)
		if err != nil || got.Type != tc.want {
			t.Errorf("%d GPUs, %g vCPU, %d MiB: got %q (%v), want %s", tc.gpus, tc.cpus, tc.memory, got.Type, err, tc.want)
		}
	}
	for _, tc := range []struct {
		gpus      int
		cpus      float64
		memoryMiB int
	}{{9, 1, 0}, {0, 1, 0}, {8, 200, 0}, {8, 1, 800 * 1024}} {
		cpu, mem, _ := gpuTaskSize(tc.cpus, tc.memoryMiB)
		if got, err := gpuInstanceType(tc.gpus, cpu, mem); err == nil {
			t.Errorf("%d GPUs, %g vCPU, %d MiB: want an error, got %s", tc.gpus, tc.cpus, tc.memoryMiB, got.Type)
		}
	}
	if got, err := GPUInstanceType(1, 1, 2048); err != nil || got != "g5.xlarge" {
		t.Errorf("GPUInstanceType(1, 1, 2048) = %q, %v", got, err)
	}
	// Prices rise down the table, so the first fit is the cheapest.
	if gpuInstances[0].Type != "g5.xlarge" || gpuInstances[len(gpuInstances)-1].Type != "g5.48xlarge" {
		t.Errorf("table order: %v", gpuInstances)
	}
}

func TestGPUTaskSizeUsesTheReservation(t *testing.T) {
	for _, tc := range []struct {
		cpus    float64
		memory  int
		cpu     int
		memMiB  int64
		comment string
	}{
		{0, 0, 256, 512, "Fargate defaults"},
		{1, 2048, 1024, 2048, "as reserved"},
		{0.1, 100, 128, 100, "ECS's least EC2 task CPU"},
		{3, 5000, 3072, 5000, "not rounded up to a Fargate size (3 vCPU is none)"},
	} {
		cpu, mem, err := gpuTaskSize(tc.cpus, tc.memory)
		if err != nil || cpu != tc.cpu || mem != tc.memMiB {
			t.Errorf("%s: got %d/%d (%v), want %d/%d", tc.comment, cpu, mem, err, tc.cpu, tc.memMiB)
		}
	}
	if _, _, err := gpuTaskSize(-1, 0); err == nil {
		t.Error("negative cpus: want an error")
	}
}

func TestGPUMaxInstancesPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode        string
		replicas    int
		autoscaling bool
		want        int
	}{
		{"affordable", 1, false, 1},          // replace (100%): never more tasks than replicas
		{"affordable", 5, false, 5},          // one instance per task
		{"affordable", 2, true, 4},           // 2× autoscaling, 100%
		{"balanced", 1, false, 2},            // rolling (200%): old and new side by side
		{"balanced", 2, true, 16},            // 4× autoscaling, then 200%
		{"high_availability", 3, false, 6},   // rolling (200%)
		{"high_availability", 10, true, 200}, // 10× autoscaling, then 200%
		{"high_availability", 0, false, 2},   // a stopped service still has room for one task
		{"balanced", 0, true, 8},             // autoscaling counts from at least one
	} {
		m := mustMode(t, tc.mode)
		if got := gpuMaxInstances(settingsFor(m), tc.replicas, tc.autoscaling); got != tc.want {
			t.Errorf("%s, %d replicas, autoscaling %v: got %d instances, want %d", tc.mode, tc.replicas, tc.autoscaling, got, tc.want)
		}
	}
}

func TestGPUServiceRunsOnItsCapacityProvider(t *testing.T) {
	for _, mode := range []string{"affordable", "balanced", "high_availability"} {
		t.Run(mode, func(t *testing.T) {
			mocks, err := runMocked(t, func(ctx *pulumi.Context) error {
				args := gpuServiceArgs(mode, 1)
				args.CapacityProviderName = pulumi.String("defang-shop-dev-app-gpu")
				_, err := NewFargateService(ctx, "shop-app", args)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			td := one(t, mocks, "aws:ecs/taskDefinition:TaskDefinition")
			if c := td.Inputs["requiresCompatibilities"].([]any); len(c) != 1 || c[0] != "EC2" {
				t.Errorf("requiresCompatibilities: got %v, want [EC2]", c)
			}
			if td.Inputs["networkMode"] != "awsvpc" {
				t.Errorf("network mode: %v", td.Inputs["networkMode"])
			}
			// 3 vCPU / 5000 MiB as reserved, where the Fargate table would
			// have rounded up to 4096/8192.
			if td.Inputs["cpu"] != "3072" || td.Inputs["memory"] != "5000" {
				t.Errorf("task size: %v/%v", td.Inputs["cpu"], td.Inputs["memory"])
			}
			var defs []map[string]any
			if err := json.Unmarshal([]byte(td.Inputs["containerDefinitions"].(string)), &defs); err != nil {
				t.Fatal(err)
			}
			req, _ := json.Marshal(defs[0]["resourceRequirements"])
			if string(req) != `[{"type":"GPU","value":"1"}]` {
				t.Errorf("GPU resource requirement: got %s", req)
			}
			svc := one(t, mocks, "aws:ecs/service:Service")
			strategies := svc.Inputs["capacityProviderStrategies"].([]any)
			if len(strategies) != 1 || strategies[0].(map[string]any)["capacityProvider"] != "defang-shop-dev-app-gpu" {
				t.Errorf("capacity provider strategy: got %v, want only the GPU capacity provider", strategies)
			}
			netCfg := svc.Inputs["networkConfiguration"].(map[string]any)
			if v, ok := netCfg["assignPublicIp"]; ok && v != false {
				t.Errorf("EC2 awsvpc tasks cannot have a public IP: assignPublicIp = %v", v)
			}
			if subnets := netCfg["subnets"].([]any); len(subnets) != 3 {
				t.Errorf("subnets: %v", subnets)
			}
			placement, _ := json.Marshal(svc.Inputs["orderedPlacementStrategies"])
			if !strings.Contains(string(placement), `"field":"attribute:ecs.availability-zone"`) || !strings.Contains(string(placement), `"type":"spread"`) {
				t.Errorf("GPU tasks spread over zones: %s", placement)
			}
		})
	}
}

func TestGPUServiceSizeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*FargateServiceArgs)
		phrase []string
	}{
		{"no capacity provider", func(a *FargateServiceArgs) {}, []string{`service "app"`, "GpuCapacity", "CapacityProviderName"}},
		{"arm64", func(a *FargateServiceArgs) {
			a.CapacityProviderName = pulumi.String("cp")
			a.Container.Platform = "linux/arm64"
		}, []string{`service "app"`, "linux/amd64"}},
		{"too many GPUs", func(a *FargateServiceArgs) {
			a.CapacityProviderName = pulumi.String("cp")
			a.Container.Gpus = 16
		}, []string{`service "app"`, "8 GPUs"}},
		{"negative GPUs", func(a *FargateServiceArgs) { a.Container.Gpus = -1 }, []string{`service "app"`, "negative GPU"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := gpuServiceArgs("balanced", 1)
			tc.edit(&args)
			_, err := runMocked(t, func(ctx *pulumi.Context) error {
				_, err := NewFargateService(ctx, "shop-app", args)
				return err
			})
			if err == nil {
				t.Fatal("want an error")
			}
			for _, p := range tc.phrase {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error should say %q: %v", p, err)
				}
			}
		})
	}
}

func TestAutoscalingIgnoresDesiredCount(t *testing.T) {
	for _, autoscaling := range []bool{false, true} {
		mocks, err := runMocked(t, func(ctx *pulumi.Context) error {
			args := gpuServiceArgs("balanced", 0)
			args.Autoscaling = autoscaling
			_, err := NewFargateService(ctx, "shop-app", args)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := one(t, mocks, "aws:ecs/service:Service")
		ignored := strings.Join(svc.IgnoreChanges, ",")
		if autoscaling && ignored != "desiredCount" {
			t.Errorf("with autoscaling the service must ignore desiredCount, ignores %q", ignored)
		}
		if !autoscaling && ignored != "" {
			t.Errorf("without autoscaling the service must ignore nothing, ignores %q", ignored)
		}
		if svc.Inputs["desiredCount"] != 2.0 {
			t.Errorf("desiredCount starts at the replicas: %v", svc.Inputs["desiredCount"])
		}
		targets := mocks.ofType("aws:appautoscaling/target:Target")
		if !autoscaling {
			if len(targets) != 0 || len(mocks.ofType("aws:appautoscaling/policy:Policy")) != 0 {
				t.Error("no autoscaling resources without autoscaling")
			}
			continue
		}
		// service/<cluster name>/<service name>; the service is autonamed
		// from its logical name.
		if len(targets) != 1 || !strings.HasPrefix(targets[0].Inputs["resourceId"].(string), "service/shop/shop-app-") {
			t.Errorf("target resource id: %v", targets)
		}
	}
}

func TestClusterNameOf(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:ecs:us-east-1:123456789012:cluster/shop-4b1e2f0": "shop-4b1e2f0",
		"arn:aws:ecs:us-east-1:123456789012:shop-4b1e2f0":         "shop-4b1e2f0", // the fake cloud's ARNs
		"shop": "shop",
	} {
		if got := clusterNameOf(in); got != want {
			t.Errorf("clusterNameOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGpuCapacityDirect(t *testing.T) {
	replicas := 2
	mocks, err := runMocked(t, func(ctx *pulumi.Context) error {
		_, err := NewGpuCapacity(ctx, "shop-app", GpuCapacityArgs{
			ProjectName: "shop", ServiceName: "app", Mode: "affordable", Gpus: 1, Cpus: 1, MemoryMiB: 2048,
			Replicas: &replicas, ClusterName: pulumi.String("shop-cluster"),
			SubnetIds: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}), VpcId: pulumi.String("vpc-1"),
			AssignPublicIp: pulumi.Bool(true),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	lt := one(t, mocks, "aws:ec2/launchTemplate:LaunchTemplate")
	nic := lt.Inputs["networkInterfaces"].([]any)[0].(map[string]any)
	if nic["associatePublicIpAddress"] != "true" {
		t.Errorf("instances in subnets without NAT need a public IP for the ECS agent: %v", nic)
	}
	sg := one(t, mocks, "aws:ec2/securityGroup:SecurityGroup")
	if sg.Inputs["vpcId"] != "vpc-1" || sg.Inputs["ingress"] != nil {
		t.Errorf("without securityGroupIds an egress-only group is created in vpcId: %v", sg.Inputs)
	}
	data, _ := base64.StdEncoding.DecodeString(lt.Inputs["userData"].(string))
	if !strings.Contains(string(data), "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true") {
		t.Errorf("Spot instances drain on interruption: %s", data)
	}
}
