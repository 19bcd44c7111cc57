package engine

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/DefangLabs/pulumi-defang/tests/standin"
)

// Azure type tokens the test reads from the state.
const (
	azResourceGroup = "azure-native:resources:ResourceGroup"
	azEnvironment   = "azure-native:app/v20240301:ManagedEnvironment"
	azContainerApp  = "azure-native:app/v20240301:ContainerApp"
	azRegistry      = "azure-native:containerregistry:Registry"
	azPostgres      = "azure-native:dbforpostgresql/v20240801:Server"
	azRedis         = "azure-native:cache/v20250401:RedisEnterprise"
	azVaultSecret   = "azure-native:keyvault:Secret"
)

// TestAzureTypeScriptExample is the life of examples/azure-typescript, the
// AWS TypeScript example's compose app with cloud: "azure", through the real
// CLI, the Node.js host, our plugin and the TypeScript SDK, on the
// azure-native and random stand-ins: up, an up with nothing changed, an edit
// of one service, destroy.
func TestAzureTypeScriptExample(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true, azure: true})
	dir := w.copyExample("azure-typescript")
	w.installNode(dir)
	w.newStack(dir)

	// 1. First up creates everything, building web in ACR with its
	// statuses in the output.
	out := w.pulumi(dir, "up", "--yes", "--skip-preview")
	for _, want := range []string{"BUILD_QUEUED", "BUILD_PROVISIONING", "BUILD_RUNNING", "built "} {
		if !strings.Contains(out, want) {
			t.Errorf("the first up does not show %q:\n%s", want, tail(out, 60))
		}
	}
	kind, result, changes := w.lastUpdate(dir)
	if kind != "update" || result != "succeeded" || changes["create"] == 0 || changes.changed() != changes["create"] {
		t.Fatalf("first up: %s %s %v, want a succeeded update that only creates", kind, result, changes)
	}
	// The keys and signatures the cloud handed out (the Redis access key,
	// the build context's read SAS) are secrets too, from here on.
	w.secrets = append(w.secrets, azureIssuedSecrets(t, w.azure, w.azureAPI)...)
	state := w.export(dir)
	w.assertDeploymentInvariants(state, nil)
	assertAzureShopOutputs(t, state, w.outputs(dir))
	assertAzureStores(t, w.azure, state)
	for _, r := range customOfPackage(state, "aws:") {
		t.Errorf("an Azure deployment holds the AWS resource %s", r.URN)
	}
	assertAzureBuild(t, w.azureAPI, state)
	created := countCalls(w.azure.Calls(), "Create")
	if want := len(customOfPackage(state, "azure-native:")); created != want || want == 0 {
		t.Errorf("the azure-native stand-in saw %d creates, the state holds %d azure-native resources", created, want)
	}

	// 2. A second up with nothing changed changes nothing, by the engine's
	// own count, and runs no build.
	calls := len(w.azure.Calls())
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if kind, result, changes := w.lastUpdate(dir); result != "succeeded" || changes.changed() != 0 {
		t.Errorf("second up: %s %s %v, want no changes", kind, result, changes)
	}
	for _, c := range w.azure.Calls()[calls:] {
		if (c.Method == "Create" || c.Method == "Update") && !c.Preview {
			t.Errorf("the unchanged second up called %s on %s", c.Method, c.URN)
		}
	}

	// 3. An edit of one service's environment touches only that service.
	editCompose(t, filepath.Join(dir, "compose.yaml"), "      DATABASE_URL:", "      LOG_LEVEL: debug\n      DATABASE_URL:")
	steps, summary := w.preview(dir)
	if len(steps) == 0 {
		t.Fatalf("preview of the edited compose file shows no change (summary %v)", summary)
	}
	api := azureServiceComponent(t, state, "api")
	for _, s := range steps {
		owner, ok := state.ancestorOfType(s.URN, "defang:azure:ContainerApp")
		if !ok || owner.URN != api.URN {
			t.Errorf("editing api's environment would %s %s, which is not part of the api service", s.Op, s.URN)
		}
	}
	// What azure-native does: the environment is in the app's template,
	// which updates in place (only the PUT's path parameters and location
	// replace a Container App), so the edit is one update of api's app.
	if got, want := stepOps(steps), []string{"update " + azContainerApp}; !slices.Equal(got, want) {
		t.Errorf("preview of api's environment edit: %v, want %v", got, want)
	}
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	_, result, changes = w.lastUpdate(dir)
	if result != "succeeded" || changes.changed() != len(steps) || changes["update"] != 1 {
		t.Errorf("edit up: %s %v, want exactly the %d previewed change to api (update 1)", result, changes, len(steps))
	}
	w.assertDeploymentInvariants(w.export(dir), nil)
	if got := len(w.azureAPI.Runs()); got != 1 {
		t.Errorf("editing the api ran a build of web (%d ACR runs in all)", got)
	}

	// 4. A failing build fails the update with ACR's status and the tail of
	// the run's log, and keeps the running web; fixed, the next up builds.
	const buildError = "npm ERR! missing script: build"
	w.azureAPI.FailBuilds(buildError)
	server := filepath.Join(dir, "web", "server.py")
	source, err := os.ReadFile(server)
	must(t, err)
	must(t, os.WriteFile(server, append(source, "\n# v2\n"...), 0o644))
	out, err = w.run(dir, true, "pulumi", "up", "--yes", "--skip-preview", "--non-interactive")
	if err == nil {
		t.Fatal("up succeeded although the ACR run failed")
	}
	for _, want := range []string{"BUILD_FAILED", "ended Failed", "Last 30 lines of the build log", buildError, "az acr task logs"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failed up does not show %q:\n%s", want, tail(out, 60))
		}
	}
	w.azureAPI.FailBuilds("")
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, result, changes := w.lastUpdate(dir); result != "succeeded" || changes["replace"] != 1 {
		t.Errorf("up after the fix: %s %v, want web's image build replaced", result, changes)
	}
	assertAzureBuild(t, w.azureAPI, w.export(dir))

	// 5. Destroy leaves nothing, in the state or in the stand-in's cloud.
	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	if kind, result, _ := w.lastUpdate(dir); kind != "destroy" || result != "succeeded" {
		t.Errorf("destroy: %s %s", kind, result)
	}
	if left := w.export(dir).resources; len(left) != 0 {
		t.Errorf("%d resources left in the state after destroy", len(left))
	}
	assertCloudEmpty(t, w.azure)
	assertCloudEmpty(t, w.random)
}

// assertAzureShopOutputs checks the outputs examples/azure-typescript's
// README promises, against what the stand-in cloud answered (as recorded in
// the state): web's public HTTPS address in the Container Apps environment,
// each service's kind, image and private hostname, the resource group and the
// environment.
func assertAzureShopOutputs(t *testing.T, s stackState, outputs map[string]any) {
	t.Helper()
	env := onlyOfType(t, s, azEnvironment)
	domain, _ := env.Outputs["defaultDomain"].(string)
	if domain == "" {
		t.Fatalf("the Container Apps environment has no defaultDomain: %v", env.Outputs)
	}
	registry := onlyOfType(t, s, azRegistry)
	loginServer, _ := registry.Outputs["loginServer"].(string)
	group := onlyOfType(t, s, azResourceGroup)

	endpoints, _ := outputs["endpoints"].(map[string]any)
	if web, _ := endpoints["web"].(string); web != "https://web."+domain {
		t.Errorf("endpoints.web = %q, want https://web.%s (outputs: %v)", web, domain, outputs)
	}
	if len(endpoints) != 1 {
		t.Errorf("endpoints = %v, want web only", endpoints)
	}

	wantHost := map[string]string{"web": "web", "api": "api",
		"db":    stringOutput(onlyOfType(t, s, azPostgres), "fullyQualifiedDomainName"),
		"cache": stringOutput(onlyOfType(t, s, azRedis), "hostName")}
	services, _ := outputs["services"].(map[string]any)
	if len(services) != 4 {
		t.Errorf("services = %v, want web, api, db and cache", sortedKeys(services))
	}
	for name, kind := range map[string]string{"web": "ingress", "api": "private", "db": "managed", "cache": "managed"} {
		svc, _ := services[name].(map[string]any)
		if svc == nil {
			t.Errorf("services.%s is missing (services: %v)", name, services)
			continue
		}
		if got, _ := svc["kind"].(string); got != kind {
			t.Errorf("services.%s.kind = %q, want %q", name, got, kind)
		}
		if got, _ := svc["privateHostname"].(string); got == "" || got != wantHost[name] {
			t.Errorf("services.%s.privateHostname = %q, want %q", name, got, wantHost[name])
		}
	}
	images := map[string]string{}
	for name, svc := range services {
		m, _ := svc.(map[string]any)
		images[name], _ = m["image"].(string)
	}
	if web := images["web"]; loginServer == "" || !regexp.MustCompile(`^`+regexp.QuoteMeta(loginServer)+`/[a-z0-9./_-]+@sha256:[0-9a-f]{64}$`).MatchString(web) {
		t.Errorf("services.web.image = %q, want the image built from ./web in the project's registry %q, by digest", web, loginServer)
	}
	for name, want := range map[string]string{"api": "hashicorp/http-echo:1.0", "db": "postgres:16", "cache": "redis:7"} {
		if images[name] != want {
			t.Errorf("services.%s.image = %q, want the compose image %q", name, images[name], want)
		}
	}
	if web, _ := services["web"].(map[string]any); web != nil {
		if urls, _ := web["urls"].([]any); len(urls) != 1 || urls[0] != "https://web."+domain {
			t.Errorf("services.web.urls = %v, want [https://web.%s]", web["urls"], domain)
		}
	}

	wantGroup := "defang-shop-" + stackName + "-" + location
	if got, _ := outputs["resourceGroupName"].(string); got != wantGroup || group.ID != "/subscriptions/"+azureSubscription+"/resourceGroups/"+wantGroup {
		t.Errorf("resourceGroupName = %q (group %s), want %q", got, group.ID, wantGroup)
	}
	if got, _ := outputs["environmentId"].(string); got == "" || got != env.ID {
		t.Errorf("environmentId = %q, want the Container Apps environment %q", got, env.ID)
	}
}

// azureSubscription is the fake Azure's subscription id.
const azureSubscription = "00000000-0000-0000-0000-000000000000"

// assertAzureStores checks that the api reaches the managed stores: its
// DATABASE_URL and REDIS_URL are Key Vault secrets (the app holds only their
// references) whose values, as the stand-in received them, name the Postgres
// server and the Redis host over TLS with the access key; the values are
// secret all the way to the cloud.
func assertAzureStores(t *testing.T, cloud *standin.Server, s stackState) {
	t.Helper()
	pgHost := stringOutput(onlyOfType(t, s, azPostgres), "fullyQualifiedDomainName")
	redisHost := stringOutput(onlyOfType(t, s, azRedis), "hostName")
	// The stand-in's calls hold what the engine sent it: secrets as secret
	// values, readable here.
	values := map[string]resource.PropertyValue{}
	for _, c := range cloud.Calls() {
		if c.Method == "Create" && !c.Preview && c.Type == azVaultSecret {
			values[resource.URN(c.URN).Name()] = c.Inputs["properties"]
		}
	}
	find := func(name string) (value string, secret bool) {
		props, ok := values[name]
		if !ok {
			t.Errorf("no Key Vault secret %s was created (secrets: %v)", name, sortedKeys(values))
			return "", true
		}
		for props.IsSecret() {
			secret, props = true, props.SecretValue().Element
		}
		v := resource.NewNullProperty()
		if props.IsObject() {
			v = props.ObjectValue()["value"]
		}
		for v.IsSecret() {
			secret, v = true, v.SecretValue().Element
		}
		if !v.IsString() {
			t.Errorf("Key Vault secret %s has no string value: %v", name, props)
			return "", secret
		}
		return v.StringValue(), secret
	}
	dbURL, dbSecret := find("shop-env-api-DATABASE_URL")
	if !strings.HasPrefix(dbURL, "postgres://shop:") || !strings.Contains(dbURL, "@"+pgHost+":5432/shop") {
		t.Errorf("the api's DATABASE_URL does not reach the PostgreSQL server %s", pgHost)
	}
	redisURL, redisSecret := find("shop-env-api-REDIS_URL")
	if !regexp.MustCompile(`^rediss://:[^@]+@` + regexp.QuoteMeta(redisHost) + `:10000(/0)?$`).MatchString(redisURL) {
		t.Errorf("the api's REDIS_URL does not reach the Redis host %s over TLS with its key", redisHost)
	}
	if !dbSecret || !redisSecret {
		t.Errorf("the Key Vault values reach the cloud unmarked: DATABASE_URL secret %v, REDIS_URL secret %v", dbSecret, redisSecret)
	}
	for _, app := range s.ofType(azContainerApp) {
		if b, _ := json.Marshal(app.Inputs); strings.Contains(app.URN, "::shop-api") && strings.Contains(string(b), "postgres://") {
			t.Errorf("the api's Container App holds DATABASE_URL itself, not a Key Vault reference")
		}
	}
}

// --- helpers ---------------------------------------------------------------------

// azureIssuedSecrets are the secrets the fake cloud handed out: the Redis
// access keys (the azure-native stand-in's listDatabaseKeys) and the
// signatures of the builds' read SAS (the Azure API fake's runs).
func azureIssuedSecrets(t *testing.T, cloud *standin.Server, api *standin.AzureAPI) []string {
	t.Helper()
	var out []string
	add := func(v resource.PropertyValue) {
		for v.IsSecret() {
			v = v.SecretValue().Element
		}
		if v.IsString() && len(v.StringValue()) >= 8 {
			out = append(out, v.StringValue())
		}
	}
	for _, c := range cloud.Calls() {
		if c.Method == "Invoke" && c.Error == "" && c.Token == "azure-native:cache/v20250401:listDatabaseKeys" {
			add(c.Outputs["primaryKey"])
			add(c.Outputs["secondaryKey"])
		}
	}
	for _, r := range api.Runs() {
		if sig := r.SAS.Get("sig"); sig != "" {
			out = append(out, sig, url.QueryEscape(sig))
		}
	}
	if len(out) < 3 {
		t.Errorf("the deployment listed %d keys and signatures (want a Redis key pair and a build SAS)", len(out))
	}
	return out
}

// assertAzureBuild checks the last ACR run: it built web's context, read
// through a user delegation SAS, and the state's image is its push.
func assertAzureBuild(t *testing.T, api *standin.AzureAPI, state stackState) {
	t.Helper()
	runs := api.Runs()
	if len(runs) == 0 {
		t.Fatal("no ACR run")
	}
	run := runs[len(runs)-1]
	if run.Status != "Succeeded" || len(run.Source) == 0 || run.SAS.Get("sr") != "b" || run.SAS.Get("sp") != "r" || run.SAS.Get("skoid") == "" {
		t.Errorf("ACR run %s: %s, %d source bytes, SAS %v", run.ID, run.Status, len(run.Source), run.SAS.Get("sp"))
	}
	build := onlyOfType(t, state, "defang:azure:ImageBuild")
	if got := stringOutput(build, "imageUri"); !strings.HasSuffix(got, "/web@"+run.Digest) || stringOutput(build, "runId") != run.ID {
		t.Errorf("ImageBuild imageUri %s runId %s, want web@%s from run %s", got, stringOutput(build, "runId"), run.Digest, run.ID)
	}
}

// onlyOfType is the one resource of typ in the state.
func onlyOfType(t *testing.T, s stackState, typ string) stateResource {
	t.Helper()
	rs := s.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("%d %s in the state, want 1", len(rs), typ)
	}
	return rs[0]
}

func stringOutput(r stateResource, key string) string {
	v, _ := r.Outputs[key].(string)
	return v
}

// azureServiceComponent finds the ContainerApp component of a compose service.
func azureServiceComponent(t *testing.T, s stackState, service string) stateResource {
	t.Helper()
	for _, r := range s.ofType("defang:azure:ContainerApp") {
		if strings.HasSuffix(r.URN, "::shop-"+service) {
			return r
		}
	}
	t.Fatalf("no defang:azure:ContainerApp for %q in the state", service)
	return stateResource{}
}

// countCreates counts the (non-preview) creates of one resource type.
func countCreates(calls []standin.Call, typ string) int {
	n := 0
	for _, c := range calls {
		if c.Method == "Create" && !c.Preview && c.Type == typ {
			n++
		}
	}
	return n
}
