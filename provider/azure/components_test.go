package azure_test

// Component tests of defang:azure:Network, AppsEnvironment and ContainerApp:
// each constructed on its own through the integration server with the plan's
// mock monitor and fake Azure (provider/plan, fakecloud.AzureState), per
// mode, asserting types, parents, key inputs, outputs, secrets, network
// exposure, naming limits and determinism.

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const (
	caNetworkToken = "defang:azure:Network"
	caEnvToken     = "defang:azure:AppsEnvironment"
	caAppToken     = "defang:azure:ContainerApp"
	caAppType      = "azure-native:app/v20240301:ContainerApp"
	caEnvType      = "azure-native:app/v20240301:ManagedEnvironment"
)

var caModes = []string{"affordable", "balanced", "high_availability"}

// Azure name rules.
var (
	keyVaultNameRE     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$`) // 3-24, no "--", ends alphanumeric
	containerAppNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)          // 2-32, no "--"
	vaultSecretNameRE  = regexp.MustCompile(`^[0-9a-zA-Z-]{1,127}$`)
	resourceGroupRE    = regexp.MustCompile(`^[-\w._()]{1,90}$`)
)

func caConstruct(t *testing.T, token, name string, inputs map[string]property.Value) ([]plan.Resource, property.Map) {
	t.Helper()
	res, state, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: name, Project: "shop"}, property.NewMap(inputs))
	if err != nil {
		t.Fatalf("construct %s: %v", token, err)
	}
	for _, r := range res {
		if r.Type != token && r.Parent == "" {
			t.Errorf("%s has no parent", r.URN)
		}
	}
	return res, state
}

func caConstructErr(t *testing.T, token string, inputs map[string]property.Value) error {
	t.Helper()
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: "x", Project: "shop"}, property.NewMap(inputs))
	if err == nil {
		t.Fatalf("construct %s: want an error", token)
	}
	return err
}

func caOfType(res []plan.Resource, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func caOne(t *testing.T, res []plan.Resource, typ string) plan.Resource {
	t.Helper()
	got := caOfType(res, typ)
	if len(got) != 1 {
		t.Fatalf("%s: got %d, want 1", typ, len(got))
	}
	return got[0]
}

// caAt reads a nested input: caAt(r.Inputs, "configuration", "ingress", "external").
func caAt(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func caJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func caStr(v string) property.Value  { return property.New(v) }
func caNum(v float64) property.Value { return property.New(v) }

func caStrs(vs ...string) property.Value {
	arr := make([]property.Value, len(vs))
	for i, v := range vs {
		arr[i] = property.New(v)
	}
	return property.New(property.NewArray(arr))
}

func caObj(m map[string]property.Value) property.Value { return property.New(property.NewMap(m)) }

func caArr(vs ...property.Value) property.Value { return property.New(property.NewArray(vs)) }

func caPort(port float64, mode, appProtocol string) property.Value {
	return caObj(map[string]property.Value{"port": caNum(port), "mode": caStr(mode), "appProtocol": caStr(appProtocol), "protocol": caStr("tcp")})
}

// --- Network ---

func TestAzureNetworkPerMode(t *testing.T) {
	for _, m := range caModes {
		t.Run(m, func(t *testing.T) {
			res, state := caConstruct(t, caNetworkToken, "shop", map[string]property.Value{
				"projectName": caStr("shop"), "mode": caStr(m), "location": caStr("eastus"),
			})
			rg := caOne(t, res, "azure-native:resources:ResourceGroup")
			if rg.Inputs["resourceGroupName"] != "defang-shop-dev-eastus" || rg.Inputs["location"] != "eastus" {
				t.Errorf("resource group: %v", rg.Inputs)
			}
			vnet := caOne(t, res, "azure-native:network:VirtualNetwork")
			if caJSON(caAt(vnet.Inputs, "addressSpace", "addressPrefixes")) != `["10.0.0.0/16"]` || vnet.Inputs["subnets"] != nil {
				t.Errorf("vnet: %v", vnet.Inputs)
			}
			subnets := map[string]plan.Resource{}
			for _, s := range caOfType(res, "azure-native:network:Subnet") {
				subnets[s.Inputs["subnetName"].(string)] = s
			}
			if len(subnets) != 3 {
				t.Fatalf("subnets: %v", subnets)
			}
			apps, dbs, eps := subnets["apps"], subnets["databases"], subnets["endpoints"]
			if apps.Inputs["addressPrefix"] != "10.0.0.0/23" || !strings.Contains(caJSON(apps.Inputs["delegations"]), `"serviceName":"Microsoft.App/environments"`) {
				t.Errorf("apps subnet: %v", apps.Inputs)
			}
			if !strings.Contains(caJSON(dbs.Inputs["delegations"]), `"serviceName":"Microsoft.DBforPostgreSQL/flexibleServers"`) {
				t.Errorf("databases subnet: %v", dbs.Inputs)
			}
			if eps.Inputs["privateEndpointNetworkPolicies"] != "Disabled" || eps.Inputs["delegations"] != nil {
				t.Errorf("endpoints subnet: %v", eps.Inputs)
			}
			// One subnet operation at a time on a VNet.
			if !caContains(dbs.DependsOn, apps.URN) || !caContains(eps.DependsOn, dbs.URN) {
				t.Errorf("subnets must be created one after the other: %v / %v", dbs.DependsOn, eps.DependsOn)
			}
			checkNoInternetExposure(t, res, []string{"443", "80"})

			zones := map[string]bool{}
			for _, z := range caOfType(res, "azure-native:network:PrivateZone") {
				zones[z.Inputs["privateZoneName"].(string)] = true
				if z.Inputs["location"] != "global" {
					t.Errorf("private zones are global: %v", z.Inputs)
				}
			}
			if !zones["privatelink.redis.azure.net"] || !zones["shop-dev.private.postgres.database.azure.com"] || len(zones) != 2 {
				t.Errorf("private zones: %v", zones)
			}
			links := caOfType(res, "azure-native:network:VirtualNetworkLink")
			if len(links) != 2 {
				t.Fatalf("one VNet link per zone, got %d", len(links))
			}
			for _, l := range links {
				if caAt(l.Inputs, "virtualNetwork", "id") != state.Get("vnetId").AsString() || l.Inputs["registrationEnabled"] != false {
					t.Errorf("link %s: %v", l.Name, l.Inputs)
				}
			}
			if state.Get("resourceGroupName").AsString() != "defang-shop-dev-eastus" || state.Get("location").AsString() != "eastus" {
				t.Errorf("outputs: %v", state)
			}
			for _, k := range []string{"vnetId", "appsSubnetId", "databaseSubnetId", "endpointsSubnetId", "postgresDnsZoneId", "redisDnsZoneId"} {
				if state.Get(k).AsString() == "" {
					t.Errorf("output %s is empty", k)
				}
			}
			if state.Get("postgresDnsZoneName").AsString() != "shop-dev.private.postgres.database.azure.com" {
				t.Errorf("postgresDnsZoneName: %v", state.Get("postgresDnsZoneName"))
			}
		})
	}
}

// checkNoInternetExposure: the only rule that admits the internet is the
// apps subnet's, on exactly the ports given.
func checkNoInternetExposure(t *testing.T, res []plan.Resource, ports []string) {
	t.Helper()
	var open []string
	for _, nsg := range caOfType(res, "azure-native:network:NetworkSecurityGroup") {
		rules, _ := nsg.Inputs["securityRules"].([]any)
		for _, r := range rules {
			rule := r.(map[string]any)
			if rule["direction"] != "Inbound" || rule["access"] != "Allow" {
				continue
			}
			if src := rule["sourceAddressPrefix"]; src != "Internet" && src != "*" {
				continue
			}
			if rule["destinationAddressPrefix"] != "10.0.0.0/23" {
				t.Errorf("%s: the internet is admitted to something other than the apps subnet: %v", nsg.Name, rule)
			}
			for _, p := range rule["destinationPortRanges"].([]any) {
				open = append(open, p.(string))
			}
		}
	}
	want := map[string]bool{}
	for _, p := range ports {
		want[p] = true
	}
	got := map[string]bool{}
	for _, p := range open {
		got[p] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ports open to the internet: got %v, want %v", open, ports)
	}
}

func caContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestAzureNetworkAdoptsResourceGroup(t *testing.T) {
	res, state := caConstruct(t, caNetworkToken, "shop", map[string]property.Value{
		"projectName": caStr("shop"), "location": caStr("westeurope"), "resourceGroupName": caStr("platform-rg"),
		"publicTcpPorts": caArr(caNum(1883)),
	})
	if n := len(caOfType(res, "azure-native:resources:ResourceGroup")); n != 0 {
		t.Errorf("adopted group: %d resource groups created", n)
	}
	for _, r := range res {
		if r.Custom && r.Inputs["resourceGroupName"] != "platform-rg" {
			t.Errorf("%s is not in the adopted group: %v", r.Name, r.Inputs["resourceGroupName"])
		}
	}
	if state.Get("resourceGroupName").AsString() != "platform-rg" {
		t.Errorf("resourceGroupName output: %v", state.Get("resourceGroupName"))
	}
	checkNoInternetExposure(t, res, []string{"80", "443", "1883"})

	if err := caConstructErr(t, caNetworkToken, map[string]property.Value{"projectName": caStr("shop")}); !strings.Contains(err.Error(), "location") {
		t.Errorf("a missing location should be named: %v", err)
	}
	if err := caConstructErr(t, caNetworkToken, map[string]property.Value{"projectName": caStr("shop"), "location": caStr("eastus"), "mode": caStr("cheap")}); !strings.Contains(err.Error(), "unknown mode") {
		t.Errorf("a bad mode should fail: %v", err)
	}
}

func TestAzureNetworkLongProjectName(t *testing.T) {
	long := "an-extremely-long-project-name-that-goes-on-and-on-and-on-beyond-every-azure-limit"
	res, state := caConstruct(t, caNetworkToken, "long", map[string]property.Value{
		"projectName": caStr(long), "location": caStr("australiasoutheast"),
	})
	rg := caOne(t, res, "azure-native:resources:ResourceGroup").Inputs["resourceGroupName"].(string)
	if len(rg) > 90 || !resourceGroupRE.MatchString(rg) || !strings.HasPrefix(rg, "defang-an-extremely") {
		t.Errorf("resource group name %q", rg)
	}
	if vnet := caOne(t, res, "azure-native:network:VirtualNetwork").Inputs["virtualNetworkName"].(string); len(vnet) > 64 {
		t.Errorf("vnet name %q longer than 64", vnet)
	}
	zone := state.Get("postgresDnsZoneName").AsString()
	if label := strings.SplitN(zone, ".", 2)[0]; len(label) > 63 || !strings.HasSuffix(zone, ".private.postgres.database.azure.com") {
		t.Errorf("postgres zone %q", zone)
	}
}

// --- AppsEnvironment ---

func caEnvInputs(project, m string) map[string]property.Value {
	return map[string]property.Value{
		"projectName": caStr(project), "mode": caStr(m), "location": caStr("eastus"),
		"resourceGroupName": caStr("defang-shop-dev-eastus"),
		"appsSubnetId":      caStr("/subscriptions/s/resourceGroups/defang-shop-dev-eastus/providers/Microsoft.Network/virtualNetworks/v/subnets/apps"),
		"configNames":       caStrs("API_KEY", "api_key", "DB_PASSWORD"),
		"config": caObj(map[string]property.Value{
			"API_KEY":     caStr("hunter2-api").WithSecret(true),
			"api_key":     caStr("hunter2-lower").WithSecret(true),
			"DB_PASSWORD": caStr("hunter2-db").WithSecret(true),
		}),
	}
}

func TestAzureAppsEnvironmentPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode           string
		retention      float64
		zoneRedundant  bool
		purge          bool
		softDeleteDays float64
	}{
		{"affordable", 30, false, false, 7},
		{"balanced", 30, false, false, 7},
		{"high_availability", 90, true, true, 90},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, state := caConstruct(t, caEnvToken, "shop", caEnvInputs("shop", tc.mode))
			ws := caOne(t, res, "azure-native:operationalinsights:Workspace")
			if ws.Inputs["retentionInDays"] != tc.retention || caAt(ws.Inputs, "sku", "name") != "PerGB2018" {
				t.Errorf("workspace: %v", ws.Inputs)
			}
			env := caOne(t, res, caEnvType)
			if env.Inputs["zoneRedundant"] != tc.zoneRedundant {
				t.Errorf("zoneRedundant: %v", env.Inputs["zoneRedundant"])
			}
			if !strings.HasSuffix(caAt(env.Inputs, "vnetConfiguration", "infrastructureSubnetId").(string), "/subnets/apps") ||
				caAt(env.Inputs, "vnetConfiguration", "internal") != false {
				t.Errorf("the environment must be integrated in the apps subnet: %v", env.Inputs["vnetConfiguration"])
			}
			if caJSON(env.Inputs["workloadProfiles"]) != `[{"name":"Consumption","workloadProfileType":"Consumption"}]` {
				t.Errorf("workload profiles: %v", env.Inputs["workloadProfiles"])
			}
			if caAt(env.Inputs, "appLogsConfiguration", "destination") != "azure-monitor" || strings.Contains(caJSON(env.Inputs), "sharedKey") {
				t.Errorf("logs go through Azure Monitor, no shared key: %v", env.Inputs["appLogsConfiguration"])
			}
			diag := caOne(t, res, "azure-native:insights:DiagnosticSetting")
			if diag.Inputs["resourceUri"] != state.Get("environmentId").AsString() || diag.Inputs["workspaceId"] != state.Get("workspaceId").AsString() ||
				!strings.Contains(caJSON(diag.Inputs["logs"]), `"categoryGroup":"allLogs"`) {
				t.Errorf("diagnostic setting: %v", diag.Inputs)
			}

			vault := caOne(t, res, "azure-native:keyvault:Vault")
			props := vault.Inputs["properties"].(map[string]any)
			if props["enableRbacAuthorization"] != true || props["enableSoftDelete"] != true || props["softDeleteRetentionInDays"] != tc.softDeleteDays {
				t.Errorf("vault: %v", props)
			}
			if purge, set := props["enablePurgeProtection"]; (purge == true) != tc.purge || (!tc.purge && set) {
				t.Errorf("purge protection: %v", props["enablePurgeProtection"])
			}
			if props["accessPolicies"] != nil {
				t.Errorf("RBAC authorization, no access policies: %v", props["accessPolicies"])
			}
			name := vault.Inputs["vaultName"].(string)
			if len(name) < 3 || len(name) > 24 || !keyVaultNameRE.MatchString(name) || name != state.Get("vaultName").AsString() {
				t.Errorf("vault name %q", name)
			}
			if state.Get("vaultUri").AsString() != "https://"+name+".vault.azure.net/" {
				t.Errorf("vaultUri: %v", state.Get("vaultUri"))
			}

			grant := caOne(t, res, "azure-native:authorization:RoleAssignment")
			if !strings.HasSuffix(grant.Inputs["roleDefinitionId"].(string), "/providers/Microsoft.Authorization/roleDefinitions/"+azure.RoleKeyVaultSecretsUser) ||
				!strings.HasPrefix(grant.Inputs["roleDefinitionId"].(string), "/subscriptions/") ||
				grant.Inputs["scope"] != state.Get("vaultId").AsString() ||
				grant.Inputs["principalId"] != state.Get("identityPrincipalId").AsString() ||
				grant.Inputs["principalType"] != "ServicePrincipal" {
				t.Errorf("Key Vault Secrets User for the identity on the vault: %v", grant.Inputs)
			}
			if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(grant.Inputs["roleAssignmentName"].(string)) {
				t.Errorf("role assignment name must be a GUID: %v", grant.Inputs["roleAssignmentName"])
			}

			secrets := caOfType(res, "azure-native:keyvault:Secret")
			if len(secrets) != 3 {
				t.Fatalf("one vault secret per config name: %d", len(secrets))
			}
			names := map[string]bool{}
			for _, s := range secrets {
				if caAt(s.Inputs, "properties", "value") != plan.SecretMarker {
					t.Errorf("%s: the value must be secret: %v", s.Name, s.Inputs["properties"])
				}
				n := s.Inputs["secretName"].(string)
				if !vaultSecretNameRE.MatchString(n) || names[strings.ToLower(n)] {
					t.Errorf("secret name %q invalid or not unique (Key Vault ignores case)", n)
				}
				names[strings.ToLower(n)] = true
			}
			uris := state.Get("configSecretUris").AsMap()
			for _, k := range []string{"API_KEY", "api_key", "DB_PASSWORD"} {
				if u := uris.Get(k).AsString(); !strings.HasPrefix(u, "https://"+name+".vault.azure.net/secrets/") {
					t.Errorf("configSecretUris[%s] = %q", k, u)
				}
			}
			caNoPlaintext(t, res, "hunter2")
			if state.Get("identityId").AsString() == "" || state.Get("defaultDomain").AsString() == "" || state.Get("staticIp").AsString() == "" {
				t.Errorf("outputs: %v", state)
			}
		})
	}
}

// caNoPlaintext: no resource input holds a secret's text.
func caNoPlaintext(t *testing.T, res []plan.Resource, secret string) {
	t.Helper()
	for _, r := range res {
		if strings.Contains(caJSON(r.Inputs), secret) {
			t.Errorf("%s holds a plaintext secret: %s", r.URN, caJSON(r.Inputs))
		}
	}
}

func TestAzureAppsEnvironmentDeterministicAndLongNames(t *testing.T) {
	long := "an-extremely-long-project-name-that-goes-on-and-on-and-on-beyond-every-azure-limit"
	first, _ := caConstruct(t, caEnvToken, "long", caEnvInputs(long, "high_availability"))
	second, _ := caConstruct(t, caEnvToken, "long", caEnvInputs(long, "high_availability"))
	if !reflect.DeepEqual(first, second) {
		t.Errorf("the same inputs must plan the same resources")
	}
	vault := caOne(t, first, "azure-native:keyvault:Vault").Inputs["vaultName"].(string)
	if len(vault) > 24 || !keyVaultNameRE.MatchString(vault) || !strings.HasPrefix(vault, "kv-an-") {
		t.Errorf("vault name %q", vault)
	}
	env := caOne(t, first, caEnvType)
	if n := env.Inputs["environmentName"].(string); len(n) > 60 || !containerAppNameRE.MatchString(n) {
		t.Errorf("environment name %q", n)
	}
	if n := env.Inputs["infrastructureResourceGroup"].(string); len(n) > 90 || !resourceGroupRE.MatchString(n) {
		t.Errorf("infrastructure group %q", n)
	}
	if n := caOne(t, first, "azure-native:operationalinsights:Workspace").Inputs["workspaceName"].(string); len(n) > 63 {
		t.Errorf("workspace name %q", n)
	}

	in := caEnvInputs("shop", "balanced")
	delete(in, "config")
	if err := caConstructErr(t, caEnvToken, in); !strings.Contains(err.Error(), "API_KEY") {
		t.Errorf("config names without values should be named: %v", err)
	}
}

func TestAzureKeyVaultAndSecretNames(t *testing.T) {
	seen := map[string]bool{}
	for _, project := range []string{"a", "shop", "9lives", "My_Project.Name", strings.Repeat("x", 200)} {
		for _, seed := range []string{"p1", "p2"} {
			n := azure.KeyVaultName(project, seed)
			if len(n) < 3 || len(n) > 24 || !keyVaultNameRE.MatchString(n) || strings.Contains(n, "--") {
				t.Errorf("KeyVaultName(%q, %q) = %q", project, seed, n)
			}
			if seen[n] {
				t.Errorf("KeyVaultName(%q, %q) = %q is not unique", project, seed, n)
			}
			seen[n] = true
			if n != azure.KeyVaultName(project, seed) {
				t.Errorf("KeyVaultName is not deterministic")
			}
		}
	}
	a, b := azure.VaultSecretName("config", "API_KEY"), azure.VaultSecretName("config", "api_key")
	if strings.EqualFold(a, b) || !vaultSecretNameRE.MatchString(a) {
		t.Errorf("secret names %q, %q", a, b)
	}
	if n := azure.VaultSecretName("env", strings.Repeat("LONG_", 60)); len(n) > 127 || !vaultSecretNameRE.MatchString(n) {
		t.Errorf("long secret name %q", n)
	}
	for _, n := range []string{azure.ResourceGroupName(strings.Repeat("p", 100), "dev", "eastus"), azure.ResourceGroupName("shop", "dev", "eastus")} {
		if len(n) > 90 || !resourceGroupRE.MatchString(n) {
			t.Errorf("resource group name %q", n)
		}
	}
}

// --- ContainerApp ---

const caVaultURI = "https://kv-shop-12345678.vault.azure.net/secrets/config-api-key-abcdef12/0123456789abcdef"

func caAppInputs(m string) map[string]property.Value {
	return map[string]property.Value{
		"projectName": caStr("shop"), "serviceName": caStr("api"), "mode": caStr(m),
		"container": caObj(map[string]property.Value{
			"cpus": caNum(1), "memoryMiB": caNum(1500),
			"command":     caStrs("serve", "--port", "8080"),
			"entrypoint":  caStrs("/bin/app"),
			"environment": caObj(map[string]property.Value{"PLAIN": caStr("value"), "API_KEY": caStr("should-be-overridden")}),
			"ports":       caArr(caPort(8080, "ingress", "http"), caPort(9090, "host", "")),
			"healthcheck": caObj(map[string]property.Value{
				"test":            caStrs("CMD", "curl", "-f", "http://localhost:8080/health"),
				"intervalSeconds": caNum(300), "retries": caNum(20), "startPeriodSeconds": caNum(10),
				"httpPath": caStr("/health"), "httpPort": caNum(8080),
			}),
		}),
		"image":             caStr("registry.example/api@sha256:abc"),
		"environmentId":     caStr("/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/shop-dev"),
		"resourceGroupName": caStr("rg"),
		"identityId":        caStr("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop-dev-apps"),
		"secrets":           caObj(map[string]property.Value{"API_KEY": caStr(caVaultURI)}),
	}
}

func TestAzureContainerAppPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		min, max float64
	}{
		{"affordable", 0, 1}, // one replica of an HTTP app: scales to zero when idle
		{"balanced", 1, 1},
		{"high_availability", 2, 2},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, state := caConstruct(t, caAppToken, "shop-api", caAppInputs(tc.mode))
			app := caOne(t, res, caAppType)
			in := app.Inputs
			if in["containerAppName"] != "api" || in["workloadProfileName"] != "Consumption" || in["environmentId"] == nil {
				t.Errorf("app: %v", in)
			}
			ingress := caAt(in, "configuration", "ingress").(map[string]any)
			if ingress["external"] != true || ingress["targetPort"] != 8080.0 || ingress["transport"] != "http" || ingress["allowInsecure"] != false {
				t.Errorf("ingress port 8080 is external HTTPS: %v", ingress)
			}
			if caJSON(ingress["additionalPortMappings"]) != `[{"exposedPort":9090,"external":false,"targetPort":9090}]` {
				t.Errorf("host port 9090 is an internal TCP port: %v", ingress["additionalPortMappings"])
			}
			container := caAt(in, "template", "containers").([]any)[0].(map[string]any)
			if caJSON(container["resources"]) != `{"cpu":1,"memory":"2Gi"}` {
				t.Errorf("1 vCPU and 1500 MiB size to 1 vCPU/2Gi: %v", container["resources"])
			}
			if caJSON(container["command"]) != `["/bin/app"]` || caJSON(container["args"]) != `["serve","--port","8080"]` {
				t.Errorf("entrypoint is the command, command the args: %v %v", container["command"], container["args"])
			}
			env := caJSON(container["env"])
			if !strings.Contains(env, `{"name":"API_KEY","secretRef":"api-key-`) || !strings.Contains(env, `{"name":"PLAIN","value":"value"}`) ||
				strings.Contains(env, "should-be-overridden") {
				t.Errorf("env: secrets by reference, plain values as values: %s", env)
			}
			secrets := caAt(in, "configuration", "secrets").([]any)
			if len(secrets) != 1 {
				t.Fatalf("secrets: %v", secrets)
			}
			s := secrets[0].(map[string]any)
			if s["keyVaultUrl"] != caVaultURI || !strings.HasSuffix(s["identity"].(string), "/shop-dev-apps") || s["value"] != nil {
				t.Errorf("the secret is a Key Vault reference read with the identity: %v", s)
			}
			if !strings.Contains(env, `"secretRef":"`+s["name"].(string)+`"`) {
				t.Errorf("the variable names the app secret %v: %s", s["name"], env)
			}
			if caAt(in, "identity", "type") != "SystemAssigned,UserAssigned" || caJSON(caAt(in, "identity", "userAssignedIdentities")) != caJSON([]string{caAppInputs("")["identityId"].AsString()}) {
				t.Errorf("identity: %v", in["identity"])
			}
			probes := caJSON(container["probes"])
			for _, want := range []string{`"type":"Liveness"`, `"type":"Readiness"`, `"httpGet":{"path":"/health","port":8080,"scheme":"HTTP"}`,
				`"periodSeconds":240`, `"failureThreshold":10`, `"initialDelaySeconds":10`} {
				if !strings.Contains(probes, want) {
					t.Errorf("probes should contain %s: %s", want, probes)
				}
			}
			scale := caAt(in, "template", "scale").(map[string]any)
			if scale["minReplicas"] != tc.min || scale["maxReplicas"] != tc.max {
				t.Errorf("replicas: %v", scale)
			}
			if rules := caJSON(scale["rules"]); (tc.min == 0) != strings.Contains(rules, `"http"`) {
				t.Errorf("an app that scales to zero needs an HTTP rule to wake it: %s", rules)
			}
			if u := state.Get("url").AsString(); u != "https://"+state.Get("fqdn").AsString() || !strings.HasPrefix(u, "https://api.") {
				t.Errorf("url %q, fqdn %q", u, state.Get("fqdn").AsString())
			}
			if state.Get("appName").AsString() != "api" || state.Get("privateHostname").AsString() != "api" ||
				state.Get("principalId").AsString() == "" || state.Get("latestRevisionName").AsString() == "" {
				t.Errorf("outputs: %v", state)
			}
			caNoPlaintext(t, res, "hunter2")
		})
	}
}

func TestAzureContainerAppInternalWorkerAndTCP(t *testing.T) {
	// A host-only port: internal TCP ingress on the same port, so that
	// <service>:<port> works as in compose.
	in := caAppInputs("affordable")
	in["container"] = caObj(map[string]property.Value{"ports": caArr(caPort(5000, "host", "http"))})
	delete(in, "secrets")
	res, state := caConstruct(t, caAppToken, "shop-api", in)
	ingress := caAt(caOne(t, res, caAppType).Inputs, "configuration", "ingress").(map[string]any)
	if ingress["external"] != false || ingress["transport"] != "tcp" || ingress["exposedPort"] != 5000.0 {
		t.Errorf("internal port: %v", ingress)
	}
	if state.Get("url").AsString() != "" || !strings.Contains(state.Get("fqdn").AsString(), ".internal.") {
		t.Errorf("an internal app has no public URL: url %q fqdn %q", state.Get("url").AsString(), state.Get("fqdn").AsString())
	}
	scale := caAt(caOne(t, res, caAppType).Inputs, "template", "scale").(map[string]any)
	if scale["minReplicas"] != 1.0 {
		t.Errorf("a TCP app cannot be woken by a request: it keeps a replica, got %v", scale)
	}

	// A worker: no ingress, no probes from a command healthcheck, one replica.
	in["container"] = caObj(map[string]property.Value{
		"healthcheck": caObj(map[string]property.Value{"test": caStrs("CMD", "pgrep", "worker")}),
		"workingDir":  caStr("/srv"),
	})
	res, state = caConstruct(t, caAppToken, "shop-worker", in)
	app := caOne(t, res, caAppType).Inputs
	if caAt(app, "configuration", "ingress") != nil || caAt(app, "template", "containers").([]any)[0].(map[string]any)["probes"] != nil {
		t.Errorf("a worker has no ingress and no probe: %v", app)
	}
	if caAt(app, "template", "scale", "minReplicas") != 1.0 || state.Get("url").AsString() != "" || state.Get("privateHostname").AsString() != "" {
		t.Errorf("worker: %v / %v", app["template"], state)
	}
	if caAt(app, "identity", "type") != "SystemAssigned,UserAssigned" {
		t.Errorf("identity: %v", app["identity"])
	}

	// External TCP ingress, plus a TCP healthcheck on the first port.
	in["container"] = caObj(map[string]property.Value{
		"ports":       caArr(caPort(1883, "ingress", "tcp")),
		"healthcheck": caObj(map[string]property.Value{"test": caStrs("CMD", "mosquitto_sub", "-t", "x")}),
	})
	res, state = caConstruct(t, caAppToken, "shop-mqtt", in)
	app = caOne(t, res, caAppType).Inputs
	if ing := caAt(app, "configuration", "ingress").(map[string]any); ing["external"] != true || ing["transport"] != "tcp" || ing["exposedPort"] != 1883.0 {
		t.Errorf("external TCP: %v", ing)
	}
	if probes := caJSON(caAt(app, "template", "containers").([]any)[0].(map[string]any)["probes"]); !strings.Contains(probes, `"tcpSocket":{"port":1883}`) {
		t.Errorf("TCP probe on the first port: %s", probes)
	}
	if u := state.Get("url").AsString(); !strings.HasPrefix(u, "tcp://") || !strings.HasSuffix(u, ":1883") {
		t.Errorf("tcp url %q", u)
	}

	// gRPC ingress is HTTP/2.
	in["container"] = caObj(map[string]property.Value{"ports": caArr(caPort(50051, "ingress", "grpc"))})
	res, _ = caConstruct(t, caAppToken, "shop-grpc", in)
	if tr := caAt(caOne(t, res, caAppType).Inputs, "configuration", "ingress", "transport"); tr != "http2" {
		t.Errorf("grpc transport %v", tr)
	}
}

func TestAzureContainerAppAutoscaling(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		replicas float64
		min, max float64
		cpu      string
	}{
		{"affordable", 1, 0, 2, "70"}, // HTTP: idle to zero, woken by the HTTP rule
		{"balanced", 2, 2, 8, "60"},
		{"high_availability", 1, 2, 10, "50"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			in := caAppInputs(tc.mode)
			in["autoscaling"] = property.New(true)
			in["registryServer"] = caStr("shopregistry.azurecr.io")
			c := in["container"].AsMap().Set("replicas", caNum(tc.replicas))
			in["container"] = property.New(c)
			res, _ := caConstruct(t, caAppToken, "shop-api", in)
			app := caOne(t, res, caAppType).Inputs
			scale := caAt(app, "template", "scale").(map[string]any)
			if scale["minReplicas"] != tc.min || scale["maxReplicas"] != tc.max {
				t.Errorf("replicas %v: %v", tc.replicas, scale)
			}
			rules := caJSON(scale["rules"])
			if !strings.Contains(rules, `"custom":{"metadata":{"type":"Utilization","value":"`+tc.cpu+`"},"type":"cpu"}`) ||
				!strings.Contains(rules, `"http":{"metadata":{"concurrentRequests":"10"}}`) {
				t.Errorf("scale rules: %s", rules)
			}
			if caJSON(caAt(app, "configuration", "registries")) != `[{"identity":"`+in["identityId"].AsString()+`","server":"shopregistry.azurecr.io"}]` {
				t.Errorf("registry pull with the identity: %v", caAt(app, "configuration", "registries"))
			}
		})
	}
}

func TestAzureContainerAppSizes(t *testing.T) {
	for _, tc := range []struct {
		cpus   float64
		memory float64
		want   string
	}{
		{0, 0, `{"cpu":0.25,"memory":"0.5Gi"}`},
		{0.3, 0, `{"cpu":0.5,"memory":"1Gi"}`},
		{0.25, 1024, `{"cpu":0.5,"memory":"1Gi"}`},
		{0.5, 1536, `{"cpu":0.75,"memory":"1.5Gi"}`},
		{2, 0, `{"cpu":2,"memory":"4Gi"}`},
		{0, 8192, `{"cpu":4,"memory":"8Gi"}`},
		{4, 8192, `{"cpu":4,"memory":"8Gi"}`},
	} {
		in := caAppInputs("balanced")
		in["container"] = caObj(map[string]property.Value{"cpus": caNum(tc.cpus), "memoryMiB": caNum(tc.memory)})
		delete(in, "secrets")
		res, _ := caConstruct(t, caAppToken, "shop-api", in)
		got := caJSON(caAt(caOne(t, res, caAppType).Inputs, "template", "containers").([]any)[0].(map[string]any)["resources"])
		if got != tc.want {
			t.Errorf("%v vCPU, %v MiB: got %s, want %s", tc.cpus, tc.memory, got, tc.want)
		}
	}
	for _, c := range []map[string]property.Value{
		{"cpus": caNum(5)},
		{"memoryMiB": caNum(9000)},
	} {
		in := caAppInputs("balanced")
		in["container"] = caObj(c)
		err := caConstructErr(t, caAppToken, in)
		if !strings.Contains(err.Error(), `service "api"`) || !strings.Contains(err.Error(), "deploy.resources") || !strings.Contains(err.Error(), "4 vCPU, 8 GiB") {
			t.Errorf("an oversized app should name the service, the field and the limit: %v", err)
		}
	}
}

func TestAzureContainerAppErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		container map[string]property.Value
		mutate    func(map[string]property.Value)
		want      []string
	}{
		{"udp", map[string]property.Value{"ports": caArr(caObj(map[string]property.Value{"port": caNum(53), "protocol": caStr("udp"), "mode": caStr("host")}))}, nil,
			[]string{`service "api"`, "udp port 53", "TCP only"}},
		{"gpu", map[string]property.Value{"gpus": caNum(1)}, nil, []string{`service "api"`, "deploy.resources.reservations.devices", "GPUs"}},
		{"arm", map[string]property.Value{"platform": caStr("linux/arm64")}, nil, []string{`service "api"`, "platform", "linux/amd64"}},
		{"second web port", map[string]property.Value{"ports": caArr(caPort(8080, "ingress", "http"), caPort(80, "ingress", "http"))}, nil,
			[]string{`service "api"`, "port 80:", "one HTTP port"}},
		{"tcp on 443", map[string]property.Value{"ports": caArr(caPort(443, "ingress", "tcp"))}, nil, []string{`service "api"`, "80 or 443"}},
		{"secrets without identity", map[string]property.Value{}, func(in map[string]property.Value) { delete(in, "identityId") },
			[]string{`service "api"`, "identityId"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := caAppInputs("balanced")
			in["container"] = caObj(tc.container)
			if tc.mutate != nil {
				tc.mutate(in)
			}
			err := caConstructErr(t, caAppToken, in)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error should contain %q: %v", w, err)
				}
			}
		})
	}
}

func TestAzureContainerAppLongNames(t *testing.T) {
	names := map[string]bool{}
	for _, svc := range []string{
		"a-service-name-that-is-much-longer-than-thirty-two-characters-one",
		"a-service-name-that-is-much-longer-than-thirty-two-characters-two",
		"9-starts_with.A.Digit",
	} {
		in := caAppInputs("high_availability")
		in["serviceName"] = caStr(svc)
		in["projectName"] = caStr(strings.Repeat("project", 20))
		res, state := caConstruct(t, caAppToken, "long", in)
		app := caOne(t, res, caAppType).Inputs
		n := app["containerAppName"].(string)
		if len(n) < 2 || len(n) > 32 || !containerAppNameRE.MatchString(n) {
			t.Errorf("%s: container app name %q", svc, n)
		}
		if names[n] {
			t.Errorf("%s: container app name %q is not unique", svc, n)
		}
		names[n] = true
		if state.Get("appName").AsString() != n {
			t.Errorf("appName output %q, want %q", state.Get("appName").AsString(), n)
		}
		for _, s := range caAt(app, "configuration", "secrets").([]any) {
			if sn := s.(map[string]any)["name"].(string); !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`).MatchString(sn) {
				t.Errorf("app secret name %q", sn)
			}
		}
	}
	in := caAppInputs("balanced")
	in["appName"] = caStr("Shop_API")
	res, _ := caConstruct(t, caAppToken, "x", in)
	if n := caOne(t, res, caAppType).Inputs["containerAppName"]; n != "shop-api" {
		t.Errorf("appName override: %v", n)
	}
}

func TestAzureContainerAppDeterministic(t *testing.T) {
	first, s1 := caConstruct(t, caAppToken, "shop-api", caAppInputs("balanced"))
	second, s2 := caConstruct(t, caAppToken, "shop-api", caAppInputs("balanced"))
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(s1, s2) {
		t.Errorf("the same inputs must plan the same resources")
	}
}
