package azure_test

// Component tests of defang:azure:BuildPipeline, per mode: the registry and
// storage security settings, the context blob named by digest, the TaskRun's
// build inputs, determinism (an unchanged context changes no input, an
// edited one changes the blob and the run) and naming limits.
//
// Most tests construct the component through plan.Construct (the shared
// mock monitor and fake Azure, which answers the SAS invoke through
// fakecloud.RegisterAzureInvoke). A few need what that monitor does not
// offer: secret values revealed (the SAS URL), the packed file behind the
// blob's asset, or a failed ACR run; they use bpConstruct, the same
// integration server with a monitor of their own.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

const bpToken = "defang:azure:BuildPipeline"

// bpRes is one registered resource.
type bpRes struct {
	Type, Name, Parent string
	Custom             bool
	Inputs             property.Map
}

// bpWorld is a construction's registrations and outputs.
type bpWorld struct {
	res   []bpRes
	state property.Map
}

func (w bpWorld) ofType(typ string) []bpRes {
	var out []bpRes
	for _, r := range w.res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func (w bpWorld) one(t *testing.T, typ string) bpRes {
	t.Helper()
	rs := w.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("%s: got %d, want 1", typ, len(rs))
	}
	return rs[0]
}

// bpConstruct runs the component under the integration server. mutate, when
// set, may change a custom resource's fake state (a failed run).
func bpConstruct(inputs map[string]property.Value, mutate func(typ string, state property.Map) property.Map) (bpWorld, error) {
	prov, err := provider.New()
	if err != nil {
		return bpWorld{}, err
	}
	var mu sync.Mutex
	var res []bpRes
	mocks := &integration.MockResourceMonitor{
		CallF: func(args integration.MockCallArgs) (property.Map, error) {
			return fakecloud.AzureInvoke(string(args.Token), args.Args)
		},
		NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
			parent := ""
			if args.RegisterRPC != nil {
				parent = args.RegisterRPC.GetParent()
			}
			mu.Lock()
			res = append(res, bpRes{Type: string(args.TypeToken), Name: args.Name, Parent: parent, Custom: args.Custom, Inputs: args.Inputs})
			mu.Unlock()
			if !args.Custom {
				return "", property.Map{}, nil
			}
			id, state := fakecloud.AzureState(string(args.TypeToken), args.Name, args.Inputs)
			if mutate != nil {
				state = mutate(string(args.TypeToken), state)
			}
			return id, state, nil
		},
	}
	server, err := integration.NewServer(context.Background(), provider.Name, semver.MustParse("1.0.0"),
		integration.WithProvider(prov), integration.WithMocks(mocks))
	if err != nil {
		return bpWorld{}, err
	}
	urn := presource.NewURN("dev", "shop", "", tokens.Type(bpToken), "shop")
	resp, err := server.Construct(p.ConstructRequest{Urn: urn, Inputs: property.NewMap(inputs)})
	if err != nil {
		return bpWorld{}, err
	}
	return bpWorld{res: res, state: resp.State}, nil
}

func bpMustConstruct(t *testing.T, inputs map[string]property.Value) bpWorld {
	t.Helper()
	w, err := bpConstruct(inputs, nil)
	if err != nil {
		t.Fatalf("construct: %v", err)
	}
	for _, r := range w.res {
		if r.Type != bpToken && r.Parent == "" {
			t.Errorf("%s %s has no parent", r.Type, r.Name)
		}
	}
	return w
}

// bpPlain turns a value into plain Go values; secrets are revealed.
func bpPlain(v property.Value) any {
	switch {
	case v.IsComputed():
		return "[unknown]"
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsString():
		return v.AsString()
	case v.IsArray():
		out := []any{}
		for _, e := range v.AsArray().All {
			out = append(out, bpPlain(e))
		}
		return out
	case v.IsMap():
		out := map[string]any{}
		for k, e := range v.AsMap().All {
			out[k] = bpPlain(e)
		}
		return out
	case v.IsAsset():
		return "asset:" + v.AsAsset().Path
	}
	return fmt.Sprintf("[%v]", v)
}

func bpIn(r bpRes, path ...string) any {
	var cur any = bpPlain(property.New(r.Inputs))
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

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

// bpIsolateCache points the packed-context cache at a temporary directory.
func bpIsolateCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
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
	return res, bpPlain(property.New(state)).(map[string]any)
}

func bpPlanErr(inputs map[string]property.Value) error {
	_, _, err := plan.Construct(context.Background(), plan.Target{Token: bpToken, Name: "shop", Project: "shop"},
		property.NewMap(inputs))
	return err
}

func bpOfType(res []plan.Resource, typ string) []plan.Resource {
	var out []plan.Resource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func bpOne(t *testing.T, res []plan.Resource, typ string) plan.Resource {
	t.Helper()
	rs := bpOfType(res, typ)
	if len(rs) != 1 {
		t.Fatalf("%s: got %d, want 1", typ, len(rs))
	}
	return rs[0]
}

// bpAt walks plain JSON-like values.
func bpAt(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestBuildPipelinePerMode(t *testing.T) {
	bpIsolateCache(t)
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

			reg := bpOne(t, res, "azure-native:containerregistry:Registry").Inputs
			if got := bpAt(reg, "sku", "name"); got != tc.sku {
				t.Errorf("registry sku: got %v, want %s", got, tc.sku)
			}
			if got := bpAt(reg, "adminUserEnabled"); got != false {
				t.Errorf("registry adminUserEnabled: got %v, want false", got)
			}
			if got := bpAt(reg, "zoneRedundancy"); (got == "Enabled") != tc.zoneRedundant {
				t.Errorf("registry zoneRedundancy: got %v", got)
			}
			name, _ := bpAt(reg, "registryName").(string)
			if !bpCompact.MatchString(name) || len(name) < 5 || len(name) > 50 {
				t.Errorf("registry name %q: want 5-50 lowercase letters and digits", name)
			}

			sa := bpOne(t, res, "azure-native:storage:StorageAccount").Inputs
			for key, want := range map[string]any{
				"enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false,
				"allowSharedKeyAccess": true, "allowCrossTenantReplication": false, "kind": "StorageV2",
				"defaultToOAuthAuthentication": true,
			} {
				if got := bpAt(sa, key); got != want {
					t.Errorf("storage account %s: got %v, want %v", key, got, want)
				}
			}
			account, _ := bpAt(sa, "accountName").(string)
			if !bpCompact.MatchString(account) || len(account) < 3 || len(account) > 24 {
				t.Errorf("storage account name %q: want 3-24 lowercase letters and digits", account)
			}
			if got := bpAt(bpOne(t, res, "azure-native:storage:BlobContainer").Inputs, "publicAccess"); got != "None" {
				t.Errorf("container publicAccess: got %v, want None", got)
			}

			digest, err := buildcontext.Digest(dir, "Dockerfile")
			if err != nil {
				t.Fatal(err)
			}
			hexDigest := strings.TrimPrefix(digest, "sha256:")
			blob := bpOne(t, res, "azure-native:storage:Blob").Inputs
			if got, want := bpAt(blob, "blobName"), "contexts/"+hexDigest+".tar.gz"; got != want {
				t.Errorf("blob name: got %v, want %s", got, want)
			}

			run := bpOne(t, res, "azure-native:containerregistry:TaskRun")
			if got := bpAt(run.Inputs, "forceUpdateTag"); got != digest {
				t.Errorf("forceUpdateTag: got %v, want the context digest %s", got, digest)
			}
			req, _ := bpAt(run.Inputs, "runRequest").(map[string]any)
			for key, want := range map[string]any{
				"type": "DockerBuildRequest", "dockerFilePath": "Dockerfile", "target": "prod", "isPushEnabled": true,
				"timeout": 3600.0, "sourceLocation": plan.SecretMarker,
			} {
				if req[key] != want {
					t.Errorf("runRequest.%s: got %v, want %v", key, req[key], want)
				}
			}
			if got, want := req["platform"], map[string]any{"os": "Linux", "architecture": "arm64"}; !reflect.DeepEqual(got, want) {
				t.Errorf("runRequest.platform: got %v, want %v", got, want)
			}
			wantArgs := []any{
				map[string]any{"name": "ALPHA", "value": "a b", "isSecret": false},
				map[string]any{"name": "VERSION", "value": "1.2", "isSecret": false},
			}
			if !reflect.DeepEqual(req["arguments"], wantArgs) {
				t.Errorf("runRequest.arguments: got %v, want %v", req["arguments"], wantArgs)
			}
			images, _ := req["imageNames"].([]any)
			if len(images) != 1 || !regexp.MustCompile(`^web:[0-9a-f]{32}$`).MatchString(fmt.Sprint(images[0])) {
				t.Errorf("runRequest.imageNames: got %v, want [web:<32 hex>]", req["imageNames"])
			}
			if !bpContains(run.DependsOn, "::shop-context-"+hexDigest[:16]) {
				t.Errorf("the TaskRun does not depend on its context blob: %v", run.DependsOn)
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
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(loginServer) + `/web@sha256:[0-9a-f]{64}$`).MatchString(fmt.Sprint(bpAt(out, "imageUris", "web"))) {
				t.Errorf("imageUris.web: got %v, want %s/web@sha256:<digest>", bpAt(out, "imageUris", "web"), loginServer)
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

// The SAS URL and the packed file, which the plan does not show: a read-only
// SAS for the one blob with the fixed expiry, secret, and the blob's asset
// is the packed context in the cache, whose digest is the blob's name.
func TestBuildPipelineSASAndPackedContext(t *testing.T) {
	cache := bpIsolateCache(t)
	dir := bpContext(t, "v1")
	w := bpMustConstruct(t, bpInputs("balanced", "shop", bpWebBuild(dir)))
	digest, err := buildcontext.Digest(dir, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	hexDigest := strings.TrimPrefix(digest, "sha256:")
	account := fmt.Sprint(bpIn(w.one(t, "azure-native:storage:StorageAccount"), "accountName"))

	run := w.one(t, "azure-native:containerregistry:TaskRun")
	src := fmt.Sprint(bpIn(run, "runRequest", "sourceLocation"))
	wantURL := "https://" + account + ".blob.core.windows.net/builds/contexts/" + hexDigest + ".tar.gz?"
	for _, want := range []string{wantURL, "sp=r&", "sr=b&", "spr=https&", "se=2099-01-01T00%3A00%3A00Z", "sig="} {
		if !strings.Contains(src, want) {
			t.Errorf("runRequest.sourceLocation %s: want %q in it", src, want)
		}
	}
	if rr, ok := run.Inputs.GetOk("runRequest"); !ok || !bpSecretAt(rr, "sourceLocation") {
		t.Error("runRequest.sourceLocation (a SAS URL) must be secret")
	}

	packed := filepath.Join(cache, "pulumi-defang", "contexts", hexDigest+".tar.gz")
	if got := bpIn(w.one(t, "azure-native:storage:Blob"), "source"); got != "asset:"+packed {
		t.Errorf("blob source: got %v, want the packed context %s", got, packed)
	}
	f, err := os.Open(packed)
	if err != nil {
		t.Fatalf("packed context: %v", err)
	}
	defer f.Close()
	if err := bpCheckArchive(f, []string{".dockerignore", "Dockerfile", "app.txt"}); err != nil {
		t.Error(err)
	}

	// A second construction reuses the packed file and signs the same SAS.
	w2 := bpMustConstruct(t, bpInputs("balanced", "shop", bpWebBuild(dir)))
	if got := fmt.Sprint(bpIn(w2.one(t, "azure-native:containerregistry:TaskRun"), "runRequest", "sourceLocation")); got != src {
		t.Errorf("the SAS URL changed between two runs:\n%s\n%s", src, got)
	}
}

// bpSecretAt reports whether v, or its key field, is secret.
func bpSecretAt(v property.Value, key string) bool {
	if v.Secret() {
		return true
	}
	if !v.IsMap() {
		return false
	}
	f, ok := v.AsMap().GetOk(key)
	return ok && f.Secret()
}

// bpCheckArchive checks that r is a gzip-compressed tar of exactly names.
func bpCheckArchive(r io.Reader, names []string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("packed context: %w", err)
	}
	tr := tar.NewReader(zr)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("packed context: %w", err)
		}
		got = append(got, h.Name)
	}
	if !reflect.DeepEqual(got, names) {
		return fmt.Errorf("packed context holds %v, want %v", got, names)
	}
	return nil
}

func TestBuildPipelineRebuildsOnlyOnChange(t *testing.T) {
	bpIsolateCache(t)
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

	runOf := func(s map[string]any, svc string) map[string]any {
		m, _ := s["azure-native:containerregistry:TaskRun::shop-"+svc].(map[string]any)
		return m
	}
	if runOf(first, "web")["forceUpdateTag"] == runOf(third, "web")["forceUpdateTag"] {
		t.Error("editing web's context did not change its forceUpdateTag")
	}
	if reflect.DeepEqual(bpAt(runOf(first, "web"), "runRequest", "imageNames"), bpAt(runOf(third, "web"), "runRequest", "imageNames")) {
		t.Error("editing web's context did not change its image tag")
	}
	if !reflect.DeepEqual(runOf(first, "api"), runOf(third, "api")) {
		t.Errorf("api's TaskRun changed although its context did not:\n%v\n%v", runOf(first, "api"), runOf(third, "api"))
	}
	blobNames := func(s map[string]any) map[string]bool {
		out := map[string]bool{}
		for k, v := range s {
			if strings.HasPrefix(k, "azure-native:storage:Blob::") {
				out[fmt.Sprint(bpAt(v, "blobName"))] = true
			}
		}
		return out
	}
	before, after := blobNames(first), blobNames(third)
	if len(before) != 2 || len(after) != 2 {
		t.Fatalf("blobs: before %v, after %v; want two each", before, after)
	}
	same := 0
	for n := range after {
		if before[n] {
			same++
		}
	}
	if same != 1 {
		t.Errorf("blobs: before %v, after %v; want api's kept and web's renamed", before, after)
	}

	// A changed build setting alone re-runs the build under a new tag, with
	// the same blob.
	changed := bpObj(map[string]property.Value{"service": bpStr("api"), "context": bpStr(api), "target": bpStr("base")})
	res, _ := bpPlan(t, bpInputs("balanced", "shop", bpWebBuild(web), changed))
	for _, r := range res {
		if r.Name != "shop-api" || r.Type != "azure-native:containerregistry:TaskRun" {
			continue
		}
		if reflect.DeepEqual(bpAt(r.Inputs, "runRequest", "imageNames"), bpAt(runOf(third, "api"), "runRequest", "imageNames")) {
			t.Error("a new target kept the image tag")
		}
		if r.Inputs["forceUpdateTag"] != runOf(third, "api")["forceUpdateTag"] {
			t.Error("a new target changed the forceUpdateTag (the context digest)")
		}
	}
}

func TestBuildPipelineSharedContextOneBlob(t *testing.T) {
	bpIsolateCache(t)
	dir := bpContext(t, "shared")
	res, _ := bpPlan(t, bpInputs("affordable", "shop",
		bpObj(map[string]property.Value{"service": bpStr("worker"), "context": bpStr(dir)}),
		bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(dir), "target": bpStr("base")}),
	))
	if got := len(bpOfType(res, "azure-native:storage:Blob")); got != 1 {
		t.Errorf("blobs: got %d, want 1 for two services with one context", got)
	}
	runs := bpOfType(res, "azure-native:containerregistry:TaskRun")
	if len(runs) != 2 {
		t.Fatalf("task runs: got %d, want 2", len(runs))
	}
	tags := map[string]bool{}
	for _, r := range runs {
		tags[fmt.Sprint(bpAt(r.Inputs, "runRequest", "imageNames"))] = true
		if p := bpAt(r.Inputs, "runRequest", "platform"); !reflect.DeepEqual(p, map[string]any{"os": "Linux", "architecture": "amd64"}) {
			t.Errorf("default platform: got %v", p)
		}
	}
	if len(tags) != 2 {
		t.Errorf("image names: %v; want one per service", tags)
	}
}

func TestBuildPipelineLongNames(t *testing.T) {
	bpIsolateCache(t)
	project := "an-extremely-long-project-name-that-goes-on-and-on-for-ever-and-ever-" + strings.Repeat("x", 40)
	service := "Service_With.A-Very-Long-Name-" + strings.Repeat("y", 60)
	res, _ := bpPlan(t, bpInputs("high_availability", project,
		bpObj(map[string]property.Value{"service": bpStr(service), "context": bpStr(bpContext(t, "x"))})))
	reg, _ := bpAt(bpOne(t, res, "azure-native:containerregistry:Registry").Inputs, "registryName").(string)
	if !bpCompact.MatchString(reg) || len(reg) > 50 {
		t.Errorf("registry name %q (%d): want at most 50 lowercase letters and digits", reg, len(reg))
	}
	sa, _ := bpAt(bpOne(t, res, "azure-native:storage:StorageAccount").Inputs, "accountName").(string)
	if !bpCompact.MatchString(sa) || len(sa) > 24 {
		t.Errorf("storage account name %q (%d): want at most 24 lowercase letters and digits", sa, len(sa))
	}
	run := bpOne(t, res, "azure-native:containerregistry:TaskRun").Inputs
	if n, _ := bpAt(run, "taskRunName").(string); !bpDashed.MatchString(n) || len(n) < 5 || len(n) > 50 {
		t.Errorf("task run name %q (%d): want 5-50 lowercase letters, digits and hyphens", n, len(n))
	}
	images, _ := bpAt(run, "runRequest", "imageNames").([]any)
	if len(images) != 1 || !regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*:[0-9a-f]{32}$`).MatchString(fmt.Sprint(images[0])) {
		t.Errorf("image name %v: want a valid lower-case repository and tag", images)
	}

	// Another project with the same long prefix gets other names.
	res2, _ := bpPlan(t, bpInputs("high_availability", project+"z",
		bpObj(map[string]property.Value{"service": bpStr("web"), "context": bpStr(bpContext(t, "x"))})))
	if reg2 := bpAt(bpOne(t, res2, "azure-native:containerregistry:Registry").Inputs, "registryName"); reg2 == reg {
		t.Errorf("two long project names share the registry name %s", reg)
	}
	if sa2 := bpAt(bpOne(t, res2, "azure-native:storage:StorageAccount").Inputs, "accountName"); sa2 == sa {
		t.Errorf("two long project names share the storage account name %s", sa)
	}
}

func TestBuildPipelineFailedRun(t *testing.T) {
	bpIsolateCache(t)
	failed := func(typ string, state property.Map) property.Map {
		if typ != "azure-native:containerregistry:TaskRun" {
			return state
		}
		return state.Set("runResult", bpObj(map[string]property.Value{
			"runId": bpStr("ca42"), "status": bpStr("Failed"),
			"runErrorMessage": bpStr("failed during run, err: exit status 1"),
		}))
	}
	_, err := bpConstruct(bpInputs("balanced", "shop", bpWebBuild(bpContext(t, "v1"))), failed)
	if err == nil {
		t.Fatal("a failed ACR run must fail the component")
	}
	for _, want := range []string{"BUILD_FAILED", `service "web"`, "ca42", "exit status 1", "az acr task logs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestBuildPipelineDigestlessRunFallsBackToTag(t *testing.T) {
	bpIsolateCache(t)
	noImages := func(typ string, state property.Map) property.Map {
		if typ != "azure-native:containerregistry:TaskRun" {
			return state
		}
		return state.Set("runResult", bpObj(map[string]property.Value{"runId": bpStr("ca43"), "status": bpStr("Succeeded")}))
	}
	w, err := bpConstruct(bpInputs("affordable", "shop", bpWebBuild(bpContext(t, "v1"))), noImages)
	if err != nil {
		t.Fatal(err)
	}
	run := w.one(t, "azure-native:containerregistry:TaskRun")
	image := fmt.Sprint(bpIn(run, "runRequest", "imageNames").([]any)[0])
	out := bpPlain(property.New(w.state)).(map[string]any)
	want := fmt.Sprint(out["registryLoginServer"]) + "/" + image
	if got := out["imageUris"].(map[string]any)["web"]; got != want {
		t.Errorf("imageUris.web: got %v, want the tag reference %s", got, want)
	}
}

func TestBuildPipelineErrors(t *testing.T) {
	bpIsolateCache(t)
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
// and no blob or run.
func TestBuildPipelineWithoutBuilds(t *testing.T) {
	res, out := bpPlan(t, bpInputs("balanced", "shop"))
	for typ, want := range map[string]int{
		"azure-native:containerregistry:Registry": 1, "azure-native:storage:StorageAccount": 1,
		"azure-native:storage:BlobContainer": 1, "azure-native:storage:Blob": 0, "azure-native:containerregistry:TaskRun": 0,
	} {
		if got := len(bpOfType(res, typ)); got != want {
			t.Errorf("%s: got %d, want %d", typ, got, want)
		}
	}
	if v := fmt.Sprint(out["registryLoginServer"]); !strings.HasSuffix(v, ".azurecr.io") {
		t.Errorf("registryLoginServer: %v", v)
	}
}

func TestAcrPullRoleDefinitionId(t *testing.T) {
	got := azure.AcrPullRoleDefinitionId("sub-1")
	want := "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
