package aws

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"gopkg.in/yaml.v3"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
)

const (
	ibTestBucket  = "defang-src"
	ibTestProject = "defang-builds"
	ibTestRepo    = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/defang/app"
	ibTestBuildID = "defang-builds:0b5c9a1e-7e7f-4f5e-9d1c-000000000001"
	ibTestDigest  = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
)

// fakeAWS is a loopback stand-in for the parts of S3 (REST), CodeBuild
// (JSON 1.1) and CloudWatch Logs (JSON 1.1) that ImageBuild uses. The real
// SDK clients talk to it, so request serialisation, signing and error
// mapping are exercised as they are against AWS.
type fakeAWS struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	calls       []string          // "HEAD /bucket/key", "PUT /bucket/key", "StartBuild", ...
	objects     map[string][]byte // "bucket/key" -> body
	startBuild  map[string]any    // the StartBuild request
	builds      []map[string]any  // BatchGetBuilds answers in order; the last one repeats
	logLines    []string          // the build log, oldest first
	logRequest  map[string]any    // the GetLogEvents request
	stopped     []string          // StopBuild ids
	clientCalls int               // how often ImageBuild asked for clients
}

func newFakeAWS(t *testing.T) *fakeAWS {
	f := &fakeAWS{t: t, objects: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// clients is ImageBuild.newClients for the fake: static credentials, the
// loopback endpoint for every service, path-style S3, no retries.
func (f *fakeAWS) clients(_ context.Context, region string) (*imageBuildClients, error) {
	f.mu.Lock()
	f.clientCalls++
	f.mu.Unlock()
	if region == "" {
		region = "us-east-1"
	}
	cfg := awssdk.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: awssdk.String(f.srv.URL),
		HTTPClient:   f.srv.Client(),
		Retryer:      func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
	return newImageBuildClients(cfg, true), nil
}

func (f *fakeAWS) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeAWS) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDTEST/") {
		f.t.Errorf("%s %s: request not signed with the test credentials", r.Method, r.URL.Path)
	}
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "CodeBuild_20161006."):
		f.codeBuild(w, r, strings.TrimPrefix(target, "CodeBuild_20161006."))
	case strings.HasPrefix(target, "Logs_20140328."):
		f.logs(w, r, strings.TrimPrefix(target, "Logs_20140328."))
	default:
		f.s3(w, r)
	}
}

func (f *fakeAWS) s3(w http.ResponseWriter, r *http.Request) {
	object := strings.TrimPrefix(r.URL.Path, "/")
	f.record(r.Method + " /" + object)
	switch r.Method {
	case http.MethodHead:
		f.mu.Lock()
		body, ok := f.objects[object]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("ETag", `"etag"`)
		w.WriteHeader(http.StatusOK)
	case http.MethodPut:
		body, err := readS3Body(r)
		if err != nil {
			f.t.Errorf("PUT %s: %v", object, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.objects[object] = body
		f.mu.Unlock()
		w.Header().Set("ETag", `"etag"`)
		w.WriteHeader(http.StatusOK)
	default:
		f.t.Errorf("unexpected S3 request %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// readS3Body returns a PutObject payload, undoing aws-chunked encoding
// (used by the SDK when it sends a trailing checksum).
func readS3Body(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		return raw, nil
	}
	var out []byte
	br := bufio.NewReader(bytes.NewReader(raw))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("aws-chunked: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("aws-chunked size %q: %w", line, err)
		}
		if size == 0 {
			return out, nil // trailers follow; not needed
		}
		chunk := make([]byte, size)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, err
		}
		out = append(out, chunk...)
		if _, err := br.Discard(2); err != nil { // CRLF after the chunk
			return nil, err
		}
	}
}

func (f *fakeAWS) codeBuild(w http.ResponseWriter, r *http.Request, op string) {
	f.record(op)
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("%s: bad JSON: %v", op, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch op {
	case "StartBuild":
		f.startBuild = req
		writeJSON(w, map[string]any{"build": ibFakeBuild("SUBMITTED", "IN_PROGRESS", false)})
	case "BatchGetBuilds":
		if ids, _ := req["ids"].([]any); len(ids) != 1 || ids[0] != ibTestBuildID {
			f.t.Errorf("BatchGetBuilds ids %v, want [%s]", req["ids"], ibTestBuildID)
		}
		if len(f.builds) == 0 {
			f.t.Errorf("BatchGetBuilds: no scripted build left")
			writeJSON(w, map[string]any{"builds": []any{}})
			return
		}
		b := f.builds[0]
		if len(f.builds) > 1 {
			f.builds = f.builds[1:]
		}
		writeJSON(w, map[string]any{"builds": []any{b}})
	case "StopBuild":
		id, _ := req["id"].(string)
		f.stopped = append(f.stopped, id)
		writeJSON(w, map[string]any{"build": ibFakeBuild("BUILD", "STOPPED", true)})
	default:
		f.t.Errorf("unexpected CodeBuild operation %s", op)
		w.WriteHeader(http.StatusBadRequest)
	}
}

func (f *fakeAWS) logs(w http.ResponseWriter, r *http.Request, op string) {
	f.record(op)
	if op != "GetLogEvents" {
		f.t.Errorf("unexpected CloudWatch Logs operation %s", op)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("GetLogEvents: bad JSON: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logRequest = req
	lines := f.logLines
	if limit, ok := req["limit"].(float64); ok && int(limit) < len(lines) {
		lines = lines[len(lines)-int(limit):] // startFromHead=false: the newest
	}
	events := []any{}
	for i, l := range lines {
		events = append(events, map[string]any{"timestamp": 1000 + i, "ingestionTime": 2000 + i, "message": l + "\n"})
	}
	writeJSON(w, map[string]any{"events": events, "nextForwardToken": "f/1", "nextBackwardToken": "b/1"})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

// ibFakeBuild is a CodeBuild Build as BatchGetBuilds returns it.
func ibFakeBuild(phase, status string, complete bool) map[string]any {
	return map[string]any{
		"id":            ibTestBuildID,
		"projectName":   ibTestProject,
		"currentPhase":  phase,
		"buildStatus":   status,
		"buildComplete": complete,
		"logs": map[string]any{
			"groupName":  "/defang/app/builds",
			"streamName": "0b5c9a1e",
			"deepLink":   "https://console.aws.amazon.com/cloudwatch/home#logEvent:group=/defang/app/builds",
		},
	}
}

func ibSucceeded() map[string]any {
	b := ibFakeBuild("COMPLETED", "SUCCEEDED", true)
	b["exportedEnvironmentVariables"] = []any{
		map[string]any{"name": "OTHER", "value": "x"},
		map[string]any{"name": "IMAGE_DIGEST", "value": ibTestDigest},
	}
	return b
}

// ibContext writes a small build context and returns its path and digest.
func ibContext(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"Dockerfile":    "FROM scratch\nCOPY . /app\n",
		"main.go":       "package main\n",
		".dockerignore": "*.log\n",
		"debug.log":     "ignored",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	digest, err := buildcontext.Digest(dir, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return dir, digest
}

func ibArgs(dir, digest string) ImageBuildArgs {
	return ImageBuildArgs{
		ContextPath:      dir,
		ContextDigest:    digest,
		Dockerfile:       awssdk.String("Dockerfile"),
		Target:           awssdk.String("prod"),
		BuildArgs:        map[string]string{"B": "two words; $(rm -rf /)", "A": "1"},
		Platform:         awssdk.String("linux/amd64"),
		Bucket:           ibTestBucket,
		CodeBuildProject: ibTestProject,
		RepositoryURL:    ibTestRepo,
		Region:           awssdk.String("eu-west-1"),
	}
}

// ibResource is an ImageBuild wired to the fake, polling without delay and
// recording its log lines.
func ibResource(f *fakeAWS, lines *[]string) *ImageBuild {
	var mu sync.Mutex
	return &ImageBuild{
		pollInterval: 1, // a nanosecond: tests must not sleep
		newClients:   f.clients,
		logf: func(_ context.Context, msg string) {
			mu.Lock()
			defer mu.Unlock()
			*lines = append(*lines, msg)
		},
	}
}

// statuses are the BUILD_* words at the start of the log lines.
func statuses(lines []string) []string {
	var out []string
	for _, l := range lines {
		if word, _, ok := strings.Cut(l, ":"); ok && strings.HasPrefix(word, "BUILD_") {
			out = append(out, word)
		}
	}
	return out
}

func TestImageBuildCreateSucceeds(t *testing.T) {
	f := newFakeAWS(t)
	f.builds = []map[string]any{
		ibFakeBuild("QUEUED", "IN_PROGRESS", false),
		ibFakeBuild("PROVISIONING", "IN_PROGRESS", false),
		ibFakeBuild("PROVISIONING", "IN_PROGRESS", false), // no new line for a repeat
		ibFakeBuild("PRE_BUILD", "IN_PROGRESS", false),
		ibFakeBuild("BUILD", "IN_PROGRESS", false),
		ibFakeBuild("POST_BUILD", "IN_PROGRESS", false),
		ibSucceeded(),
	}
	dir, digest := ibContext(t)
	var lines []string
	r := ibResource(f, &lines)

	resp, err := r.Create(t.Context(), infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	// Statuses, in order, each once.
	want := []string{"BUILD_QUEUED", "BUILD_PROVISIONING", "BUILD_PENDING", "BUILD_RUNNING"}
	if got := statuses(lines); !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %q, want %q\nlines:\n%s", got, want, strings.Join(lines, "\n"))
	}

	// Upload under the digest, after looking for it.
	key := "contexts/" + strings.TrimPrefix(digest, "sha256:") + ".tar.gz"
	object := ibTestBucket + "/" + key
	calls := f.callList()
	if len(calls) < 3 || calls[0] != "HEAD /"+object || calls[1] != "PUT /"+object || calls[2] != "StartBuild" {
		t.Fatalf("calls %q, want HEAD, PUT of %s, then StartBuild", calls, object)
	}
	var packed bytes.Buffer
	if _, err := buildcontext.Pack(dir, "Dockerfile", &packed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.objects[object], packed.Bytes()) {
		t.Errorf("uploaded %d bytes that differ from the packed context (%d bytes)", len(f.objects[object]), packed.Len())
	}
	if _, err := gzip.NewReader(bytes.NewReader(f.objects[object])); err != nil {
		t.Errorf("uploaded object is not gzip: %v", err)
	}

	// StartBuild overrides.
	sb := f.startBuild
	for k, want := range map[string]any{
		"projectName":            ibTestProject,
		"sourceTypeOverride":     "NO_SOURCE",
		"buildspecOverride":      ibBuildspec,
		"privilegedModeOverride": true,
	} {
		if sb[k] != want {
			t.Errorf("StartBuild %s = %v, want %v", k, sb[k], want)
		}
	}
	if a, _ := sb["artifactsOverride"].(map[string]any); a["type"] != "NO_ARTIFACTS" {
		t.Errorf("StartBuild artifactsOverride = %v", sb["artifactsOverride"])
	}
	env := map[string]string{}
	list, _ := sb["environmentVariablesOverride"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		if m["type"] != "PLAINTEXT" {
			t.Errorf("env %v: type %v", m["name"], m["type"])
		}
		env[m["name"].(string)] = m["value"].(string)
	}
	for k, want := range map[string]string{
		"DEFANG_CONTEXT_URL":    "s3://" + object,
		"DEFANG_REPOSITORY_URL": ibTestRepo,
		"DEFANG_ECR_REGION":     "eu-west-1",
		"DOCKER_BUILDKIT":       "1",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	if tag := env["DEFANG_IMAGE_TAG"]; len(tag) != 64 {
		t.Errorf("image tag %q is not a 64-digit hex digest", tag)
	}
	raw, err := base64.StdEncoding.DecodeString(env["DEFANG_BUILD_FLAGS"])
	if err != nil {
		t.Fatal(err)
	}
	flags := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	wantFlags := []string{
		"--file=Dockerfile", "--platform=linux/amd64", "--target=prod",
		"--build-arg=A=1", "--build-arg=B=two words; $(rm -rf /)",
	}
	if !reflect.DeepEqual(flags, wantFlags) {
		t.Errorf("docker flags %q, want %q", flags, wantFlags)
	}
	// No input reaches the buildspec text itself.
	for _, s := range []string{ibTestRepo, ibTestBucket, "prod", "$(rm -rf /)"} {
		if strings.Contains(ibBuildspec, s) {
			t.Errorf("buildspec contains the input %q", s)
		}
	}

	// Outputs.
	out := resp.Output
	if resp.ID != ibTestBuildID || out.BuildID != ibTestBuildID {
		t.Errorf("ID %q, buildId %q, want %q", resp.ID, out.BuildID, ibTestBuildID)
	}
	if out.ImageURI != ibTestRepo+"@"+ibTestDigest || out.ImageDigest != ibTestDigest {
		t.Errorf("imageUri %q, imageDigest %q", out.ImageURI, out.ImageDigest)
	}
	if out.ContextPath != dir || out.ContextDigest != digest {
		t.Errorf("inputs not carried into the state: %+v", out.ImageBuildArgs)
	}
	if len(f.stopped) != 0 {
		t.Errorf("a successful build was stopped")
	}
}

func TestImageBuildCreateFails(t *testing.T) {
	f := newFakeAWS(t)
	failed := ibFakeBuild("COMPLETED", "FAILED", true)
	failed["phases"] = []any{
		map[string]any{"phaseType": "PRE_BUILD", "phaseStatus": "SUCCEEDED"},
		map[string]any{"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": []any{map[string]any{
			"statusCode": "COMMAND_EXECUTION_ERROR",
			"message":    "Error while executing command: docker build. Reason: exit status 1",
		}}},
	}
	f.builds = []map[string]any{
		ibFakeBuild("BUILD", "IN_PROGRESS", false),
		ibFakeBuild("FINALIZING", "FAILED", false),
		failed,
	}
	for i := 1; i <= 45; i++ {
		f.logLines = append(f.logLines, fmt.Sprintf("log line %02d", i))
	}
	dir, digest := ibContext(t)
	var lines []string

	_, err := ibResource(f, &lines).Create(t.Context(),
		infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
	if err == nil {
		t.Fatal("Create succeeded for a failed build")
	}
	msg := err.Error()
	for _, want := range []string{
		"image build app", ibTestBuildID, "ended FAILED", "in phase BUILD",
		"COMMAND_EXECUTION_ERROR", "exit status 1",
		"log line 16", "log line 45", "Full log: https://console.aws.amazon.com",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "log line 15") {
		t.Errorf("error has more than the last 30 log lines:\n%s", msg)
	}

	want := []string{"BUILD_QUEUED", "BUILD_RUNNING", "BUILD_STOPPING", "BUILD_FAILED"}
	if got := statuses(lines); !reflect.DeepEqual(got, want) {
		t.Errorf("statuses %q, want %q", got, want)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "BUILD_FAILED") || !strings.Contains(last, "FAILED") {
		t.Errorf("last line %q does not say how the build ended", last)
	}
	lr := f.logRequest
	if lr["logGroupName"] != "/defang/app/builds" || lr["logStreamName"] != "0b5c9a1e" ||
		lr["startFromHead"] != false || lr["limit"] != float64(30) {
		t.Errorf("GetLogEvents request %v", lr)
	}
}

func TestImageBuildFailureStatuses(t *testing.T) {
	for _, status := range []string{"FAULT", "TIMED_OUT", "STOPPED"} {
		t.Run(status, func(t *testing.T) {
			f := newFakeAWS(t)
			f.builds = []map[string]any{ibFakeBuild("COMPLETED", status, true)}
			dir, digest := ibContext(t)
			var lines []string
			_, err := ibResource(f, &lines).Create(t.Context(),
				infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
			if err == nil || !strings.Contains(err.Error(), "ended "+status) {
				t.Fatalf("error %v, want one saying the build ended %s", err, status)
			}
			if !strings.Contains(err.Error(), "The build log is empty") {
				t.Errorf("error %v does not mention the empty log", err)
			}
			if got := statuses(lines); !reflect.DeepEqual(got, []string{"BUILD_QUEUED", "BUILD_FAILED"}) {
				t.Errorf("statuses %q", got)
			}
		})
	}
}

func TestImageBuildSkipsExistingUpload(t *testing.T) {
	f := newFakeAWS(t)
	f.builds = []map[string]any{ibSucceeded()}
	dir, digest := ibContext(t)
	object := ibTestBucket + "/contexts/" + strings.TrimPrefix(digest, "sha256:") + ".tar.gz"
	f.objects[object] = []byte("uploaded earlier")
	var lines []string

	if _, err := ibResource(f, &lines).Create(t.Context(),
		infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	for _, c := range f.callList() {
		if strings.HasPrefix(c, "PUT ") {
			t.Fatalf("uploaded again although the object exists: %q", f.callList())
		}
	}
	if string(f.objects[object]) != "uploaded earlier" {
		t.Error("existing object was overwritten")
	}
}

func TestImageBuildContextChanged(t *testing.T) {
	for _, exists := range []bool{false, true} {
		t.Run(fmt.Sprintf("uploaded=%v", exists), func(t *testing.T) {
			f := newFakeAWS(t)
			dir, digest := ibContext(t)
			if exists {
				f.objects[ibTestBucket+"/"+ibContextKey(digest)] = []byte("x")
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main // edited\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var lines []string
			_, err := ibResource(f, &lines).Create(t.Context(),
				infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
			if err == nil || !strings.Contains(err.Error(), "build context changed during the update") {
				t.Fatalf("error %v, want the context-changed error", err)
			}
			for _, c := range f.callList() {
				if strings.HasPrefix(c, "PUT ") || c == "StartBuild" {
					t.Errorf("%s after the context changed", c)
				}
			}
		})
	}
}

func TestImageBuildCancelStopsBuild(t *testing.T) {
	f := newFakeAWS(t)
	f.builds = []map[string]any{ibFakeBuild("BUILD", "IN_PROGRESS", false)} // forever
	dir, digest := ibContext(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := ibResource(f, new([]string))
	r.logf = func(_ context.Context, msg string) {
		if strings.HasPrefix(msg, "BUILD_RUNNING") {
			cancel() // the user pressed ^C
		}
	}
	_, err := r.Create(ctx, infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
	if err == nil || !strings.Contains(err.Error(), "cancelled") || !strings.Contains(err.Error(), "was stopped") {
		t.Fatalf("error %v, want a cancellation that stopped the build", err)
	}
	if !reflect.DeepEqual(f.stopped, []string{ibTestBuildID}) {
		t.Errorf("StopBuild calls %q, want [%s]", f.stopped, ibTestBuildID)
	}
}

func TestImageBuildMissingDigestOutput(t *testing.T) {
	f := newFakeAWS(t)
	f.builds = []map[string]any{ibFakeBuild("COMPLETED", "SUCCEEDED", true)} // no IMAGE_DIGEST
	dir, digest := ibContext(t)
	_, err := ibResource(f, new([]string)).Create(t.Context(),
		infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: ibArgs(dir, digest)})
	if err == nil || !strings.Contains(err.Error(), "IMAGE_DIGEST") {
		t.Fatalf("error %v, want one about the missing IMAGE_DIGEST", err)
	}
}

func TestImageBuildStatusMapping(t *testing.T) {
	cases := []struct {
		phase, status string
		complete      bool
		want          string
		done          bool
	}{
		{"SUBMITTED", "IN_PROGRESS", false, "BUILD_QUEUED", false},
		{"QUEUED", "IN_PROGRESS", false, "BUILD_QUEUED", false},
		{"PROVISIONING", "IN_PROGRESS", false, "BUILD_PROVISIONING", false},
		{"DOWNLOAD_SOURCE", "IN_PROGRESS", false, "BUILD_PENDING", false},
		{"INSTALL", "IN_PROGRESS", false, "BUILD_PENDING", false},
		{"PRE_BUILD", "IN_PROGRESS", false, "BUILD_PENDING", false},
		{"BUILD", "IN_PROGRESS", false, "BUILD_RUNNING", false},
		{"POST_BUILD", "IN_PROGRESS", false, "BUILD_RUNNING", false},
		{"UPLOAD_ARTIFACTS", "IN_PROGRESS", false, "BUILD_STOPPING", false},
		{"FINALIZING", "FAILED", false, "BUILD_STOPPING", false},
		{"FINALIZING", "SUCCEEDED", false, "", false},
		{"COMPLETED", "SUCCEEDED", true, "", true},
		{"COMPLETED", "SUCCEEDED", false, "", true}, // flag lagging
		{"COMPLETED", "FAILED", true, "BUILD_FAILED", true},
		{"COMPLETED", "FAULT", true, "BUILD_FAILED", true},
		{"COMPLETED", "TIMED_OUT", true, "BUILD_FAILED", true},
		{"COMPLETED", "STOPPED", true, "BUILD_FAILED", true},
		{"SOMETHING_NEW", "IN_PROGRESS", false, "", false},
	}
	for _, c := range cases {
		got, done := ibBuildStatus(cbtypes.Build{
			CurrentPhase: awssdk.String(c.phase), BuildStatus: cbtypes.StatusType(c.status), BuildComplete: c.complete,
		})
		if got != c.want || done != c.done {
			t.Errorf("%s/%s complete=%v: got %q done=%v, want %q done=%v",
				c.phase, c.status, c.complete, got, done, c.want, c.done)
		}
	}
}

func TestImageBuildDiff(t *testing.T) {
	base := ibArgs("/home/me/app", "sha256:"+strings.Repeat("a", 64))
	state := ImageBuildState{ImageBuildArgs: base, ImageURI: ibTestRepo + "@" + ibTestDigest,
		ImageDigest: ibTestDigest, BuildID: ibTestBuildID}

	cases := []struct {
		name   string
		edit   func(a *ImageBuildArgs)
		change map[string]p.DiffKind
	}{
		{"unchanged", func(*ImageBuildArgs) {}, nil},
		{"contextPath only", func(a *ImageBuildArgs) { a.ContextPath = "/ci/workspace/app" }, nil},
		{"bucket and region only", func(a *ImageBuildArgs) {
			a.Bucket, a.Region = "other-bucket", awssdk.String("us-east-1")
		}, nil},
		{"defaults spelled out or left out", func(a *ImageBuildArgs) {
			a.Dockerfile, a.Platform = nil, nil
		}, nil},
		{"dockerfile spelled differently", func(a *ImageBuildArgs) { a.Dockerfile = awssdk.String("./Dockerfile") }, nil},
		{"context digest", func(a *ImageBuildArgs) { a.ContextDigest = "sha256:" + strings.Repeat("b", 64) },
			map[string]p.DiffKind{"contextDigest": p.UpdateReplace}},
		{"dockerfile", func(a *ImageBuildArgs) { a.Dockerfile = awssdk.String("Dockerfile.prod") },
			map[string]p.DiffKind{"dockerfile": p.UpdateReplace}},
		{"target removed", func(a *ImageBuildArgs) { a.Target = nil },
			map[string]p.DiffKind{"target": p.DeleteReplace}},
		{"build arg value", func(a *ImageBuildArgs) { a.BuildArgs = map[string]string{"A": "2", "B": base.BuildArgs["B"]} },
			map[string]p.DiffKind{"buildArgs": p.UpdateReplace}},
		{"platform", func(a *ImageBuildArgs) { a.Platform = awssdk.String("linux/arm64") },
			map[string]p.DiffKind{"platform": p.UpdateReplace}},
		{"repository and project", func(a *ImageBuildArgs) {
			a.RepositoryURL, a.CodeBuildProject = ibTestRepo+"2", "other"
		}, map[string]p.DiffKind{"repositoryUrl": p.UpdateReplace, "codeBuildProject": p.UpdateReplace}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			news := base
			news.BuildArgs = map[string]string{}
			for k, v := range base.BuildArgs {
				news.BuildArgs[k] = v
			}
			c.edit(&news)
			resp, err := (&ImageBuild{}).Diff(t.Context(), infer.DiffRequest[ImageBuildArgs, ImageBuildState]{
				ID: ibTestBuildID, State: state, Inputs: news,
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.DeleteBeforeReplace {
				t.Error("DeleteBeforeReplace set")
			}
			if resp.HasChanges != (len(c.change) > 0) {
				t.Errorf("HasChanges = %v, detailed %v", resp.HasChanges, resp.DetailedDiff)
			}
			got := map[string]p.DiffKind{}
			for k, d := range resp.DetailedDiff {
				got[k] = d.Kind
				if !d.InputDiff {
					t.Errorf("%s: not an input diff", k)
				}
			}
			if len(c.change) == 0 {
				c.change = map[string]p.DiffKind{}
			}
			if !reflect.DeepEqual(got, c.change) {
				t.Errorf("diff %v, want %v", got, c.change)
			}
		})
	}

	// No build args: nil and empty are the same build; going to some is an add.
	noArgs := state
	noArgs.BuildArgs = nil
	emptyArgs := base
	emptyArgs.BuildArgs = map[string]string{}
	resp, err := (&ImageBuild{}).Diff(t.Context(), infer.DiffRequest[ImageBuildArgs, ImageBuildState]{
		State: noArgs, Inputs: emptyArgs,
	})
	if err != nil || resp.HasChanges {
		t.Errorf("nil -> empty build args: %v, %v", resp.DetailedDiff, err)
	}
	resp, err = (&ImageBuild{}).Diff(t.Context(), infer.DiffRequest[ImageBuildArgs, ImageBuildState]{
		State: noArgs, Inputs: base,
	})
	if err != nil || resp.DetailedDiff["buildArgs"].Kind != p.AddReplace {
		t.Errorf("nil -> some build args: %v, %v", resp.DetailedDiff, err)
	}
}

func TestImageBuildDeleteAndRead(t *testing.T) {
	state := ImageBuildState{ImageBuildArgs: ibArgs("/x", ibTestDigest), ImageURI: "u", ImageDigest: ibTestDigest, BuildID: "b"}
	if _, err := (&ImageBuild{}).Delete(t.Context(), infer.DeleteRequest[ImageBuildState]{ID: "b", State: state}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	resp, err := (&ImageBuild{}).Read(t.Context(), infer.ReadRequest[ImageBuildArgs, ImageBuildState]{
		ID: "b", Inputs: state.ImageBuildArgs, State: state,
	})
	if err != nil || resp.ID != "b" || !reflect.DeepEqual(resp.State, state) {
		t.Fatalf("Read: %+v, %v", resp, err)
	}
}

// --- Through the provider, as the engine calls it. ---

func ibServer(t *testing.T, r *ImageBuild) integration.Server {
	t.Helper()
	prov, err := infer.NewProviderBuilder().WithResources(infer.Resource(r)).Build()
	if err != nil {
		t.Fatal(err)
	}
	s, err := integration.NewServer(t.Context(), "defang", semver.MustParse("1.0.0"), integration.WithProvider(prov))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ibURN() resource.URN {
	return resource.NewURN("dev", "proj", "", tokens.Type("defang:aws:ImageBuild"), "app")
}

func ibInputMap(dir, digest string) map[string]property.Value {
	return map[string]property.Value{
		"contextPath":      property.New(dir),
		"contextDigest":    property.New(digest),
		"bucket":           property.New(ibTestBucket),
		"codeBuildProject": property.New(ibTestProject),
		"repositoryUrl":    property.New(ibTestRepo),
		"region":           property.New("eu-west-1"),
	}
}

func TestImageBuildPreviewTouchesNothing(t *testing.T) {
	f := newFakeAWS(t)
	s := ibServer(t, &ImageBuild{pollInterval: 1, newClients: f.clients})
	dir, digest := ibContext(t)

	inputs := ibInputMap(dir, digest)
	inputs["repositoryUrl"] = property.New(property.Computed) // the repository is new too
	resp, err := s.Create(p.CreateRequest{Urn: ibURN(), Properties: property.NewMap(inputs), DryRun: true})
	if err != nil {
		t.Fatalf("preview Create: %v", err)
	}
	for _, k := range []string{"imageUri", "imageDigest", "buildId"} {
		if v := resp.Properties.Get(k); !v.IsComputed() {
			t.Errorf("preview %s = %v, want unknown", k, v)
		}
	}
	if f.clientCalls != 0 || len(f.callList()) != 0 {
		t.Errorf("preview reached AWS: %d client constructions, calls %q", f.clientCalls, f.callList())
	}
}

func TestImageBuildCheck(t *testing.T) {
	s := ibServer(t, &ImageBuild{})
	dir, digest := ibContext(t)

	// Defaults are filled in.
	resp, err := s.Check(p.CheckRequest{Urn: ibURN(), Inputs: property.NewMap(ibInputMap(dir, digest))})
	if err != nil || len(resp.Failures) != 0 {
		t.Fatalf("Check: %v, %v", resp.Failures, err)
	}
	if got := resp.Inputs.Get("platform"); got.AsString() != "linux/amd64" {
		t.Errorf("platform default %v", got)
	}
	if got := resp.Inputs.Get("dockerfile"); got.AsString() != "Dockerfile" {
		t.Errorf("dockerfile default %v", got)
	}

	// Bad values fail with the property named.
	bad := ibInputMap("relative/dir", "md5:abc")
	bad["platform"] = property.New("amd64")
	bad["dockerfile"] = property.New("../Dockerfile")
	bad["repositoryUrl"] = property.New(ibTestRepo + ":latest")
	bad["buildArgs"] = property.New(map[string]property.Value{"A=B": property.New("x")})
	resp, err = s.Check(p.CheckRequest{Urn: ibURN(), Inputs: property.NewMap(bad)})
	if err != nil {
		t.Fatal(err)
	}
	var props []string
	for _, f := range resp.Failures {
		props = append(props, f.Property)
	}
	want := []string{"contextPath", "contextDigest", "dockerfile", "platform", "buildArgs", "repositoryUrl"}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("failures on %q, want %q (%v)", props, want, resp.Failures)
	}

	// Unknown values are not judged.
	unknown := ibInputMap(dir, digest)
	unknown["repositoryUrl"] = property.New(property.Computed)
	unknown["bucket"] = property.New(property.Computed)
	resp, err = s.Check(p.CheckRequest{Urn: ibURN(), Inputs: property.NewMap(unknown)})
	if err != nil || len(resp.Failures) != 0 {
		t.Fatalf("Check with unknowns: %v, %v", resp.Failures, err)
	}
}

func TestImageBuildDiffThroughProvider(t *testing.T) {
	s := ibServer(t, &ImageBuild{})
	dir, digest := ibContext(t)
	inputs := ibInputMap(dir, digest)
	inputs["platform"] = property.New("linux/amd64")
	inputs["dockerfile"] = property.New("Dockerfile")
	state := map[string]property.Value{}
	for k, v := range inputs {
		state[k] = v
	}
	state["imageUri"] = property.New(ibTestRepo + "@" + ibTestDigest)
	state["imageDigest"] = property.New(ibTestDigest)
	state["buildId"] = property.New(ibTestBuildID)

	diff := func(edit func(map[string]property.Value)) p.DiffResponse {
		t.Helper()
		news := map[string]property.Value{}
		for k, v := range inputs {
			news[k] = v
		}
		edit(news)
		resp, err := s.Diff(p.DiffRequest{
			ID: ibTestBuildID, Urn: ibURN(), State: property.NewMap(state),
			OldInputs: property.NewMap(inputs), Inputs: property.NewMap(news),
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if d := diff(func(map[string]property.Value) {}); d.HasChanges || len(d.DetailedDiff) != 0 {
		t.Errorf("unchanged: %+v", d)
	}
	if d := diff(func(m map[string]property.Value) { m["contextPath"] = property.New("/elsewhere") }); d.HasChanges {
		t.Errorf("contextPath only: %+v", d)
	}
	d := diff(func(m map[string]property.Value) {
		m["contextDigest"] = property.New("sha256:" + strings.Repeat("c", 64))
	})
	if !d.HasChanges || d.DetailedDiff["contextDigest"].Kind != p.UpdateReplace || d.DeleteBeforeReplace {
		t.Errorf("digest change: %+v", d)
	}
	d = diff(func(m map[string]property.Value) { m["contextDigest"] = property.New(property.Computed) })
	if !d.HasChanges || d.DetailedDiff["contextDigest"].Kind != p.UpdateReplace {
		t.Errorf("unknown digest: %+v", d)
	}
}

// slogCapture records the messages of log records, which is where the
// provider logger writes when no engine is attached.
type slogCapture struct {
	mu   sync.Mutex
	msgs []string
}

func (c *slogCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *slogCapture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, r.Message)
	return nil
}
func (c *slogCapture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *slogCapture) WithGroup(string) slog.Handler      { return c }

// TestImageBuildCreateThroughProvider runs a real (non-preview) create the
// way the engine does, with the default logger: the statuses must reach the
// provider logger, and the outputs must come back known.
func TestImageBuildCreateThroughProvider(t *testing.T) {
	capture := &slogCapture{}
	old := slog.Default()
	slog.SetDefault(slog.New(capture))
	t.Cleanup(func() { slog.SetDefault(old) })

	f := newFakeAWS(t)
	f.builds = []map[string]any{ibFakeBuild("BUILD", "IN_PROGRESS", false), ibSucceeded()}
	s := ibServer(t, &ImageBuild{pollInterval: 1, newClients: f.clients})
	dir, digest := ibContext(t)

	resp, err := s.Create(p.CreateRequest{Urn: ibURN(), Properties: property.NewMap(ibInputMap(dir, digest))})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if resp.ID != ibTestBuildID || resp.Properties.Get("imageUri").AsString() != ibTestRepo+"@"+ibTestDigest {
		t.Errorf("Create returned %s, %v", resp.ID, resp.Properties)
	}
	capture.mu.Lock()
	defer capture.mu.Unlock()
	if got := statuses(capture.msgs); !reflect.DeepEqual(got, []string{"BUILD_QUEUED", "BUILD_RUNNING"}) {
		t.Errorf("provider logger got statuses %q (all: %q)", got, capture.msgs)
	}
}

func TestImageBuildSchemaToken(t *testing.T) {
	s := ibServer(t, &ImageBuild{})
	resp, err := s.GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Resources map[string]struct {
			Description     string `json:"description"`
			InputProperties map[string]struct {
				Description string `json:"description"`
			} `json:"inputProperties"`
			Properties map[string]struct {
				Description string `json:"description"`
			} `json:"properties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(resp.Schema), &schema); err != nil {
		t.Fatal(err)
	}
	res, ok := schema.Resources["defang:aws:ImageBuild"]
	if !ok {
		t.Fatalf("no defang:aws:ImageBuild in %v", schema.Resources)
	}
	if res.Description == "" {
		t.Error("resource has no description")
	}
	for name, prop := range res.InputProperties {
		if prop.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	for name, prop := range res.Properties {
		if prop.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	if len(res.InputProperties) != 10 || len(res.Properties) != 13 {
		t.Errorf("%d inputs, %d outputs; want 10 and 13", len(res.InputProperties), len(res.Properties))
	}
}

// TestImageBuildBuildspecScript runs the buildspec's commands with bash, with
// stand-ins for aws and docker on PATH and the environment StartBuild would
// set, the way CodeBuild runs them: each command its own shell, same
// environment. It checks the YAML shape, that hostile input values reach
// docker as single arguments, that the context lands in docker's working
// directory, and how IMAGE_DIGEST is found.
func TestImageBuildBuildspecScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	var spec struct {
		Version any `yaml:"version"`
		Env     struct {
			Shell    string   `yaml:"shell"`
			Exported []string `yaml:"exported-variables"`
		} `yaml:"env"`
		Phases map[string]struct {
			Commands []string `yaml:"commands"`
		} `yaml:"phases"`
	}
	if err := yaml.Unmarshal([]byte(ibBuildspec), &spec); err != nil {
		t.Fatalf("buildspec is not YAML: %v", err)
	}
	if fmt.Sprint(spec.Version) != "0.2" || spec.Env.Shell != "bash" ||
		!reflect.DeepEqual(spec.Env.Exported, []string{"IMAGE_DIGEST"}) || len(spec.Phases) != 2 {
		t.Fatalf("buildspec shape: %+v", spec)
	}

	const (
		inspected = "sha256:4444444444444444444444444444444444444444444444444444444444444444"
		pushed    = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	)
	run := func(t *testing.T, inspectOutput string, buildFails bool) (log, digest string, err error) {
		dir, ctxDigest := ibContext(t)
		work := t.TempDir()
		tarball := filepath.Join(work, "context.tar.gz")
		var packed bytes.Buffer
		if _, err := buildcontext.Pack(dir, "Dockerfile", &packed); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(tarball, packed.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(work, "bin")
		stubs := map[string]string{
			"aws": `#!/bin/bash
echo "aws $*" >> "$STUB_LOG"
case "$1 $2" in
  "s3 cp") cat "$STUB_TARBALL" ;;
  "ecr get-login-password") echo token ;;
  *) exit 2 ;;
esac
`,
			"docker": `#!/bin/bash
# One write per call: aws and docker run concurrently in a pipeline.
line='docker'; for a in "$@"; do line+=" [$a]"; done; printf '%s\n' "$line" >> "$STUB_LOG"
case "$1" in
  login) [ "$(cat)" = token ] || exit 3 ;;
  build) ls -A > "$STUB_DIR/build-files"; [ -z "$STUB_BUILD_FAILS" ] || exit 1 ;;
  push) echo "The push refers to repository"; echo "latest: digest: ` + pushed + ` size: 528" ;;
  inspect) printf '%b' "$STUB_INSPECT" ;;
  *) exit 2 ;;
esac
`,
		}
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, script := range stubs {
			if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		}

		input := ibStartBuildInput(ibTestBucket, ibContextKey(ctxDigest), ibArgs(dir, ctxDigest).settings(), "eu-west-1")
		env := append(os.Environ(),
			"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"CODEBUILD_SRC_DIR="+filepath.Join(work, "src"),
			"STUB_LOG="+filepath.Join(work, "log"),
			"STUB_DIR="+work,
			"STUB_TARBALL="+tarball,
			"STUB_INSPECT="+inspectOutput,
		)
		if buildFails {
			env = append(env, "STUB_BUILD_FAILS=1")
		}
		for _, v := range input.EnvironmentVariablesOverride {
			env = append(env, *v.Name+"="+*v.Value)
		}
		if err := os.MkdirAll(filepath.Join(work, "src"), 0o755); err != nil {
			t.Fatal(err)
		}
		digestFile := filepath.Join(work, "digest")
		for _, phase := range []string{"pre_build", "build"} {
			for _, command := range spec.Phases[phase].Commands {
				script := command + "\nprintf '%s' \"${IMAGE_DIGEST:-}\" > " + digestFile + "\n"
				cmd := exec.Command(bash, "-c", script)
				cmd.Env, cmd.Dir = env, filepath.Join(work, "src")
				if out, err := cmd.CombinedOutput(); err != nil {
					b, _ := os.ReadFile(filepath.Join(work, "log"))
					return string(b), "", fmt.Errorf("%s: %v\n%s", phase, err, out)
				}
			}
		}
		b, _ := os.ReadFile(filepath.Join(work, "log"))
		d, _ := os.ReadFile(digestFile)
		files, _ := os.ReadFile(filepath.Join(work, "build-files"))
		if got := strings.Fields(string(files)); !reflect.DeepEqual(got, []string{".dockerignore", "Dockerfile", "main.go"}) {
			t.Errorf("docker build ran in a directory with %q", got)
		}
		return string(b), string(d), nil
	}

	t.Run("digest from docker inspect", func(t *testing.T) {
		log, digest, err := run(t, "other.example.com/x@sha256:3333\\n"+ibTestRepo+"@"+inspected+"\\n", false)
		if err != nil {
			t.Fatal(err)
		}
		if digest != inspected {
			t.Errorf("IMAGE_DIGEST %q, want %q", digest, inspected)
		}
		for _, want := range []string{
			"aws ecr get-login-password --region eu-west-1",
			"docker [login] [--username] [AWS] [--password-stdin] [123456789012.dkr.ecr.eu-west-1.amazonaws.com]",
			"docker [build] [--file=Dockerfile] [--platform=linux/amd64] [--target=prod] [--build-arg=A=1] " +
				"[--build-arg=B=two words; $(rm -rf /)] [--tag] [" + ibTestRepo + ":",
			"docker [push] [" + ibTestRepo + ":",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("stub log lacks %q:\n%s", want, log)
			}
		}
	})
	t.Run("digest from the push output", func(t *testing.T) {
		_, digest, err := run(t, "", false)
		if err != nil {
			t.Fatal(err)
		}
		if digest != pushed {
			t.Errorf("IMAGE_DIGEST %q, want %q", digest, pushed)
		}
	})
	t.Run("failed docker build stops the script", func(t *testing.T) {
		log, _, err := run(t, "", true)
		if err == nil {
			t.Fatal("the build phase succeeded although docker build failed")
		}
		if strings.Contains(log, "docker [push]") {
			t.Errorf("pushed after a failed build:\n%s", log)
		}
	})
}
