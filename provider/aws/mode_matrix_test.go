package aws_test

// The deployment-mode matrix of DESIGN.md section 5, row by row, for what
// the AWS components own: each property is read from the resources that
// defang:aws:Network, FargateService, BuildPipeline and GpuCapacity register
// through plan.Construct (and the cluster from a Project plan), once per
// mode, and compared with the design's value for that mode.

import (
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

var matrixModes = [3]string{"affordable", "balanced", "high_availability"}

// modeWorld is every component of one mode, constructed once.
type modeWorld struct {
	mode       string
	network    []plan.Resource
	netState   property.Map
	service    []plan.Resource // on the network's task subnets, 1 replica
	autoscaled []plan.Resource // 2 replicas, autoscaling
	build      []plan.Resource
	gpu        []plan.Resource // 1 GPU, 2 replicas, no autoscaling
	gpuState   property.Map
	cluster    plan.Resource // from a one-service Project plan
}

var worlds = map[string]*modeWorld{}

func worldFor(t *testing.T, mode string) *modeWorld {
	t.Helper()
	if w, ok := worlds[mode]; ok {
		return w
	}
	w := &modeWorld{mode: mode}
	w.network, w.netState = construct(t, "defang:aws:Network", "shop", map[string]property.Value{
		"mode": str(mode), "privateDomain": str("shop.dev.internal"), "composeNetworks": strs("default"),
	})

	// The service runs where the network says tasks run, as the Project
	// wires it.
	in := fargateInputs(mode)
	in["subnetIds"] = w.netState.Get("taskSubnetIds")
	in["assignPublicIp"] = w.netState.Get("assignPublicIp")
	w.service, _ = construct(t, "defang:aws:FargateService", "shop-api", in)

	in = fargateInputs(mode)
	container := in["container"].AsMap().Set("replicas", property.New(2.0))
	in["container"] = property.New(container)
	in["autoscaling"] = property.New(true)
	w.autoscaled, _ = construct(t, "defang:aws:FargateService", "shop-api", in)

	ctxDir := t.TempDir()
	writeFile(t, filepath.Join(ctxDir, "Dockerfile"), "FROM scratch\n")
	w.build, _ = construct(t, "defang:aws:BuildPipeline", "shop", map[string]property.Value{
		"projectName": str("shop"), "mode": str(mode),
		"builds": property.New(property.NewArray([]property.Value{obj(map[string]property.Value{
			"service": str("web"), "context": str(ctxDir),
		})})),
	})

	w.gpu, w.gpuState = construct(t, "defang:aws:GpuCapacity", "shop-app", gpuCapacityInputs(mode))

	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	writeFile(t, file, "name: shop\nservices:\n  web:\n    image: nginx:1.27\n")
	res, err := plan.Run(context.Background(), plan.Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: mode})
	if err != nil {
		t.Fatalf("plan %s: %v", mode, err)
	}
	clusters := ofType(res.Resources, "aws:ecs/cluster:Cluster")
	if len(clusters) != 1 {
		t.Fatalf("want one ECS cluster, got %d", len(clusters))
	}
	w.cluster = clusters[0]
	worlds[mode] = w
	return w
}

func gpuCapacityInputs(mode string) map[string]property.Value {
	return map[string]property.Value{
		"projectName": str("shop"), "serviceName": str("app"), "mode": str(mode),
		"gpus": property.New(1.0), "cpus": property.New(1.0), "memoryMiB": property.New(2048.0),
		"replicas": property.New(2.0), "clusterName": str("shop-cluster"),
		"subnetIds": strs("subnet-a", "subnet-b"), "vpcId": str("vpc-1"),
	}
}

func only(t *testing.T, res []plan.Resource, typ string) plan.Resource {
	t.Helper()
	got := ofType(res, typ)
	if len(got) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(got))
	}
	return got[0]
}

func ecsService(t *testing.T, res []plan.Resource) map[string]any {
	return only(t, res, "aws:ecs/service:Service").Inputs
}

func stringsOf(v property.Value) []string {
	var out []string
	for _, e := range v.AsArray().All {
		out = append(out, e.AsString())
	}
	return out
}

// subnetZones maps each subnet id the Network created to its zone, with the
// ids the fake cloud gives them.
func subnetZones(w *modeWorld) map[string]string {
	zones := map[string]string{}
	for _, r := range ofType(w.network, "aws:ec2/subnet:Subnet") {
		id, _, _ := fakecloud.AWSState(r.Type, r.Name, plan.DefaultRegion, property.Map{})
		zones[id] = fmt.Sprint(r.Inputs["availabilityZone"])
	}
	return zones
}

func distinct(vals []string) int {
	seen := map[string]bool{}
	for _, v := range vals {
		seen[v] = true
	}
	return len(seen)
}

func logRetention(t *testing.T, res []plan.Resource) any {
	return only(t, res, "aws:cloudwatch/logGroup:LogGroup").Inputs["retentionInDays"]
}

// modeMatrix is DESIGN.md section 5: each property, its value in
// affordable, balanced and high_availability, and where to read it.
var modeMatrix = []struct {
	property string
	want     [3]any
	get      func(t *testing.T, w *modeWorld) any
}{
	// zones: 2 / 2 / 3
	{"zones (distinct zones of the VPC's subnets)", [3]any{2, 2, 3}, func(t *testing.T, w *modeWorld) any {
		var zones []string
		for _, z := range subnetZones(w) {
			zones = append(zones, z)
		}
		return distinct(zones)
	}},
	{"subnets per tier", [3]any{2, 2, 3}, func(t *testing.T, w *modeWorld) any {
		pub, priv := w.netState.Get("publicSubnetIds").AsArray().Len(), w.netState.Get("privateSubnetIds").AsArray().Len()
		if pub != priv {
			return fmt.Sprintf("%d public, %d private", pub, priv)
		}
		return pub
	}},
	// egress: public IPs, no NAT / one NAT / one NAT per zone
	{"NAT gateways", [3]any{0, 1, 3}, func(t *testing.T, w *modeWorld) any {
		return len(ofType(w.network, "aws:ec2/natGateway:NatGateway"))
	}},
	{"distinct NAT gateways private subnets route to", [3]any{0, 1, 3}, func(t *testing.T, w *modeWorld) any {
		var nats []string
		for _, rt := range ofType(w.network, "aws:ec2/routeTable:RouteTable") {
			routes, _ := rt.Inputs["routes"].([]any)
			for _, r := range routes {
				if nat, ok := r.(map[string]any)["natGatewayId"]; ok && nat != nil {
					nats = append(nats, fmt.Sprint(nat))
				}
			}
		}
		return distinct(nats)
	}},
	{"subnets tasks run in", [3]any{"public", "private", "private"}, func(t *testing.T, w *modeWorld) any {
		task := stringsOf(w.netState.Get("taskSubnetIds"))
		switch {
		case reflect.DeepEqual(task, stringsOf(w.netState.Get("publicSubnetIds"))):
			return "public"
		case reflect.DeepEqual(task, stringsOf(w.netState.Get("privateSubnetIds"))):
			return "private"
		}
		return fmt.Sprint(task)
	}},
	{"network says tasks need public IPs", [3]any{true, false, false}, func(t *testing.T, w *modeWorld) any {
		return w.netState.Get("assignPublicIp").AsBool()
	}},
	{"ECS service assignPublicIp", [3]any{true, false, false}, func(t *testing.T, w *modeWorld) any {
		return ecsService(t, w.service)["networkConfiguration"].(map[string]any)["assignPublicIp"]
	}},
	// compute: Fargate Spot / Fargate / Fargate, spread over zones
	{"capacity provider", [3]any{"FARGATE_SPOT", "FARGATE", "FARGATE"}, func(t *testing.T, w *modeWorld) any {
		strategies := ecsService(t, w.service)["capacityProviderStrategies"].([]any)
		if len(strategies) != 1 {
			return fmt.Sprint(strategies)
		}
		return strategies[0].(map[string]any)["capacityProvider"]
	}},
	{"zones the service's tasks spread over (Fargate spreads over its subnets' zones)", [3]any{2, 2, 3}, func(t *testing.T, w *modeWorld) any {
		zones := subnetZones(w)
		var got []string
		for _, s := range ecsService(t, w.service)["networkConfiguration"].(map[string]any)["subnets"].([]any) {
			z, ok := zones[s.(string)]
			if !ok {
				return "subnet " + s.(string) + " is not one of the network's"
			}
			got = append(got, z)
		}
		return distinct(got)
	}},
	// updates: replace / rolling / rolling with circuit breaker and rollback
	{"deployment minimum healthy / maximum percent", [3]any{"0/100", "100/200", "100/200"}, func(t *testing.T, w *modeWorld) any {
		svc := ecsService(t, w.service)
		return fmt.Sprintf("%v/%v", svc["deploymentMinimumHealthyPercent"], svc["deploymentMaximumPercent"])
	}},
	{"circuit breaker enable / rollback", [3]any{"false/false", "false/false", "true/true"}, func(t *testing.T, w *modeWorld) any {
		cb := ecsService(t, w.service)["deploymentCircuitBreaker"].(map[string]any)
		return fmt.Sprintf("%v/%v", cb["enable"], cb["rollback"])
	}},
	// logs kept: 1 / 7 / 30 days
	{"service log retention (days)", [3]any{1.0, 7.0, 30.0}, func(t *testing.T, w *modeWorld) any {
		return logRetention(t, w.service)
	}},
	{"build log retention (days)", [3]any{1.0, 7.0, 30.0}, func(t *testing.T, w *modeWorld) any {
		return logRetention(t, w.build)
	}},
	// builds: 2 vCPU / 2 vCPU / 4 vCPU
	{"CodeBuild compute type", [3]any{"BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM"}, func(t *testing.T, w *modeWorld) any {
		return only(t, w.build, "aws:codebuild/project:Project").Inputs["environment"].(map[string]any)["computeType"]
	}},
	// container insights: high_availability only (the Project's cluster)
	{"cluster container insights", [3]any{"disabled", "disabled", "enabled"}, func(t *testing.T, w *modeWorld) any {
		for _, s := range w.cluster.Inputs["settings"].([]any) {
			if s := s.(map[string]any); s["name"] == "containerInsights" {
				return s["value"]
			}
		}
		return "unset"
	}},
	// autoscaling (x-defang-autoscaling), 2 replicas: 1×..2× / 4× / 10×
	{"autoscaling min..max tasks (2 replicas)", [3]any{"2..4", "2..8", "2..20"}, func(t *testing.T, w *modeWorld) any {
		tg := only(t, w.autoscaled, "aws:appautoscaling/target:Target").Inputs
		return fmt.Sprintf("%v..%v", tg["minCapacity"], tg["maxCapacity"])
	}},
	{"autoscaling CPU target (%)", [3]any{70.0, 60.0, 50.0}, func(t *testing.T, w *modeWorld) any {
		p := only(t, w.autoscaled, "aws:appautoscaling/policy:Policy").Inputs
		return p["targetTrackingScalingPolicyConfiguration"].(map[string]any)["targetValue"]
	}},
	// GPU capacity: Spot in affordable, on-demand otherwise
	{"GPU instances purchase", [3]any{"spot", "on-demand", "on-demand"}, func(t *testing.T, w *modeWorld) any {
		g := only(t, w.gpu, "aws:autoscaling/group:Group").Inputs
		mip, hasMIP := g["mixedInstancesPolicy"].(map[string]any)
		_, hasLT := g["launchTemplate"].(map[string]any)
		switch {
		case hasMIP && !hasLT:
			dist := mip["instancesDistribution"].(map[string]any)
			if dist["onDemandBaseCapacity"] == 0.0 && dist["onDemandPercentageAboveBaseCapacity"] == 0.0 {
				return "spot"
			}
			return fmt.Sprint(dist)
		case hasLT && !hasMIP:
			return "on-demand"
		}
		return fmt.Sprint(g)
	}},
	{"GPU capacity rebalance", [3]any{true, nil, nil}, func(t *testing.T, w *modeWorld) any {
		return only(t, w.gpu, "aws:autoscaling/group:Group").Inputs["capacityRebalance"]
	}},
	{"GPU instances min..max (2 replicas)", [3]any{"0..2", "0..4", "0..4"}, func(t *testing.T, w *modeWorld) any {
		g := only(t, w.gpu, "aws:autoscaling/group:Group").Inputs
		return fmt.Sprintf("%v..%v", g["minSize"], g["maxSize"])
	}},
	{"GPU instances drain on Spot interruption", [3]any{true, false, false}, func(t *testing.T, w *modeWorld) any {
		data, _ := base64.StdEncoding.DecodeString(only(t, w.gpu, "aws:ec2/launchTemplate:LaunchTemplate").Inputs["userData"].(string))
		return strings.Contains(string(data), "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true")
	}},
}

func TestModeMatrix(t *testing.T) {
	for _, row := range modeMatrix {
		for i, mode := range matrixModes {
			t.Run(row.property+"/"+mode, func(t *testing.T) {
				w := worldFor(t, mode)
				if got := row.get(t, w); !reflect.DeepEqual(got, row.want[i]) {
					t.Errorf("%s in %s: got %#v, want %#v", row.property, mode, got, row.want[i])
				}
			})
		}
	}
}

func TestAutoscalingPolicy(t *testing.T) {
	for _, mode := range matrixModes {
		t.Run(mode, func(t *testing.T) {
			w := worldFor(t, mode)
			tg := only(t, w.autoscaled, "aws:appautoscaling/target:Target")
			svc := only(t, w.autoscaled, "aws:ecs/service:Service")
			if tg.Inputs["serviceNamespace"] != "ecs" || tg.Inputs["scalableDimension"] != "ecs:service:DesiredCount" {
				t.Errorf("target: %v", tg.Inputs)
			}
			// service/<cluster name>/<service name>, read from the service:
			// the cluster ARN's last part, and the service's autoname.
			id, _ := tg.Inputs["resourceId"].(string)
			if !strings.HasPrefix(id, "service/cluster/shop-api-") || !dependsOnURN(tg, svc.URN) {
				t.Errorf("resource id %q should name the service and depend on it (%v)", id, tg.DependsOn)
			}
			if svc.Inputs["desiredCount"] != 2.0 {
				t.Errorf("desiredCount starts at the replicas: %v", svc.Inputs["desiredCount"])
			}
			p := only(t, w.autoscaled, "aws:appautoscaling/policy:Policy").Inputs
			cfg := p["targetTrackingScalingPolicyConfiguration"].(map[string]any)
			metric := cfg["predefinedMetricSpecification"].(map[string]any)["predefinedMetricType"]
			if p["policyType"] != "TargetTrackingScaling" || metric != "ECSServiceAverageCPUUtilization" {
				t.Errorf("policy: %v", p)
			}
			if cfg["scaleOutCooldown"] != 60.0 || cfg["scaleInCooldown"] != 300.0 {
				t.Errorf("cooldowns: out %v, in %v; want 60 and 300", cfg["scaleOutCooldown"], cfg["scaleInCooldown"])
			}
			if p["resourceId"] != tg.Inputs["resourceId"] {
				t.Errorf("the policy scales the target: %v vs %v", p["resourceId"], tg.Inputs["resourceId"])
			}
			if n := len(ofType(w.service, "aws:appautoscaling/target:Target")) + len(ofType(w.service, "aws:appautoscaling/policy:Policy")); n != 0 {
				t.Errorf("a service without autoscaling has %d autoscaling resources", n)
			}
		})
	}
}

func dependsOnURN(r plan.Resource, urn string) bool {
	for _, d := range r.DependsOn {
		if d == urn {
			return true
		}
	}
	return false
}

func TestGpuCapacityResources(t *testing.T) {
	for _, mode := range matrixModes {
		t.Run(mode, func(t *testing.T) {
			w := worldFor(t, mode)
			lt := only(t, w.gpu, "aws:ec2/launchTemplate:LaunchTemplate").Inputs
			md := lt["metadataOptions"].(map[string]any)
			if md["httpTokens"] != "required" || md["httpEndpoint"] != "enabled" {
				t.Errorf("IMDSv2 only: %v", md)
			}
			bdm := lt["blockDeviceMappings"].([]any)[0].(map[string]any)
			if ebs := bdm["ebs"].(map[string]any); ebs["encrypted"] != "true" || bdm["deviceName"] != "/dev/xvda" {
				t.Errorf("the root volume must be encrypted: %v", bdm)
			}
			if lt["instanceType"] != "g5.xlarge" || w.gpuState.Get("instanceType").AsString() != "g5.xlarge" {
				t.Errorf("1 GPU, 1 vCPU, 2 GiB: g5.xlarge, got %v", lt["instanceType"])
			}
			ami, _ := fakecloud.AWSInvoke(fakecloud.GetParameter, plan.DefaultRegion)
			if lt["imageId"] != ami.Get("insecureValue").AsString() {
				t.Errorf("the AMI comes from the ECS GPU AMI parameter: %v", lt["imageId"])
			}
			nic := lt["networkInterfaces"].([]any)[0].(map[string]any)
			if nic["associatePublicIpAddress"] != "false" || len(nic["securityGroups"].([]any)) != 1 {
				t.Errorf("instances: no public IP unless asked, one security group: %v", nic)
			}
			data, _ := base64.StdEncoding.DecodeString(lt["userData"].(string))
			for _, line := range []string{"ECS_CLUSTER=shop-cluster\n", "ECS_ENABLE_GPU_SUPPORT=true\n", "ECS_AWSVPC_BLOCK_IMDS=true\n"} {
				if !strings.Contains(string(data), line) {
					t.Errorf("user data lacks %q:\n%s", line, data)
				}
			}

			asg := only(t, w.gpu, "aws:autoscaling/group:Group").Inputs
			if asg["protectFromScaleIn"] != true {
				t.Error("managed termination protection needs the group to protect new instances from scale-in")
			}
			if got := fmt.Sprint(asg["vpcZoneIdentifiers"]); got != "[subnet-a subnet-b]" {
				t.Errorf("the group runs in the given subnets: %s", got)
			}
			tagged := false
			for _, tag := range asg["tags"].([]any) {
				tagged = tagged || tag.(map[string]any)["key"] == "AmazonECSManaged"
			}
			if !tagged {
				t.Error("the group should carry the AmazonECSManaged tag ECS adds, or every up removes it")
			}

			cp := only(t, w.gpu, "aws:ecs/capacityProvider:CapacityProvider").Inputs
			asgp := cp["autoScalingGroupProvider"].(map[string]any)
			ms := asgp["managedScaling"].(map[string]any)
			if ms["status"] != "ENABLED" || ms["targetCapacity"] != 100.0 || asgp["managedTerminationProtection"] != "ENABLED" {
				t.Errorf("capacity provider: %v", asgp)
			}
			if !strings.HasPrefix(fmt.Sprint(asgp["autoScalingGroupArn"]), "arn:aws:autoscaling:") {
				t.Errorf("the capacity provider points at the group: %v", asgp["autoScalingGroupArn"])
			}
			if name := w.gpuState.Get("capacityProviderName").AsString(); name != cp["name"] || !strings.HasPrefix(name, "defang-") {
				t.Errorf("capacityProviderName output %q (input %v): ECS rejects names starting aws/ecs/fargate", name, cp["name"])
			}
			if w.gpuState.Get("autoScalingGroupName").AsString() == "" {
				t.Error("autoScalingGroupName output is empty")
			}

			att := only(t, w.gpu, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").Inputs
			if att["policyArn"] != "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role" {
				t.Errorf("instance role policy: %v", att["policyArn"])
			}
			role := only(t, w.gpu, "aws:iam/role:Role").Inputs
			if !strings.Contains(fmt.Sprint(role["assumeRolePolicy"]), "ec2.amazonaws.com") {
				t.Errorf("instance role trust: %v", role["assumeRolePolicy"])
			}
			only(t, w.gpu, "aws:iam/instanceProfile:InstanceProfile")
		})
	}
}

func TestGpuCapacityErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(map[string]property.Value)
		phrase string
	}{
		{"too many GPUs", func(in map[string]property.Value) { in["gpus"] = property.New(9.0) }, `service "app"`},
		{"no security group and no VPC", func(in map[string]property.Value) { delete(in, "vpcId") }, "securityGroupIds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := gpuCapacityInputs("balanced")
			tc.edit(in)
			if err := constructErr(t, "defang:aws:GpuCapacity", in); !strings.Contains(err.Error(), tc.phrase) {
				t.Errorf("want %q in the error, got %v", tc.phrase, err)
			}
		})
	}
	// Given security groups, none is created.
	in := gpuCapacityInputs("balanced")
	delete(in, "vpcId")
	in["securityGroupIds"] = strs("sg-given")
	res, _ := construct(t, "defang:aws:GpuCapacity", "shop-app", in)
	if n := len(ofType(res, "aws:ec2/securityGroup:SecurityGroup")); n != 0 {
		t.Errorf("adopting securityGroupIds created %d groups", n)
	}
}

// Through the schema, a GPU service cannot be given a capacity provider (a
// Go-only input the Project passes), so it fails with a sentence that names
// the service and what is missing.
func TestGPUFargateServiceNeedsCapacity(t *testing.T) {
	in := fargateInputs("balanced")
	in["container"] = obj(map[string]property.Value{"gpus": property.New(1.0)})
	err := constructErr(t, "defang:aws:FargateService", in)
	if !strings.Contains(err.Error(), `service "api"`) || !strings.Contains(err.Error(), "GpuCapacity") {
		t.Errorf("want the service and GpuCapacity named, got %v", err)
	}
}

// The matrix covers every mode the mode package knows, in its order.
func TestModeMatrixCoversEveryMode(t *testing.T) {
	var all []string
	for _, m := range mode.All {
		all = append(all, string(m))
	}
	if !reflect.DeepEqual(all, matrixModes[:]) {
		t.Errorf("the matrix has modes %v, the mode package %v", matrixModes, all)
	}
}
