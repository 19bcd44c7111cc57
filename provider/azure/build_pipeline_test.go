package azure_test

// Component tests of defang:azure:BuildPipeline, per mode: the registry and
// storage security settings (no shared keys), the deployer's storage roles,
// the ImageBuild's inputs, determinism (an unchanged context changes no
// input, an edited one changes its build's digest) and naming limits. The
// build itself (upload, SAS, ACR run, statuses, log tail) is
// defang:azure:ImageBuild's, tested in image_build_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
	"github.com/DefangLabs/pulumi-defang/provider/propjson"
)

const (
	bpToken      = "defang:azure:BuildPipeline"
	azImageBuild = "defang:azure:ImageBuild"
)

func bpStr(s string) property.Value { return property.New(s) }

func bpObj(m map[string]property.Value) property.Value { return property.New(property.NewMap(m)) }

func bpArr(vs ...property.Value) property.Value { return property.New(property.NewArray(vs)) }

// bpContext writes a build context with a Dockerfile and an app file.
func bpContext(t *testing.T, app string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":    "FROM alpine AS base\nCOPY app.txt /app.txt\nFROM base AS prod\n",
		"app.txt":       app,
		".dockerignore": "secret.txt\n",
		"secret.txt":    "not packed",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func bpInputs(mode, project string, builds ...property.Value) map[string]property.Value {
	return map[string]property.Value{
		"projectName":       bpStr(project),
		"mode":              bpStr(mode),
		"resourceGroupName": bpStr(azure.ResourceGroupName(project, "dev", "eastus")),
		"location":          bpStr("eastus"),
		"builds":            bpArr(builds...),
	}
}

func bpWebBuild(dir string) property.Value {
	return bpObj(map[string]property.Value{
		"service": bpStr("web"), "context": bpStr(dir), "target": bpStr("prod"),
		"platform": bpStr("linux/arm64"),
		"args":     bpObj(map[string]property.Value{"VERSION": bpStr("1.2"), "ALPHA": bpStr("a b")}),
	})
}

var (
	bpCompact = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	bpDashed  = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
)

// bpPlan constructs the pipeline through plan.Construct and checks that
// every child has a parent. Secrets render as plan.SecretMarker.
func bpPlan(t *testing.T, inputs map[string]property.Value) ([]plan.Resource, map[string]any) {
	t.Helper()
	res, state, err := plan.Construct(context.Background(), plan.Target{Token: bpToken, Name: "shop", Project: "shop"},
		property.NewMap(inputs))
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	for _, r := range res {
		if r.Type != bpToken && r.Parent == "" {
			t.Errorf("%s has no parent", r.URN)
		}
	}
	return res, propjson.Map(state)
}

func bpPlanErr(inputs map[string]property.Value) error {
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: bpToken, Name: "shop", Project: "shop"},
		property.NewMap(inputs))
	return err
}

func TestBuildPipelinePerMode(t *testing.T) {
	for _, tc := range []struct {
		mode, sku     string
		zoneRedundant bool
	}{
		{"affordable", "Basic", false},
		{"balanced", "Basic", false},
		{"high_availability", "Premium", true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := bpContext(t, "v1")
			res, out := bpPlan(t, bpInputs(tc.mode, "shop", bpWebBuild(dir)))

			reg := caOne(t, res, "azure-native:containerregistry:Registry").Inputs
			if got := caAt(reg, "sku", "name"); got != tc.sku {
				t.Errorf("registry sku: got %v, want %s", got, tc.sku)
			}
			if got := caAt(reg, "adminUserEnabled"); got != false {
				t.Errorf("registry adminUserEnabled: got %v, want false", got)
			}
			if got := caAt(reg, "zoneRedundancy"); (got == "Enabled") != tc.zoneRedundant {
				t.Errorf("registry zoneRedundancy: got %v", got)
			}
			name, _ := caAt(reg, "registryName").(string)
			if !bpCompact.MatchString(name) || len(name) < 5 || len(name) > 50 {
				t.Errorf("registry name %q: want 5-50 lowercase letters and digits", name)
			}

			sa := caOne(t, res, "azure-native:storage:StorageAccount").Inputs
			for key, want := range map[string]any{
				"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false,
				"allowSharedKeyAccess": false, "allowCrossTenantReplication": false, "kind": "StorageV2",
				"defaultToOAuthAuthentication": true,
			} {
				if got := caAt(sa, key); got != want {
					t.Errorf("storage account %s: got %v, want %v", key, got, want)
				}
			}
			account, _ := caAt(sa, "accountName").(string)
			if !bpCompact.MatchString(account) || len(account) < 3 || len(account) > 24 {
				t.Errorf("storage account name %q: want 3-24 lowercase letters and digits", account)
			}
			if got := caAt(caOne(t, res, "azure-native:storage:BlobContainer").Inputs, "publicAccess"); got != "None" {
				t.Errorf("container publicAccess: got %v, want None", got)
			}

			digest, err := buildcontext.Digest(dir, "Dockerfile")
			if err != nil {
				t.Fatal(err)
			}
			if n := len(caOfType(res, "azure-native:storage:Blob")) + len(caOfType(res, "azure-native:containerregistry:TaskRun")); n != 0 {
				t.Errorf("%d azure-native blobs or task runs: the ImageBuild uploads and builds", n)
			}
			build := caOne(t, res, azImageBuild)
			registryID := "/subscriptions/" + fakecloud.SubscriptionID + "/resourceGroups/" +
				azure.ResourceGroupName("shop", "dev", "eastus") + "/providers/Microsoft.ContainerRegistry/registries/" + name
			accountID := "/subscriptions/" + fakecloud.SubscriptionID + "/resourceGroups/" +
				azure.ResourceGroupName("shop", "dev", "eastus") + "/providers/Microsoft.Storage/storageAccounts/" + account
			for key, want := range map[string]any{
				"contextPath": dir, "contextDigest": digest, "dockerfile": "Dockerfile", "target": "prod",
				"platform": "linux/arm64", "buildArgs": map[string]any{"ALPHA": "a b", "VERSION": "1.2"},
				"registryId": registryID, "repositoryUrl": name + ".azurecr.io/web",
				"containerUrl": "https://" + account + ".blob.core.windows.net/builds",
			} {
				if got := build.Inputs[key]; !reflect.DeepEqual(got, want) {
					t.Errorf("ImageBuild %s: got %v, want %v", key, got, want)
				}
			}

			// The deployer, and only it, may write the contexts and sign
			// the builds' read SAS; each grant on one resource.
			grants := caOfType(res, "azure-native:authorization:RoleAssignment")
			wantGrants := map[string]string{
				accountID + "/blobServices/default/containers/builds": "ba92f5b4-2d11-453d-a403-e96b0029c9fe", // Storage Blob Data Contributor
				accountID: "db58b8e5-c6ad-4a2a-8342-4190687cbf4a", // Storage Blob Delegator
			}
			if len(grants) != len(wantGrants) {
				t.Fatalf("role assignments: got %d, want %d", len(grants), len(wantGrants))
			}
			for _, g := range grants {
				scope := fmt.Sprint(g.Inputs["scope"])
				role, ok := wantGrants[scope]
				if !ok || !strings.HasSuffix(fmt.Sprint(g.Inputs["roleDefinitionId"]), "/roleDefinitions/"+role) {
					t.Errorf("role assignment %s: scope %s, role %v", g.Name, scope, g.Inputs["roleDefinitionId"])
				}
				if g.Inputs["principalId"] != fakecloud.DeployerObjectID {
					t.Errorf("role assignment %s: principal %v, want the deployer %s", g.Name, g.Inputs["principalId"], fakecloud.DeployerObjectID)
				}
				if pt, set := g.Inputs["principalType"]; set {
					t.Errorf("role assignment %s: principalType %v; the deployer may be a user or a service principal", g.Name, pt)
				}
				if !bpContains(build.DependsOn, "::"+g.Name) {
					t.Errorf("the ImageBuild does not wait for the role assignment %s: %v", g.Name, build.DependsOn)
				}
			}

			if b, _ := json.Marshal([]any{res, out}); strings.Contains(string(b), "sig=") {
				t.Error("a SAS signature is in the plan in plain text")
			}

			loginServer := name + ".azurecr.io"
			if out["registryLoginServer"] != loginServer || out["registryName"] != name || out["storageAccountName"] != account {
				t.Errorf("outputs: %v", out)
			}
			if id := fmt.Sprint(out["registryId"]); !strings.HasPrefix(id, "/subscriptions/") || !strings.HasSuffix(id, "/"+name) {
				t.Errorf("registryId: got %s", id)
			}
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(loginServer) + `/web@sha256:[0-9a-f]{64}$`).MatchString(fmt.Sprint(caAt(out, "imageUris", "web"))) {
				t.Errorf("imageUris.web: got %v, want %s/web@sha256:<digest>", caAt(out, "imageUris", "web"), loginServer)
			}
		})
	}
}

func bpContains(list []string, suffix string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

func TestBuildPipelineRebuildsOnlyOnChange(t *testing.T) {
	web, api := bpContext(t, "web v1"), bpContext(t, "api v1")
	apiBuild := bpObj(map[string]property.Value{"service": bpStr("api"), "context": bpStr(api)})
	snapshot := func() map[string]any {
		res, _ := bpPlan(t, bpInputs("balanced", "shop", bpWebBuild(web), apiBuild))
		out := map[string]any{}
		for _, r := range res {
			out[r.Type+"::"+r.Name] = r.Inputs
		}
		return out
	}
	first, second := snapshot(), snapshot()
	if !reflect.DeepEqual(first, second) {
		t.Fatalf("an unchanged context changed resource inputs:\nfirst  %v\nsecond %v", first, second)
	}

	if err := os.WriteFile(filepath.Join(web, "app.txt"), []byte("web v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file .dockerignore excludes is not part of the context.
	if err := os.WriteFile(filepath.Join(api, "secret.txt"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := snapshot()

	buildOf := func(s map[string]any, svc string) map[string]any {
		m, _ := s[azImageBuild+"::shop-"+svc].(map[string]any)
		return m
	}
	if buildOf(first, "web")["contextDigest"] == buildOf(third, "web")["contextDigest"] {
		t.Error("editing web's context did not change its ImageBuild's contextDigest")
	}
	if !reflect.DeepEqual(buildOf(first, "api"), buildOf(third, "api")) {
		t.Errorf("api's ImageBuild changed although its context did not:\n%v\n%v", buildOf(first, "api"), buildOf(third, "api"))
	}

	// A changed build setting alone changes that input, not the digest.
	changed := bpObj(map[string]property.Value{"service": bpStr("api"), "context": bpStr(api), "target": bpStr("base")})
	res, _ := bpPlan(t, bpInputs("balanced", "shop", bpWebBuild(web), changed))
	for _, r := range caOfType(res, azImageBuild) {
		if r.Name == "shop-api" && (r.Inputs["target"] != "base" || r.Inputs["contextDigest"] != buildOf(third, "api")["contextDigest"]) {
			t.Errorf("a new target: got %v", r.Inputs)
		}
	}
}

func TestBuildPipelineSharedContext(t *testing.T) {
	dir := bpContext(t, "shared")
	res, _ := bpPlan(t, bpInputs("affordable", "shop",
		bpObj(map[string]property.Value{"service": bpStr("worker"), "context": bpStr(dir)}),
		bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(dir), "target": bpStr("base")}),
	))
	builds := caOfType(res, azImageBuild)
	if len(builds) != 2 {
		t.Fatalf("image builds: got %d, want 2", len(builds))
	}
	// One digest (so one blob, contexts/<digest>.tar.gz), two repositories.
	if builds[0].Inputs["contextDigest"] != builds[1].Inputs["contextDigest"] {
		t.Errorf("one context, two digests: %v %v", builds[0].Inputs["contextDigest"], builds[1].Inputs["contextDigest"])
	}
	if builds[0].Inputs["repositoryUrl"] == builds[1].Inputs["repositoryUrl"] {
		t.Errorf("two services share the repository %v", builds[0].Inputs["repositoryUrl"])
	}
	for _, b := range builds {
		if b.Inputs["platform"] != "linux/amd64" {
			t.Errorf("default platform: got %v", b.Inputs["platform"])
		}
	}
}

func TestBuildPipelineLongNames(t *testing.T) {
	project := "an-extremely-long-project-name-that-goes-on-and-on-for-ever-and-ever-" + strings.Repeat("x", 40)
	service := "Service_With.A-Very-Long-Name-" + strings.Repeat("y", 60)
	res, _ := bpPlan(t, bpInputs("high_availability", project,
		bpObj(map[string]property.Value{"service": bpStr(service), "context": bpStr(bpContext(t, "x"))})))
	reg, _ := caAt(caOne(t, res, "azure-native:containerregistry:Registry").Inputs, "registryName").(string)
	if !bpCompact.MatchString(reg) || len(reg) > 50 {
		t.Errorf("registry name %q (%d): want at most 50 lowercase letters and digits", reg, len(reg))
	}
	sa, _ := caAt(caOne(t, res, "azure-native:storage:StorageAccount").Inputs, "accountName").(string)
	if !bpCompact.MatchString(sa) || len(sa) > 24 {
		t.Errorf("storage account name %q (%d): want at most 24 lowercase letters and digits", sa, len(sa))
	}
	repo := fmt.Sprint(caOne(t, res, azImageBuild).Inputs["repositoryUrl"])
	if !regexp.MustCompile(`^`+reg+`\.azurecr\.io/[a-z0-9]+([._-][a-z0-9]+)*$`).MatchString(repo) || len(repo) > 256 {
		t.Errorf("repository %s: want a valid lower-case repository of the registry", repo)
	}

	// Another project with the same long prefix gets other names.
	res2, _ := bpPlan(t, bpInputs("high_availability", project+"z",
		bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(bpContext(t, "x"))})))
	if reg2 := caAt(caOne(t, res2, "azure-native:containerregistry:Registry").Inputs, "registryName"); reg2 == reg {
		t.Errorf("two long project names share the registry name %s", reg)
	}
	if sa2 := caAt(caOne(t, res2, "azure-native:storage:StorageAccount").Inputs, "accountName"); sa2 == sa {
		t.Errorf("two long project names share the storage account name %s", sa)
	}
}

func TestBuildPipelineErrors(t *testing.T) {
	good := bpContext(t, "v1")
	noDockerfile := t.TempDir()
	for name, tc := range map[string]struct {
		inputs map[string]property.Value
		want   string
	}{
		"relative context": {bpInputs("affordable", "shop",
			bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr("./web")})), "absolute path"},
		"missing Dockerfile": {bpInputs("affordable", "shop",
			bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(noDockerfile)})), "not found"},
		"bad platform": {bpInputs("affordable", "shop",
			bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(good), "platform": bpStr("darwin/arm64")})), "Linux and Windows"},
		"bad build arg": {bpInputs("affordable", "shop",
			bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(good),
				"args": bpObj(map[string]property.Value{"A=B": bpStr("x")})})), "without '='"},
		"same repository": {bpInputs("affordable", "shop",
			bpObj(map[string]property.Value{"service": bpStr("Web"), "context": bpStr(good)}),
			bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(good)})), "same repository"},
		"unknown mode": {bpInputs("cheap", "shop"), "unknown mode"},
	} {
		t.Run(name, func(t *testing.T) {
			err := bpPlanErr(tc.inputs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// Without builds the pipeline still creates the registry and the storage,
// and no build.
func TestBuildPipelineWithoutBuilds(t *testing.T) {
	res, out := bpPlan(t, bpInputs("balanced", "shop"))
	for typ, want := range map[string]int{
		"azure-native:containerregistry:Registry": 1, "azure-native:storage:StorageAccount": 1,
		"azure-native:storage:BlobContainer": 1, azImageBuild: 0,
	} {
		if got := len(caOfType(res, typ)); got != want {
			t.Errorf("%s: got %d, want %d", typ, got, want)
		}
	}
	if v := fmt.Sprint(out["registryLoginServer"]); !strings.HasSuffix(v, ".azurecr.io") {
		t.Errorf("registryLoginServer: %v", v)
	}
}
