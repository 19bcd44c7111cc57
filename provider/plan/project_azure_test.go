package plan

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/propjson"
)

// appEnv returns a Container App's environment: plain values by name, and
// the names that are secret references.
func appEnv(t *testing.T, res *Result, name string) (map[string]string, []string) {
	t.Helper()
	app := find(res, "azure-native:app/v20240301:ContainerApp", name)
	if app == nil {
		t.Fatalf("no Container App %s", name)
	}
	tmpl, _ := app.Inputs["template"].(map[string]any)
	containers, _ := tmpl["containers"].([]any)
	plain, refs := map[string]string{}, []string{}
	for _, x := range containers[0].(map[string]any)["env"].([]any) {
		v := x.(map[string]any)
		if value, ok := v["value"].(string); ok {
			plain[v["name"].(string)] = value
		} else if v["secretRef"] != nil {
			refs = append(refs, v["name"].(string))
		}
	}
	return plain, refs
}

// The example app, with only the cloud changed, plans on Azure: the
// Project's outputs name the resource group, environment and the web's
// https URL, the stores are managed, and every value that names another
// service reaches its Azure address.
func TestProjectPlanOfTheExampleOnAzure(t *testing.T) {
	opts := Options{ComposeFiles: []string{exampleCompose}, Cloud: "azure", Mode: "balanced", Config: exampleConfig}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	assertPlanInvariants(t, res, exampleConfig)
	assertAzureInvariants(t, res)

	if res.Outputs["resourceGroupName"] != "defang-shop-dev-eastus" || !strings.Contains(res.Outputs["environmentId"].(string), "/managedEnvironments/") &&
		!strings.Contains(res.Outputs["environmentId"].(string), "ManagedEnvironment") {
		t.Errorf("Azure handles: %v %v", res.Outputs["resourceGroupName"], res.Outputs["environmentId"])
	}
	if res.Outputs["vpcId"] != "" || res.Outputs["clusterName"] != "" {
		t.Errorf("AWS handles should be empty on Azure: %v", res.Outputs)
	}
	endpoints, _ := res.Outputs["endpoints"].(map[string]any)
	web, _ := endpoints["web"].(string)
	if !strings.HasPrefix(web, "https://web.") || !strings.HasSuffix(web, ".azurecontainerapps.io") {
		t.Errorf("endpoints.web = %q, want https://web.<environment domain>", web)
	}
	services, _ := res.Outputs["services"].(map[string]any)
	for name, kind := range map[string]string{"web": "ingress", "api": "private", "db": "managed", "cache": "managed"} {
		s, _ := services[name].(map[string]any)
		if s["kind"] != kind {
			t.Errorf("services.%s.kind = %v, want %s", name, s["kind"], kind)
		}
	}
	if img, _ := services["web"].(map[string]any)["image"].(string); !strings.Contains(img, ".azurecr.io/web@sha256:") {
		t.Errorf("web runs %q, want the ACR image by digest", img)
	}

	// web reaches api on its TCP port by app name; SESSION_SECRET is a Key
	// Vault reference; api's store URLs are secrets of their own (one holds
	// the password, the other Redis's access key).
	plain, refs := appEnv(t, res, "shop-web")
	if plain["API_URL"] != "http://api:5678" || strings.Join(refs, ",") != "SESSION_SECRET" {
		t.Errorf("web env: %v, secret refs %v", plain, refs)
	}
	plain, refs = appEnv(t, res, "shop-api")
	if len(plain) != 0 || strings.Join(refs, ",") != "DATABASE_URL,REDIS_URL" {
		t.Errorf("api env: %v, secret refs %v", plain, refs)
	}
	for _, name := range []string{"shop-env-api-DATABASE_URL", "shop-env-api-REDIS_URL", "shop-config-SESSION_SECRET", "shop-config-DB_PASSWORD"} {
		s := find(res, "azure-native:keyvault:Secret", name)
		if s == nil {
			t.Errorf("no Key Vault secret %s", name)
			continue
		}
		if props, _ := s.Inputs["properties"].(string); props != SecretMarker {
			if m, _ := s.Inputs["properties"].(map[string]any); m["value"] != SecretMarker {
				t.Errorf("%s: value not secret: %v", name, s.Inputs["properties"])
			}
		}
	}

	// What the secrets hold, revealed only by this test's switch.
	opts.revealSecrets = true
	revealed, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string) string {
		s := find(revealed, "azure-native:keyvault:Secret", name)
		b, _ := json.Marshal(s.Inputs["properties"])
		return string(b)
	}
	if v := value("shop-env-api-REDIS_URL"); !strings.Contains(v, "rediss://:") || !strings.Contains(v, "@shop-dev-cache-144d3c.eastus.redis.azure.net:10000/0") {
		t.Errorf("REDIS_URL should be rediss://:<key>@<host>:10000/0, got %s", v)
	}
	if v := value("shop-env-api-DATABASE_URL"); !strings.Contains(v, "postgres://shop:"+secretValue("DB_PASSWORD")+"@shop-dev-db-144d3c.postgres.database.azure.com:5432/shop") {
		t.Errorf("DATABASE_URL should reach the server's FQDN, got %s", v)
	}
}

// An external HTTP app named in a value is reached at its https address,
// and an LLM provider service at its AI Foundry account.
func TestAzureAddressesOfExternalAppsAndModels(t *testing.T) {
	yaml := `
name: ai
services:
  front:
    image: nginx
    ports: ["8080:8080"]
    environment:
      BACKEND: http://back:9000/api
  back:
    image: nginx
    ports: [{target: 9000, mode: ingress}]
    environment:
      SELF_URL: http://front:8080/
      LLM_BASE: http://llm/api/v1/
    depends_on: [llm]
  llm:
    provider:
      type: model
      options: {model: ai/smollm2}
`
	res, err := Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "azure", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	assertAzureInvariants(t, res)
	plain, _ := appEnv(t, res, "ai-back")
	if !strings.HasPrefix(plain["SELF_URL"], "https://front.") || !strings.HasSuffix(plain["SELF_URL"], ".azurecontainerapps.io/") {
		t.Errorf("SELF_URL = %q, want https://front.<domain>/", plain["SELF_URL"])
	}
	base := "https://ai-dev-llm-144d3c.openai.azure.com/openai/v1/" // suffix: the subscription and location
	if plain["LLM_BASE"] != base || plain["LLM_URL"] != base || plain["LLM_MODEL"] != "gpt-4o-mini" {
		t.Errorf("LLM values: %v", plain)
	}
	_, refs := appEnv(t, res, "ai-back")
	if strings.Join(refs, ",") != "OPENAI_API_KEY" {
		t.Errorf("back should read the account key from Key Vault: %v", refs)
	}
}

// Without azure.location (and no azure-native:location config), the
// Project says how to set it.
func TestAzureNeedsALocation(t *testing.T) {
	_, _, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: "x"}, property.NewMap(map[string]property.Value{
		"cloud":       property.New("azure"),
		"composeYaml": property.New("services:\n  web:\n    image: nginx\n"),
	}))
	if err == nil || !strings.Contains(err.Error(), "azure.location") {
		t.Errorf("want an error naming azure.location, got %v", err)
	}
}

// With domain and the group of its Azure DNS zone, an external HTTP app is
// also https://<service>--<port>.<domain> and its domainname, with their
// records created in the zone; nothing is left to add by hand.
func TestAzureProjectDomain(t *testing.T) {
	yaml := "name: dom\nservices:\n  web:\n    image: nginx\n    domainname: shop.example.org\n    ports: [\"8080:8080\"]\n  api:\n    image: nginx\n    ports: [{target: 9000, mode: host}]\n"
	resources, state, err := Construct(context.Background(), Target{Token: "defang:index:Project", Name: "dom"}, property.NewMap(map[string]property.Value{
		"cloud":       property.New("azure"),
		"composeYaml": property.New(yaml),
		"domain":      property.New("example.org"),
		"azure": property.New(property.NewMap(map[string]property.Value{
			"location": property.New("westeurope"), "dnsZoneResourceGroupName": property.New("dns"),
		})),
	}))
	if err != nil {
		t.Fatal(err)
	}
	var records []string
	for _, r := range resources {
		if r.Type == "azure-native:network:RecordSet" {
			if r.Inputs["zoneName"] != "example.org" || r.Inputs["resourceGroupName"] != "dns" {
				t.Errorf("%s: not in the zone example.org of group dns: %v", r.Name, r.Inputs)
			}
			records = append(records, r.Inputs["recordType"].(string)+" "+r.Inputs["relativeRecordSetName"].(string))
		}
	}
	want := "CNAME shop,CNAME web--8080,TXT asuid.shop,TXT asuid.web--8080"
	sort.Strings(records)
	if strings.Join(records, ",") != want {
		t.Errorf("records in the zone: %v, want %s", records, want)
	}
	out := propjson.Map(state)
	if eps, _ := out["endpoints"].(map[string]any); eps["web"] != "https://shop.example.org" {
		t.Errorf("endpoints: %v", out["endpoints"])
	}
	if recs, _ := out["dnsRecords"].([]any); len(recs) != 0 {
		t.Errorf("nothing to add by hand: %v", recs)
	}
	services, _ := out["services"].(map[string]any)
	urls, _ := services["web"].(map[string]any)["urls"].([]any)
	if len(urls) != 3 || urls[1] != "https://web--8080.example.org" || urls[2] != "https://shop.example.org" {
		t.Errorf("web urls: %v", urls)
	}
}

// Long project and service names still give valid Azure names: Key Vault
// 3-24 (letters, digits, hyphens), storage account 3-24 lowercase letters
// and digits, registry 5-50 alphanumerics, Container App 2-32 (lowercase,
// digits, hyphens, starting with a letter), and every name of the plan is
// the same on a second run.
func TestAzureNamingLimitsWithLongNames(t *testing.T) {
	project := "an-extremely-long-compose-project-name-for-a-very-big-company"
	service := "the-service-with-a-name-far-beyond-thirty-two-characters"
	yaml := "name: " + project + "\nservices:\n  " + service + ":\n    build: ../../examples/aws-typescript/web\n    ports: [\"8080:8080\"]\n    environment:\n      TOKEN:\n" +
		"  " + service + "-two:\n    image: nginx\n    ports: [{target: 9000, mode: host}]\n"
	opts := Options{ComposeYAML: yaml, Cloud: "azure", Mode: "high_availability", Config: map[string]string{"TOKEN": secretValue("TOKEN")}}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	assertPlanInvariants(t, res, opts.Config)
	check := func(r Resource, key string, max int, pattern string) {
		t.Helper()
		name, _ := r.Inputs[key].(string)
		if len(name) == 0 || len(name) > max || !regexpMatch(pattern, name) {
			t.Errorf("%s %s = %q: want %d characters at most matching %s", r.Type, key, name, max, pattern)
		}
	}
	seen, appNames := map[string]int{}, map[string]bool{}
	for _, r := range res.Resources {
		switch r.Type {
		case "azure-native:keyvault:Vault":
			check(r, "vaultName", 24, `^[a-z][a-z0-9-]{2,23}$`)
		case "azure-native:storage:StorageAccount":
			check(r, "accountName", 24, `^[a-z0-9]{3,24}$`)
		case "azure-native:containerregistry:Registry":
			check(r, "registryName", 50, `^[a-z0-9]{5,50}$`)
		case "azure-native:app/v20240301:ContainerApp":
			check(r, "containerAppName", 32, `^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
			name, _ := r.Inputs["containerAppName"].(string)
			appNames[name] = true
		}
		seen[r.Type]++
	}
	for _, typ := range []string{"azure-native:keyvault:Vault", "azure-native:storage:StorageAccount", "azure-native:containerregistry:Registry"} {
		if seen[typ] != 1 {
			t.Errorf("want one %s, got %d", typ, seen[typ])
		}
	}
	if len(appNames) != 2 {
		t.Errorf("want two Container Apps with distinct names: %v", seen)
	}
	again, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(res)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("a second plan differs from the first")
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }
