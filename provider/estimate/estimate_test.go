package estimate

import (
	"math"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const urnPrefix = "urn:pulumi:dev::shop::defang:index:Project$"

const projectURN = "urn:pulumi:dev::shop::defang:index:Project::shop"

func project() plan.Resource {
	return plan.Resource{URN: projectURN, Type: tProject, Name: "shop"}
}

// comp is a component of the Project, as the plan records it.
func comp(typ, name string) plan.Resource {
	return plan.Resource{URN: urnPrefix + typ + "::" + name, Type: typ, Name: name, Parent: projectURN}
}

// res is a custom resource in the component parent (the Project when
// parent.URN is empty).
func res(typ string, parent plan.Resource, name string, inputs map[string]any, deps ...string) plan.Resource {
	if parent.URN == "" {
		parent = project()
	}
	qualified := ""
	if parent.Type != tProject {
		qualified = parent.Type + "$"
	}
	return plan.Resource{URN: urnPrefix + qualified + typ + "::" + name, Type: typ, Name: name,
		Parent: parent.URN, Custom: true, DependsOn: deps, Inputs: inputs}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// item finds the line item of a resource whose description starts with
// prefix.
func item(t *testing.T, e Estimate, name, prefix string) LineItem {
	t.Helper()
	for _, it := range e.LineItems {
		if strings.HasSuffix(it.Resource, "::"+name) && strings.HasPrefix(it.Description, prefix) {
			return it
		}
	}
	t.Fatalf("no line item %q for %s in %+v", prefix, name, e.LineItems)
	return LineItem{}
}

func checkSum(t *testing.T, e Estimate) {
	t.Helper()
	sum := 0.0
	for _, it := range e.LineItems {
		if it.MonthlyUsd <= 0 || it.Quantity <= 0 || it.UnitPrice <= 0 {
			t.Errorf("line item not positive: %+v", it)
		}
		if !near(it.MonthlyUsd, round4(it.Quantity*it.UnitPrice)) && math.Abs(it.MonthlyUsd-it.Quantity*it.UnitPrice) > 1e-3 {
			t.Errorf("monthly is not quantity × unit price: %+v", it)
		}
		sum += it.MonthlyUsd
	}
	if math.Abs(sum-e.MonthlyUsd) > 1e-6 {
		t.Errorf("total %v, sum of items %v", e.MonthlyUsd, sum)
	}
}

func TestFargateArithmetic(t *testing.T) {
	td := res(tTaskDefinition, comp("defang:aws:FargateService", "shop-web"), "shop-web", map[string]any{"cpu": "512", "memory": "1024",
		"runtimePlatform": map[string]any{"cpuArchitecture": "X86_64"}})
	tdArm := res(tTaskDefinition, comp("defang:aws:FargateService", "shop-api"), "shop-api", map[string]any{"cpu": "1024", "memory": "2048",
		"runtimePlatform": map[string]any{"cpuArchitecture": "ARM64"}})
	svc := res(tECSService, comp("defang:aws:FargateService", "shop-web"), "shop-web", map[string]any{"desiredCount": 2.0,
		"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE_SPOT", "weight": 1.0}},
		"networkConfiguration":       map[string]any{"assignPublicIp": true}}, td.URN)
	svcArm := res(tECSService, comp("defang:aws:FargateService", "shop-api"), "shop-api", map[string]any{"desiredCount": 3.0,
		"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "FARGATE", "weight": 1.0}},
		"networkConfiguration":       map[string]any{"assignPublicIp": false}}, tdArm.URN)
	e, err := Compute([]plan.Resource{project(), comp("defang:aws:FargateService", "shop-web"),
		comp("defang:aws:FargateService", "shop-api"), td, tdArm, svc, svcArm}, "aws", "us-east-1", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	// 2 tasks × 0.5 vCPU × 730 h at 30% of $0.04048.
	v := item(t, e, "shop-web", "Fargate Spot vCPU")
	if !near(v.Quantity, 730) || !near(v.UnitPrice, 0.04048*0.3) || !near(v.MonthlyUsd, round4(730*0.04048*0.3)) || v.Service != "web" {
		t.Errorf("spot vCPU: %+v", v)
	}
	mem := item(t, e, "shop-web", "Fargate Spot memory")
	if !near(mem.Quantity, 2*1*730) || !near(mem.UnitPrice, 0.004445*0.3) {
		t.Errorf("spot memory: %+v", mem)
	}
	ip := item(t, e, "shop-web", "Public IPv4")
	if !near(ip.MonthlyUsd, 2*730*0.005) {
		t.Errorf("public IPs: %+v", ip)
	}
	// ARM on demand: 3 × 1 vCPU, 3 × 2 GB.
	a := item(t, e, "shop-api", "Fargate vCPU")
	if !near(a.Quantity, 3*730) || !near(a.UnitPrice, 0.03238) || !strings.Contains(a.Description, "ARM") {
		t.Errorf("ARM vCPU: %+v", a)
	}
	if am := item(t, e, "shop-api", "Fargate memory"); !near(am.Quantity, 6*730) || !near(am.UnitPrice, 0.00356) {
		t.Errorf("ARM memory: %+v", am)
	}
	for _, it := range e.LineItems {
		if strings.HasSuffix(it.Resource, "::shop-api") && strings.Contains(it.Description, "IPv4") {
			t.Errorf("no public IP without assignPublicIp: %+v", it)
		}
	}
	want := round4(730*0.04048*0.3) + round4(1460*0.004445*0.3) + round4(1460*0.005) + round4(2190*0.03238) + round4(4380*0.00356)
	if !near(e.MonthlyUsd, round4(want)) {
		t.Errorf("total %v, want %v", e.MonthlyUsd, want)
	}
}

func TestNetworkAndLoadBalancers(t *testing.T) {
	rs := []plan.Resource{project(),
		res(tLoadBalancer, comp("defang:aws:LoadBalancer", "shop"), "shop-alb", map[string]any{"loadBalancerType": "application", "internal": false,
			"subnets": []any{"subnet-a", "subnet-b", "subnet-c"}}),
		res(tLoadBalancer, comp("defang:aws:LoadBalancer", "shop"), "shop-nlb", map[string]any{"loadBalancerType": "network",
			"subnets": []any{"subnet-a", "subnet-b"}}),
		res(tLoadBalancer, comp("defang:aws:LoadBalancer", "shop"), "shop-int", map[string]any{"internal": true, "subnets": []any{"subnet-a"}}),
		res(tNATGateway, comp("defang:aws:Network", "shop"), "shop-nat-0", map[string]any{}),
		res(tEIP, comp("defang:aws:Network", "shop"), "shop-nat-0", map[string]any{"domain": "vpc"}),
	}
	e, err := Compute(rs, "aws", "eu-west-1", "balanced")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop-alb", "Application Load Balancer"); !near(it.MonthlyUsd, 730*0.0252) || it.Service != SharedService {
		t.Errorf("ALB hours in eu-west-1: %+v", it)
	}
	if it := item(t, e, "shop-alb", "Application Load Balancer capacity"); !near(it.MonthlyUsd, 730*0.008) {
		t.Errorf("ALB LCU: %+v", it)
	}
	if it := item(t, e, "shop-alb", "Application Load Balancer public IPv4"); !near(it.Quantity, 3*730) {
		t.Errorf("ALB public IPs: one per zone: %+v", it)
	}
	if it := item(t, e, "shop-nlb", "Network Load Balancer capacity"); !near(it.UnitPrice, 0.006) || it.Unit != "NLCU-hour" {
		t.Errorf("NLB NLCU: %+v", it)
	}
	for _, it := range e.LineItems {
		if strings.HasSuffix(it.Resource, "::shop-int") && strings.Contains(it.Description, "IPv4") {
			t.Errorf("an internal load balancer has no public IP: %+v", it)
		}
	}
	if it := item(t, e, "shop-nat-0", "NAT gateway data"); !near(it.MonthlyUsd, NATGBPerGateway*0.048) {
		t.Errorf("NAT data: %+v", it)
	}
	if it := item(t, e, "shop-nat-0", "Elastic IP"); !near(it.MonthlyUsd, 3.65) {
		t.Errorf("EIP: %+v", it)
	}
}

func TestManagedStores(t *testing.T) {
	rs := []plan.Resource{project(), comp("defang:aws:ManagedPostgres", "shop-db"), comp("defang:aws:ManagedMongo", "shop-mongo"),
		res(tRDSInstance, comp("defang:aws:ManagedPostgres", "shop-db"), "shop-db", map[string]any{"engine": "postgres", "instanceClass": "db.r6g.large",
			"multiAz": true, "allocatedStorage": 100.0}),
		res(tRDSInstance, comp("defang:aws:ManagedPostgres", "shop-small"), "shop-small", map[string]any{"engine": "postgres", "instanceClass": "db.t4g.micro",
			"multiAz": false, "allocatedStorage": 20.0}),
		res(tReplicationGroup, comp("defang:aws:ManagedRedis", "shop-cache"), "shop-cache", map[string]any{"engine": "valkey", "nodeType": "cache.r7g.large",
			"numCacheClusters": 3.0}),
		res(tReplicationGroup, comp("defang:aws:ManagedRedis", "shop-redis"), "shop-redis", map[string]any{"engine": "redis", "nodeType": "cache.t4g.micro",
			"numCacheClusters": 1.0}),
		res(tDocDBCluster, comp("defang:aws:ManagedMongo", "shop-mongo"), "shop-mongo", map[string]any{"engine": "docdb"}),
		res(tDocDBInstance, comp("defang:aws:ManagedMongo", "shop-mongo"), "shop-mongo-0", map[string]any{"instanceClass": "db.t4g.medium"}),
	}
	e, err := Compute(rs, "aws", "us-east-1", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop-db", "RDS for PostgreSQL db.r6g.large, Multi-AZ"); !near(it.MonthlyUsd, 2*730*0.225) || it.Service != "db" {
		t.Errorf("Multi-AZ instance is two instances: %+v", it)
	}
	if it := item(t, e, "shop-db", "RDS gp3 storage"); !near(it.MonthlyUsd, 2*100*0.115) {
		t.Errorf("Multi-AZ storage is doubled: %+v", it)
	}
	if it := item(t, e, "shop-small", "RDS for PostgreSQL db.t4g.micro, Single-AZ"); !near(it.MonthlyUsd, 11.68) {
		t.Errorf("db.t4g.micro: %+v", it)
	}
	if it := item(t, e, "shop-cache", "ElastiCache valkey"); !near(it.Quantity, 3*730) || !near(it.UnitPrice, 0.219*0.8) {
		t.Errorf("valkey nodes at 20%% less: %+v", it)
	}
	if it := item(t, e, "shop-redis", "ElastiCache redis"); !near(it.MonthlyUsd, 730*0.016) {
		t.Errorf("redis node: %+v", it)
	}
	if it := item(t, e, "shop-mongo", "DocumentDB storage"); !near(it.MonthlyUsd, DocDBStorageGB*0.10) {
		t.Errorf("DocumentDB storage: %+v", it)
	}
	if it := item(t, e, "shop-mongo-0", "DocumentDB instance"); !near(it.MonthlyUsd, 730*0.078) || it.Service != "mongo" {
		t.Errorf("DocumentDB instance: %+v", it)
	}
}

func TestGPUInstancesFollowTheirTasks(t *testing.T) {
	lt := res(tLaunchTemplate, comp("defang:aws:GpuCapacity", "shop-llm-gpu"), "shop-llm", map[string]any{"instanceType": "g5.xlarge",
		"blockDeviceMappings": []any{map[string]any{"ebs": map[string]any{"volumeSize": 100.0}}},
		"networkInterfaces":   []any{map[string]any{"associatePublicIpAddress": "true"}}})
	group := res(tASG, comp("defang:aws:GpuCapacity", "shop-llm-gpu"), "shop-llm", map[string]any{"minSize": 0.0, "maxSize": 4.0,
		"mixedInstancesPolicy": map[string]any{"instancesDistribution": map[string]any{"onDemandBaseCapacity": 0.0, "onDemandPercentageAboveBaseCapacity": 0.0}}}, lt.URN)
	cp := res(tCapacityProvider, comp("defang:aws:GpuCapacity", "shop-llm-gpu"), "shop-llm", map[string]any{"name": "defang-shop-dev-llm-gpu"}, group.URN)
	td := res(tTaskDefinition, comp("defang:aws:FargateService", "shop-llm"), "shop-llm", map[string]any{"cpu": "4096", "memory": "15000"})
	svc := res(tECSService, comp("defang:aws:FargateService", "shop-llm"), "shop-llm", map[string]any{"desiredCount": 2.0,
		"capacityProviderStrategies": []any{map[string]any{"capacityProvider": "defang-shop-dev-llm-gpu", "weight": 1.0}}}, td.URN)
	e, err := Compute([]plan.Resource{project(), comp("defang:aws:GpuCapacity", "shop-llm-gpu"),
		comp("defang:aws:FargateService", "shop-llm"), lt, group, cp, td, svc}, "aws", "us-east-1", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	it := item(t, e, "shop-llm", "EC2 Spot g5.xlarge")
	if !near(it.Quantity, 2*730) || !near(it.UnitPrice, 1.006*0.4) || it.Service != "llm" {
		t.Errorf("two Spot instances for two tasks: %+v", it)
	}
	if it := item(t, e, "shop-llm", "EBS gp3 root volume"); !near(it.Quantity, 200) {
		t.Errorf("root volumes: %+v", it)
	}
	if it := item(t, e, "shop-llm", "Public IPv4 address per instance"); !near(it.Quantity, 2*730) {
		t.Errorf("instance public IPs: %+v", it)
	}
	for _, it := range e.LineItems {
		if strings.Contains(it.Description, "Fargate") {
			t.Errorf("a GPU service's tasks are not Fargate tasks: %+v", it)
		}
	}

	// On demand (no mixed instances policy).
	delete(group.Inputs, "mixedInstancesPolicy")
	e, err = Compute([]plan.Resource{project(), lt, group, cp, td, svc}, "aws", "us-east-1", "balanced")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, e, "shop-llm", "EC2 g5.xlarge"); !near(it.UnitPrice, 1.006) {
		t.Errorf("on-demand GPU: %+v", it)
	}
}

func TestLogsAndBuilds(t *testing.T) {
	project := project()
	pipeline := plan.Resource{URN: urnPrefix + "defang:aws:BuildPipeline::shop", Type: tBuildPipeline, Name: "shop", Parent: project.URN}
	cb := plan.Resource{URN: urnPrefix + "defang:aws:BuildPipeline$" + tCodeBuildProject + "::shop", Type: tCodeBuildProject,
		Name: "shop", Parent: pipeline.URN, Custom: true, Inputs: map[string]any{"environment": map[string]any{"computeType": "BUILD_GENERAL1_MEDIUM"}}}
	buildLogs := plan.Resource{URN: urnPrefix + "defang:aws:BuildPipeline$" + tLogGroup + "::shop", Type: tLogGroup, Name: "shop",
		Parent: pipeline.URN, Custom: true, Inputs: map[string]any{"retentionInDays": 30.0}}
	img := plan.Resource{URN: urnPrefix + "defang:aws:BuildPipeline$" + tImageBuild + "::shop-web", Type: tImageBuild, Name: "shop-web",
		Parent: pipeline.URN, Custom: true, Inputs: map[string]any{}, DependsOn: []string{cb.URN}}
	web := comp("defang:aws:FargateService", "shop-web")
	svcLogs := res(tLogGroup, comp("defang:aws:FargateService", "shop-web"), "shop-web", map[string]any{"retentionInDays": 7.0})
	forever := res(tLogGroup, comp("defang:aws:FargateService", "shop-old"), "shop-old", map[string]any{})
	e, err := Compute([]plan.Resource{project, pipeline, cb, buildLogs, img, web, svcLogs, forever}, "aws", "us-west-2", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop-web", "CodeBuild medium"); !near(it.MonthlyUsd, BuildMinutesPerImage*0.01) || it.Service != "web" {
		t.Errorf("build minutes: %+v", it)
	}
	if it := item(t, e, "shop", "CloudWatch Logs ingestion"); !near(it.Quantity, LogGBPerBuildGroup) || it.Service != SharedService {
		t.Errorf("build logs: %+v", it)
	}
	if it := item(t, e, "shop-web", "CloudWatch Logs storage"); !near(it.Quantity, round4(LogGBPerService*7/30)) {
		t.Errorf("7 days of logs stored: %+v", it)
	}
	if it := item(t, e, "shop-old", "CloudWatch Logs storage"); !near(it.Quantity, NeverExpireLogMonths) {
		t.Errorf("logs that never expire: %+v", it)
	}
}

func TestUnknownRegionListsTheKnownOnes(t *testing.T) {
	_, err := Compute([]plan.Resource{project()}, "aws", "ap-south-1", "affordable")
	if err == nil {
		t.Fatal("an unknown region must fail")
	}
	for _, want := range []string{`"ap-south-1"`, "eu-west-1, us-east-1, us-west-2", PricesAsOf} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error should mention %s: %v", want, err)
		}
	}
	if err := CheckRegion("azure", "northeurope"); err == nil || !strings.Contains(err.Error(), "eastus, eastus2, westeurope, westus3") {
		t.Errorf("azure regions: %v", err)
	}
	if err := CheckRegion("gcp", "us-central1"); err == nil {
		t.Error("unknown cloud")
	}
}

// An instance class without a price fails with the known classes: a
// missing database in an estimate would mislead.
func TestUnknownInstanceClassIsAnError(t *testing.T) {
	for _, r := range []plan.Resource{
		res(tRDSInstance, comp("defang:aws:ManagedPostgres", "shop-db"), "shop-db", map[string]any{"engine": "postgres", "instanceClass": "db.x9.huge"}),
		res(tReplicationGroup, comp("defang:aws:ManagedRedis", "shop-cache"), "shop-cache", map[string]any{"nodeType": "cache.x9.huge"}),
		res(tDocDBInstance, comp("defang:aws:ManagedMongo", "shop-mongo"), "shop-mongo-0", map[string]any{"instanceClass": "db.x9.huge"}),
		res(tRDSInstance, comp("defang:aws:ManagedPostgres", "shop-my"), "shop-my", map[string]any{"engine": "mysql", "instanceClass": "db.t4g.micro"}),
	} {
		_, err := Compute([]plan.Resource{project(), r}, "aws", "us-east-1", "affordable")
		if err == nil || !strings.Contains(err.Error(), r.URN) {
			t.Errorf("%s: want an error naming the resource, got %v", r.Name, err)
			continue
		}
		if !strings.Contains(err.Error(), "mysql") && !strings.Contains(err.Error(), "knows") {
			t.Errorf("%s: the error should list the known classes: %v", r.Name, err)
		}
	}
}

func TestEveryRegionPricesTheSameKeys(t *testing.T) {
	for region, p := range awsRegions {
		for name, pair := range map[string][2]map[string]float64{
			"RDS": {usEast1.RDSPostgres, p.RDSPostgres}, "ElastiCache": {usEast1.ElastiCacheNode, p.ElastiCacheNode},
			"DocumentDB": {usEast1.DocDBInstance, p.DocDBInstance}, "EC2": {usEast1.EC2Instance, p.EC2Instance},
			"CodeBuild": {usEast1.CodeBuildMinute, p.CodeBuildMinute},
		} {
			for k := range pair[0] {
				if pair[1][k] <= 0 {
					t.Errorf("%s: %s %s has no price", region, name, k)
				}
			}
		}
	}
}

func TestUnpricedTypesAreNamed(t *testing.T) {
	r := res("aws:opensearch/domain:Domain", plan.Resource{}, "shop-search", map[string]any{})
	e, err := Compute([]plan.Resource{project(), r}, "aws", "us-east-1", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	last := e.Assumptions[len(e.Assumptions)-1]
	if !strings.Contains(last, "aws:opensearch/domain:Domain") {
		t.Errorf("an unpriced type should be named in the assumptions: %v", e.Assumptions)
	}
}
