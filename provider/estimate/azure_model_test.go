package estimate

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// Azure resource types as the components plan them.
const (
	azApp        = "azure-native:app/v20240301:ContainerApp"
	azEnv        = "azure-native:app/v20240301:ManagedEnvironment"
	azWorkspace  = "azure-native:operationalinsights:Workspace"
	azRegistry   = "azure-native:containerregistry:Registry"
	azImageBuild = "defang:azure:ImageBuild"
	azStorage    = "azure-native:storage:StorageAccount"
	azPostgres   = "azure-native:dbforpostgresql/v20240801:Server"
	azRedis      = "azure-native:cache/v20250401:RedisEnterprise"
	azEndpoint   = "azure-native:network:PrivateEndpoint"
	azZone       = "azure-native:network:PrivateZone"
	azVault      = "azure-native:keyvault:Vault"
)

// azAppInputs are a Container App's inputs with one container and scale
// bounds.
func azAppInputs(cpu float64, memory string, minReplicas, maxReplicas float64) map[string]any {
	return map[string]any{
		"workloadProfileName": "Consumption",
		"template": map[string]any{
			"containers": []any{map[string]any{"name": "app", "resources": map[string]any{"cpu": cpu, "memory": memory}}},
			"scale":      map[string]any{"minReplicas": minReplicas, "maxReplicas": maxReplicas},
		},
	}
}

func TestAzureContainerAppArithmetic(t *testing.T) {
	web, api, idle, worker := comp("defang:azure:ContainerApp", "shop-web"), comp("defang:azure:ContainerApp", "shop-api"),
		comp("defang:azure:ContainerApp", "shop-idle"), comp("defang:azure:ContainerApp", "shop-worker")
	rs := []plan.Resource{project(), web, api, idle, worker,
		res(azApp, web, "shop-web", azAppInputs(1, "2Gi", 0, 1)),        // scales to zero
		res(azApp, api, "shop-api", azAppInputs(0.5, "1Gi", 2, 8)),      // two replicas, autoscaled
		res(azApp, idle, "shop-idle", azAppInputs(0.25, "0.5Gi", 0, 0)), // replicas: 0
		res(azApp, worker, "shop-worker", azAppInputs(0.25, "512Mi", 1, 1)),
	}
	e, err := Compute(rs, "azure", "eastus", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	month := HoursPerMonth * 3600
	// Two replicas of 0.5 vCPU and 1 GiB all month.
	if it := item(t, e, "shop-api", "Container Apps vCPU"); !near(it.Quantity, 2*0.5*month) || !near(it.UnitPrice, 0.000024) ||
		!near(it.MonthlyUsd, 63.072) || it.Service != "api" || it.Unit != "vCPU-second" {
		t.Errorf("api vCPU: %+v", it)
	}
	if it := item(t, e, "shop-api", "Container Apps memory"); !near(it.Quantity, 2*1*month) || !near(it.MonthlyUsd, 15.768) || it.Unit != "GiB-second" {
		t.Errorf("api memory: %+v", it)
	}
	// Scaling to zero: one replica 8 hours a day.
	if it := item(t, e, "shop-web", "Container Apps vCPU"); !near(it.Quantity, month/3) || !near(it.MonthlyUsd, 21.024) ||
		!strings.Contains(it.Description, "scales to zero") {
		t.Errorf("web vCPU: %+v", it)
	}
	if it := item(t, e, "shop-web", "Container Apps memory"); !near(it.Quantity, 2*month/3) {
		t.Errorf("web memory: %+v", it)
	}
	// 512Mi is half a GiB.
	if it := item(t, e, "shop-worker", "Container Apps memory"); !near(it.Quantity, 0.5*month) {
		t.Errorf("worker memory: %+v", it)
	}
	for _, it := range e.LineItems {
		if strings.HasSuffix(it.Resource, "::shop-idle") {
			t.Errorf("an app with no replica costs nothing: %+v", it)
		}
	}
	if !hasAssumption(e, "1 autoscaled Container App(s)") || !hasAssumption(e, "up to 8 replicas") {
		t.Errorf("the autoscaled app should be named: %v", e.Assumptions)
	}
	if !hasAssumption(e, "not deducted") || !hasAssumption(e, "8 hours a day") {
		t.Errorf("the free grant and scale-to-zero assumptions: %v", e.Assumptions)
	}

	// West Europe's own rates.
	e, err = Compute(rs, "azure", "westeurope", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, e, "shop-api", "Container Apps vCPU"); !near(it.UnitPrice, 0.000034) {
		t.Errorf("West Europe vCPU: %+v", it)
	}

	// A template the plan shows as secret: the smallest size, the mode's
	// minimum replicas, and a note.
	hidden := res(azApp, web, "shop-web", map[string]any{"template": plan.SecretMarker, "configuration": plan.SecretMarker})
	for m, replicas := range map[string]float64{"affordable": 1, "balanced": 1, "high_availability": 2} {
		e, err := Compute([]plan.Resource{project(), web, hidden}, "azure", "eastus", m)
		if err != nil {
			t.Fatal(err)
		}
		if it := item(t, e, "shop-web", "Container Apps vCPU"); !near(it.Quantity, replicas*HiddenAppVCPU*month) || it.Service != "web" {
			t.Errorf("%s: hidden template vCPU: %+v", m, it)
		}
		if it := item(t, e, "shop-web", "Container Apps memory"); !near(it.Quantity, replicas*HiddenAppGiB*month) {
			t.Errorf("%s: hidden template memory: %+v", m, it)
		}
		if !hasAssumption(e, "template of web as secret") {
			t.Errorf("%s: the app with a hidden template should be named: %v", m, e.Assumptions)
		}
	}

	bad := res(azApp, web, "shop-web", azAppInputs(1, "lots", 1, 1))
	if _, err := Compute([]plan.Resource{project(), web, bad}, "azure", "eastus", "balanced"); err == nil || !strings.Contains(err.Error(), bad.URN) {
		t.Errorf("unreadable memory should name the app: %v", err)
	}
}

func hasAssumption(e Estimate, s string) bool {
	for _, a := range e.Assumptions {
		if strings.Contains(a, s) {
			return true
		}
	}
	return false
}

func TestAzureEnvironmentAndLogs(t *testing.T) {
	env := comp("defang:azure:AppsEnvironment", "shop")
	web, api := comp("defang:azure:ContainerApp", "shop-web"), comp("defang:azure:ContainerApp", "shop-api")
	rs := []plan.Resource{project(), env, web, api,
		res(azEnv, env, "shop", map[string]any{"vnetConfiguration": map[string]any{"internal": false}}),
		res(azEnv, env, "shop-internal", map[string]any{"vnetConfiguration": map[string]any{"internal": true}}),
		res(azEnv, env, "shop-managed", map[string]any{}),
		res(azWorkspace, env, "shop", map[string]any{"retentionInDays": 90.0, "sku": map[string]any{"name": "PerGB2018"}}),
		res(azApp, web, "shop-web", azAppInputs(0.25, "0.5Gi", 1, 1)),
		res(azApp, api, "shop-api", azAppInputs(0.25, "0.5Gi", 1, 1)),
	}
	e, err := Compute(rs, "azure", "eastus", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop", "Container Apps environment standard load balancer"); !near(it.MonthlyUsd, 730*0.025) || it.Service != SharedService {
		t.Errorf("load balancer: %+v", it)
	}
	if it := item(t, e, "shop", "Container Apps environment static public IPv4"); !near(it.Quantity, 2*730) || !near(it.MonthlyUsd, 7.3) {
		t.Errorf("an external environment has two public IPs: %+v", it)
	}
	if it := item(t, e, "shop-internal", "Container Apps environment static public IPv4"); !near(it.Quantity, 730) {
		t.Errorf("an internal environment has one (egress): %+v", it)
	}
	for _, it := range e.LineItems {
		if strings.HasSuffix(it.Resource, "::shop-managed") {
			t.Errorf("an environment outside our VNet adds nothing: %+v", it)
		}
	}
	// Each app's logs are its own cost; retention beyond 31 days is billed.
	logs := map[string]LineItem{}
	for _, it := range e.LineItems {
		if strings.Contains(it.Resource, azWorkspace) {
			logs[it.Service+" "+strings.Fields(it.Description)[2]] = it
		}
	}
	if it := logs["web ingestion,"]; !near(it.Quantity, LogGBPerService) || !near(it.MonthlyUsd, 2.30) {
		t.Errorf("web log ingestion: %+v (%v)", it, logs)
	}
	if it := logs["api retention"]; !near(it.Quantity, round4(59.0/30)) || !near(it.UnitPrice, 0.10) {
		t.Errorf("api log retention (59 days beyond the free 31): %+v", it)
	}
	if it := logs[SharedService+" ingestion,"]; !near(it.Quantity, LogGBPerEnvironment) {
		t.Errorf("environment logs: %+v", it)
	}

	// 30 days of retention are included.
	rs[7].Inputs["retentionInDays"] = 30.0
	e, err = Compute(rs, "azure", "eastus2", "balanced")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range e.LineItems {
		if strings.Contains(it.Description, "retention") {
			t.Errorf("30 days of logs are free: %+v", it)
		}
	}
	if it := item(t, e, "shop", "Log Analytics ingestion, app logs"); !near(it.UnitPrice, 2.76) {
		t.Errorf("East US 2 ingestion: %+v", it)
	}
}

func TestAzureStoresAndNetwork(t *testing.T) {
	db, small, cache, dev := comp("defang:azure:ManagedPostgres", "shop-db"), comp("defang:azure:ManagedPostgres", "shop-small"),
		comp("defang:azure:ManagedRedis", "shop-cache"), comp("defang:azure:ManagedRedis", "shop-dev")
	network, env := comp("defang:azure:Network", "shop"), comp("defang:azure:AppsEnvironment", "shop")
	rs := []plan.Resource{project(), db, small, cache, dev, network, env,
		res(azPostgres, db, "shop-db", map[string]any{"sku": map[string]any{"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
			"highAvailability": map[string]any{"mode": "ZoneRedundant"}, "storage": map[string]any{"storageSizeGB": 128.0}}),
		res(azPostgres, small, "shop-small", map[string]any{"sku": map[string]any{"name": "Standard_B1ms", "tier": "Burstable"},
			"highAvailability": map[string]any{"mode": "Disabled"}, "storage": map[string]any{"storageSizeGB": 32.0}}),
		res(azRedis, cache, "shop-cache", map[string]any{"sku": map[string]any{"name": "Balanced_B5"}, "highAvailability": "Enabled"}),
		res(azRedis, dev, "shop-dev", map[string]any{"sku": map[string]any{"name": "Balanced_B0"}, "highAvailability": "Disabled"}),
		res(azEndpoint, cache, "shop-cache", map[string]any{}),
		res(azZone, network, "shop-redis", map[string]any{"privateZoneName": "privatelink.redis.azure.net"}),
		res(azVault, env, "shop", map[string]any{}),
	}
	e, err := Compute(rs, "azure", "eastus", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop-db", "PostgreSQL Flexible Server Standard_D2ds_v5, ZoneRedundant"); !near(it.Quantity, 2*730) ||
		!near(it.MonthlyUsd, 2*730*0.178) || it.Service != "db" {
		t.Errorf("zone-redundant HA is two servers: %+v", it)
	}
	if it := item(t, e, "shop-db", "PostgreSQL Flexible Server storage"); !near(it.MonthlyUsd, 2*128*0.115) {
		t.Errorf("HA storage is doubled: %+v", it)
	}
	if it := item(t, e, "shop-small", "PostgreSQL Flexible Server Standard_B1ms, no high"); !near(it.MonthlyUsd, 12.41) {
		t.Errorf("B1ms: %+v", it)
	}
	if it := item(t, e, "shop-small", "PostgreSQL Flexible Server storage"); !near(it.MonthlyUsd, 32*0.115) {
		t.Errorf("B1ms storage: %+v", it)
	}
	if it := item(t, e, "shop-cache", "Azure Managed Redis Balanced_B5, high availability"); !near(it.Quantity, 2*730) ||
		!near(it.MonthlyUsd, 2*730*0.156) || it.Service != "cache" {
		t.Errorf("HA Redis is two nodes: %+v", it)
	}
	if it := item(t, e, "shop-dev", "Azure Managed Redis Balanced_B0"); !near(it.MonthlyUsd, 11.68) {
		t.Errorf("one B0 node: %+v", it)
	}
	if it := item(t, e, "shop-cache", "Private endpoint"); !near(it.MonthlyUsd, 7.3) || it.Service != "cache" {
		t.Errorf("private endpoint hours: %+v", it)
	}
	if it := item(t, e, "shop-cache", "Private endpoint data"); !near(it.MonthlyUsd, PrivateEndpointGB*0.01) {
		t.Errorf("private endpoint data: %+v", it)
	}
	if it := item(t, e, "shop-redis", "Private DNS zone privatelink.redis.azure.net"); !near(it.MonthlyUsd, 0.5) || it.Service != SharedService {
		t.Errorf("private DNS zone: %+v", it)
	}
	if it := item(t, e, "shop", "Key Vault operations (10,000 assumed)"); !near(it.MonthlyUsd, 0.03) {
		t.Errorf("Key Vault: %+v", it)
	}

	e, err = Compute(rs, "azure", "westeurope", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	if it := item(t, e, "shop-small", "PostgreSQL Flexible Server Standard_B1ms"); !near(it.UnitPrice, 0.0199) {
		t.Errorf("West Europe B1ms: %+v", it)
	}
	if it := item(t, e, "shop-dev", "Azure Managed Redis Balanced_B0"); !near(it.UnitPrice, 0.019) {
		t.Errorf("West Europe B0: %+v", it)
	}
}

func TestAzureBuilds(t *testing.T) {
	pipeline := comp("defang:azure:BuildPipeline", "shop")
	rs := []plan.Resource{project(), pipeline,
		res(azRegistry, pipeline, "shop", map[string]any{"sku": map[string]any{"name": "Premium"}}),
		res(azImageBuild, pipeline, "shop-web", map[string]any{"contextDigest": "sha256:0"}),
		res(azImageBuild, pipeline, "shop-api", map[string]any{}),
		res(azStorage, pipeline, "shop-contexts", map[string]any{"sku": map[string]any{"name": "Standard_LRS"}}),
	}
	e, err := Compute(rs, "azure", "westus3", "high_availability")
	if err != nil {
		t.Fatal(err)
	}
	checkSum(t, e)
	if it := item(t, e, "shop", "Container Registry Premium"); !near(it.Quantity, round4(730.0/24)) || !near(it.UnitPrice, 1.6666) || it.Service != SharedService {
		t.Errorf("Premium registry: %+v", it)
	}
	if it := item(t, e, "shop-web", "ACR Tasks build time"); !near(it.Quantity, 100*60*2) || !near(it.MonthlyUsd, 1.2) || it.Service != "web" {
		t.Errorf("build time: %+v", it)
	}
	if it := item(t, e, "shop-api", "ACR Tasks build time"); !near(it.Quantity, 100*60*ACRTaskDefaultVCPU) || it.Service != "api" {
		t.Errorf("the api's build: %+v", it)
	}
	if it := item(t, e, "shop-contexts", "Storage account, build contexts"); !near(it.MonthlyUsd, 0.0208) {
		t.Errorf("contexts storage: %+v", it)
	}
}

// A SKU the table lacks is an error naming the resource and the known SKUs.
func TestAzureUnknownSKUIsAnError(t *testing.T) {
	for _, r := range []plan.Resource{
		res(azPostgres, comp("defang:azure:ManagedPostgres", "shop-db"), "shop-db", map[string]any{"sku": map[string]any{"name": "Standard_X99"}}),
		res(azRedis, comp("defang:azure:ManagedRedis", "shop-cache"), "shop-cache", map[string]any{"sku": map[string]any{"name": "Balanced_B9999"}}),
		res(azRegistry, comp("defang:azure:BuildPipeline", "shop"), "shop", map[string]any{"sku": map[string]any{"name": "Ultra"}}),
	} {
		_, err := Compute([]plan.Resource{project(), r}, "azure", "eastus", "affordable")
		if err == nil || !strings.Contains(err.Error(), r.URN) || !strings.Contains(err.Error(), "knows") || !strings.Contains(err.Error(), AzurePricesAsOf) {
			t.Errorf("%s: want an error naming the resource and the known SKUs, got %v", r.Type, err)
		}
	}
}

func TestAzureUnpricedTypesAreNamed(t *testing.T) {
	gw := res("azure-native:network:ApplicationGateway", plan.Resource{}, "shop-gw", map[string]any{})
	rg := res("azure-native:resources:ResourceGroup", plan.Resource{}, "shop", map[string]any{})
	e, err := Compute([]plan.Resource{project(), gw, rg}, "azure", "eastus", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	last := e.Assumptions[len(e.Assumptions)-1]
	if !strings.Contains(last, "azure-native:network:ApplicationGateway") || strings.Contains(last, "ResourceGroup") {
		t.Errorf("an unpriced type should be named, a free one not: %v", e.Assumptions)
	}
}

func TestAzureEstimateHeader(t *testing.T) {
	e, err := Compute(nil, "azure", "", "affordable")
	if err != nil {
		t.Fatal(err)
	}
	if e.Region != "eastus" || e.PricesAsOf != AzurePricesAsOf || e.Cloud != "azure" || len(e.Assumptions) < 5 || e.MonthlyUsd != 0 {
		t.Errorf("header: %+v", e)
	}
	if !hasAssumption(e, "token usage") {
		t.Errorf("AI Services token usage is named as not included: %v", e.Assumptions)
	}
	if _, err := Compute(nil, "azure", "northeurope", "affordable"); err == nil ||
		!strings.Contains(err.Error(), "eastus, eastus2, westeurope, westus3") || !strings.Contains(err.Error(), AzurePricesAsOf) {
		t.Errorf("unknown Azure region: %v", err)
	}
}

// Every region prices what East US prices.
func TestEveryAzureRegionPricesTheSameKeys(t *testing.T) {
	for region, p := range azureRegions {
		v, base := reflect.ValueOf(*p), reflect.ValueOf(azureEastUS)
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			switch f := v.Field(i); f.Kind() {
			case reflect.Float64:
				if f.Float() <= 0 {
					t.Errorf("%s: %s has no price", region, name)
				}
			case reflect.Map:
				for _, k := range base.Field(i).MapKeys() {
					if f.MapIndex(k).Kind() == reflect.Invalid || f.MapIndex(k).Float() <= 0 {
						t.Errorf("%s: %s %s has no price", region, name, k)
					}
				}
			}
		}
	}
	// The SKUs the components choose per mode are all priced.
	for _, sku := range []string{"Standard_B1ms", "Standard_B2s", "Standard_D2ds_v5"} {
		if azureEastUS.PostgresHour[sku] <= 0 {
			t.Errorf("Postgres %s", sku)
		}
	}
	for _, sku := range []string{"Balanced_B0", "Balanced_B5"} {
		if azureEastUS.ManagedRedisNodeHour[sku] <= 0 {
			t.Errorf("Redis %s", sku)
		}
	}
}

// azureExample plans the example app (examples/aws-typescript's compose
// file on Azure: a built web front end, a private api with two replicas, a
// managed Postgres and a managed Redis) component by component, as the
// Project would, in one mode.
func azureExample(t *testing.T, m mode.Mode, buildContext string) []plan.Resource {
	t.Helper()
	s := func(v string) property.Value { return property.New(v) }
	n := func(v float64) property.Value { return property.New(v) }
	obj := func(kv map[string]property.Value) property.Value { return property.New(property.NewMap(kv)) }
	arr := func(vs ...property.Value) property.Value { return property.New(property.NewArray(vs)) }
	port := func(p float64, portMode, protocol string) property.Value {
		return obj(map[string]property.Value{"port": n(p), "mode": s(portMode), "appProtocol": s(protocol), "protocol": s("tcp")})
	}
	group := s("defang-shop-dev-eastus")
	base := func(extra map[string]property.Value) map[string]property.Value {
		in := map[string]property.Value{"projectName": s("shop"), "mode": s(string(m)), "location": s("eastus"), "resourceGroupName": group}
		for k, v := range extra {
			in[k] = v
		}
		return in
	}
	app := func(service string, container map[string]property.Value) map[string]property.Value {
		return base(map[string]property.Value{"serviceName": s(service), "container": obj(container),
			"image": s("registry.example/" + service + "@sha256:abc"), "environmentId": s("/subscriptions/0/environments/shop-dev")})
	}
	var all []plan.Resource
	for _, c := range []struct {
		token, name string
		inputs      map[string]property.Value
	}{
		{"defang:azure:Network", "shop", map[string]property.Value{"projectName": s("shop"), "mode": s(string(m)), "location": s("eastus")}},
		{"defang:azure:AppsEnvironment", "shop", base(map[string]property.Value{"appsSubnetId": s("/subscriptions/0/subnets/apps"),
			"configNames": arr(s("SESSION_SECRET")), "config": obj(map[string]property.Value{"SESSION_SECRET": s("x").WithSecret(true)})})},
		{"defang:azure:BuildPipeline", "shop", base(map[string]property.Value{"builds": arr(obj(map[string]property.Value{
			"service": s("web"), "context": s(buildContext)}))})},
		{"defang:azure:ContainerApp", "shop-web", app("web", map[string]property.Value{"cpus": n(0.25), "memoryMiB": n(512),
			"ports": arr(port(8080, "ingress", "http"))})},
		{"defang:azure:ContainerApp", "shop-api", app("api", map[string]property.Value{"cpus": n(0.25), "memoryMiB": n(512),
			"replicas": n(2), "ports": arr(port(5678, "host", ""))})},
		{"defang:azure:ManagedPostgres", "shop-db", base(map[string]property.Value{"serviceName": s("db"), "username": s("shop"),
			"delegatedSubnetId": s("/subscriptions/0/subnets/databases"), "privateDnsZoneId": s("/subscriptions/0/privateDnsZones/pg")})},
		{"defang:azure:ManagedRedis", "shop-cache", base(map[string]property.Value{"serviceName": s("cache"),
			"endpointSubnetId": s("/subscriptions/0/subnets/endpoints"), "privateDnsZoneId": s("/subscriptions/0/privateDnsZones/redis")})},
	} {
		res, _, err := plan.Construct(context.Background(), plan.Target{Token: c.token, Name: c.name, Project: "shop"}, property.NewMap(c.inputs))
		if err != nil {
			t.Fatalf("%s %s: %v", m, c.token, err)
		}
		all = append(all, res...)
	}
	return all
}

// azureBuildContext writes a build context and keeps the packed contexts
// out of the user's cache.
func azureBuildContext(t *testing.T) string {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM alpine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The example app, planned by the components themselves in every mode:
// every planned type is priced or free, the costs belong to the services
// they serve, and affordable < balanced < high_availability in every
// region.
func TestAzureExampleOrdersByMode(t *testing.T) {
	dir := azureBuildContext(t)
	totals := map[string]map[mode.Mode]float64{}
	for _, m := range mode.All {
		resources := azureExample(t, m, dir)
		for _, region := range Regions("azure") {
			e, err := Compute(resources, "azure", region, string(m))
			if err != nil {
				t.Fatalf("%s %s: %v", m, region, err)
			}
			checkSum(t, e)
			for _, a := range e.Assumptions {
				if strings.HasPrefix(a, "Planned but not priced") {
					t.Errorf("%s: %s", m, a)
				}
			}
			services := map[string]float64{}
			for _, it := range e.LineItems {
				services[it.Service] += it.MonthlyUsd
			}
			for s := range services {
				switch s {
				case SharedService, "web", "api", "db", "cache":
				default:
					t.Errorf("%s: cost attributed to %q", m, s)
				}
			}
			for _, s := range []string{SharedService, "web", "api", "db", "cache"} {
				if services[s] <= 0 {
					t.Errorf("%s %s: nothing priced for %s: %+v", m, region, s, e.LineItems)
				}
			}
			if totals[region] == nil {
				totals[region] = map[mode.Mode]float64{}
			}
			totals[region][m] = e.MonthlyUsd
			if region == "eastus" {
				t.Logf("%s eastus: $%.2f", m, e.MonthlyUsd)
				for _, it := range e.LineItems {
					t.Logf("  %-9s %-95s %12.4f %-12s $%8.4f", it.Service, it.Description, it.Quantity, it.Unit, it.MonthlyUsd)
				}
			}
		}
	}
	for region, tt := range totals {
		if !(tt[mode.Affordable] < tt[mode.Balanced] && tt[mode.Balanced] < tt[mode.HighAvailability]) {
			t.Errorf("%s: want affordable < balanced < high_availability, got %.2f, %.2f, %.2f", region,
				tt[mode.Affordable], tt[mode.Balanced], tt[mode.HighAvailability])
		}
		t.Logf("%s: affordable $%.2f, balanced $%.2f, high_availability $%.2f", region,
			tt[mode.Affordable], tt[mode.Balanced], tt[mode.HighAvailability])
	}
}

// Every component, alone, in every mode, plans only types that the model
// prices or lists as free; the LLM gateway costs nothing standing and says
// that its tokens are not included.
func TestAzureComponentsArePricedOrFree(t *testing.T) {
	s := func(v string) property.Value { return property.New(v) }
	for _, m := range mode.All {
		res, _, err := plan.Construct(context.Background(), plan.Target{Token: "defang:azure:LlmGateway", Name: "shop-llm", Project: "shop"},
			property.NewMap(map[string]property.Value{"projectName": s("shop"), "serviceName": s("llm"), "mode": s(string(m)),
				"resourceGroupName": s("rg"), "location": s("eastus"),
				"models": property.New(property.NewArray([]property.Value{s("ai/smollm2"), s("embedding-default")}))}))
		if err != nil {
			t.Fatal(err)
		}
		e, err := Compute(res, "azure", "eastus", string(m))
		if err != nil {
			t.Fatal(err)
		}
		if len(e.LineItems) != 0 || !hasAssumption(e, "2 model deployments of AI Services") {
			t.Errorf("%s: LLM gateway: %+v %v", m, e.LineItems, e.Assumptions)
		}
		if hasAssumption(e, "Planned but not priced") {
			t.Errorf("%s: %v", m, e.Assumptions)
		}
	}
}
