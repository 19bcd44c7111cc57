package plan

// Names that always fit (issue 13, deliver 3): every cloud name the plan
// gives, whether set by us or left to the provider's autonaming, fits the
// cloud's limit and character set, for any project and service names
// compose accepts, on both clouds, in all three modes, and under the
// stack's pulumi:autonaming.
//
// nameLimits is the table of ../shared/reference/cloud-name-limits.md
// (pulumi-aws provider/resources.go autonaming, botocore 1.44.5 shapes,
// terraform-provider-aws validators, Microsoft's resource-name rules and
// azure-native's autonaming), restated here so the sweep checks against
// something the naming code does not share.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// autoname is how the provider names a resource whose name input is absent.
type autoname struct {
	max    int // 0: no cap while naming (azure-native)
	sep    string
	random int
	lower  bool
	copy   bool // azure-native children: the logical name unchanged
}

type nameLimit struct {
	prop      string
	auto      *autoname // nil: the name is required (we always set it)
	min, max  int
	re        *regexp.Regexp
	notPrefix []string
}

var (
	awsDefault = &autoname{max: 255, sep: "-", random: 7}
	alnumDash  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)
	iamChars   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	ecsChars   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// RDS/DocumentDB/ElastiCache identifiers: a letter first, letters,
	// digits and single hyphens, no trailing hyphen; terraform-provider-aws
	// validIdentifier requires lowercase at preview.
	dbIdentifier = regexp.MustCompile(`^[a-z](?:-?[a-z0-9])*$`)
	dnsLabel     = regexp.MustCompile(`^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$`)
	azDashed     = regexp.MustCompile(`^[a-z0-9](?:-?[a-z0-9])*$`)
	azAlnum      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	azLowerAlnum = regexp.MustCompile(`^[a-z0-9]+$`)
	azGeneral    = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$`)
)

var nameLimits = map[string]nameLimit{
	"aws:lb/loadBalancer:LoadBalancer":                  {prop: "name", auto: awsDefault, max: 32, re: alnumDash, notPrefix: []string{"internal-"}},
	"aws:lb/targetGroup:TargetGroup":                    {prop: "name", auto: &autoname{max: 32, sep: "-", random: 7}, max: 32, re: alnumDash},
	"aws:iam/role:Role":                                 {prop: "name", auto: &autoname{max: 64, sep: "-", random: 7}, max: 64, re: iamChars},
	"aws:iam/rolePolicy:RolePolicy":                     {prop: "name", auto: awsDefault, max: 128, re: iamChars},
	"aws:iam/instanceProfile:InstanceProfile":           {prop: "name", auto: awsDefault, max: 128, re: iamChars},
	"aws:s3/bucketV2:BucketV2":                          {prop: "bucket", auto: &autoname{max: 63, sep: "-", random: 7, lower: true}, min: 3, max: 63, re: regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)},
	"aws:ecr/repository:Repository":                     {prop: "name", auto: awsDefault, min: 2, max: 256, re: regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)},
	"aws:ecs/cluster:Cluster":                           {prop: "name", auto: awsDefault, max: 255, re: ecsChars},
	"aws:ecs/service:Service":                           {prop: "name", auto: awsDefault, max: 255, re: ecsChars},
	"aws:ecs/taskDefinition:TaskDefinition":             {prop: "family", max: 255, re: ecsChars},
	"aws:ecs/capacityProvider:CapacityProvider":         {prop: "name", auto: awsDefault, max: 255, re: ecsChars, notPrefix: []string{"aws", "ecs", "fargate"}},
	"aws:cloudwatch/logGroup:LogGroup":                  {prop: "name", auto: awsDefault, max: 512, re: regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)},
	"aws:codebuild/project:Project":                     {prop: "name", auto: awsDefault, min: 2, max: 150, re: regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)},
	"aws:servicediscovery/service:Service":              {prop: "name", auto: awsDefault, max: 63, re: dnsLabel},
	"aws:rds/instance:Instance":                         {prop: "identifier", auto: &autoname{max: 255, random: 7}, max: 63, re: dbIdentifier},
	"aws:rds/subnetGroup:SubnetGroup":                   {prop: "name", auto: awsDefault, max: 255, re: regexp.MustCompile(`^[0-9a-z_ .-]+$`)},
	"aws:elasticache/replicationGroup:ReplicationGroup": {prop: "replicationGroupId", auto: &autoname{max: 40, sep: "-", random: 7, lower: true}, max: 40, re: dbIdentifier},
	"aws:elasticache/subnetGroup:SubnetGroup":           {prop: "name", auto: awsDefault, max: 255, re: regexp.MustCompile(`^[A-Za-z0-9-]+$`)},
	"aws:docdb/cluster:Cluster":                         {prop: "clusterIdentifier", max: 63, re: dbIdentifier},
	"aws:docdb/clusterInstance:ClusterInstance":         {prop: "identifier", max: 63, re: dbIdentifier},
	"aws:docdb/subnetGroup:SubnetGroup":                 {prop: "name", auto: awsDefault, max: 255, re: regexp.MustCompile(`^[0-9a-z_ .-]+$`)},
	"aws:ec2/securityGroup:SecurityGroup":               {prop: "name", auto: awsDefault, max: 255, re: regexp.MustCompile(`^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+$`), notPrefix: []string{"sg-"}},
	"aws:ec2/launchTemplate:LaunchTemplate":             {prop: "name", auto: awsDefault, min: 3, max: 128, re: regexp.MustCompile(`^[a-zA-Z0-9().\-/_]+$`)},
	"aws:autoscaling/group:Group":                       {prop: "name", auto: awsDefault, max: 255, re: regexp.MustCompile(`^[!-9;-~]+$`)},
	"aws:appautoscaling/policy:Policy":                  {prop: "name", auto: awsDefault, max: 256, re: regexp.MustCompile(`^[ -~]+$`)},
	"aws:ssm/parameter:Parameter":                       {prop: "name", auto: awsDefault, max: 1011, re: regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)},
	"azure-native:resources:ResourceGroup":              {prop: "resourceGroupName", auto: azRandom, max: 90, re: regexp.MustCompile(`^[A-Za-z0-9_().-]*[A-Za-z0-9_()-]$`)},
	"azure-native:network:VirtualNetwork":               {prop: "virtualNetworkName", auto: azRandom, min: 2, max: 64, re: azGeneral},
	"azure-native:network:Subnet":                       {prop: "subnetName", auto: azCopy, max: 80, re: azGeneral},
	"azure-native:network:NetworkSecurityGroup":         {prop: "networkSecurityGroupName", auto: azRandom, max: 80, re: azGeneral},
	"azure-native:network:PrivateEndpoint":              {prop: "privateEndpointName", auto: azRandom, min: 2, max: 64, re: azGeneral},
	"azure-native:app:ManagedEnvironment":               {prop: "environmentName", auto: azRandom, min: 2, max: 60, re: azDashed},
	"azure-native:app:ContainerApp":                     {prop: "containerAppName", auto: azRandom, min: 2, max: 32, re: regexp.MustCompile(`^[a-z](?:-?[a-z0-9])*$`)},
	"azure-native:containerregistry:Registry":           {prop: "registryName", auto: azRandom, min: 5, max: 50, re: azAlnum},
	"azure-native:keyvault:Vault":                       {prop: "vaultName", auto: azRandom, min: 3, max: 24, re: regexp.MustCompile(`^[A-Za-z](?:-?[A-Za-z0-9])*$`)},
	"azure-native:keyvault:Secret":                      {prop: "secretName", auto: azCopy, max: 127, re: regexp.MustCompile(`^[A-Za-z0-9-]+$`)},
	"azure-native:storage:StorageAccount":               {prop: "accountName", auto: azRandom, min: 3, max: 24, re: azLowerAlnum},
	"azure-native:storage:BlobContainer":                {prop: "containerName", auto: azCopy, min: 3, max: 63, re: azDashed},
	"azure-native:managedidentity:UserAssignedIdentity": {prop: "resourceName", auto: azRandom, min: 3, max: 128, re: regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)},
	"azure-native:operationalinsights:Workspace":        {prop: "workspaceName", auto: azRandom, min: 4, max: 63, re: alnumDash},
	"azure-native:dbforpostgresql:Server":               {prop: "serverName", auto: azRandom, min: 3, max: 63, re: azDashed},
	"azure-native:dbforpostgresql:Database":             {prop: "databaseName", auto: azCopy, max: 63, re: regexp.MustCompile(`^[A-Za-z0-9_-]+$`)},
	"azure-native:redisenterprise:RedisEnterprise":      {prop: "clusterName", auto: azRandom, min: 1, max: 60, re: alnumDash},
	"azure-native:cognitiveservices:Account":            {prop: "accountName", auto: azRandom, min: 2, max: 64, re: alnumDash},
	"azure-native:cognitiveservices:Deployment":         {prop: "deploymentName", auto: azCopy, min: 2, max: 64, re: regexp.MustCompile(`^[A-Za-z0-9._-]+$`)},
	"azure-native:app:ManagedCertificate":               {prop: "managedCertificateName", auto: azRandom, max: 60, re: alnumDash},
	"azure-native:network:PrivateZone":                  {prop: "privateZoneName", max: 253, re: regexp.MustCompile(`^(?:[A-Za-z0-9_-]{1,63}\.)+[A-Za-z0-9_-]{1,63}$`)},
	"azure-native:network:VirtualNetworkLink":           {prop: "virtualNetworkLinkName", auto: azCopy, max: 80, re: azGeneral},
}

var (
	azRandom = &autoname{random: 8}
	azCopy   = &autoname{copy: true}
)

var apiVersion = regexp.MustCompile(`/v\d{8}(preview)?:`)

// limitFor is the limit of a type token; azure-native's versioned tokens
// (azure-native:app/v20240301:ContainerApp) are looked up without their
// API version.
func limitFor(typ string) (nameLimit, bool) {
	l, ok := nameLimits[apiVersion.ReplaceAllString(typ, ":")]
	return l, ok
}

// physicalName is the name a resource gets: its name input, or what the
// provider's autonaming makes of its logical name ("" and false when the
// mode leaves nothing to autoname and no name is set).
func physicalName(r Resource, l nameLimit, autonamingMode string) (string, bool) {
	if v, ok := r.Inputs[l.prop].(string); ok {
		return v, true
	}
	if l.auto == nil || autonamingMode == "disabled" {
		return "", false
	}
	if autonamingMode == "verbatim" || l.auto.copy {
		return r.Name, true
	}
	n := r.Name
	if l.auto.lower {
		n = strings.ToLower(n)
	}
	return n + l.auto.sep + strings.Repeat("a", l.auto.random), true
}

// nameProblems lists every name in res that its cloud would refuse.
func nameProblems(res *Result, autonamingMode string) []string {
	var out []string
	for _, r := range res.Resources {
		l, ok := limitFor(r.Type)
		if ok {
			n, has := physicalName(r, l, autonamingMode)
			_, set := r.Inputs[l.prop].(string)
			switch {
			case !has && l.auto != nil:
				out = append(out, fmt.Sprintf("%s %s: no %s while autonaming is %s", r.Type, r.Name, l.prop, autonamingMode))
			case !has:
				out = append(out, fmt.Sprintf("%s %s: no %s", r.Type, r.Name, l.prop))
			case !set && l.auto != nil && l.auto.max > 0 && len(n) > l.auto.max:
				out = append(out, fmt.Sprintf("%s %s: name '%s' plus %d random chars is longer than maximum length %d", r.Type, r.Name, strings.TrimSuffix(n, strings.Repeat("a", l.auto.random)), l.auto.random, l.auto.max))
			default:
				if p := limitProblem(n, l); p != "" {
					out = append(out, fmt.Sprintf("%s %s: %s %q %s", r.Type, r.Name, l.prop, n, p))
				}
			}
		}
		if r.Type == "aws:ecs/taskDefinition:TaskDefinition" {
			out = append(out, containerProblems(res, r)...)
		}
	}
	return out
}

func limitProblem(n string, l nameLimit) string {
	switch {
	case len(n) < l.min:
		return fmt.Sprintf("is shorter than %d", l.min)
	case l.max > 0 && len(n) > l.max:
		return fmt.Sprintf("is longer than %d (%d)", l.max, len(n))
	case l.re != nil && !l.re.MatchString(n):
		return "does not match " + l.re.String()
	}
	for _, p := range l.notPrefix {
		if strings.HasPrefix(strings.ToLower(n), p) {
			return "starts with " + p
		}
	}
	return ""
}

// ECS container names: up to 255 letters, digits, '_' and '-'; port
// mapping names: up to 64 lowercase letters, digits, '_' and '-', not
// starting with '-' (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
var (
	containerName   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	portMappingName = regexp.MustCompile(`^[a-z0-9_][a-z0-9_-]{0,63}$`)
)

func containerProblems(res *Result, td Resource) []string {
	raw, ok := td.Inputs["containerDefinitions"].(string)
	if !ok {
		return nil
	}
	var defs []struct {
		Name         string
		PortMappings []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(raw), &defs); err != nil {
		return []string{fmt.Sprintf("%s: containerDefinitions: %v", td.Name, err)}
	}
	var out []string
	names := map[string]bool{}
	for _, d := range defs {
		names[d.Name] = true
		if !containerName.MatchString(d.Name) {
			out = append(out, fmt.Sprintf("%s: container name %q does not match %s", td.Name, d.Name, containerName))
		}
		for _, pm := range d.PortMappings {
			if !portMappingName.MatchString(pm.Name) {
				out = append(out, fmt.Sprintf("%s: port mapping name %q does not match %s", td.Name, pm.Name, portMappingName))
			}
		}
	}
	// The service's load balancers name a container of its task.
	if svc := find(res, "aws:ecs/service:Service", td.Name); svc != nil {
		lbs, _ := svc.Inputs["loadBalancers"].([]any)
		for _, lb := range lbs {
			m, _ := lb.(map[string]any)
			if cn, _ := m["containerName"].(string); !names[cn] {
				out = append(out, fmt.Sprintf("%s: the service's load balancer names container %q, which the task does not have", td.Name, cn))
			}
		}
	}
	return out
}

func planYAML(t *testing.T, cloud, mode, yaml string, stackConfig map[string]string) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: cloud, Mode: mode, StackConfig: stackConfig})
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", cloud, mode, err, yaml)
	}
	return res
}

func assertNamesFit(t *testing.T, res *Result, autonamingMode, what string) {
	t.Helper()
	for _, p := range nameProblems(res, autonamingMode) {
		t.Errorf("%s: %s", what, p)
	}
}

// Defect 1 (issue 13): `name: my-shop-app` with `storefront` on 8080 gave
// the target group `my-shop-app-storefront-8080-` plus 7 random characters.
func TestNamesMyShopAppFits(t *testing.T) {
	const yaml = `
name: my-shop-app
services:
  storefront:
    image: nginx
    ports: ["8080:8080"]
`
	for _, mode := range []string{"affordable", "balanced", "high_availability"} {
		assertNamesFit(t, planYAML(t, "aws", mode, yaml, nil), "default", mode)
	}
}

// Defect 2 (issue 13): a service `Api.V2` gave the ECS container name
// `Api.V2`, and port mapping names were not shortened.
func TestNamesECSContainerAndPortMappings(t *testing.T) {
	long := strings.Repeat("Very.Long_Service", 3) + strings.Repeat("x", 12) // 63 characters
	yaml := fmt.Sprintf(`
name: shop
services:
  Api.V2:
    image: nginx
    ports: ["8080:8080"]
  %s:
    image: nginx
    ports: ["9090:9090"]
`, long)
	res := planYAML(t, "aws", "balanced", yaml, nil)
	assertNamesFit(t, res, "default", "balanced")
}

// autonamingConfigs are the stack configurations the sweep plans under:
// none (the providers' own autonaming), the three modes, and a pattern
// with random parts (as an organisation's naming policy would have).
var autonamingConfigs = []struct{ mode, config string }{
	{"default", ""},
	{"verbatim", `{"mode":"verbatim"}`},
	{"disabled", `{"mode":"disabled"}`},
	{"pattern", `{"pattern":"${organization}-${stack}-${name}-${hex(6)}"}`},
}

const nameChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

// randomName is 1..63 characters compose accepts, starting with a letter
// or digit.
func randomName(r *rand.Rand) string {
	n := 1 + r.Intn(63)
	if r.Intn(3) == 0 {
		n = 63 // the longest names find the most
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = nameChars[r.Intn(len(nameChars))]
	}
	b[0] = nameChars[r.Intn(62)]
	return string(b)
}

// sweepCompose is an application with every kind of resource: an ingress
// service with a build and a domainname, a GPU service, the three managed
// stores and an LLM, each with one of names.
func sweepCompose(cloud string, names []string) string {
	yaml := fmt.Sprintf(`services:
  %[1]q:
    build: {context: ./app}
    ports: ["8080:8080", {target: 9000, mode: ingress, app_protocol: grpc}]
    domainname: www.example.com
    depends_on: [%[3]q, %[4]q]
    environment:
      DATABASE_URL: postgres://postgres:${POSTGRES_PASSWORD}@%[3]s:5432/postgres
      REDIS_URL: redis://%[4]s:6379
      MONGO_URL: mongodb://%[5]s:27017/app
  %[2]q:
    image: nginx
    ports: [{target: 5000, mode: ingress}]
    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}
  %[3]q:
    image: postgres:16
    x-defang-postgres: true
    environment: {POSTGRES_PASSWORD: null}
    ports: [{target: 5432, mode: host}]
  %[4]q:
    image: redis:7
    x-defang-redis: true
    ports: [{target: 6379, mode: host}]
  %[5]q:
    image: mongo:7
    x-defang-mongodb: true
    ports: [{target: 27017, mode: host}]
  %[6]q:
    provider: {type: model, options: {model: chat-default}}
    x-defang-llm: true
`, names[0], names[1], names[2], names[3], names[4], names[5])
	if cloud == "azure" {
		// Azure has no GPUs in the consumption profile and no managed
		// MongoDB yet (compose refuses them there): the GPU service runs
		// without one, and the MongoDB service as a container.
		yaml = strings.Replace(yaml, "\n    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}", "", 1)
		yaml = strings.Replace(yaml, "\n    x-defang-mongodb: true", "", 1)
	}
	return yaml
}

// sweepPlan constructs the Project of composeFile on cloud in mode under
// autonaming; planning errors fail the test.
func sweepPlan(t *testing.T, cloud, mode, project, composeFile, autonaming string, cfg map[string]string) []Resource {
	t.Helper()
	stackConfig := map[string]string{}
	if autonaming != "" {
		stackConfig["pulumi:autonaming"] = autonaming
	}
	inputs := map[string]property.Value{
		"composeFiles": property.New(property.NewArray([]property.Value{property.New(composeFile)})),
		"cloud":        property.New(cloud), "mode": property.New(mode),
		"projectName": property.New(project), "domain": property.New("example.com"),
	}
	if len(cfg) > 0 {
		vals := map[string]property.Value{}
		for k, v := range cfg {
			vals[k] = property.New(v).WithSecret(true)
		}
		inputs["config"] = property.New(property.NewMap(vals))
	}
	if cloud == "azure" {
		inputs["azure"] = property.New(property.NewMap(map[string]property.Value{"location": property.New(DefaultAzureLocation)}))
	}
	res, _, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: compose.DNSLabel(project),
		Project: "names", Stack: "dev", Region: DefaultRegionFor(cloud), StackConfig: stackConfig}, property.NewMap(inputs))
	if err != nil {
		t.Fatalf("%s %s %s project %q: %v", cloud, mode, autonaming, project, err)
	}
	return res
}

func writeSweepApp(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "Dockerfile"), []byte("FROM nginx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// distinctLabels draws n service names whose DNS labels differ (compose
// refuses two names that become the same host).
func distinctLabels(r *rand.Rand, n int) []string {
	var out []string
	seen := map[string]bool{}
	for len(out) < n {
		s := randomName(r)
		if l := compose.DNSLabel(s); !seen[l] {
			seen[l] = true
			out = append(out, s)
		}
	}
	return out
}

// TestNamesSweep plans seeded-random applications on both clouds, in every
// mode and autonaming configuration, and checks every cloud name.
func TestNamesSweep(t *testing.T) {
	start := time.Now()
	r := rand.New(rand.NewSource(13))
	// NAMES_SWEEP_ROUNDS=n sweeps n times as many applications (the
	// default, one per cloud, configuration and mode, takes a few seconds).
	rounds := 1
	if n, err := strconv.Atoi(os.Getenv("NAMES_SWEEP_ROUNDS")); err == nil && n > 1 {
		rounds = n
	}
	for round := 0; round < rounds; round++ {
		for _, cloud := range []string{"aws", "azure"} {
			for i, an := range autonamingConfigs {
				for j, mode := range []string{"affordable", "balanced", "high_availability"} {
					project := randomName(r)
					names := distinctLabels(r, 6)
					switch (i + j) % 3 {
					case 0: // the longest project name
						project = strings.Repeat("p", 63)
					case 1: // the shortest names
						project = string(nameChars[r.Intn(62)])
						names[1], names[4] = "Q", "7"
					}
					file := writeSweepApp(t, sweepCompose(cloud, names))
					res := sweepPlan(t, cloud, mode, project, file, an.config, map[string]string{"POSTGRES_PASSWORD": "Names-Sweep-Passw0rd"})
					what := fmt.Sprintf("%s %s %s project %q services %q", cloud, mode, an.mode, project, names)
					// The plan's mock has already autonamed and checked every
					// resource against cloudrules (sweepPlan fails on any
					// violation, plan.Refused); this checks against the
					// reference table too, and that no type pulumi-aws
					// autonames is left unnamed when the mode says so.
					for _, p := range nameProblems(&Result{Resources: res}, an.mode) {
						t.Errorf("%s: %s", what, p)
					}
					// Every cloud type the sweep plans (GPUs, domains and
					// LLMs included, which the corpus lacks) has its rules.
					for _, r := range res {
						if r.Custom && (strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "azure-native:")) &&
							(!cloudrules.Reviewed(r.Type) || !cloudrules.HasReplaceRules(r.Type)) {
							t.Errorf("%s: %s has no rules in provider/cloudrules", what, r.Type)
						}
					}
					if j == 0 {
						// Determinism: the same inputs give the same names,
						// random parts of patterns included.
						again := sweepPlan(t, cloud, mode, project, file, an.config, map[string]string{"POSTGRES_PASSWORD": "Names-Sweep-Passw0rd"})
						for k, r := range res {
							if l, ok := limitFor(r.Type); ok && fmt.Sprint(r.Inputs[l.prop]) != fmt.Sprint(again[k].Inputs[l.prop]) {
								t.Errorf("%s: %s %s: %v, then %v", what, r.Type, r.Name, r.Inputs[l.prop], again[k].Inputs[l.prop])
							}
						}
					}
					if an.mode == "verbatim" || an.mode == "disabled" {
						for _, r := range res {
							rules, ok := cloudrules.For(r.Type)
							if !ok || rules.Autoname == nil || !r.Custom {
								continue
							}
							if _, set := r.Inputs[rules.Autoname.Property].(string); !set {
								t.Errorf("%s: %s %s has no %s", what, r.Type, r.Name, rules.Autoname.Property)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%s", time.Since(start))
}

// TestNamesKeepCollidingServicesApart: "api.v2", "api-v2" and "api_v2"
// each plan on their own (compose refuses them together), and no name we
// set for one is a name we set for another.
func TestNamesKeepCollidingServicesApart(t *testing.T) {
	for _, cloud := range []string{"aws", "azure"} {
		for _, an := range autonamingConfigs {
			owner := map[string]string{}
			for _, svc := range []string{"api.v2", "api-v2", "api_v2"} {
				file := writeSweepApp(t, fmt.Sprintf("services:\n  %q:\n    image: nginx\n    ports: [\"8080:8080\"]\n", svc))
				for _, r := range sweepPlan(t, cloud, "balanced", "shop", file, an.config, nil) {
					l, ok := limitFor(r.Type)
					switch {
					case !ok:
						continue
					case r.Type == "aws:servicediscovery/service:Service", strings.Contains(r.Type, ":ContainerApp"),
						strings.Contains(r.Type, ":ManagedCertificate"):
						// The host names: the private one is the compose
						// DNS label, in the project's own namespace (AWS)
						// or environment (Azure: the app's name), and the
						// public one <label>--<port>.<domain>. The same for
						// all three, as compose means them to be (it
						// refuses two services of one label).
						continue
					}
					n, _ := r.Inputs[l.prop].(string)
					if !strings.Contains(strings.ToLower(n), "api") {
						continue // a project-level name, the same in all three
					}
					key := r.Type + " " + n
					if o, ok := owner[key]; ok && o != svc {
						t.Errorf("%s %s: %s %q is the name of %q and of %q", cloud, an.mode, r.Type, n, o, svc)
					}
					owner[key] = svc
				}
			}
		}
	}
}

// TestNamesFollowTheStackAutonamingPattern: pulumi:autonaming reaches the
// component (the engine passes stack config to Construct) and the names we
// set follow its pattern, per provider and resource type.
func TestNamesFollowTheStackAutonamingPattern(t *testing.T) {
	file := writeSweepApp(t, "services:\n  web:\n    image: nginx\n    ports: [\"8080:8080\"]\n")
	cfg := `{"pattern":"corp-${name}","providers":{"aws":{"resources":{"aws:iam/role:Role":{"pattern":"r-${stack}-${name}-${num(3)}"}}}}}`
	res := sweepPlan(t, "aws", "balanced", "shop", file, cfg, nil)
	tg := find(&Result{Resources: res}, "aws:lb/targetGroup:TargetGroup", "shop-web-8080")
	if tg == nil || tg.Inputs["name"] != "corp-shop-web-8080" {
		t.Errorf("target group: want the pattern's name corp-shop-web-8080, got %+v", tg)
	}
	role := find(&Result{Resources: res}, "aws:iam/role:Role", "shop-web-exec")
	if n, _ := role.Inputs["name"].(string); !regexp.MustCompile(`^r-dev-shop-web-exec-[0-9]{3}$`).MatchString(n) {
		t.Errorf("role: want the resource type's pattern, got %q", n)
	}
	again := sweepPlan(t, "aws", "balanced", "shop", file, cfg, nil)
	if r2 := find(&Result{Resources: again}, "aws:iam/role:Role", "shop-web-exec"); r2.Inputs["name"] != role.Inputs["name"] {
		t.Errorf("random parts differ between two plans: %v, %v", role.Inputs["name"], r2.Inputs["name"])
	}
	if got := find(&Result{Resources: res}, "aws:lb/loadBalancer:LoadBalancer", "shop-alb"); got == nil || got.Inputs["name"] != "corp-shop-alb" {
		t.Errorf("load balancer: %+v", got)
	}
	az := sweepPlan(t, "azure", "balanced", "shop", file, `{"providers":{"azure-native":{"pattern":"corp-${name}"}}}`, nil)
	if rg := find(&Result{Resources: az}, "azure-native:resources:ResourceGroup", "shop"); rg == nil || rg.Inputs["resourceGroupName"] != "corp-defang-shop-dev-eastus" {
		t.Errorf("azure resource group: %+v", rg)
	}
}

// Azure Container App names are 2 to 32 characters starting with a letter:
// services "q" and "7" gave the apps "q" and "d7"... and "q" is refused.
// Projects "my_shop" and "my-shop" gave one resource group.
func TestNamesAzureShortServicesAndProjects(t *testing.T) {
	file := writeSweepApp(t, "services:\n  q:\n    image: nginx\n    ports: [\"8080:8080\"]\n  \"7\":\n    image: nginx\n")
	res := sweepPlan(t, "azure", "balanced", "shop", file, "", nil)
	assertNamesFit(t, &Result{Resources: res}, "default", "azure")
	groups := map[string]string{}
	for _, project := range []string{"my_shop", "my-shop"} {
		for _, r := range sweepPlan(t, "azure", "balanced", project, file, "", nil) {
			if strings.HasSuffix(r.Type, ":ResourceGroup") {
				n, _ := r.Inputs["resourceGroupName"].(string)
				if o, ok := groups[n]; ok {
					t.Errorf("projects %q and %q share the resource group %q", o, project, n)
				}
				groups[n] = project
			}
		}
	}
}
