package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/DefangLabs/pulumi-defang/tests/standin"
)

// TestTypeScriptExample is the life of examples/aws-typescript: up, an up
// with nothing changed, an edit of one service, destroy.
func TestTypeScriptExample(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	dir := w.copyExample("aws-typescript")
	w.installNode(dir)
	w.newStack(dir)

	// 1. First up creates everything.
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	kind, result, changes := w.lastUpdate(dir)
	if kind != "update" || result != "succeeded" || changes["create"] == 0 || changes.changed() != changes["create"] {
		t.Fatalf("first up: %s %s %v, want a succeeded update that only creates", kind, result, changes)
	}
	state := w.export(dir)
	w.assertDeploymentInvariants(state, nil)
	assertShopOutputs(t, w.outputs(dir), "")
	if n := len(state.ofType("aws:ec2/vpc:Vpc")); n != 1 {
		t.Errorf("%d VPCs in the state, want 1", n)
	}
	assertManagedStores(t, state)
	if got := countPrefix(w.awsAPI.Calls(), "StartBuild"); got != 1 {
		t.Errorf("%d CodeBuild builds for the one service built from source, want 1 (calls %v)", got, w.awsAPI.Calls())
	}
	created := countCalls(w.aws.Calls(), "Create")
	if want := len(customOfPackage(state, "aws:")); created != want {
		t.Errorf("the aws stand-in saw %d creates, the state holds %d aws resources", created, want)
	}

	// 2. A second up with nothing changed changes nothing, by the engine's
	// own count, and starts no build.
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if kind, result, changes := w.lastUpdate(dir); result != "succeeded" || changes.changed() != 0 {
		t.Errorf("second up: %s %s %v, want no changes", kind, result, changes)
	}
	if got := countPrefix(w.awsAPI.Calls(), "StartBuild"); got != 1 {
		t.Errorf("the unchanged second up started a build (%d in all)", got)
	}

	// 3. An edit of one service's environment touches only that service.
	compose := filepath.Join(dir, "compose.yaml")
	editCompose(t, compose, "      DATABASE_URL:", "      LOG_LEVEL: debug\n      DATABASE_URL:")
	steps, summary := w.preview(dir)
	if len(steps) == 0 {
		t.Fatalf("preview of the edited compose file shows no change (summary %v)", summary)
	}
	api := serviceComponent(t, state, "api")
	for _, s := range steps {
		owner, ok := state.ancestorOfType(s.URN, "defang:aws:FargateService")
		if !ok || owner.URN != api.URN {
			t.Errorf("editing api's environment would %s %s, which is not part of the api service", s.Op, s.URN)
		}
	}
	// What pulumi-aws does: a task definition revision is immutable (every
	// field ForceNew in terraform-provider-aws), so the edit registers a new
	// revision of api's task definition (a replace) and moves api's ECS
	// service to it (an update), and nothing else.
	wantOps := []string{"replace aws:ecs/taskDefinition:TaskDefinition", "update aws:ecs/service:Service"}
	if got := stepOps(steps); !slices.Equal(got, wantOps) {
		t.Errorf("preview of api's environment edit: %v, want %v", got, wantOps)
	}
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	_, result, changes = w.lastUpdate(dir)
	if result != "succeeded" || changes.changed() != len(steps) || changes["replace"] != 1 || changes["update"] != 1 {
		t.Errorf("edit up: %s %v, want exactly the %d previewed changes to api (replace 1, update 1)", result, changes, len(steps))
	}
	edited := w.export(dir)
	w.assertDeploymentInvariants(edited, nil)
	for _, svc := range edited.ofType("aws:ecs/service:Service") {
		if !strings.Contains(svc.URN, "api") {
			continue
		}
		if td, _ := svc.Inputs["taskDefinition"].(string); !strings.HasSuffix(td, ":2") {
			t.Errorf("api's service runs task definition %q after the edit, want revision 2", td)
		}
	}

	// 4. Destroy leaves nothing, in the state or in the stand-in's cloud.
	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	if kind, result, _ := w.lastUpdate(dir); kind != "destroy" || result != "succeeded" {
		t.Errorf("destroy: %s %s", kind, result)
	}
	if left := w.export(dir).resources; len(left) != 0 {
		t.Errorf("%d resources left in the state after destroy", len(left))
	}
	assertCloudEmpty(t, w.aws)
}

// TestPluginFromReleaseArchive installs the plugin the way users do, from the
// release archive `make dist` built, with no plugin on PATH, and deploys the
// TypeScript example with it.
func TestPluginFromReleaseArchive(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: false})
	archive := requireEnv(t, "DEFANG_PLUGIN_ARCHIVE")
	version := requireEnv(t, "DEFANG_VERSION")
	w.pulumi(w.dir, "plugin", "install", "resource", "defang", version, "--file", archive)

	var plugins []struct {
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		Version string `json:"version"`
	}
	mustJSON(t, w.pulumi(w.dir, "plugin", "ls", "--json"), &plugins)
	found := false
	for _, p := range plugins {
		found = found || (p.Name == "defang" && p.Kind == "resource" && p.Version == version)
	}
	if !found {
		t.Fatalf("plugin ls does not list resource defang %s: %+v", version, plugins)
	}

	dir := w.copyExample("aws-typescript")
	w.installNode(dir)
	w.newStack(dir)
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, result, changes := w.lastUpdate(dir); result != "succeeded" || changes["create"] == 0 {
		t.Fatalf("up with the installed plugin: %s %v", result, changes)
	}
	w.assertDeploymentInvariants(w.export(dir), nil)
	assertShopOutputs(t, w.outputs(dir), "")
	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	assertCloudEmpty(t, w.aws)
}

// TestExistingVPC deploys examples/existing-vpc-typescript: the program makes
// its own VPC with @pulumi/aws and hands it to the Project, which must not
// plan a second one.
func TestExistingVPC(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	dir := w.copyExample("existing-vpc-typescript")
	w.installNode(dir)
	w.newStack(dir)

	steps, _ := w.preview(dir)
	vpcs := 0
	for _, s := range steps {
		if strings.Contains(s.URN, "::aws:ec2/vpc:Vpc::") || strings.Contains(s.URN, "$aws:ec2/vpc:Vpc::") {
			vpcs++
		}
	}
	if vpcs != 1 {
		t.Errorf("preview plans %d VPCs, want only the program's own", vpcs)
	}

	w.pulumi(dir, "up", "--yes", "--skip-preview")
	state := w.export(dir)
	userVPCs := state.ofType("aws:ec2/vpc:Vpc")
	if len(userVPCs) != 1 {
		t.Fatalf("%d VPCs in the state, want 1", len(userVPCs))
	}
	if _, under := state.ancestorOfType(userVPCs[0].URN, "defang:index:Project"); under {
		t.Errorf("the VPC was created by the Project, not adopted")
	}
	ownedByProgram := func(r stateResource) bool {
		_, under := state.ancestorOfType(r.URN, "defang:index:Project")
		return !under && strings.HasPrefix(r.Type, "aws:ec2/")
	}
	w.assertDeploymentInvariants(state, ownedByProgram)
	for _, r := range state.resources {
		if _, under := state.ancestorOfType(r.URN, "defang:index:Project"); under &&
			(r.Type == "aws:ec2/subnet:Subnet" || r.Type == "aws:ec2/internetGateway:InternetGateway" || r.Type == "aws:ec2/natGateway:NatGateway") {
			t.Errorf("the Project created network resource %s in an adopted VPC", r.URN)
		}
	}
	assertShopOutputs(t, w.outputs(dir), userVPCs[0].ID)

	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	assertCloudEmpty(t, w.aws)
}

// --- helpers ---------------------------------------------------------------------

// editCompose replaces the first occurrence of old in a compose file.
func editCompose(t *testing.T, path, old, replacement string) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q to edit", path, old)
	}
	must(t, os.WriteFile(path, []byte(strings.Replace(string(b), old, replacement, 1)), 0o644))
}

// serviceComponent finds the FargateService component of a compose service.
func serviceComponent(t *testing.T, s stackState, service string) stateResource {
	t.Helper()
	for _, r := range s.ofType("defang:aws:FargateService") {
		if strings.HasSuffix(r.URN, "::"+service) || strings.HasSuffix(r.URN, "-"+service) {
			return r
		}
	}
	t.Fatalf("no defang:aws:FargateService for %q in the state", service)
	return stateResource{}
}

// stepOps lists preview steps as "op type", sorted.
func stepOps(steps []previewStep) []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.Op + " " + string(resource.URN(s.URN).Type())
	}
	slices.Sort(out)
	return out
}

// customOfPackage lists the custom resources of a provider package.
func customOfPackage(s stackState, prefix string) []stateResource {
	var out []stateResource
	for _, r := range s.resources {
		if r.Custom && strings.HasPrefix(r.Type, prefix) && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			out = append(out, r)
		}
	}
	return out
}

func countCalls(calls []standin.Call, method string) int {
	n := 0
	for _, c := range calls {
		if c.Method == method && !c.Preview {
			n++
		}
	}
	return n
}

func countPrefix(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// assertCloudEmpty checks that the stand-in deleted everything it created.
func assertCloudEmpty(t *testing.T, s *standin.Server) {
	t.Helper()
	live := map[string]bool{}
	for _, c := range s.Calls() {
		switch {
		case c.Method == "Create" && !c.Preview:
			live[c.URN] = true
		case c.Method == "Delete":
			delete(live, c.URN)
		}
	}
	for _, urn := range sortedKeys(live) {
		t.Errorf("the %s stand-in still holds %s", s.Name, urn)
	}
}

// assertManagedStores checks the example's db and cache: encrypted managed
// stores, and the api's values pointing at their endpoints (TLS for Redis).
func assertManagedStores(t *testing.T, s stackState) {
	t.Helper()
	dbs, caches := s.ofType("aws:rds/instance:Instance"), s.ofType("aws:elasticache/replicationGroup:ReplicationGroup")
	if len(dbs) != 1 || len(caches) != 1 {
		t.Fatalf("%d RDS instances and %d ElastiCache groups, want one of each", len(dbs), len(caches))
	}
	if dbs[0].Inputs["storageEncrypted"] != true || dbs[0].Inputs["publiclyAccessible"] == true {
		t.Errorf("RDS instance: storageEncrypted %v, publiclyAccessible %v", dbs[0].Inputs["storageEncrypted"], dbs[0].Inputs["publiclyAccessible"])
	}
	if caches[0].Inputs["atRestEncryptionEnabled"] != true || caches[0].Inputs["transitEncryptionEnabled"] != true {
		t.Errorf("ElastiCache: atRest %v, transit %v", caches[0].Inputs["atRestEncryptionEnabled"], caches[0].Inputs["transitEncryptionEnabled"])
	}
	redisHost, _ := caches[0].Outputs["primaryEndpointAddress"].(string)
	for _, td := range s.ofType("aws:ecs/taskDefinition:TaskDefinition") {
		defs, _ := td.Inputs["containerDefinitions"].(string)
		if strings.Contains(td.URN, "::shop-api") && !strings.Contains(defs, `"rediss://`+redisHost+`:6379/0"`) {
			t.Errorf("the api's REDIS_URL does not point at the ElastiCache endpoint %q over TLS:\n%s", redisHost, defs)
		}
	}
}

// TestGeneratedPasswordIsStable deploys a managed Postgres whose compose
// service sets no password: the master password is generated once (random),
// never shows in plain text in the state, and a second up changes nothing.
func TestGeneratedPasswordIsStable(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	dir := w.copyExample("aws-typescript")
	must(t, os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(`name: shop
services:
  api:
    image: hashicorp/http-echo:1.0
    command: ["-listen=:5678", "-text=hello"]
    ports: [{target: 5678, mode: host}]
    environment:
      DATABASE_HOST: db
    deploy: {resources: {reservations: {memory: 512M}}}
  db:
    image: postgres:17
    x-defang-postgres: true
    ports: [{target: 5432, mode: host}]
`), 0o644))
	w.installNode(dir)
	w.newStack(dir)

	w.pulumi(dir, "up", "--yes", "--skip-preview")
	var generated string
	for _, c := range w.random.Calls() {
		if c.Method == "Create" && !c.Preview && c.Type == "random:index/randomPassword:RandomPassword" {
			if v, ok := c.Outputs["result"]; ok {
				if v.IsSecret() {
					v = v.SecretValue().Element
				}
				generated = v.StringValue()
			}
		}
	}
	if len(generated) < 16 {
		t.Fatalf("no generated password came from the random provider (calls: %d)", len(w.random.Calls()))
	}
	w.secrets = append(w.secrets, generated)
	state := w.export(dir)
	w.assertDeploymentInvariants(state, nil) // includes: no plaintext secret
	if len(state.ofType("random:index/randomPassword:RandomPassword")) != 1 {
		t.Errorf("want one generated password in the state")
	}

	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, _, changes := w.lastUpdate(dir); changes.changed() != 0 {
		t.Errorf("second up with a generated password: %v, want no changes", changes)
	}
	w.assertNoPlaintext("stack export after the second up", w.export(dir).raw)
	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	assertCloudEmpty(t, w.aws)
}
