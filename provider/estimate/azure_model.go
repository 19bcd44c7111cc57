package estimate

// The Azure cost model: the resources the defang:azure components plan
// (provider/azure), priced from azureRegions (prices.go) the way awsModel
// prices the AWS ones. Container Apps are vCPU- and GiB-seconds of their
// replicas, Log Analytics is the assumed ingestion of every app plus the
// retention beyond the free 31 days, ACR is its SKU's daily price plus the
// assumed build time of each ImageBuild, PostgreSQL Flexible Server and Azure
// Managed Redis are priced by SKU (doubled by high availability), and the
// network's billable pieces (private endpoints, private DNS zones, the
// Container Apps environment's load balancer and public IPs) as planned.
// Everything else the components plan is free, or billed per use and named
// in the assumptions (Key Vault operations at an assumed volume, AI Services
// tokens not at all); a type that is neither is named as not priced.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// Azure resource kinds, as azureKind normalises a type token: the
// azure-native module without its API version, and the resource ("app/
// v20240301:ContainerApp" and "app:ContainerApp" are both
// "app:ContainerApp"), so that a component moving to another API version
// stays priced.
const (
	kContainerApp = "app:ContainerApp"
	kManagedEnv   = "app:ManagedEnvironment"
	kWorkspace    = "operationalinsights:Workspace"
	kRegistry     = "containerregistry:Registry"
	// kImageBuild is our own ACR Tasks build (defang:azure:ImageBuild).
	kImageBuild      = "defang:azure:ImageBuild"
	kStorageAccount  = "storage:StorageAccount"
	kPostgresServer  = "dbforpostgresql:Server"
	kRedisCluster    = "cache:RedisEnterprise"
	kRedisClusterV3  = "redisenterprise:RedisEnterprise"
	kPrivateEndpoint = "network:PrivateEndpoint"
	kPrivateZone     = "network:PrivateZone"
	kPublicZone      = "network:Zone"
	kKeyVault        = "keyvault:Vault"
	kCognitive       = "cognitiveservices:Account"
	kCognitiveDeploy = "cognitiveservices:Deployment"
)

// azureKind is the kind of an azure-native type token, "" for any other
// token.
func azureKind(typ string) string {
	if typ == kImageBuild {
		return kImageBuild
	}
	parts := strings.Split(typ, ":")
	if len(parts) != 3 || parts[0] != "azure-native" {
		return ""
	}
	module, _, _ := strings.Cut(parts[1], "/")
	return module + ":" + parts[2]
}

// azureFree lists the Azure kinds with no charge of their own (or only a
// usage charge the estimate names in its assumptions instead of pricing).
// A kind that is neither priced nor listed here is named in the
// assumptions as not priced, and the tests fail on it: a new billable
// resource cannot go unnoticed.
var azureFree = map[string]bool{}

func init() {
	for _, k := range []string{
		"resources:ResourceGroup",
		"network:VirtualNetwork", "network:Subnet", "network:NetworkSecurityGroup",
		// Private DNS bills zones (priced) and queries (not included), not
		// links or records.
		"network:VirtualNetworkLink", "network:PrivateDnsZoneGroup", "network:RecordSet", "network:PrivateRecordSet",
		"insights:DiagnosticSetting", // the logs it sends are priced on the workspace
		"app:ManagedCertificate",     // Container Apps managed certificates are free
		"managedidentity:UserAssignedIdentity", "authorization:RoleAssignment",
		"keyvault:Secret",                       // a Standard vault bills operations (priced on the vault)
		"storage:BlobContainer", "storage:Blob", // stored data is priced on the account
		"dbforpostgresql:Database", "dbforpostgresql:Configuration", "dbforpostgresql:FirewallRule",
		"cache:Database", "redisenterprise:Database", // included in the cluster's price
		// AI Services: S0 has no standing charge; GlobalStandard
		// deployments bill tokens, which the assumptions exclude.
		kCognitive, kCognitiveDeploy,
	} {
		azureFree[k] = true
	}
}

// azureModel turns planned Azure resources into line items.
type azureModel struct {
	p         *azurePrices
	region    string
	mode      string
	resources []plan.Resource
	planIndex

	lineItems
	unpriced map[string]bool
	notes    map[string]bool
	// appServices are the services of the planned Container Apps, whose
	// logs the workspace ingests.
	appServices []string
	aiModels    int
	// autoscaled counts the apps that may scale above their minimum, and
	// maxReplicas their replicas at most.
	autoscaled  int
	maxReplicas float64
	// hidden are the services of apps whose template the plan does not
	// show (see containerApp).
	hidden []string
}

func newAzureModel(resources []plan.Resource, p *azurePrices, region, deployMode string) *azureModel {
	m := &azureModel{p: p, region: region, mode: deployMode, resources: resources, planIndex: planIndex{byURN: map[string]*plan.Resource{}},
		unpriced: map[string]bool{}, notes: map[string]bool{}}
	for i := range resources {
		r := &resources[i]
		m.byURN[r.URN] = r
		if r.Type == tProject && m.project == "" {
			m.project = r.Name
		}
	}
	if m.project == "" && len(resources) > 0 {
		// A component planned on its own: the Pulumi project of its URNs
		// (urn:pulumi:<stack>::<project>::...) prefixes its names.
		if parts := strings.Split(resources[0].URN, "::"); len(parts) > 2 {
			m.project = parts[1]
		}
	}
	return m
}

// add adds a line item of a resource to the service it belongs to.
func (m *azureModel) add(r *plan.Resource, description string, quantity float64, unit string, unitPrice float64) {
	m.addFor(m.serviceOf(r), r, description, quantity, unit, unitPrice)
}

// serviceOf names the compose service a resource belongs to: the nearest
// per-service component among its ancestors, or for a build (ImageBuild)
// the service it builds; SharedService otherwise.
func (m *azureModel) serviceOf(r *plan.Resource) string {
	if service, ok := m.componentService(r, plan.PerServiceComponents); ok {
		return service
	}
	if azureKind(r.Type) == kImageBuild {
		// The pipeline names each build <pipeline>-<service>.
		if p := m.byURN[r.Parent]; p != nil && strings.HasPrefix(r.Name, p.Name+"-") {
			return strings.TrimPrefix(r.Name, p.Name+"-")
		}
		return m.strip(r.Name)
	}
	return SharedService
}

func (m *azureModel) price() error {
	// Container Apps first: the workspace ingests their logs.
	for i := range m.resources {
		if r := &m.resources[i]; azureKind(r.Type) == kContainerApp {
			if err := m.containerApp(r); err != nil {
				return err
			}
		}
	}
	workspaces := 0
	for i := range m.resources {
		r := &m.resources[i]
		var err error
		switch kind := azureKind(r.Type); kind {
		case kContainerApp:
			// priced above
		case kManagedEnv:
			m.environment(r)
		case kWorkspace:
			m.workspace(r, workspaces == 0)
			workspaces++
		case kRegistry:
			err = m.registry(r)
		case kImageBuild:
			m.imageBuild(r)
		case kStorageAccount:
			sku := "Standard_LRS"
			if s, ok := r.Inputs["sku"].(map[string]any); ok && str(s, "name") != "" {
				sku = str(s, "name")
			}
			m.add(r, fmt.Sprintf("Storage account, build contexts (%g GB assumed, %s, hot)", BlobGBPerBuildAccount, sku),
				BlobGBPerBuildAccount, "GB-month", m.p.BlobHotLRSGBMonth)
		case kPostgresServer:
			err = m.postgres(r)
		case kRedisCluster, kRedisClusterV3:
			err = m.redis(r)
		case kPrivateEndpoint:
			m.add(r, "Private endpoint", HoursPerMonth, "hour", m.p.PrivateEndpointHour)
			m.add(r, fmt.Sprintf("Private endpoint data processed (%g GB assumed)", PrivateEndpointGB), PrivateEndpointGB, "GB", m.p.PrivateEndpointGB)
		case kPrivateZone:
			m.add(r, "Private DNS zone "+str(r.Inputs, "privateZoneName"), 1, "zone-month", m.p.DNSZoneMonth)
		case kPublicZone:
			m.add(r, "DNS zone "+str(r.Inputs, "zoneName"), 1, "zone-month", m.p.DNSZoneMonth)
		case kKeyVault:
			m.add(r, fmt.Sprintf("Key Vault operations (%s assumed)", thousands(KeyVaultOpsPerVault)), KeyVaultOpsPerVault/10000,
				"10,000 operations", m.p.KeyVaultPer10kOps)
		case kCognitiveDeploy:
			m.aiModels++
		default:
			if r.Custom && !azureFree[kind] && !free[r.Type] {
				m.unpriced[r.Type] = true
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// containerApp prices a Container App on the Consumption plan: the vCPU and
// memory of its containers, for every replica it keeps (minReplicas) all
// month at the active rate, or, for an app that scales to zero, for one
// replica active ScaleToZeroHoursPerDay.
//
// An app whose environment references a secret (a Key Vault secret URI, a
// store's key) has its whole template marked secret in the plan: its size
// and scale are not shown. Such an app is priced as the mode's minimum
// replicas (at least one) of the smallest consumption size all month, and
// named in the assumptions.
func (m *azureModel) containerApp(r *plan.Resource) error {
	service := m.serviceOf(r)
	m.appServices = append(m.appServices, service)
	tmpl, ok := r.Inputs["template"].(map[string]any)
	if !ok {
		m.hidden = append(m.hidden, service)
		replicas := 1.0
		if m.mode == string(mode.HighAvailability) {
			replicas = 2
		}
		size := fmt.Sprintf("%s × %g vCPU / %g GiB assumed, all month: the plan hides the template", plural(replicas, "replica"),
			HiddenAppVCPU, HiddenAppGiB)
		m.add(r, fmt.Sprintf("Container Apps vCPU (%s)", size), replicas*HiddenAppVCPU*SecondsPerMonth, "vCPU-second", m.p.ContainerAppsVCPUSecond)
		m.add(r, fmt.Sprintf("Container Apps memory (%s)", size), replicas*HiddenAppGiB*SecondsPerMonth, "GiB-second", m.p.ContainerAppsGiBSecond)
		return nil
	}
	vcpu, gib := 0.0, 0.0
	for _, c := range list(tmpl, "containers") {
		cm, _ := c.(map[string]any)
		res, _ := cm["resources"].(map[string]any)
		vcpu += num(res, "cpu")
		g, err := gibibytes(res["memory"])
		if err != nil {
			return fmt.Errorf("estimate: the Container App %s: %w", r.URN, err)
		}
		gib += g
	}
	if vcpu <= 0 || gib <= 0 {
		return fmt.Errorf("estimate: the Container App %s has no container cpu and memory to price", r.URN)
	}
	scale, _ := tmpl["scale"].(map[string]any)
	minReplicas, maxReplicas := num(scale, "minReplicas"), num(scale, "maxReplicas")
	if _, set := scale["maxReplicas"]; !set {
		maxReplicas = math.Max(minReplicas, 10) // Container Apps' default
	}
	if maxReplicas <= 0 {
		return nil // replicas: 0, the app runs nothing
	}
	replicas, seconds, how := minReplicas, SecondsPerMonth, "all month"
	if minReplicas <= 0 {
		replicas, seconds = 1, SecondsPerMonth*ScaleToZeroHoursPerDay/24
		how = fmt.Sprintf("scales to zero: active %g h a day assumed", ScaleToZeroHoursPerDay)
	}
	if maxReplicas > math.Max(minReplicas, 1) {
		m.autoscaled++
		m.maxReplicas += maxReplicas
	}
	size := fmt.Sprintf("%s × %g vCPU / %g GiB, %s", plural(replicas, "replica"), vcpu, gib, how)
	m.add(r, fmt.Sprintf("Container Apps vCPU (%s)", size), replicas*vcpu*seconds, "vCPU-second", m.p.ContainerAppsVCPUSecond)
	m.add(r, fmt.Sprintf("Container Apps memory (%s)", size), replicas*gib*seconds, "GiB-second", m.p.ContainerAppsGiBSecond)
	return nil
}

// environment prices what a Container Apps environment integrated in a
// VNet of ours adds to the bill (its managed resource group): a standard
// load balancer, a static public IP for egress and, when the environment
// is external, one for ingress. The Consumption profile itself has no
// standing charge.
func (m *azureModel) environment(r *plan.Resource) {
	vnet, ok := r.Inputs["vnetConfiguration"].(map[string]any)
	if !ok {
		return // Azure's own network: nothing billed apart from the apps
	}
	ips, kind := 1.0, "internal: egress"
	if !truthy(vnet["internal"]) {
		ips, kind = 2, "external: egress and ingress"
	}
	m.add(r, "Container Apps environment standard load balancer (managed resource group)", HoursPerMonth, "hour", m.p.LoadBalancerHour)
	m.add(r, fmt.Sprintf("Container Apps environment static public IPv4 addresses (%s, %g)", kind, ips), ips*HoursPerMonth, "IPv4-hour", m.p.PublicIPv4Hour)
}

// workspace prices Log Analytics: the assumed ingestion of every Container
// App (on the project's first workspace, to the app's service) and of the
// environment itself, and the retention beyond the included 31 days.
func (m *azureModel) workspace(r *plan.Resource, first bool) {
	days := num(r.Inputs, "retentionInDays")
	if days <= 0 {
		days = 30 // the PerGB2018 default
	}
	extraMonths := math.Max(0, days-LogFreeRetentionDays) / 30
	ingest := func(service, what string, gb float64) {
		m.addFor(service, r, fmt.Sprintf("Log Analytics ingestion, %s (%g GB assumed)", what, gb), gb, "GB", m.p.LogAnalyticsGB)
		m.addFor(service, r, fmt.Sprintf("Log Analytics retention beyond %g days (%g GB a month kept %s)", LogFreeRetentionDays, gb, plural(days, "day")),
			gb*extraMonths, "GB-month", m.p.LogRetentionGBMonth)
	}
	ingest(SharedService, "environment logs and metrics", LogGBPerEnvironment)
	if !first {
		return
	}
	for _, s := range m.appServices {
		ingest(s, "app logs", LogGBPerService)
	}
}

func (m *azureModel) registry(r *plan.Resource) error {
	sku := ""
	if s, ok := r.Inputs["sku"].(map[string]any); ok {
		sku = str(s, "name")
	}
	daily, err := priceAsOf(m.p.ACRDay, "Container Registry SKU", sku, m.region, r.URN, AzurePricesAsOf)
	if err != nil {
		return err
	}
	m.add(r, "Container Registry "+sku, HoursPerMonth/24, "day", daily)
	return nil
}

// imageBuild prices the assumed build time of one image: BuildMinutesPerImage
// on the vCPUs of an ACR Tasks run on the shared agent pool.
func (m *azureModel) imageBuild(r *plan.Resource) {
	cpu := ACRTaskDefaultVCPU
	m.add(r, fmt.Sprintf("ACR Tasks build time (%g minutes assumed on %g vCPU)", BuildMinutesPerImage, cpu),
		BuildMinutesPerImage*60*cpu, "vCPU-second", m.p.ACRTaskVCPUSecond)
}

// postgres prices a Flexible Server's compute by SKU and its provisioned
// storage, both doubled by high availability (a standby of the same size).
func (m *azureModel) postgres(r *plan.Resource) error {
	sku := ""
	if s, ok := r.Inputs["sku"].(map[string]any); ok {
		sku = str(s, "name")
	}
	hourly, err := priceAsOf(m.p.PostgresHour, "PostgreSQL Flexible Server SKU", sku, m.region, r.URN, AzurePricesAsOf)
	if err != nil {
		return err
	}
	copies, ha := 1.0, "no high availability"
	if h, ok := r.Inputs["highAvailability"].(map[string]any); ok {
		if mode := str(h, "mode"); mode == "ZoneRedundant" || mode == "SameZone" {
			copies, ha = 2, mode+" high availability"
		}
	}
	m.add(r, fmt.Sprintf("PostgreSQL Flexible Server %s, %s", sku, ha), copies*HoursPerMonth, "instance-hour", hourly)
	gb := PostgresDefaultStorageGB
	if s, ok := r.Inputs["storage"].(map[string]any); ok && num(s, "storageSizeGB") > 0 {
		gb = num(s, "storageSizeGB")
	}
	m.add(r, fmt.Sprintf("PostgreSQL Flexible Server storage (%g GB provisioned, %s)", gb, ha), copies*gb, "GB-month", m.p.PostgresStorageGBMonth)
	return nil
}

// redis prices an Azure Managed Redis cluster per node: two nodes with high
// availability (Azure's default), one without.
func (m *azureModel) redis(r *plan.Resource) error {
	sku := ""
	if s, ok := r.Inputs["sku"].(map[string]any); ok {
		sku = str(s, "name")
	}
	hourly, err := priceAsOf(m.p.ManagedRedisNodeHour, "Azure Managed Redis SKU", sku, m.region, r.URN, AzurePricesAsOf)
	if err != nil {
		return err
	}
	nodes, ha := 2.0, "high availability"
	if str(r.Inputs, "highAvailability") == "Disabled" {
		nodes, ha = 1, "no high availability"
	}
	m.add(r, fmt.Sprintf("Azure Managed Redis %s, %s (%s)", sku, ha, plural(nodes, "node")), nodes*HoursPerMonth, "node-hour", hourly)
	return nil
}

// assumptions states every assumption behind the numbers.
func (m *azureModel) assumptions() []string {
	out := []string{
		fmt.Sprintf("Public pay-as-you-go list prices of %s as of %s, in USD; no reservations, savings plans or taxes, and no free grants: the Container Apps monthly grant (180,000 vCPU-seconds, 360,000 GiB-seconds, 2 million requests), the Log Analytics 5 GB a month and the free ACR Tasks seconds are per subscription or billing account and are not deducted.", m.region, AzurePricesAsOf),
		fmt.Sprintf("A month is %g hours. Container Apps (Consumption plan) bill the vCPU and memory of every running replica at the active rate: an app runs its minimum replicas all month (an idle replica is billed less, the estimate does not count on it), and an app that scales to zero (minReplicas 0: affordable HTTP apps) is priced as one replica active %g hours a day.", HoursPerMonth, ScaleToZeroHoursPerDay),
		fmt.Sprintf("Log Analytics: %g GB ingested a month per Container App and %g GB for the environment's own logs and metrics; retention is included for %g days, and the workspace's retention beyond that is priced per GB-month.", LogGBPerService, LogGBPerEnvironment, LogFreeRetentionDays),
		fmt.Sprintf("ACR Tasks: %g build minutes a month per built image on the run's vCPUs; the registry's included storage suffices; the build contexts' storage account holds %g GB.", BuildMinutesPerImage, BlobGBPerBuildAccount),
		fmt.Sprintf("An environment integrated in the VNet bills a standard load balancer and static public IPv4 addresses (two when external) in its managed resource group; private endpoints process %g GB a month each; Key Vault: %s operations a month per vault.", PrivateEndpointGB, thousands(KeyVaultOpsPerVault)),
		"PostgreSQL Flexible Server: compute by SKU and the provisioned storage (auto-grow may add more); zone-redundant or same-zone high availability doubles both. Azure Managed Redis: high availability is two nodes, twice the one-node price.",
		"Not included: data transfer out, Container Apps HTTP requests, DNS queries, load balancer data processing, backups beyond the free allowance (as much as the provisioned storage), and AI Services (Azure OpenAI) token usage.",
	}
	if m.autoscaled > 0 {
		m.notes[fmt.Sprintf("%d autoscaled Container App(s) are priced at their minimum replicas; at their maximum they run up to %s in all.",
			m.autoscaled, plural(m.maxReplicas, "replica"))] = true
	}
	if len(m.hidden) > 0 {
		sort.Strings(m.hidden)
		m.notes[fmt.Sprintf("The plan shows the Container App template of %s as secret (it references a secret value), so size and scale are unknown: each is priced as one replica (two in high_availability) of the smallest size (%g vCPU, %g GiB) all month.",
			strings.Join(m.hidden, ", "), HiddenAppVCPU, HiddenAppGiB)] = true
	}
	if m.aiModels > 0 {
		m.notes[fmt.Sprintf("%s of AI Services (GlobalStandard, billed per token) planned: token usage is not included, the deployments have no standing charge.", plural(float64(m.aiModels), "model deployment"))] = true
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

// gibibytes reads a Container Apps memory quantity ("2Gi", "0.5Gi",
// "512Mi", or a number of GiB).
func gibibytes(v any) (float64, error) {
	switch q := v.(type) {
	case float64:
		return q, nil
	case string:
		s := strings.TrimSpace(q)
		scale := 1.0
		for _, u := range []struct {
			suffix string
			scale  float64
		}{{"Gi", 1}, {"Mi", 1.0 / 1024}, {"Ti", 1024}, {"G", 1e9 / (1 << 30)}, {"M", 1e6 / (1 << 30)}} {
			if strings.HasSuffix(s, u.suffix) {
				s, scale = strings.TrimSuffix(s, u.suffix), u.scale
				break
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("memory %q is not a quantity (such as 2Gi)", q)
		}
		return f * scale, nil
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("memory %v is not a quantity (such as 2Gi)", v)
}

// thousands writes a whole number with thousands separators (10,000).
func thousands(n float64) string {
	s := strconv.FormatFloat(math.Round(n), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
