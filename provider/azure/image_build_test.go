package azure

// Tests of defang:azure:ImageBuild through the real Azure SDK for Go against
// the loopback Azure fake of the engine tests (tests/standin.AzureAPI):
// managed identity tokens, blob upload, the user delegation SAS, ACR's
// scheduleRun, run polling, cancel and the log link are all real HTTP.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/imagebuild"
	"github.com/DefangLabs/pulumi-defang/tests/standin"
)

const (
	ibTestRegistry   = "defangshopdev0f38d2"
	ibTestRegistryID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/defang-shop-dev-eastus/" +
		"providers/Microsoft.ContainerRegistry/registries/" + ibTestRegistry
	ibTestRepository = ibTestRegistry + ".azurecr.io/web"
	ibTestAccount    = "dfctxshopdev0f38d2"
)

// ibWorld is a fake Azure and an ImageBuild that talks to it with the
// production credential chain (managed identity through IDENTITY_ENDPOINT)
// and cloud configuration (DEFANG_AZURE_RESOURCE_MANAGER_URL).
type ibWorld struct {
	api  *standin.AzureAPI
	r    *ImageBuild
	mu   sync.Mutex
	logs []string
}

func newIBWorld(t *testing.T) *ibWorld {
	t.Helper()
	api, err := standin.StartAzureAPI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	for _, kv := range api.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "SSL_CERT_FILE" { // the transport below trusts the fake instead
			t.Setenv(k, v)
		}
	}
	for _, k := range []string{"ARM_ENVIRONMENT", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_TENANT_ID",
		"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)  // unset, not empty: an empty AZURE_CLIENT_ID names a user-assigned identity
	}
	w := &ibWorld{api: api}
	w.r = &ImageBuild{
		pollInterval:  time.Millisecond,
		retryInterval: time.Millisecond,
		logf: func(_ context.Context, msg string) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.logs = append(w.logs, msg)
		},
		newClients: func(_ context.Context, subscription string) (*imageBuildClients, error) {
			cfg, err := azureCloud()
			if err != nil {
				return nil, err
			}
			options := azcore.ClientOptions{Cloud: cfg, Transport: api.Client()}
			cred, err := azureCredential(options)
			if err != nil {
				return nil, err
			}
			return newImageBuildClients(subscription, cred, options, api.Client())
		},
	}
	return w
}

func (w *ibWorld) logLines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.logs...)
}

// ibContextDir writes a build context and returns it with its digest.
func ibContextDir(t *testing.T, app string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile": "FROM alpine AS base\nCOPY app.txt /app.txt\nFROM base AS prod\n",
		"app.txt":    app,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	digest, err := buildcontext.Digest(dir, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return dir, digest
}

func (w *ibWorld) args(dir, digest string) ImageBuildArgs {
	return ImageBuildArgs{
		ContextPath: dir, ContextDigest: digest,
		Target: ptr("prod"), Platform: ptr("linux/arm64"),
		BuildArgs:     map[string]string{"VERSION": "1.2", "ALPHA": "a b"},
		RegistryId:    ibTestRegistryID,
		RepositoryURL: ibTestRepository,
		ContainerURL:  w.api.BlobEndpoint(ibTestAccount) + bpContainer,
	}
}

func (w *ibWorld) create(ctx context.Context, args ImageBuildArgs) (ImageBuildState, error) {
	resp, err := w.r.Create(ctx, infer.CreateRequest[ImageBuildArgs]{Name: "shop-web", Inputs: args})
	return resp.Output, err
}

func ptr(s string) *string { return &s }

func TestImageBuildBuildsAndPushesByDigest(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	args := w.args(dir, digest)
	start := time.Now()
	state, err := w.create(context.Background(), args)
	if err != nil {
		t.Fatal(err)
	}

	// The context is in the container under its digest, packed as on AWS.
	var packed bytes.Buffer
	if _, err := buildcontext.Pack(dir, "Dockerfile", &packed); err != nil {
		t.Fatal(err)
	}
	key := ibTestAccount + "/" + bpContainer + "/" + imagebuild.ContextKey(digest)
	if got := w.api.Blobs()[key]; !bytes.Equal(got, packed.Bytes()) {
		t.Errorf("blob %s: %d bytes, want the packed context (%d bytes)", key, len(got), packed.Len())
	}

	runs := w.api.Runs()
	if len(runs) != 1 {
		t.Fatalf("runs: got %d, want 1", len(runs))
	}
	run := runs[0]
	if run.Registry != ibTestRegistry || run.ResourceGroup != "defang-shop-dev-eastus" {
		t.Errorf("run on %s/%s", run.ResourceGroup, run.Registry)
	}
	tag := args.settings().Tag(ibTagScheme)
	for k, want := range map[string]any{
		"type": "DockerBuildRequest", "dockerFilePath": "Dockerfile", "target": "prod", "isPushEnabled": true,
		"noCache": false, "timeout": 3600.0, "imageNames": []any{"web:" + tag},
		"platform":           map[string]any{"os": "Linux", "architecture": "arm64"},
		"agentConfiguration": map[string]any{"cpu": 2.0},
		"arguments": []any{
			map[string]any{"name": "ALPHA", "value": "a b", "isSecret": false},
			map[string]any{"name": "VERSION", "value": "1.2", "isSecret": false},
		},
	} {
		if got := run.Request[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("run request %s: got %v, want %v", k, got, want)
		}
	}
	if !bytes.Equal(run.Source, packed.Bytes()) {
		t.Error("the run could not read the uploaded context through its SAS")
	}
	// A user delegation SAS for one blob, read only, HTTPS only, expiring
	// after the run's timeout and the queue allowance, not years later.
	for k, want := range map[string]string{"sr": "b", "sp": "r", "spr": "https"} {
		if got := run.SAS.Get(k); got != want {
			t.Errorf("SAS %s: got %q, want %q", k, got, want)
		}
	}
	if run.SAS.Get("skoid") == "" || run.SAS.Get("sig") == "" {
		t.Errorf("SAS %v: want a signed user delegation SAS", run.SAS)
	}
	expiry, err := time.Parse(time.RFC3339, run.SAS.Get("se"))
	if err != nil || expiry.Before(start.Add(time.Hour)) || expiry.After(time.Now().Add(2*time.Hour+5*time.Minute)) {
		t.Errorf("SAS expiry %q: want about the run timeout plus an hour from now", run.SAS.Get("se"))
	}

	want := ibTestRepository + "@" + standin.AzureBuildDigest(ibTestRegistry, []string{"web:" + tag}, packed.Bytes())
	if state.ImageURI != want || state.RunID != run.ID || !strings.HasSuffix(state.ImageURI, "@"+state.ImageDigest) {
		t.Errorf("state: %+v, want image %s from run %s", state, want, run.ID)
	}

	logs := strings.Join(w.logLines(), "\n")
	order := []string{"uploaded the build context", "started ACR run " + run.ID,
		"BUILD_QUEUED: ACR run " + run.ID, "BUILD_PROVISIONING", "BUILD_RUNNING", "built " + want}
	at := 0
	for _, s := range order {
		i := strings.Index(logs[at:], s)
		if i < 0 {
			t.Fatalf("log lines lack %q after position %d:\n%s", s, at, logs)
		}
		at += i
	}
	stateJSON, _ := json.Marshal(state)
	if strings.Contains(logs, "sig=") || strings.Contains(string(stateJSON), "sig=") {
		t.Error("a SAS signature reached the log or the state")
	}

	// The same context again: no upload, a new run from the same blob.
	calls := len(w.api.Calls())
	if _, err := w.create(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	for _, c := range w.api.Calls()[calls:] {
		if strings.HasPrefix(c, "PUT ") {
			t.Errorf("an unchanged context was uploaded again: %s", c)
		}
	}
	if !strings.Contains(strings.Join(w.logLines(), "\n"), "the build context is already in") {
		t.Error("no log line says the context was already uploaded")
	}
}

func TestImageBuildFailureReportsLogTail(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	w.api.FailBuilds("npm ERR! missing script: build")
	_, err := w.create(context.Background(), w.args(dir, digest))
	if err == nil {
		t.Fatal("a failed ACR run must fail the ImageBuild")
	}
	msg := err.Error()
	for _, want := range []string{"image build shop-web", "ACR run ca1 ended Failed", "exit status 1",
		"Last 30 lines of the build log:", "npm ERR! missing script: build",
		"Full log: az acr task logs --registry " + ibTestRegistry + " --run-id ca1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	_, tail, _ := strings.Cut(msg, "Last 30 lines of the build log:\n")
	tail, _, _ = strings.Cut(tail, "\nFull log:")
	runs := w.api.Runs()
	if len(runs) != 1 {
		t.Fatalf("runs: %d", len(runs))
	}
	log := runs[0].Log
	if lines := strings.Split(tail, "\n"); len(log) <= 30 || !reflect.DeepEqual(lines, log[len(log)-30:]) {
		t.Errorf("tail: got %d lines, want the last 30 of the %d-line log", len(lines), len(log))
	}
	if strings.Contains(msg, "sig=") {
		t.Error("the error shows a SAS signature")
	}
	if logs := strings.Join(w.logLines(), "\n"); !strings.Contains(logs, "BUILD_FAILED: ACR run ca1 ended Failed") {
		t.Errorf("no BUILD_FAILED line:\n%s", logs)
	}
}

// A role assignment that has not propagated yet (403
// AuthorizationPermissionMismatch) is waited out.
func TestImageBuildWaitsForRolePropagation(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	w.api.DenyBlobData(3)
	if _, err := w.create(context.Background(), w.args(dir, digest)); err != nil {
		t.Fatal(err)
	}
	if logs := strings.Join(w.logLines(), "\n"); strings.Count(logs, "waiting for the storage role assignments") != 1 {
		t.Errorf("want one line saying it waits for the role assignments:\n%s", logs)
	}
}

// An interrupted update cancels the run instead of leaving it building.
func TestImageBuildCancelsTheRunWhenInterrupted(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inner := w.r.logf
	w.r.logf = func(c context.Context, msg string) {
		inner(c, msg)
		if strings.HasPrefix(msg, imagebuild.StatusProvisioning) {
			cancel()
		}
	}
	w.r.pollInterval = 50 * time.Millisecond
	_, err := w.create(ctx, w.args(dir, digest))
	if err == nil || !strings.Contains(err.Error(), "ACR run ca1 was cancelled") {
		t.Fatalf("got %v, want the run cancelled", err)
	}
	if got := w.api.Runs()[0].Status; got != "Canceled" {
		t.Errorf("run status %s, want Canceled", got)
	}
	if logs := strings.Join(w.logLines(), "\n"); !strings.Contains(logs, "BUILD_STOPPING: cancelling ACR run ca1") {
		t.Errorf("no BUILD_STOPPING line:\n%s", logs)
	}
}

func TestImageBuildRefusesAContextEditedSinceItWasHashed(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	if err := os.WriteFile(filepath.Join(dir, "app.txt"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := w.create(context.Background(), w.args(dir, digest))
	if err == nil || !strings.Contains(err.Error(), "build context changed during the update") {
		t.Fatalf("got %v", err)
	}
	if len(w.api.Runs()) != 0 || len(w.api.Blobs()) != 0 {
		t.Error("an edited context was uploaded or built")
	}
}

func TestImageBuildPreviewTouchesNothing(t *testing.T) {
	w := newIBWorld(t)
	dir, digest := ibContextDir(t, "v1")
	resp, err := w.r.Create(context.Background(), infer.CreateRequest[ImageBuildArgs]{
		Name: "shop-web", Inputs: w.args(dir, digest), DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if calls := w.api.Calls(); len(calls) != 0 || resp.Output.ImageURI != "" {
		t.Errorf("preview: calls %v, output %+v", calls, resp.Output)
	}
}

func TestImageBuildDiff(t *testing.T) {
	dir, digest := ibContextDir(t, "v1")
	base := ImageBuildArgs{ContextPath: dir, ContextDigest: digest, RegistryId: ibTestRegistryID,
		RepositoryURL: ibTestRepository, ContainerURL: "https://acct.blob.core.windows.net/builds"}
	state := ImageBuildState{ImageBuildArgs: base, ImageURI: ibTestRepository + "@" + digest}
	for name, tc := range map[string]struct {
		edit func(*ImageBuildArgs)
		keys []string
	}{
		"nothing":                  {func(*ImageBuildArgs) {}, nil},
		"the defaults spelled out": {func(a *ImageBuildArgs) { a.Dockerfile, a.Platform = ptr("./Dockerfile"), ptr("linux/amd64") }, nil},
		"another machine's path":   {func(a *ImageBuildArgs) { a.ContextPath = "/elsewhere" }, nil},
		"another container":        {func(a *ImageBuildArgs) { a.ContainerURL = "https://other.blob.core.windows.net/builds" }, nil},
		"the context":              {func(a *ImageBuildArgs) { a.ContextDigest = "sha256:" + strings.Repeat("1", 64) }, []string{"contextDigest"}},
		"a build argument":         {func(a *ImageBuildArgs) { a.BuildArgs = map[string]string{"A": "1"} }, []string{"buildArgs"}},
		"the target":               {func(a *ImageBuildArgs) { a.Target = ptr("prod") }, []string{"target"}},
		"the platform":             {func(a *ImageBuildArgs) { a.Platform = ptr("linux/arm64") }, []string{"platform"}},
		"the registry and its repository": {func(a *ImageBuildArgs) {
			a.RegistryId = strings.Replace(ibTestRegistryID, ibTestRegistry, "other", 1)
			a.RepositoryURL = "other.azurecr.io/web"
		}, []string{"registryId", "repositoryUrl"}},
	} {
		t.Run(name, func(t *testing.T) {
			args := base
			tc.edit(&args)
			resp, err := (&ImageBuild{}).Diff(context.Background(), infer.DiffRequest[ImageBuildArgs, ImageBuildState]{
				Inputs: args, State: state})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k, d := range resp.DetailedDiff {
				keys = append(keys, k)
				if d.Kind != p.UpdateReplace && d.Kind != p.AddReplace && d.Kind != p.DeleteReplace {
					t.Errorf("%s: %v, want a replace", k, d.Kind)
				}
			}
			if resp.HasChanges != (len(tc.keys) > 0) || !reflect.DeepEqual(sortStrings(keys), tc.keys) {
				t.Errorf("diff %v (changes %v), want %v", keys, resp.HasChanges, tc.keys)
			}
			if resp.DeleteBeforeReplace {
				t.Error("the old image must stay until the new one is built")
			}
		})
	}
}

func sortStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestImageBuildChecksInputs(t *testing.T) {
	dir, digest := ibContextDir(t, "v1")
	good := ImageBuildArgs{ContextPath: dir, ContextDigest: digest, RegistryId: ibTestRegistryID,
		RepositoryURL: ibTestRepository, ContainerURL: "https://acct.blob.core.windows.net/builds"}
	if problems := good.problems(); len(problems) != 0 {
		t.Fatalf("good inputs: %v", problems)
	}
	for name, tc := range map[string]struct {
		edit func(*ImageBuildArgs)
		prop string
	}{
		"relative context":   {func(a *ImageBuildArgs) { a.ContextPath = "web" }, "contextPath"},
		"not a digest":       {func(a *ImageBuildArgs) { a.ContextDigest = "latest" }, "contextDigest"},
		"Dockerfile outside": {func(a *ImageBuildArgs) { a.Dockerfile = ptr("../Dockerfile") }, "dockerfile"},
		"macOS image":        {func(a *ImageBuildArgs) { a.Platform = ptr("darwin/arm64") }, "platform"},
		"a storage account id": {func(a *ImageBuildArgs) {
			a.RegistryId = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a"
		}, "registryId"},
		"a tagged repository":      {func(a *ImageBuildArgs) { a.RepositoryURL = ibTestRepository + ":latest" }, "repositoryUrl"},
		"an account, no container": {func(a *ImageBuildArgs) { a.ContainerURL = "https://acct.blob.core.windows.net/" }, "containerUrl"},
		"plain HTTP":               {func(a *ImageBuildArgs) { a.ContainerURL = "http://acct.blob.core.windows.net/builds" }, "containerUrl"},
		"an = in a build argument": {func(a *ImageBuildArgs) { a.BuildArgs = map[string]string{"A=B": "1"} }, "buildArgs"},
	} {
		t.Run(name, func(t *testing.T) {
			args := good
			tc.edit(&args)
			problems := args.problems()
			if len(problems) != 1 || problems[0].Property != tc.prop {
				t.Errorf("problems %v, want one on %s", problems, tc.prop)
			}
		})
	}
}

func TestImageBuildStatuses(t *testing.T) {
	for status, want := range map[armcontainerregistry.RunStatus]struct {
		shown string
		done  bool
	}{
		"Queued": {imagebuild.StatusQueued, false}, "Started": {imagebuild.StatusProvisioning, false},
		"Running": {imagebuild.StatusRunning, false}, "Succeeded": {"", true},
		"Failed": {imagebuild.StatusFailed, true}, "Error": {imagebuild.StatusFailed, true},
		"Timeout": {imagebuild.StatusFailed, true}, "Canceled": {imagebuild.StatusFailed, true},
		"SomethingNew": {"", false},
	} {
		if shown, done := ibBuildStatus(status); shown != want.shown || done != want.done {
			t.Errorf("%s: got %q %v, want %q %v", status, shown, done, want.shown, want.done)
		}
	}
}

func TestAzureCloudFromEnvironment(t *testing.T) {
	t.Setenv(resourceManagerURLVariable, "")
	for env, want := range map[string]string{
		"": cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint, "public": cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint,
		"usgovernment": cloud.AzureGovernment.Services[cloud.ResourceManager].Endpoint,
		"china":        cloud.AzureChina.Services[cloud.ResourceManager].Endpoint,
	} {
		t.Setenv("ARM_ENVIRONMENT", env)
		cfg, err := azureCloud()
		if err != nil || cfg.Services[cloud.ResourceManager].Endpoint != want {
			t.Errorf("ARM_ENVIRONMENT=%q: %v %v", env, cfg.Services[cloud.ResourceManager], err)
		}
	}
	t.Setenv("ARM_ENVIRONMENT", "german")
	if _, err := azureCloud(); err == nil || !strings.Contains(err.Error(), "german") {
		t.Errorf("an unknown cloud: %v", err)
	}
	t.Setenv("ARM_ENVIRONMENT", "")
	t.Setenv(resourceManagerURLVariable, "https://management.local.azurestack.external/")
	cfg, err := azureCloud()
	if err != nil || cfg.Services[cloud.ResourceManager].Endpoint != "https://management.local.azurestack.external/" ||
		cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint == cfg.Services[cloud.ResourceManager].Endpoint {
		t.Errorf("override: %v %v", cfg.Services[cloud.ResourceManager], err)
	}
}

// The log link carries a SAS: an HTTP error must not print it.
func TestWithoutURLDropsTheSAS(t *testing.T) {
	err := withoutURL(&url.Error{Op: "Get", URL: "https://x.blob.core.windows.net/l?sig=SECRET", Err: context.DeadlineExceeded})
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("got %v", err)
	}
}
