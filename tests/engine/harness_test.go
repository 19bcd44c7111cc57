// Package engine runs the examples through the real Pulumi engine: the CLI
// and language hosts built from source by `make tools`, our plugin, the
// generated SDKs, a local file:// backend with a passphrase. Only the cloud
// is stood in for: the aws, azure-native and random providers are
// tests/standin servers attached with PULUMI_DEBUG_PROVIDERS, and the AWS APIs
// our ImageBuild calls (S3, CodeBuild, CloudWatch Logs) are served by
// standin.AWSAPI.
//
// Run with `make test-engine`, which builds everything these tests use and
// passes its location in DEFANG_* variables.
package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/DefangLabs/pulumi-defang/tests/standin"
)

// Values of the example's config secrets: they must never appear in plain
// text in the stack state or the CLI's output.
const (
	sessionSecret = "s3ss10n-S3CRET-value-7f1c"
	dbPassword    = "db-PA55W0RD-value-93ab"
	passphrase    = "engine-test-passphrase"
	region        = "us-west-2"
	location      = "eastus" // the Azure tests' azure-native:location
	stackName     = "dev"
)

// repoRoot is the repository root (two levels above this package).
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// requireEnv returns a DEFANG_* value that `make test-engine` sets.
func requireEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the engine tests with `make test-engine`", name)
	}
	return v
}

// world is one test's private Pulumi installation: its own PULUMI_HOME,
// file:// backend, PATH of tools, and stand-in cloud.
type world struct {
	t        *testing.T
	root     string
	dir      string // scratch folder of the test
	env      []string
	aws      *standin.Server // nil in an Azure world
	azure    *standin.Server // azure-native; nil in an AWS world
	random   *standin.Server
	awsAPI   *standin.AWSAPI   // nil in an Azure world
	azureAPI *standin.AzureAPI // nil in an AWS world
	secrets  []string          // plaintexts that must never show
}

type worldOptions struct {
	// withPluginOnPath puts bin/pulumi-resource-defang on PATH (an ambient
	// plugin, as during development). Off, the plugin must be installed.
	withPluginOnPath bool
	// azure serves azure-native (and random) instead of aws and the AWS
	// APIs: the cloud of a cloud: "azure" program.
	azure bool
}

func newWorld(t *testing.T, opts worldOptions) *world {
	t.Helper()
	root := repoRoot(t)
	bin := requireEnv(t, "DEFANG_BIN")
	dir := t.TempDir()

	pathDir := filepath.Join(dir, "path")
	must(t, os.MkdirAll(pathDir, 0o755))
	tools := []string{"pulumi", "pulumi-language-nodejs", "pulumi-language-python", "pulumi-language-python-exec"}
	if opts.withPluginOnPath {
		tools = append(tools, "pulumi-resource-defang")
	}
	for _, tool := range tools {
		src := filepath.Join(bin, tool)
		if _, err := os.Stat(src); err != nil {
			t.Fatalf("%s is missing: run `make tools build`", src)
		}
		must(t, os.Symlink(src, filepath.Join(pathDir, tool)))
	}

	random, err := standin.Start("random")
	must(t, err)
	t.Cleanup(random.Stop)
	state := filepath.Join(dir, "state")
	must(t, os.MkdirAll(state, 0o755))
	w := &world{t: t, root: root, dir: dir, random: random, secrets: []string{sessionSecret, dbPassword}}
	w.env = append(filteredEnviron(),
		"PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_HOME="+filepath.Join(dir, "pulumi-home"),
		"PULUMI_BACKEND_URL=file://"+state,
		"PULUMI_CONFIG_PASSPHRASE="+passphrase,
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true",
		"NO_COLOR=1",
	)

	if opts.azure {
		// The Azure APIs defang:azure:ImageBuild calls (managed identity,
		// ACR runs, blobs), over TLS with a certificate the plugin trusts
		// through SSL_CERT_FILE; the stand-in reports the storage
		// accounts' blob endpoints on it.
		api, err := standin.StartAzureAPI(dir)
		must(t, err)
		t.Cleanup(api.Close)
		azure, err := standin.Start(standin.AzureNative, standin.WithBlobEndpoint(api.BlobEndpoint))
		must(t, err)
		t.Cleanup(azure.Stop)
		w.azure, w.azureAPI = azure, api
		w.env = append(w.env, "PULUMI_DEBUG_PROVIDERS="+standin.DebugProvidersEnv(azure, random))
		w.env = append(w.env, api.Env()...)
		return w
	}
	// The capacity-provider association and the listeners are created
	// slowly, as in AWS, so that an ECS service that does not wait for them
	// is refused deterministically (issue 13, defect 7) instead of winning
	// the race by chance.
	aws, err := standin.Start("aws", standin.WithRegion(region),
		standin.WithSlowCreates(2*time.Second, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
			"aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"))
	must(t, err)
	t.Cleanup(aws.Stop)
	api, err := standin.StartAWSAPI()
	must(t, err)
	t.Cleanup(api.Close)
	// The source bucket and CodeBuild project exist only once the stand-in
	// created them: S3 and CodeBuild refuse an upload or a build before.
	api.SetExisting(standin.ExistingIn(aws))
	api.InstantBuilds(true) // spare ImageBuild its 5 s poll per build
	w.aws, w.awsAPI = aws, api
	w.env = append(w.env,
		"PULUMI_DEBUG_PROVIDERS="+standin.DebugProvidersEnv(aws, random),
		"AWS_ENDPOINT_URL="+api.URL,
		"AWS_ACCESS_KEY_ID=AKIDENGINETEST",
		"AWS_SECRET_ACCESS_KEY=engine-test-secret",
		"AWS_REGION="+region,
	)
	return w
}

// filteredEnviron is the test's environment without anything that would
// point Pulumi, AWS or Azure somewhere else.
func filteredEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "PULUMI_") || strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "ARM_") ||
			strings.HasPrefix(name, "AZURE_") || name == "PATH" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// run runs a command in dir with the world's environment and returns its
// stdout; it fails the test (with stderr) when the command fails, unless
// allowFail.
func (w *world) run(dir string, allowFail bool, name string, args ...string) (string, error) {
	w.t.Helper()
	start := time.Now()
	cmd := exec.Command(w.lookPath(name), args...)
	cmd.Dir = dir
	cmd.Env = w.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	w.t.Logf("%s %s (%s)", filepath.Base(name), w.mask(strings.Join(args, " ")), time.Since(start).Round(time.Millisecond))
	w.assertNoPlaintext(name+" stdout", stdout.String())
	w.assertNoPlaintext(name+" stderr", stderr.String())
	if err != nil && !allowFail {
		w.t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, tail(stdout.String(), 80), tail(stderr.String(), 80))
	}
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// prependPath puts dir first on the world's PATH.
func (w *world) prependPath(dir string) {
	for i, kv := range w.env {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			w.env[i] = "PATH=" + dir + string(os.PathListSeparator) + path
		}
	}
}

// lookPath finds a command on the world's PATH (exec.Command alone would
// search the test process's PATH).
func (w *world) lookPath(name string) string {
	if strings.ContainsRune(name, os.PathSeparator) {
		return name
	}
	for _, kv := range w.env {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			for _, dir := range filepath.SplitList(path) {
				if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
					return filepath.Join(dir, name)
				}
			}
		}
	}
	return name
}

// pulumi runs the CLI in a program directory.
func (w *world) pulumi(dir string, args ...string) string {
	w.t.Helper()
	out, _ := w.run(dir, false, "pulumi", append(args, "--non-interactive")...)
	return out
}

// newStack creates the test stack in dir and sets the example's config: the
// cloud's region (aws:region, or azure-native:location in an Azure world)
// and the two secrets.
func (w *world) newStack(dir string, extraConfig ...string) {
	w.t.Helper()
	w.pulumi(dir, "stack", "init", stackName)
	if w.azure != nil {
		w.pulumi(dir, "config", "set", "azure-native:location", location)
	} else {
		w.pulumi(dir, "config", "set", "aws:region", region)
	}
	w.pulumi(dir, "config", "set", "--secret", "SESSION_SECRET", sessionSecret)
	w.pulumi(dir, "config", "set", "--secret", "DB_PASSWORD", dbPassword)
	for i := 0; i+1 < len(extraConfig); i += 2 {
		w.pulumi(dir, "config", "set", extraConfig[i], extraConfig[i+1])
	}
}

// mask hides the config secrets in a line the test logs itself.
func (w *world) mask(text string) string {
	for _, s := range w.secrets {
		text = strings.ReplaceAll(text, s, "[secret]")
	}
	return text
}

// assertNoPlaintext fails when any config secret shows in text.
func (w *world) assertNoPlaintext(what, text string) {
	w.t.Helper()
	for _, s := range w.secrets {
		if strings.Contains(text, s) {
			w.t.Errorf("%s contains a config secret in plain text", what)
		}
	}
}

// --- the engine's own account of an update ---------------------------------

// changeSummary is an update's resource changes by operation, as the engine
// counts them ("create", "update", "replace", "delete", "same").
type changeSummary map[string]int

// changed counts every operation other than "same".
func (c changeSummary) changed() int {
	n := 0
	for op, k := range c {
		if op != "same" {
			n += k
		}
	}
	return n
}

// lastUpdate reads the latest entry of `pulumi stack history`: the summary the
// engine itself recorded for the update.
func (w *world) lastUpdate(dir string) (kind, result string, changes changeSummary) {
	w.t.Helper()
	var history []struct {
		Kind            string         `json:"kind"`
		Result          string         `json:"result"`
		ResourceChanges map[string]int `json:"resourceChanges"`
	}
	mustJSON(w.t, w.pulumi(dir, "stack", "history", "--output", "json"), &history)
	if len(history) == 0 {
		w.t.Fatal("pulumi stack history is empty")
	}
	w.t.Logf("engine: %s %s %v", history[0].Kind, history[0].Result, history[0].ResourceChanges)
	return history[0].Kind, history[0].Result, history[0].ResourceChanges
}

// previewStep is one step of `pulumi preview --json`.
type previewStep struct {
	Op  string `json:"op"`
	URN string `json:"urn"`
}

// preview runs `pulumi preview --json` and returns the steps that change
// something and the engine's change summary.
func (w *world) preview(dir string) ([]previewStep, changeSummary) {
	w.t.Helper()
	var out struct {
		Steps         []previewStep  `json:"steps"`
		ChangeSummary map[string]int `json:"changeSummary"`
		Diagnostics   []struct {
			Severity string `json:"severity"`
			Message  string `json:"message"`
		} `json:"diagnostics"`
	}
	mustJSON(w.t, w.pulumi(dir, "preview", "--json"), &out)
	var changing []previewStep
	for _, s := range out.Steps {
		if s.Op != "same" {
			changing = append(changing, s)
			w.t.Logf("preview: %s %s", s.Op, s.URN)
		}
	}
	return changing, out.ChangeSummary
}

// --- stack state ---------------------------------------------------------------

type stateResource struct {
	URN     string         `json:"urn"`
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Custom  bool           `json:"custom"`
	Parent  string         `json:"parent"`
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
}

type stackState struct {
	raw       string
	resources []stateResource
	byURN     map[string]stateResource
}

// export reads `pulumi stack export` (secrets stay encrypted, as on disk).
func (w *world) export(dir string) stackState {
	w.t.Helper()
	raw := w.pulumi(dir, "stack", "export", "--stack", stackName)
	var doc struct {
		Deployment struct {
			Resources []stateResource `json:"resources"`
		} `json:"deployment"`
	}
	mustJSON(w.t, raw, &doc)
	s := stackState{raw: raw, resources: doc.Deployment.Resources, byURN: map[string]stateResource{}}
	for _, r := range s.resources {
		s.byURN[r.URN] = r
	}
	return s
}

// ofType lists the resources of one type.
func (s stackState) ofType(typ string) []stateResource {
	var out []stateResource
	for _, r := range s.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// ancestorOfType walks up from urn (itself included) through its parents to
// the first resource of type typ.
func (s stackState) ancestorOfType(urn, typ string) (stateResource, bool) {
	for seen := 0; urn != "" && seen < 64; seen++ {
		r, ok := s.byURN[urn]
		if !ok {
			return stateResource{}, false
		}
		if r.Type == typ {
			return r, true
		}
		urn = r.Parent
	}
	return stateResource{}, false
}

// assertDeploymentInvariants checks what every engine test promises about a
// stack: no config secret in plain text anywhere in the state, and every
// resource of the deployment under the Project. owned says which resources
// the program made itself, outside the Project (the existing-VPC case).
func (w *world) assertDeploymentInvariants(s stackState, owned func(stateResource) bool) {
	w.t.Helper()
	w.assertNoPlaintext("stack export", s.raw)
	projects := s.ofType("defang:index:Project")
	if len(projects) != 1 {
		w.t.Fatalf("want one defang:index:Project in the state, found %d", len(projects))
	}
	for _, r := range s.resources {
		switch {
		case r.Type == "pulumi:pulumi:Stack", strings.HasPrefix(r.Type, "pulumi:providers:"):
			continue
		case r.Type == "defang:index:Project":
			continue
		case owned != nil && owned(r):
			continue
		}
		if _, ok := s.ancestorOfType(r.URN, "defang:index:Project"); !ok {
			w.t.Errorf("%s does not descend from the Project", r.URN)
		}
	}
}

// --- stack outputs -------------------------------------------------------------

// outputs reads `pulumi stack output --json` (secrets masked).
func (w *world) outputs(dir string) map[string]any {
	w.t.Helper()
	out := map[string]any{}
	mustJSON(w.t, w.pulumi(dir, "stack", "output", "--json"), &out)
	return out
}

// assertShopOutputs checks the outputs the examples' READMEs promise for the
// shop app: the public endpoint of web, both services with their kind, image
// and private hostname, and the VPC id.
func assertShopOutputs(t *testing.T, outputs map[string]any, wantVpcID string) {
	t.Helper()
	endpoints, _ := outputs["endpoints"].(map[string]any)
	web, _ := endpoints["web"].(string)
	if !strings.HasPrefix(web, "http://") || !strings.Contains(web, ".elb.amazonaws.com") {
		t.Errorf("endpoints.web = %q, want the load balancer's http:// URL (outputs: %v)", web, outputs)
	}
	if _, ok := endpoints["api"]; ok {
		t.Errorf("endpoints has the private api: %v", endpoints)
	}
	services, _ := outputs["services"].(map[string]any)
	for name, kind := range map[string]string{"web": "ingress", "api": "private", "db": "managed", "cache": "managed"} {
		svc, _ := services[name].(map[string]any)
		if svc == nil {
			t.Errorf("services.%s is missing (services: %v)", name, services)
			continue
		}
		if got, _ := svc["kind"].(string); got != kind {
			t.Errorf("services.%s.kind = %q, want %q", name, got, kind)
		}
		if img, _ := svc["image"].(string); img == "" {
			t.Errorf("services.%s.image is empty", name)
		}
		host, _ := svc["privateHostname"].(string)
		switch want := map[string]string{"db": ".rds.amazonaws.com", "cache": ".cache.amazonaws.com"}[name]; {
		case want != "" && !strings.HasSuffix(host, want):
			t.Errorf("services.%s.privateHostname = %q, want the managed store's endpoint (*%s)", name, host, want)
		case want == "" && (!strings.HasPrefix(host, name+".") || !strings.HasSuffix(host, ".internal")):
			t.Errorf("services.%s.privateHostname = %q, want %s.<project>.<stack>.internal", name, host, name)
		}
	}
	if web, _ := services["web"].(map[string]any); web != nil {
		if img, _ := web["image"].(string); !strings.Contains(img, ".dkr.ecr.") || !strings.Contains(img, "@sha256:") {
			t.Errorf("services.web.image = %q, want the ECR image built from ./web, by digest", img)
		}
	}
	vpc, _ := outputs["vpcId"].(string)
	if !strings.HasPrefix(vpc, "vpc-") || (wantVpcID != "" && vpc != wantVpcID) {
		t.Errorf("vpcId = %q, want %q", vpc, orAny(wantVpcID, "vpc-…"))
	}
}

// --- programs ------------------------------------------------------------------

// copyExample copies examples/<name> into the test's scratch folder, without
// installed dependencies, and returns the copy's path.
func (w *world) copyExample(name string) string {
	w.t.Helper()
	src := filepath.Join(w.root, "examples", name)
	dst := filepath.Join(w.dir, name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "venv" || d.Name() == "bin" || d.Name() == "__pycache__") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	must(w.t, err)
	return dst
}

// --- small helpers ---------------------------------------------------------------

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, text string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, tail(text, 40))
	}
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = append([]string{fmt.Sprintf("… (%d lines before)", len(parts)-lines)}, parts[len(parts)-lines:]...)
	}
	return strings.Join(parts, "\n")
}

func orAny(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
