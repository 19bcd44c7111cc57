// Package estimate prices what a plan would deploy: it reads the resources
// that the offline planner (package plan) records from the provider's own
// component code, maps each billable one to quantities (task vCPU and
// memory hours, load balancer and NAT hours, database instance hours and
// storage, public IPv4 addresses, log ingestion, build minutes...; on
// Azure, azure_model.go: Container Apps vCPU- and GiB-seconds, Flexible
// Server and Managed Redis hours by SKU, registry days, build
// vCPU-seconds...) and multiplies them by a bundled, dated price table
// (prices.go). There is no second model of the deployment: a resource the
// components do not plan is not priced, and one they do plan is.
package estimate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// Currency of every amount.
const Currency = "USD"

// SharedService is the service column of resources that serve the whole
// project (network, load balancers, build pipeline).
const SharedService = "(shared)"

// LineItem is one priced quantity of one planned resource.
type LineItem struct {
	// Service is the compose service the resource belongs to, or
	// SharedService.
	Service string `json:"service"`
	// Resource is the planned resource's URN.
	Resource    string  `json:"resource"`
	Description string  `json:"description"`
	Quantity    float64 `json:"quantity"`
	Unit        string  `json:"unit"`
	UnitPrice   float64 `json:"unitPriceUsd"`
	MonthlyUsd  float64 `json:"monthlyUsd"`
}

// Estimate is the monthly cost of a plan.
type Estimate struct {
	Cloud      string `json:"cloud"`
	Region     string `json:"region"`
	Mode       string `json:"mode"`
	Currency   string `json:"currency"`
	PricesAsOf string `json:"pricesAsOf"`
	// MonthlyUsd is the sum of the line items' MonthlyUsd.
	MonthlyUsd  float64    `json:"monthlyUsd"`
	LineItems   []LineItem `json:"lineItems"`
	Assumptions []string   `json:"assumptions"`
}

// ForPlan prices a plan's resources in region (default DefaultRegion of the
// plan's cloud).
func ForPlan(res *plan.Result, region string) (Estimate, error) {
	return Compute(res.Resources, res.Cloud, region, res.Mode)
}

// Compute prices planned resources for a cloud, region and mode. An
// unknown region, or a billable resource whose instance class or node
// type the price table lacks, is an error naming what the table knows: an
// estimate that silently left out a database would mislead more than no
// estimate.
func Compute(resources []plan.Resource, cloud, region, mode string) (Estimate, error) {
	if region == "" {
		region = DefaultRegion(cloud)
	}
	if err := CheckRegion(cloud, region); err != nil {
		return Estimate{}, err
	}
	est := Estimate{Cloud: cloud, Region: region, Mode: mode, Currency: Currency, PricesAsOf: pricesAsOf(cloud),
		LineItems: []LineItem{}}
	switch cloud {
	case "aws":
		m := newAWSModel(resources, awsRegions[region], region)
		if err := m.price(); err != nil {
			return Estimate{}, err
		}
		est.LineItems = m.items
		est.Assumptions = m.assumptions()
	case "azure":
		m := newAzureModel(resources, azureRegions[region], region, mode)
		if err := m.price(); err != nil {
			return Estimate{}, err
		}
		est.LineItems = m.items
		est.Assumptions = m.assumptions()
	}
	sortItems(est.LineItems)
	for _, it := range est.LineItems {
		est.MonthlyUsd += it.MonthlyUsd
	}
	est.MonthlyUsd = round4(est.MonthlyUsd)
	return est, nil
}

// lineItems collects a cost model's line items (both clouds' models embed
// it).
type lineItems struct{ items []LineItem }

// addFor adds a line item of a resource to a given service; items of
// nothing (a zero quantity or price) are left out.
func (l *lineItems) addFor(service string, r *plan.Resource, description string, quantity float64, unit string, unitPrice float64) {
	if quantity <= 0 || unitPrice <= 0 {
		return
	}
	l.items = append(l.items, LineItem{Service: service, Resource: r.URN, Description: description,
		Quantity: round4(quantity), Unit: unit, UnitPrice: unitPrice, MonthlyUsd: round4(quantity * unitPrice)})
}

// round4 rounds an amount to a hundredth of a cent, so that small items
// (a day of logs) stay positive and sums stay exact enough to compare.
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// sortItems orders line items by service (shared first), keeping the
// resource order of the plan within a service.
func sortItems(items []LineItem) {
	key := func(s string) string {
		if s == SharedService {
			return ""
		}
		return s
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i].Service) < key(items[j].Service) })
}

// Resource types priced on AWS.
const (
	tECSService        = "aws:ecs/service:Service"
	tTaskDefinition    = "aws:ecs/taskDefinition:TaskDefinition"
	tLoadBalancer      = "aws:lb/loadBalancer:LoadBalancer"
	tNATGateway        = "aws:ec2/natGateway:NatGateway"
	tEIP               = "aws:ec2/eip:Eip"
	tRDSInstance       = "aws:rds/instance:Instance"
	tReplicationGroup  = "aws:elasticache/replicationGroup:ReplicationGroup"
	tCacheCluster      = "aws:elasticache/cluster:Cluster"
	tDocDBCluster      = "aws:docdb/cluster:Cluster"
	tDocDBInstance     = "aws:docdb/clusterInstance:ClusterInstance"
	tASG               = "aws:autoscaling/group:Group"
	tLaunchTemplate    = "aws:ec2/launchTemplate:LaunchTemplate"
	tCapacityProvider  = "aws:ecs/capacityProvider:CapacityProvider"
	tLogGroup          = "aws:cloudwatch/logGroup:LogGroup"
	tCodeBuildProject  = "aws:codebuild/project:Project"
	tImageBuild        = "defang:aws:ImageBuild"
	tECRRepository     = "aws:ecr/repository:Repository"
	tPrivateNamespace  = "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace"
	tRoute53Zone       = "aws:route53/zone:Zone"
	tSecret            = "aws:secretsmanager/secret:Secret"
	tKMSKey            = "aws:kms/key:Key"
	tScalableTarget    = "aws:appautoscaling/target:Target"
	tProject           = "defang:index:Project"
	tBuildPipeline     = "defang:aws:BuildPipeline"
	fargate, fargateSp = "FARGATE", "FARGATE_SPOT"
)

// free lists AWS resource types with no standing charge of their own (or
// only a usage charge the estimate does not model); any other custom
// resource type the plan holds and the model does not price is named in
// the assumptions.
var free = map[string]bool{}

func init() {
	for _, t := range []string{
		"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
		"aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/route:Route",
		"aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
		"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/vpcDhcpOptions:VpcDhcpOptions",
		"aws:ec2/vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
		"aws:ecs/cluster:Cluster", "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", tTaskDefinition,
		tCapacityProvider, tLaunchTemplate,
		"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
		"aws:iam/instanceProfile:InstanceProfile",
		"aws:ssm/parameter:Parameter", "aws:servicediscovery/service:Service",
		"aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup",
		"aws:lb/listenerCertificate:ListenerCertificate",
		"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
		"aws:route53/record:Record",
		tCodeBuildProject, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy",
		"aws:s3/bucketV2:BucketV2", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
		"aws:elasticache/subnetGroup:SubnetGroup", "aws:elasticache/parameterGroup:ParameterGroup",
		"aws:docdb/subnetGroup:SubnetGroup", "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
		tScalableTarget, "aws:appautoscaling/policy:Policy",
		"aws:bedrock/modelInvocationLoggingConfiguration:ModelInvocationLoggingConfiguration",
		"random:index/randomPassword:RandomPassword", "random:index/randomId:RandomId", "random:index/randomString:RandomString",
	} {
		free[t] = true
	}
}

// awsModel turns planned AWS resources into line items.
type awsModel struct {
	p         *awsPrices
	region    string
	resources []plan.Resource
	planIndex

	lineItems
	unpriced map[string]bool
	notes    map[string]bool // extra assumptions, by text
	// gpuTasks is the task count placed on each EC2 capacity provider,
	// gpuServices the services that place them.
	gpuTasks    map[string]float64
	gpuServices map[string][]string
}

func newAWSModel(resources []plan.Resource, p *awsPrices, region string) *awsModel {
	m := &awsModel{p: p, region: region, resources: resources, planIndex: planIndex{byURN: map[string]*plan.Resource{}},
		unpriced: map[string]bool{}, notes: map[string]bool{}, gpuTasks: map[string]float64{}, gpuServices: map[string][]string{}}
	for i := range resources {
		r := &resources[i]
		m.byURN[r.URN] = r
		if r.Type == tProject && m.project == "" {
			m.project = r.Name
		}
	}
	return m
}

func (m *awsModel) add(r *plan.Resource, description string, quantity float64, unit string, unitPrice float64) {
	m.addFor(m.serviceOf(r), r, description, quantity, unit, unitPrice)
}

// serviceOf names the compose service a resource belongs to: the nearest
// per-service component among its ancestors, or for the build pipeline's
// per-image resources their own name; SharedService otherwise.
func (m *awsModel) serviceOf(r *plan.Resource) string {
	if service, ok := m.componentService(r, plan.PerServiceComponents); ok {
		return service
	}
	if r.Type == tImageBuild || r.Type == tECRRepository {
		return m.strip(r.Name)
	}
	return SharedService
}

// planIndex finds a plan's resources by URN and names the compose service
// a resource belongs to (both clouds' models embed it).
type planIndex struct {
	byURN   map[string]*plan.Resource
	project string // the compose project: the prefix of per-service names
}

// componentService is the service of the nearest ancestor of r (or r)
// whose type is in perService, without the project prefix.
func (x *planIndex) componentService(r *plan.Resource, perService map[string]bool) (string, bool) {
	for cur, hops := r, 0; cur != nil && hops < 20; cur, hops = x.byURN[cur.Parent], hops+1 {
		if perService[cur.Type] {
			return x.strip(cur.Name), true
		}
	}
	return "", false
}

func (x *planIndex) strip(name string) string {
	if x.project != "" && strings.HasPrefix(name, x.project+"-") {
		return strings.TrimPrefix(name, x.project+"-")
	}
	return name
}

func (m *awsModel) price() error {
	// GPU services first: their task counts size the instance groups.
	for i := range m.resources {
		if r := &m.resources[i]; r.Type == tECSService {
			if err := m.ecsService(r); err != nil {
				return err
			}
		}
	}
	autoscaled, maxTasks := 0, 0.0
	for i := range m.resources {
		r := &m.resources[i]
		var err error
		switch r.Type {
		case tECSService:
			// priced above
		case tLoadBalancer:
			m.loadBalancer(r)
		case tNATGateway:
			m.add(r, "NAT gateway", HoursPerMonth, "hour", m.p.NATHour)
			m.add(r, fmt.Sprintf("NAT gateway data processed (%g GB assumed)", NATGBPerGateway), NATGBPerGateway, "GB", m.p.NATPerGB)
		case tEIP:
			m.add(r, "Elastic IP (public IPv4 address)", HoursPerMonth, "IPv4-hour", m.p.PublicIPv4Hour)
		case tRDSInstance:
			err = m.rds(r)
		case tReplicationGroup, tCacheCluster:
			err = m.elastiCache(r)
		case tDocDBInstance:
			err = m.docdbInstance(r)
		case tDocDBCluster:
			m.add(r, fmt.Sprintf("DocumentDB storage (%g GB assumed)", DocDBStorageGB), DocDBStorageGB, "GB-month", m.p.DocDBGBMonth)
			m.add(r, fmt.Sprintf("DocumentDB I/O (%g million requests assumed)", DocDBMillionIOs), DocDBMillionIOs, "million I/Os", m.p.DocDBPerMillion)
		case tASG:
			err = m.gpuGroup(r)
		case tLogGroup:
			m.logGroup(r)
		case tImageBuild:
			err = m.imageBuild(r)
		case tECRRepository:
			m.add(r, fmt.Sprintf("ECR image storage (%g GB assumed)", ECRGBPerRepository), ECRGBPerRepository, "GB-month", m.p.ECRGBMonth)
		case tPrivateNamespace:
			m.add(r, "Cloud Map private DNS namespace (a Route 53 private hosted zone)", 1, "zone-month", m.p.HostedZoneMonth)
		case tRoute53Zone:
			m.add(r, "Route 53 hosted zone", 1, "zone-month", m.p.HostedZoneMonth)
		case tSecret:
			m.add(r, "Secrets Manager secret", 1, "secret-month", m.p.SecretMonth)
		case tKMSKey:
			m.add(r, "KMS customer managed key", 1, "key-month", m.p.KMSKeyMonth)
		default:
			if r.Type == tScalableTarget {
				autoscaled++
				maxTasks += num(r.Inputs, "maxCapacity")
			}
			if r.Custom && !free[r.Type] {
				m.unpriced[r.Type] = true
			}
		}
		if err != nil {
			return err
		}
	}
	if autoscaled > 0 {
		m.notes[fmt.Sprintf("%d autoscaled service(s) are priced at their minimum task count (desiredCount); at their maximum they run up to %g tasks in all.", autoscaled, maxTasks)] = true
	}
	return nil
}

// ecsService prices a service's tasks: on Fargate, desiredCount × the
// task definition's vCPU and memory for 730 hours, at the Spot discount
// for the FARGATE_SPOT share of its capacity provider strategy, plus a
// public IPv4 address per task with assignPublicIp. Tasks on an EC2
// capacity provider (GPU services) are counted for the instances that
// carry them (gpuGroup).
func (m *awsModel) ecsService(r *plan.Resource) error {
	tasks := num(r.Inputs, "desiredCount")
	if tasks <= 0 {
		return nil
	}
	spotWeight, fargateWeight, ec2Providers := 0.0, 0.0, []string{}
	for _, s := range list(r.Inputs, "capacityProviderStrategies") {
		sm, _ := s.(map[string]any)
		w := num(sm, "weight")
		switch name := str(sm, "capacityProvider"); name {
		case fargateSp:
			spotWeight += w
		case fargate:
			fargateWeight += w
		default:
			ec2Providers = append(ec2Providers, name)
		}
	}
	if len(ec2Providers) > 0 || str(r.Inputs, "launchType") == "EC2" {
		for _, name := range ec2Providers {
			m.gpuTasks[name] += tasks / float64(len(ec2Providers))
			m.gpuServices[name] = append(m.gpuServices[name], m.serviceOf(r))
		}
		return nil
	}
	td := m.taskDefinition(r)
	if td == nil {
		return fmt.Errorf("estimate: no task definition found for the ECS service %s", r.URN)
	}
	vcpu := num(td.Inputs, "cpu") / 1024
	gb := num(td.Inputs, "memory") / 1024
	if vcpu <= 0 || gb <= 0 {
		return fmt.Errorf("estimate: the task definition %s has no Fargate cpu and memory", td.URN)
	}
	arm := false
	if rp, ok := td.Inputs["runtimePlatform"].(map[string]any); ok {
		arm = strings.EqualFold(str(rp, "cpuArchitecture"), "ARM64")
	}
	vcpuPrice, gbPrice, arch := m.p.FargateVCPUHour, m.p.FargateGBHour, "x86"
	if arm {
		vcpuPrice, gbPrice, arch = m.p.FargateARMVCPUHour, m.p.FargateARMGBHour, "ARM"
	}
	spotShare := 0.0
	if total := spotWeight + fargateWeight; total > 0 && !arm { // Fargate Spot is x86 only
		spotShare = spotWeight / total
	}
	size := fmt.Sprintf("%g × %g vCPU / %g GB", tasks, vcpu, gb)
	if spotShare > 0 {
		q := tasks * spotShare
		d := 1 - FargateSpotDiscount
		m.add(r, fmt.Sprintf("Fargate Spot vCPU (%s, %s)", size, arch), q*vcpu*HoursPerMonth, "vCPU-hour", vcpuPrice*d)
		m.add(r, fmt.Sprintf("Fargate Spot memory (%s, %s)", size, arch), q*gb*HoursPerMonth, "GB-hour", gbPrice*d)
	}
	if spotShare < 1 {
		q := tasks * (1 - spotShare)
		m.add(r, fmt.Sprintf("Fargate vCPU (%s, %s)", size, arch), q*vcpu*HoursPerMonth, "vCPU-hour", vcpuPrice)
		m.add(r, fmt.Sprintf("Fargate memory (%s, %s)", size, arch), q*gb*HoursPerMonth, "GB-hour", gbPrice)
	}
	if nc, ok := r.Inputs["networkConfiguration"].(map[string]any); ok && truthy(nc["assignPublicIp"]) {
		m.add(r, fmt.Sprintf("Public IPv4 address per task (%s)", plural(tasks, "task")), tasks*HoursPerMonth, "IPv4-hour", m.p.PublicIPv4Hour)
	}
	return nil
}

// taskDefinition follows a service's taskDefinition reference: the task
// definition among its dependencies, preferring the one in the same
// component.
func (m *awsModel) taskDefinition(svc *plan.Resource) *plan.Resource {
	var found *plan.Resource
	for _, d := range svc.DependsOn {
		td := m.byURN[d]
		if td == nil || td.Type != tTaskDefinition {
			continue
		}
		if td.Parent == svc.Parent {
			return td
		}
		if found == nil {
			found = td
		}
	}
	return found
}

// loadBalancer prices an ALB or NLB: its hours, one capacity unit every
// hour, and, when internet-facing, a public IPv4 address per subnet (one
// node per zone).
func (m *awsModel) loadBalancer(r *plan.Resource) {
	kind := str(r.Inputs, "loadBalancerType")
	hour, lcu, name, unit := m.p.ALBHour, m.p.ALBLCUHour, "Application Load Balancer", "LCU-hour"
	if kind == "network" {
		hour, lcu, name, unit = m.p.NLBHour, m.p.NLBNLCUHour, "Network Load Balancer", "NLCU-hour"
	}
	m.add(r, name, HoursPerMonth, "hour", hour)
	m.add(r, fmt.Sprintf("%s capacity units (%g assumed)", name, LCUPerLoadBalancer), LCUPerLoadBalancer*HoursPerMonth, unit, lcu)
	if truthy(r.Inputs["internal"]) {
		return
	}
	zones := len(list(r.Inputs, "subnets"))
	if n := len(list(r.Inputs, "subnetMappings")); n > zones {
		zones = n
	}
	if zones > 0 {
		m.add(r, fmt.Sprintf("%s public IPv4 addresses (one per zone, %d)", name, zones), float64(zones)*HoursPerMonth, "IPv4-hour", m.p.PublicIPv4Hour)
	}
}

// rds prices an RDS PostgreSQL instance and its gp3 storage, doubled for
// Multi-AZ (a synchronous standby).
func (m *awsModel) rds(r *plan.Resource) error {
	engine := str(r.Inputs, "engine")
	if engine != "" && engine != "postgres" {
		return fmt.Errorf("no price for RDS engine %q (%s): the price table has RDS for PostgreSQL", engine, r.URN)
	}
	class := str(r.Inputs, "instanceClass")
	hourly, err := priceOf(m.p.RDSPostgres, "RDS for PostgreSQL instance class", class, m.region, r.URN)
	if err != nil {
		return err
	}
	copies, az := 1.0, "Single-AZ"
	if truthy(r.Inputs["multiAz"]) {
		copies, az = 2, "Multi-AZ"
	}
	m.add(r, fmt.Sprintf("RDS for PostgreSQL %s, %s", class, az), copies*HoursPerMonth, "instance-hour", hourly)
	if gb := num(r.Inputs, "allocatedStorage"); gb > 0 {
		m.add(r, fmt.Sprintf("RDS gp3 storage (%g GB, %s)", gb, az), copies*gb, "GB-month", m.p.RDSGp3GBMonth)
	}
	return nil
}

// elastiCache prices a replication group's (or cluster's) nodes: Valkey
// nodes at the Valkey discount.
func (m *awsModel) elastiCache(r *plan.Resource) error {
	nodeType := str(r.Inputs, "nodeType")
	hourly, err := priceOf(m.p.ElastiCacheNode, "ElastiCache node type", nodeType, m.region, r.URN)
	if err != nil {
		return err
	}
	nodes := num(r.Inputs, "numCacheClusters")
	if nodes == 0 {
		nodes = num(r.Inputs, "numCacheNodes")
	}
	if groups := num(r.Inputs, "numNodeGroups"); nodes == 0 && groups > 0 {
		nodes = groups * (1 + num(r.Inputs, "replicasPerNodeGroup"))
	}
	if nodes == 0 {
		nodes = 1
	}
	engine := str(r.Inputs, "engine")
	if engine == "" {
		engine = "redis"
	}
	if engine == "valkey" {
		hourly *= 1 - ValkeyDiscount
	}
	m.add(r, fmt.Sprintf("ElastiCache %s %s × %s", engine, nodeType, plural(nodes, "node")), nodes*HoursPerMonth, "node-hour", hourly)
	return nil
}

func (m *awsModel) docdbInstance(r *plan.Resource) error {
	class := str(r.Inputs, "instanceClass")
	hourly, err := priceOf(m.p.DocDBInstance, "DocumentDB instance class", class, m.region, r.URN)
	if err != nil {
		return err
	}
	m.add(r, "DocumentDB instance "+class, HoursPerMonth, "instance-hour", hourly)
	return nil
}

// gpuGroup prices the EC2 instances of a GPU Auto Scaling group: one
// instance per task of the services placed on its capacity provider (the
// instance type is the smallest that holds one task), at the Spot discount
// when the group runs Spot only, with their root volumes and, when they
// have one, a public IPv4 address each.
func (m *awsModel) gpuGroup(r *plan.Resource) error {
	lt := m.launchTemplate(r)
	if lt == nil {
		m.unpriced[r.Type] = true // not a group we plan: nothing to read
		return nil
	}
	instanceType := str(lt.Inputs, "instanceType")
	hourly, err := priceOf(m.p.EC2Instance, "EC2 instance type", instanceType, m.region, r.URN)
	if err != nil {
		return err
	}
	// The instances are the costs of the services they run.
	instances, service := 0.0, m.serviceOf(r)
	for _, cp := range m.capacityProviders(r) {
		name := str(cp.Inputs, "name")
		instances += m.gpuTasks[name]
		if services := m.gpuServices[name]; len(services) > 0 {
			service = services[0]
		}
	}
	add := func(description string, quantity float64, unit string, unitPrice float64) {
		m.addFor(service, r, description, quantity, unit, unitPrice)
	}
	if instances == 0 {
		instances = math.Max(num(r.Inputs, "desiredCapacity"), num(r.Inputs, "minSize"))
	}
	if instances == 0 {
		return nil
	}
	spot := false
	if mip, ok := r.Inputs["mixedInstancesPolicy"].(map[string]any); ok {
		if dist, ok := mip["instancesDistribution"].(map[string]any); ok {
			spot = num(dist, "onDemandPercentageAboveBaseCapacity") == 0 && num(dist, "onDemandBaseCapacity") == 0
		}
	}
	if spot {
		add(fmt.Sprintf("EC2 Spot %s × %s (GPU)", instanceType, plural(instances, "instance")), instances*HoursPerMonth, "instance-hour", hourly*(1-EC2SpotDiscount))
	} else {
		add(fmt.Sprintf("EC2 %s × %s (GPU)", instanceType, plural(instances, "instance")), instances*HoursPerMonth, "instance-hour", hourly)
	}
	for _, bd := range list(lt.Inputs, "blockDeviceMappings") {
		bdm, _ := bd.(map[string]any)
		if ebs, ok := bdm["ebs"].(map[string]any); ok {
			if gb := num(ebs, "volumeSize"); gb > 0 {
				add(fmt.Sprintf("EBS gp3 root volume (%g GB × %g)", gb, instances), gb*instances, "GB-month", m.p.EBSGp3GBMonth)
			}
		}
	}
	for _, ni := range list(lt.Inputs, "networkInterfaces") {
		if nim, ok := ni.(map[string]any); ok && truthy(nim["associatePublicIpAddress"]) {
			add(fmt.Sprintf("Public IPv4 address per instance (%g)", instances), instances*HoursPerMonth, "IPv4-hour", m.p.PublicIPv4Hour)
			break
		}
	}
	return nil
}

// launchTemplate is the launch template an Auto Scaling group depends on,
// preferring the one in the same component.
func (m *awsModel) launchTemplate(group *plan.Resource) *plan.Resource {
	var found *plan.Resource
	for _, d := range group.DependsOn {
		if lt := m.byURN[d]; lt != nil && lt.Type == tLaunchTemplate {
			if lt.Parent == group.Parent {
				return lt
			}
			found = lt
		}
	}
	if found == nil {
		for i := range m.resources {
			if lt := &m.resources[i]; lt.Type == tLaunchTemplate && lt.Parent == group.Parent {
				return lt
			}
		}
	}
	return found
}

// capacityProviders are the ECS capacity providers over a group: those
// that depend on it.
func (m *awsModel) capacityProviders(group *plan.Resource) []*plan.Resource {
	var out []*plan.Resource
	for i := range m.resources {
		cp := &m.resources[i]
		if cp.Type != tCapacityProvider {
			continue
		}
		for _, d := range cp.DependsOn {
			if d == group.URN {
				out = append(out, cp)
				break
			}
		}
	}
	return out
}

// logGroup prices a month of ingestion at the assumed volume, and its
// storage: the volume kept for the group's retention (a month of logs kept
// is one month's volume stored).
func (m *awsModel) logGroup(r *plan.Resource) {
	gb := LogGBPerService
	if p := m.byURN[r.Parent]; p != nil && p.Type == tBuildPipeline {
		gb = LogGBPerBuildGroup
	}
	m.add(r, fmt.Sprintf("CloudWatch Logs ingestion (%g GB assumed)", gb), gb, "GB", m.p.LogsIngestGB)
	months := NeverExpireLogMonths
	if days := num(r.Inputs, "retentionInDays"); days > 0 {
		months = days / 30
	}
	m.add(r, fmt.Sprintf("CloudWatch Logs storage (%g GB a month kept %s)", gb, retention(r)), gb*months, "GB-month", m.p.LogsStoreGBMon)
}

func retention(r *plan.Resource) string {
	if days := num(r.Inputs, "retentionInDays"); days > 0 {
		return plural(days, "day")
	}
	return fmt.Sprintf("%g months, never expiring", NeverExpireLogMonths)
}

// imageBuild prices the assumed build minutes of one built image at the
// CodeBuild project's compute type.
func (m *awsModel) imageBuild(r *plan.Resource) error {
	var project *plan.Resource
	for _, d := range r.DependsOn {
		if p := m.byURN[d]; p != nil && p.Type == tCodeBuildProject {
			project = p
			break
		}
	}
	if project == nil {
		for i := range m.resources {
			if p := &m.resources[i]; p.Type == tCodeBuildProject {
				if project != nil {
					return fmt.Errorf("estimate: cannot tell which CodeBuild project builds %s", r.URN)
				}
				project = p
			}
		}
	}
	if project == nil {
		return fmt.Errorf("estimate: no CodeBuild project builds %s", r.URN)
	}
	compute := ""
	if env, ok := project.Inputs["environment"].(map[string]any); ok {
		compute = str(env, "computeType")
	}
	perMinute, err := priceOf(m.p.CodeBuildMinute, "CodeBuild compute type", compute, m.region, project.URN)
	if err != nil {
		return err
	}
	size := strings.ToLower(strings.TrimPrefix(compute, "BUILD_GENERAL1_"))
	m.add(r, fmt.Sprintf("CodeBuild %s build minutes (%g assumed)", size, BuildMinutesPerImage), BuildMinutesPerImage, "build-minute", perMinute)
	return nil
}

// assumptions states every assumption behind the numbers.
func (m *awsModel) assumptions() []string {
	out := []string{
		fmt.Sprintf("Public on-demand list prices of %s as of %s, in USD; no free tier, Savings Plans, reserved capacity or taxes.", m.region, PricesAsOf),
		fmt.Sprintf("A month is %g hours; every service runs all month at its desired task count.", HoursPerMonth),
		fmt.Sprintf("Fargate Spot is priced %g%% below on-demand Fargate (AWS: up to 70%%); Spot GPU instances %g%% below on-demand.", FargateSpotDiscount*100, EC2SpotDiscount*100),
		fmt.Sprintf("CloudWatch Logs: %g GB ingested a month per service log group, %g GB per build log group, stored for the group's retention.", LogGBPerService, LogGBPerBuildGroup),
		fmt.Sprintf("CodeBuild: %g build minutes a month per built image; ECR: %g GB stored per repository.", BuildMinutesPerImage, ECRGBPerRepository),
		fmt.Sprintf("Load balancers: %g capacity unit (LCU/NLCU) every hour each; internet-facing ones hold a public IPv4 address per zone.", LCUPerLoadBalancer),
		fmt.Sprintf("NAT gateways: %g GB processed a month each; every NAT gateway's Elastic IP and every task with a public IP is a public IPv4 address ($%g an hour).", NATGBPerGateway, m.p.PublicIPv4Hour),
		fmt.Sprintf("RDS storage is the allocated gp3 size (Multi-AZ doubles instance and storage); DocumentDB: %g GB stored and %g million I/Os a month per cluster.", DocDBStorageGB, DocDBMillionIOs),
		"Not included: data transfer out to the internet, requests and queries (S3, SSM, Route 53, Cloud Map), Bedrock model usage, backups beyond the free allowance, and CPU credits of burstable instances.",
	}
	var notes []string
	for n := range m.notes {
		notes = append(notes, n)
	}
	sort.Strings(notes)
	out = append(out, notes...)
	if len(m.unpriced) > 0 {
		types := make([]string, 0, len(m.unpriced))
		for t := range m.unpriced {
			types = append(types, t)
		}
		sort.Strings(types)
		out = append(out, "Planned but not priced (no price in the table): "+strings.Join(types, ", ")+".")
	}
	return out
}

// plural writes a count and its noun ("1 task", "2 tasks").
func plural(n float64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%g %ss", n, noun)
}

// Reading plan inputs (JSON-shaped values).

func str(m map[string]any, key string) string {
	if s, ok := m[key].(string); ok {
		return s
	}
	return ""
}

// num reads a number given as a JSON number or a numeric string (ECS task
// cpu and memory are strings).
func num(m map[string]any, key string) float64 {
	switch v := m[key].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
	}
	return 0
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return b == "true"
	}
	return false
}
