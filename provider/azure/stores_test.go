package azure_test

// Component tests of defang:azure:ManagedPostgres, ManagedRedis and
// LlmGateway, each constructed on its own under the plan's mock monitor
// (plan.Construct, fake Azure of provider/fakecloud), per mode; the
// Go-only secrets (admin password, access keys) under pulumi's own mocks;
// and the model alias table.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const (
	stPostgresServer = "azure-native:dbforpostgresql/v20240801:Server"
	stPostgresDB     = "azure-native:dbforpostgresql/v20240801:Database"
	stRedisCluster   = "azure-native:cache/v20250401:RedisEnterprise"
	stRedisDB        = "azure-native:cache/v20250401:Database"
	stEndpoint       = "azure-native:network:PrivateEndpoint"
	stZoneGroup      = "azure-native:network:PrivateDnsZoneGroup"
	stAccount        = "azure-native:cognitiveservices:Account"
	stDeployment     = "azure-native:cognitiveservices:Deployment"
	stRandomPassword = "random:index/randomPassword:RandomPassword"

	stGroup   = "defang-shop-dev-eastus"
	stDbNet   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/databases"
	stPeNet   = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"
	stPgZone  = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/shop.postgres.database.azure.com"
	stAmrZone = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/privatelink.redis.azure.net"
)

var stModes = []string{"affordable", "balanced", "high_availability"}

func stConstruct(t *testing.T, token, name string, inputs map[string]property.Value) ([]plan.Resource, property.Map) {
	t.Helper()
	res, state, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: name, Project: "shop"}, property.NewMap(inputs))
	if err != nil {
		t.Fatalf("construct %s: %v", token, err)
	}
	var comp string
	for _, r := range res {
		if r.Type == token {
			comp = r.URN
		}
	}
	if comp == "" {
		t.Fatalf("no %s among %d resources", token, len(res))
	}
	for _, r := range res {
		if r.URN != comp && r.Parent != comp {
			t.Errorf("%s: parent %q, want the component", r.URN, r.Parent)
		}
	}
	return res, state
}

func stConstructErr(t *testing.T, token string, inputs map[string]property.Value) error {
	t.Helper()
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: token, Name: "x", Project: "shop"}, property.NewMap(inputs))
	if err == nil {
		t.Fatalf("construct %s: want an error", token)
	}
	return err
}

func stOfType(res []plan.Resource, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func stOne(t *testing.T, res []plan.Resource, typ string) plan.Resource {
	t.Helper()
	got := stOfType(res, typ)
	if len(got) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(got))
	}
	return got[0]
}

// stIn is the input at path (map keys, or array indexes as "0", "1"...).
func stIn(r plan.Resource, path ...string) any {
	var v any = r.Inputs
	for _, p := range path {
		switch node := v.(type) {
		case map[string]any:
			v = node[p]
		case []any:
			i := 0
			fmt.Sscan(p, &i)
			if i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

func stJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func stStr(s string) property.Value { return property.New(s) }

func stStrs(vs ...string) property.Value {
	arr := make([]property.Value, len(vs))
	for i, v := range vs {
		arr[i] = property.New(v)
	}
	return property.New(property.NewArray(arr))
}

func stInputs(mode string, extra map[string]property.Value) map[string]property.Value {
	in := map[string]property.Value{
		"projectName": stStr("shop"), "serviceName": stStr("db"), "mode": stStr(mode),
		"resourceGroupName": stStr(stGroup), "location": stStr("eastus"),
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func pgInputs(mode string, extra map[string]property.Value) map[string]property.Value {
	in := stInputs(mode, map[string]property.Value{"delegatedSubnetId": stStr(stDbNet), "privateDnsZoneId": stStr(stPgZone)})
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func redisInputs(mode string, extra map[string]property.Value) map[string]property.Value {
	in := stInputs(mode, map[string]property.Value{"serviceName": stStr("cache"),
		"endpointSubnetId": stStr(stPeNet), "privateDnsZoneId": stStr(stAmrZone)})
	for k, v := range extra {
		in[k] = v
	}
	return in
}

func llmInputs(mode string, models ...string) map[string]property.Value {
	return stInputs(mode, map[string]property.Value{"serviceName": stStr("llm"), "models": stStrs(models...)})
}

var azureName = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)

func TestManagedPostgresPerMode(t *testing.T) {
	want := map[string]struct {
		sku, tier, ha string
		backups       float64
	}{
		"affordable":        {"Standard_B1ms", "Burstable", "Disabled", 7},
		"balanced":          {"Standard_B2s", "Burstable", "Disabled", 7},
		"high_availability": {"Standard_D2ds_v5", "GeneralPurpose", "ZoneRedundant", 30},
	}
	for _, mode := range stModes {
		t.Run(mode, func(t *testing.T) {
			w := want[mode]
			res, state := stConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs(mode, nil))
			server := stOne(t, res, stPostgresServer)
			stOne(t, res, stRandomPassword)
			if n := len(stOfType(res, stPostgresDB)); n != 0 {
				t.Errorf("the postgres database always exists; %d databases created", n)
			}

			checks := map[string][2]any{
				"public access":    {stIn(server, "network", "publicNetworkAccess"), "Disabled"},
				"delegated subnet": {stIn(server, "network", "delegatedSubnetResourceId"), stDbNet},
				"private DNS zone": {stIn(server, "network", "privateDnsZoneArmResourceId"), stPgZone},
				"HA":               {stIn(server, "highAvailability", "mode"), w.ha},
				"backup days":      {stIn(server, "backup", "backupRetentionDays"), w.backups},
				"geo backup":       {stIn(server, "backup", "geoRedundantBackup"), "Disabled"},
				"sku":              {stIn(server, "sku", "name"), w.sku},
				"tier":             {stIn(server, "sku", "tier"), w.tier},
				"version":          {stIn(server, "version"), "16"},
				"login":            {stIn(server, "administratorLogin"), "postgres"},
				"password":         {stIn(server, "administratorLoginPassword"), plan.SecretMarker},
				"password auth":    {stIn(server, "authConfig", "passwordAuth"), "Enabled"},
				"resource group":   {stIn(server, "resourceGroupName"), stGroup},
				"location":         {stIn(server, "location"), "eastus"},
			}
			for what, c := range checks {
				if c[0] != c[1] {
					t.Errorf("%s: got %v, want %v", what, c[0], c[1])
				}
			}
			if name, _ := stIn(server, "serverName").(string); name != "shop-dev-db-144d3c" {
				t.Errorf("server name %q", name)
			}
			if fqdn := state.Get("fqdn").AsString(); fqdn != "shop-dev-db-144d3c.postgres.database.azure.com" {
				t.Errorf("fqdn %q", fqdn)
			}
			if state.Get("port").AsNumber() != 5432 || state.Get("username").AsString() != "postgres" || state.Get("database").AsString() != "postgres" {
				t.Errorf("outputs: %v", state)
			}
			generated := fakecloud.RandomPassword(stOne(t, res, stRandomPassword).Name)
			if all := stJSON(t, res) + stJSON(t, state); strings.Contains(all, generated) || strings.Contains(all, "assword\":\"Plan") {
				t.Error("the generated password shows in plain text")
			}
			res2, state2 := stConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs(mode, nil))
			if stJSON(t, res) != stJSON(t, res2) || stJSON(t, state) != stJSON(t, state2) {
				t.Error("the same inputs give different resources or outputs")
			}
		})
	}
}

func TestManagedPostgresUserDatabaseVersion(t *testing.T) {
	const given = "Plain-Text-Passw0rd"
	res, state := stConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs("balanced", map[string]property.Value{
		"username": stStr("django"), "database": stStr("djangodatabase"), "version": stStr("14"), "password": stStr(given),
	}))
	server := stOne(t, res, stPostgresServer)
	if stIn(server, "administratorLogin") != "django" || stIn(server, "version") != "14" || stIn(server, "administratorLoginPassword") != plan.SecretMarker {
		t.Errorf("server: %v", server.Inputs)
	}
	if n := len(stOfType(res, stRandomPassword)); n != 0 {
		t.Errorf("a given password must not be generated (%d generated)", n)
	}
	db := stOne(t, res, stPostgresDB)
	if stIn(db, "databaseName") != "djangodatabase" || stIn(db, "serverName") != "shop-dev-db-144d3c" || stIn(db, "resourceGroupName") != stGroup {
		t.Errorf("database: %v", db.Inputs)
	}
	if state.Get("database").AsString() != "djangodatabase" || state.Get("username").AsString() != "django" {
		t.Errorf("outputs: %v", state)
	}
	if strings.Contains(stJSON(t, res)+stJSON(t, state), given) {
		t.Error("a given password shows in plain text")
	}

	// POSTGRES_DB defaults to the user, as in the postgres image.
	res, _ = stConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs("affordable", map[string]property.Value{"username": stStr("huginn")}))
	if db := stOne(t, res, stPostgresDB); stIn(db, "databaseName") != "huginn" {
		t.Errorf("database: %v", db.Inputs)
	}

	for tag, want := range map[string]string{"16.4": "16", "15-alpine": "15", "pg16": "16", "latest": "16", "": "16"} {
		res, _ := stConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs("affordable", map[string]property.Value{"version": stStr(tag)}))
		if got := stIn(stOne(t, res, stPostgresServer), "version"); got != want {
			t.Errorf("tag %q: version %v, want %s", tag, got, want)
		}
	}
	if err := stConstructErr(t, "defang:azure:ManagedPostgres", pgInputs("affordable", map[string]property.Value{"version": stStr("17")})); !strings.Contains(err.Error(), "Azure") || !strings.Contains(err.Error(), "16") {
		t.Errorf("PostgreSQL 17 should fail naming Azure's limit: %v", err)
	}
	for _, user := range []string{"admin", "azure_superuser", "pg_app", "app-user"} {
		err := stConstructErr(t, "defang:azure:ManagedPostgres", pgInputs("affordable", map[string]property.Value{"username": stStr(user)}))
		if !strings.Contains(err.Error(), "POSTGRES_USER") || !strings.Contains(err.Error(), `service "db"`) {
			t.Errorf("user %s: %v", user, err)
		}
	}
	if err := stConstructErr(t, "defang:azure:ManagedPostgres", pgInputs("affordable", map[string]property.Value{"database": stStr("azure_sys")})); !strings.Contains(err.Error(), "POSTGRES_DB") {
		t.Errorf("azure_sys is reserved: %v", err)
	}
	for _, bad := range []string{"short1A", "alllowercaseletters", "has space in it but only lowercase"} {
		err := stConstructErr(t, "defang:azure:ManagedPostgres", pgInputs("affordable", map[string]property.Value{"password": stStr(bad)}))
		if !strings.Contains(err.Error(), `service "db"`) || strings.Contains(err.Error(), bad) {
			t.Errorf("a password Azure refuses should fail naming the service, not the password: %v", err)
		}
	}
	for _, missing := range []string{"delegatedSubnetId", "privateDnsZoneId", "resourceGroupName"} {
		in := pgInputs("affordable", nil)
		delete(in, missing)
		if err := stConstructErr(t, "defang:azure:ManagedPostgres", in); !strings.Contains(err.Error(), missing) {
			t.Errorf("without %s: %v", missing, err)
		}
	}
}

func TestManagedStoresAzureLongNames(t *testing.T) {
	long := strings.Repeat("very-long-project-name-", 4)
	names := map[string]bool{}
	for _, svc := range []string{strings.Repeat("service", 10) + "-a", strings.Repeat("service", 10) + "-b"} {
		extra := map[string]property.Value{"projectName": stStr(long), "serviceName": stStr(svc)}
		res, _ := stConstruct(t, "defang:azure:ManagedPostgres", "x", pgInputs("affordable", extra))
		server, _ := stIn(stOne(t, res, stPostgresServer), "serverName").(string)
		res, _ = stConstruct(t, "defang:azure:ManagedRedis", "x", redisInputs("affordable", extra))
		cluster, _ := stIn(stOne(t, res, stRedisCluster), "clusterName").(string)
		endpoint, _ := stIn(stOne(t, res, stEndpoint), "privateEndpointName").(string)
		res, _ = stConstruct(t, "defang:azure:LlmGateway", "x", map[string]property.Value{
			"projectName": stStr(long), "serviceName": stStr(svc), "resourceGroupName": stStr(stGroup), "models": stStrs("ai/smollm2")})
		account, _ := stIn(stOne(t, res, stAccount), "accountName").(string)
		for _, c := range []struct {
			what, name string
			max        int
		}{{"server", server, 63}, {"cluster", cluster, 60}, {"private endpoint", endpoint, 80}, {"AI account", account, 64}} {
			if len(c.name) > c.max || !azureName.MatchString(c.name) || strings.Contains(c.name, "--") {
				t.Errorf("%s name %q (%d characters, at most %d)", c.what, c.name, len(c.name), c.max)
			}
			if names[c.what+c.name] {
				t.Errorf("%s name %q is not unique", c.what, c.name)
			}
			names[c.what+c.name] = true
		}
	}
}

func TestManagedRedisPerMode(t *testing.T) {
	want := map[string]struct {
		sku, ha string
		aof     bool
	}{
		"affordable":        {"Balanced_B0", "Disabled", false},
		"balanced":          {"Balanced_B0", "Disabled", false},
		"high_availability": {"Balanced_B5", "Enabled", true},
	}
	for _, mode := range stModes {
		t.Run(mode, func(t *testing.T) {
			w := want[mode]
			res, state := stConstruct(t, "defang:azure:ManagedRedis", "shop-cache", redisInputs(mode, nil))
			cluster := stOne(t, res, stRedisCluster)
			db := stOne(t, res, stRedisDB)
			pe := stOne(t, res, stEndpoint)
			zones := stOne(t, res, stZoneGroup)
			if len(res) != 5 {
				t.Errorf("want the component, cluster, database, endpoint and zone group; got %d resources", len(res))
			}
			checks := map[string][2]any{
				"cluster name":      {stIn(cluster, "clusterName"), "shop-dev-cache-144d3c"},
				"sku":               {stIn(cluster, "sku", "name"), w.sku},
				"high availability": {stIn(cluster, "highAvailability"), w.ha},
				"TLS":               {stIn(cluster, "minimumTlsVersion"), "1.2"},
				"location":          {stIn(cluster, "location"), "eastus"},
				"database name":     {stIn(db, "databaseName"), "default"},
				"database cluster":  {stIn(db, "clusterName"), "shop-dev-cache-144d3c"},
				"client protocol":   {stIn(db, "clientProtocol"), "Encrypted"},
				"port":              {stIn(db, "port"), 10000.0},
				"clustering":        {stIn(db, "clusteringPolicy"), "EnterpriseCluster"},
				"eviction":          {stIn(db, "evictionPolicy"), "NoEviction"},
				"access keys":       {stIn(db, "accessKeysAuthentication"), "Enabled"},
				"AOF":               {stIn(db, "persistence", "aofEnabled") == true, w.aof},
				"endpoint subnet":   {stIn(pe, "subnet", "id"), stPeNet},
				"endpoint group":    {stJSON(t, stIn(pe, "privateLinkServiceConnections", "0", "groupIds")), `["redisEnterprise"]`},
				"zone":              {stIn(zones, "privateDnsZoneConfigs", "0", "privateDnsZoneId"), stAmrZone},
			}
			for what, c := range checks {
				if c[0] != c[1] {
					t.Errorf("%s: got %v, want %v", what, c[0], c[1])
				}
			}
			if target, _ := stIn(pe, "privateLinkServiceConnections", "0", "privateLinkServiceId").(string); !strings.HasSuffix(target, "/shop-dev-cache-144d3c") {
				t.Errorf("the private endpoint targets %q, not the cluster", target)
			}
			if stIn(zones, "privateEndpointName") != stIn(pe, "privateEndpointName") {
				t.Errorf("the zone group is not the endpoint's: %v", zones.Inputs)
			}
			all := stJSON(t, res)
			if strings.Contains(all, `"publicNetworkAccess":"Enabled"`) || strings.Contains(all, "firewall") || strings.Contains(all, "0.0.0.0") {
				t.Error("the cache must not be opened to the public")
			}
			if state.Get("host").AsString() != "shop-dev-cache-144d3c.eastus.redis.azure.net" || state.Get("port").AsNumber() != 10000 ||
				!state.Get("tls").AsBool() || state.Get("clusterName").AsString() != "shop-dev-cache-144d3c" {
				t.Errorf("outputs: %v", state)
			}
			if strings.Contains(all+stJSON(t, state), "PlanRedisKey") {
				t.Error("the access key shows in the plan")
			}
		})
	}
	if err := stConstructErr(t, "defang:azure:ManagedRedis", redisInputs("fast", nil)); !strings.Contains(err.Error(), "mode") {
		t.Errorf("bad mode: %v", err)
	}
}

func TestLlmGatewayPerMode(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		capacity float64
	}{{"affordable", 10}, {"balanced", 50}, {"high_availability", 100}} {
		t.Run(tc.mode, func(t *testing.T) {
			res, state := stConstruct(t, "defang:azure:LlmGateway", "shop-llm",
				llmInputs(tc.mode, "ai/smollm2", "chat-default", "ai/mxbai-embed-large", "ai/llama3.3"))
			account := stOne(t, res, stAccount)
			checks := map[string][2]any{
				"kind":          {stIn(account, "kind"), "AIServices"},
				"sku":           {stIn(account, "sku", "name"), "S0"},
				"name":          {stIn(account, "accountName"), "shop-dev-llm-144d3c"},
				"subdomain":     {stIn(account, "properties", "customSubDomainName"), "shop-dev-llm-144d3c"},
				"local auth":    {stIn(account, "properties", "disableLocalAuth"), false},
				"public access": {stIn(account, "properties", "publicNetworkAccess"), "Enabled"},
			}
			for what, c := range checks {
				if c[0] != c[1] {
					t.Errorf("%s: got %v, want %v", what, c[0], c[1])
				}
			}

			wantModels := map[string]string{"gpt-4o-mini": "2024-07-18", "text-embedding-3-small": "1", "gpt-4o": "2024-11-20"}
			deployments := stOfType(res, stDeployment)
			if len(deployments) != len(wantModels) {
				t.Fatalf("want one deployment per distinct model (%d), got %d", len(wantModels), len(deployments))
			}
			byURN := map[string]plan.Resource{}
			for _, d := range deployments {
				byURN[d.URN] = d
				name, _ := stIn(d, "deploymentName").(string)
				if stIn(d, "properties", "model", "name") != name || stIn(d, "properties", "model", "version") != wantModels[name] ||
					stIn(d, "properties", "model", "format") != "OpenAI" {
					t.Errorf("deployment %s: %v", name, d.Inputs)
				}
				if stIn(d, "sku", "name") != "GlobalStandard" || stIn(d, "sku", "capacity") != tc.capacity {
					t.Errorf("deployment %s sku: %v", name, stIn(d, "sku"))
				}
				if stIn(d, "accountName") != "shop-dev-llm-144d3c" {
					t.Errorf("deployment %s account: %v", name, stIn(d, "accountName"))
				}
			}
			// Deployments are created one at a time: every one but the
			// first depends on another deployment.
			chained := 0
			for _, d := range deployments {
				for _, dep := range d.DependsOn {
					if _, ok := byURN[dep]; ok {
						chained++
						break
					}
				}
			}
			if chained != len(deployments)-1 {
				t.Errorf("%d of %d deployments wait for another", chained, len(deployments))
			}

			if u := state.Get("baseUrl").AsString(); u != "https://shop-dev-llm-144d3c.openai.azure.com/openai/v1/" {
				t.Errorf("baseUrl %s", u)
			}
			if e := state.Get("endpoint").AsString(); e != "https://shop-dev-llm-144d3c.cognitiveservices.azure.com/" {
				t.Errorf("endpoint %s", e)
			}
			gotMap := map[string]string{}
			for k, v := range state.Get("deployments").AsMap().All {
				gotMap[k] = v.AsString()
			}
			wantMap := map[string]string{"ai/smollm2": "gpt-4o-mini", "chat-default": "gpt-4o-mini",
				"ai/mxbai-embed-large": "text-embedding-3-small", "ai/llama3.3": "gpt-4o"}
			if stJSON(t, gotMap) != stJSON(t, wantMap) || state.Get("defaultDeployment").AsString() != "gpt-4o-mini" {
				t.Errorf("deployments %v, default %v", gotMap, state.Get("defaultDeployment"))
			}
			if strings.Contains(stJSON(t, res)+stJSON(t, state), "PlanAiKey") {
				t.Error("the API key shows in the plan")
			}
		})
	}
	if err := stConstructErr(t, "defang:azure:LlmGateway", llmInputs("affordable")); !strings.Contains(err.Error(), "models") {
		t.Errorf("no models: %v", err)
	}
}

func TestAzureModelAliases(t *testing.T) {
	for alias, want := range map[string]azure.AzureModel{
		"default":                  {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat},
		"chat-default":             {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat},
		"ai/smollm2":               {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat},
		"AI/SmolLM2:360M-Q4_K_M":   {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat},
		"ai/llama3.2:3B-Q4_K_M":    {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat},
		"ai/gemma3":                {Name: "gpt-4.1-mini", Version: "2025-04-14", Kind: azure.ModelChat},
		"ai/llama3.3":              {Name: "gpt-4o", Version: "2024-11-20", Kind: azure.ModelChat},
		"embedding-default":        {Name: "text-embedding-3-small", Version: "1", Kind: azure.ModelEmbedding},
		"ai/embeddinggemma":        {Name: "text-embedding-3-small", Version: "1", Kind: azure.ModelEmbedding},
		"gpt-4.1":                  {Name: "gpt-4.1", Version: "2025-04-14", Kind: azure.ModelChat},
		"openai/gpt-4o":            {Name: "gpt-4o", Version: "2024-11-20", Kind: azure.ModelChat},
		"text-embedding-3-large":   {Name: "text-embedding-3-large", Version: "1", Kind: azure.ModelEmbedding},
		"some/unknown-model":       {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat, Fallback: true},
		"my-custom-embed:latest":   {Name: "text-embedding-3-small", Version: "1", Kind: azure.ModelEmbedding, Fallback: true},
		"anthropic.claude-3-haiku": {Name: "gpt-4o-mini", Version: "2024-07-18", Kind: azure.ModelChat, Fallback: true},
	} {
		if got := azure.ResolveAzureModel(alias); got != want {
			t.Errorf("%s: got %+v, want %+v", alias, got, want)
		}
	}
}

// stMocks runs components under pulumi's own mocks with the fake Azure, so
// that the Go-only secrets (AdminPassword, AccessKey, ApiKey) can be read.
type stMocks struct{}

func (stMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	inputs := resource.FromResourcePropertyMap(args.Inputs)
	if args.TypeToken == stRandomPassword {
		return "none", resource.ToResourcePropertyMap(inputs.Set("result", property.New(fakecloud.RandomPassword(args.Name)).WithSecret(true))), nil
	}
	id, state := fakecloud.AzureState(args.TypeToken, args.Name, inputs)
	return id, resource.ToResourcePropertyMap(state), nil
}

func (stMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	out, err := fakecloud.AzureInvoke(args.Token, resource.FromResourcePropertyMap(args.Args))
	return resource.ToResourcePropertyMap(out), err
}

func TestManagedStoreSecretsAreSecret(t *testing.T) {
	var mu sync.Mutex
	got := map[string]string{}
	secret := map[string]bool{}
	record := func(what string, o pulumi.StringOutput) {
		secret[what] = pulumi.IsSecret(o)
		o.ApplyT(func(v string) string {
			mu.Lock()
			defer mu.Unlock()
			got[what] = v
			return v
		})
	}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		rg := pulumi.String(stGroup)
		pg, err := azure.NewManagedPostgres(ctx, "shop-db", azure.ManagedPostgresArgs{ProjectName: "shop", ServiceName: "db",
			ResourceGroupName: rg, DelegatedSubnetId: pulumi.String(stDbNet), PrivateDnsZoneId: pulumi.String(stPgZone)})
		if err != nil {
			return err
		}
		redis, err := azure.NewManagedRedis(ctx, "shop-cache", azure.ManagedRedisArgs{ProjectName: "shop", ServiceName: "cache",
			ResourceGroupName: rg, EndpointSubnetId: pulumi.String(stPeNet), PrivateDnsZoneId: pulumi.String(stAmrZone)})
		if err != nil {
			return err
		}
		llm, err := azure.NewLlmGateway(ctx, "shop-llm", azure.LlmGatewayArgs{ProjectName: "shop", ServiceName: "llm",
			Models: []string{"ai/smollm2"}, ResourceGroupName: rg})
		if err != nil {
			return err
		}
		// The fake generated password ends in "Password": a login of
		// "password" makes it contain part of the login, which Azure refuses.
		pw, err := azure.NewManagedPostgres(ctx, "shop-pw", azure.ManagedPostgresArgs{ProjectName: "shop", ServiceName: "pw", Username: "password",
			ResourceGroupName: rg, DelegatedSubnetId: pulumi.String(stDbNet), PrivateDnsZoneId: pulumi.String(stPgZone)})
		if err != nil {
			return err
		}
		record("postgres password", pg.AdminPassword())
		record("password of login password", pw.AdminPassword())
		record("redis key", redis.AccessKey())
		record("llm key", llm.ApiKey())
		return nil
	}, pulumi.WithMocks("shop", "dev", stMocks{}))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if p := got["password of login password"]; !strings.HasPrefix(p, "Plan") || len(p) != len(fakecloud.RandomPassword("shop-pw-password")) {
		t.Errorf("password of login password: %q", p)
	} else {
		for i := 0; i+3 <= len(p); i++ {
			if strings.Contains("password", strings.ToLower(p[i:i+3])) {
				t.Errorf("password %q contains %q, part of the login", p, p[i:i+3])
			}
		}
	}
	for what, prefix := range map[string]string{"postgres password": "Plan", "redis key": "PlanRedisKey1", "llm key": "PlanAiKey1", "password of login password": "Plan"} {
		if !secret[what] {
			t.Errorf("%s is not secret", what)
		}
		if !strings.HasPrefix(got[what], prefix) {
			t.Errorf("%s: got %q, want the fake cloud's value", what, got[what])
		}
	}
}

// Global names (server, cluster, AI subdomain) carry a suffix of the
// subscription and location: the same project and stack elsewhere gets
// other names, the same place the same ones.
func TestAzureGlobalNamesFollowSubscriptionAndLocation(t *testing.T) {
	if azure.LlmAccountName("shop", "dev", "llm", "144d3c") != "shop-dev-llm-144d3c" {
		t.Errorf("account name: %s", azure.LlmAccountName("shop", "dev", "llm", "144d3c"))
	}
	names := map[string]bool{}
	for _, loc := range []string{"eastus", "westeurope"} {
		res, _ := caConstruct(t, "defang:azure:ManagedPostgres", "shop-db", pgInputs("balanced", map[string]property.Value{"location": stStr(loc)}))
		names[stIn(caOne(t, res, "azure-native:dbforpostgresql/v20240801:Server"), "serverName").(string)] = true
	}
	if len(names) != 2 {
		t.Errorf("two locations should give two server names: %v", names)
	}
}
