package standin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

// AWSAPI is a loopback fake of the AWS APIs that our own plugin calls
// directly (defang:aws:ImageBuild, through aws-sdk-go-v2): S3 HeadObject,
// PutObject and GetObject (path-style), CodeBuild StartBuild,
// BatchGetBuilds and StopBuild, and CloudWatch Logs GetLogEvents. Point the
// plugin at it with AWS_ENDPOINT_URL=<URL>, static AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, and AWS_REGION. Signatures are not checked.
//
// Builds succeed: BatchGetBuilds answers COMPLETED/SUCCEEDED with the
// exported variable IMAGE_DIGEST = BuildDigest(the build's environment
// overrides), unless FailBuilds is in effect.
type AWSAPI struct {
	URL string // http://127.0.0.1:<port>

	srv    *http.Server
	served chan struct{}

	mu      sync.Mutex
	calls   []string
	objects map[string][]byte // "bucket/key"
	builds  map[string]*Build // by id
	order   []string          // build ids, oldest first
	failMsg string
	instant bool
	exists  func(kind, name string) bool
}

// Kinds of resources the fake asks SetExisting about.
const (
	KindBucket           = "bucket"
	KindCodeBuildProject = "codebuild-project"
)

// SetExisting says which buckets and CodeBuild projects the account has, so
// that the fake refuses what AWS refuses: a PutObject or GetObject to a
// bucket that does not exist (S3's NoSuchBucket) and a StartBuild of a
// project that does not exist (CodeBuild's ResourceNotFoundException, an
// error botocore's codebuild model lists for StartBuild; moto 5.2.5 answers
// both the same way). exists(kind, name) answers; nil, the default, means
// everything exists. The engine tests can answer from the aws stand-in's
// resources (aws:s3/bucketV2, aws:codebuild/project).
func (a *AWSAPI) SetExisting(exists func(kind, name string) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.exists = exists
}

func (a *AWSAPI) has(kind, name string) bool {
	a.mu.Lock()
	exists := a.exists
	a.mu.Unlock()
	return exists == nil || exists(kind, name)
}

// Build is one CodeBuild build the fake ran.
type Build struct {
	ID      string
	Project string
	Region  string            // from the request's signature
	Env     map[string]string // the environment variable overrides
	Digest  string            // the IMAGE_DIGEST it exported ("" when it failed)
	Status  string            // SUCCEEDED, FAILED or STOPPED
	Log     []string          // its log lines
}

// StartAWSAPI serves the fake on 127.0.0.1 and a free port.
func StartAWSAPI() (*AWSAPI, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("AWS API fake: %w", err)
	}
	a := &AWSAPI{
		URL:     "http://" + lis.Addr().String(),
		served:  make(chan struct{}),
		objects: map[string][]byte{},
		builds:  map[string]*Build{},
	}
	a.srv = &http.Server{Handler: http.HandlerFunc(a.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() {
		defer close(a.served)
		_ = a.srv.Serve(lis)
	}()
	return a, nil
}

// Close stops the fake.
func (a *AWSAPI) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.srv.Shutdown(ctx); err != nil {
		_ = a.srv.Close()
	}
	<-a.served
}

// Calls lists the requests so far, in order: "HEAD /bucket/key",
// "PUT /bucket/key", "GET /bucket/key", "StartBuild <projectName>",
// "BatchGetBuilds <id>[,<id>...]", "StopBuild <id>",
// "GetLogEvents <group> <stream>"; anything else as "UNKNOWN <method> <path>".
func (a *AWSAPI) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// Objects returns the S3 objects stored so far, keyed "bucket/key".
func (a *AWSAPI) Objects() map[string][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string][]byte, len(a.objects))
	for k, v := range a.objects {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

// Builds returns the builds started so far, oldest first.
func (a *AWSAPI) Builds() []Build {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]Build, 0, len(a.order))
	for _, id := range a.order {
		b := *a.builds[id]
		b.Log = append([]string(nil), b.Log...)
		out = append(out, b)
	}
	return out
}

// FailBuilds makes the builds started from now on end FAILED, with message
// as a line of their log. An empty message makes them succeed again.
func (a *AWSAPI) FailBuilds(message string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failMsg = message
}

// InstantBuilds makes StartBuild answer with the finished build, so that
// the caller need not poll BatchGetBuilds (ImageBuild waits its poll
// interval, 5 s, before each BatchGetBuilds). Off by default.
func (a *AWSAPI) InstantBuilds(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.instant = on
}

// BuildDigest is the image digest a build with these environment variable
// overrides exports: "sha256:" and the hex SHA-256 of the sorted
// "NAME=VALUE\n" lines. ImageBuild's overrides carry the context's S3 URL
// and the image tag (a hash of every build setting), so the digest changes
// exactly when the image would.
func BuildDigest(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, env[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func (a *AWSAPI) record(call string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, call)
}

func (a *AWSAPI) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "CodeBuild_20161006."):
		a.codeBuild(w, r, strings.TrimPrefix(target, "CodeBuild_20161006."))
	case strings.HasPrefix(target, "Logs_20140328."):
		a.logs(w, r, strings.TrimPrefix(target, "Logs_20140328."))
	case target != "":
		a.record("UNKNOWN " + target)
		jsonError(w, "UnknownOperationException", "the fake AWS API does not serve "+target)
	default:
		a.s3(w, r)
	}
}

func (a *AWSAPI) s3(w http.ResponseWriter, r *http.Request) {
	object := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(object, "/")
	if bucket != "" && !a.has(KindBucket, bucket) {
		a.record(r.Method + " /" + object)
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound) // HEAD answers have no body
			return
		}
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist", key)
		return
	}
	switch r.Method {
	case http.MethodHead, http.MethodGet:
		a.record(r.Method + " /" + object)
		a.mu.Lock()
		body, ok := a.objects[object]
		a.mu.Unlock()
		if !ok {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.", key)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("ETag", etag(body))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	case http.MethodPut:
		a.record("PUT /" + object)
		if bucket == "" || key == "" {
			s3Error(w, http.StatusBadRequest, "InvalidRequest", "PUT needs /bucket/key (path-style)", object)
			return
		}
		body, err := readS3Body(r)
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error(), key)
			return
		}
		a.mu.Lock()
		a.objects[object] = body
		a.mu.Unlock()
		w.Header().Set("ETag", etag(body))
		w.WriteHeader(http.StatusOK)
	default:
		a.record("UNKNOWN " + r.Method + " " + r.URL.Path)
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the fake AWS API does not serve this", key)
	}
}

// region is the region in a request's SigV4 credential scope
// (Credential=AKID/date/region/service/aws4_request), else us-east-1.
func region(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if ok {
		if parts := strings.Split(cred, "/"); len(parts) >= 3 && parts[2] != "" {
			return parts[2]
		}
	}
	return "us-east-1"
}

func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

func s3Error(w http.ResponseWriter, code int, errCode, message, key string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(code)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><Key>%s</Key></Error>`,
		errCode, xmlEscape(message), xmlEscape(key))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// readS3Body returns a PutObject payload, undoing aws-chunked encoding
// (which the SDK uses when it sends a trailing checksum).
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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func jsonError(w http.ResponseWriter, typ, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"__type": typ, "message": message})
}

// codeBuild serves CodeBuild's JSON 1.1 protocol.
func (a *AWSAPI) codeBuild(w http.ResponseWriter, r *http.Request, op string) {
	var req struct {
		ProjectName string   `json:"projectName"`
		ID          string   `json:"id"`
		IDs         []string `json:"ids"`
		Env         []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"environmentVariablesOverride"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		a.record(op)
		jsonError(w, "InvalidInputException", "bad JSON: "+err.Error())
		return
	}
	switch op {
	case "StartBuild":
		a.record("StartBuild " + req.ProjectName)
		if req.ProjectName == "" {
			jsonError(w, "InvalidInputException", "projectName is required")
			return
		}
		if !a.has(KindCodeBuildProject, req.ProjectName) {
			jsonError(w, "ResourceNotFoundException", "Project cannot be found: arn:aws:codebuild:"+region(r)+":"+
				fakecloud.AccountID+":project/"+req.ProjectName)
			return
		}
		env := map[string]string{}
		for _, e := range req.Env {
			env[e.Name] = e.Value
		}
		writeJSON(w, map[string]any{"build": a.startBuild(req.ProjectName, env, region(r))})
	case "BatchGetBuilds":
		a.record("BatchGetBuilds " + strings.Join(req.IDs, ","))
		found, missing := []any{}, []string{}
		a.mu.Lock()
		for _, id := range req.IDs {
			if b, ok := a.builds[id]; ok {
				found = append(found, b.json(true))
			} else {
				missing = append(missing, id)
			}
		}
		a.mu.Unlock()
		writeJSON(w, map[string]any{"builds": found, "buildsNotFound": missing})
	case "StopBuild":
		a.record("StopBuild " + req.ID)
		a.mu.Lock()
		var stopped map[string]any
		if b, ok := a.builds[req.ID]; ok {
			b.Status, b.Digest = "STOPPED", ""
			b.Log = append(b.Log, "[Container] Build was stopped")
			stopped = b.json(true)
		}
		a.mu.Unlock()
		if stopped == nil {
			jsonError(w, "ResourceNotFoundException", "no build "+req.ID)
			return
		}
		writeJSON(w, map[string]any{"build": stopped})
	default:
		a.record("UNKNOWN CodeBuild " + op)
		jsonError(w, "UnknownOperationException", "the fake AWS API does not serve CodeBuild "+op)
	}
}

// startBuild runs a build: it is over at once, SUCCEEDED or, under
// FailBuilds, FAILED. Its id is the project and a UUID-shaped hash of the
// digest, so the same build request always gets the same id.
func (a *AWSAPI) startBuild(project string, env map[string]string, region string) map[string]any {
	digest := BuildDigest(env)
	h := strings.TrimPrefix(digest, "sha256:")
	id := project + ":" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	a.mu.Lock()
	defer a.mu.Unlock()
	b := &Build{ID: id, Project: project, Region: region, Env: env, Digest: digest, Status: "SUCCEEDED",
		Log: []string{"[Container] Entering phase BUILD"}}
	if a.failMsg != "" {
		b.Status, b.Digest = "FAILED", ""
		b.Log = append(b.Log, a.failMsg,
			"[Container] Command did not exit successfully docker build exit status 1",
			"[Container] Phase complete: BUILD State: FAILED")
	} else {
		b.Log = append(b.Log, "Pushed "+env["DEFANG_REPOSITORY_URL"]+"@"+digest,
			"[Container] Phase complete: BUILD State: SUCCEEDED")
	}
	if _, ok := a.builds[id]; !ok {
		a.order = append(a.order, id)
	}
	a.builds[id] = b
	return b.json(a.instant)
}

// json is the build as CodeBuild shows it: finished, or just submitted.
func (b *Build) json(finished bool) map[string]any {
	stream := b.ID[strings.LastIndex(b.ID, ":")+1:]
	group := "/aws/codebuild/" + b.Project
	out := map[string]any{
		"id":          b.ID,
		"arn":         "arn:aws:codebuild:" + b.Region + ":" + fakecloud.AccountID + ":build/" + b.ID,
		"projectName": b.Project,
		"logs": map[string]any{
			"groupName":  group,
			"streamName": stream,
			"deepLink":   "https://console.aws.amazon.com/cloudwatch/home#logEvent:group=" + group + ";stream=" + stream,
		},
	}
	if !finished {
		out["currentPhase"], out["buildStatus"], out["buildComplete"] = "SUBMITTED", "IN_PROGRESS", false
		return out
	}
	out["currentPhase"], out["buildStatus"], out["buildComplete"] = "COMPLETED", b.Status, true
	switch b.Status {
	case "SUCCEEDED":
		out["exportedEnvironmentVariables"] = []any{map[string]any{"name": "IMAGE_DIGEST", "value": b.Digest}}
	case "FAILED":
		out["phases"] = []any{map[string]any{
			"phaseType": "BUILD", "phaseStatus": "FAILED",
			"contexts": []any{map[string]any{
				"statusCode": "COMMAND_EXECUTION_ERROR",
				"message":    "Error while executing command: docker build. Reason: exit status 1",
			}},
		}}
	}
	return out
}

// logs serves CloudWatch Logs' JSON 1.1 protocol (GetLogEvents only).
func (a *AWSAPI) logs(w http.ResponseWriter, r *http.Request, op string) {
	var req struct {
		Group         string `json:"logGroupName"`
		Stream        string `json:"logStreamName"`
		Limit         int    `json:"limit"`
		StartFromHead *bool  `json:"startFromHead"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		a.record(op)
		jsonError(w, "InvalidParameterException", "bad JSON: "+err.Error())
		return
	}
	if op != "GetLogEvents" {
		a.record("UNKNOWN Logs " + op)
		jsonError(w, "UnknownOperationException", "the fake AWS API does not serve CloudWatch Logs "+op)
		return
	}
	a.record("GetLogEvents " + req.Group + " " + req.Stream)
	var lines []string
	found := false
	a.mu.Lock()
	for _, id := range a.order {
		b := a.builds[id]
		if strings.HasSuffix(b.ID, ":"+req.Stream) && req.Group == "/aws/codebuild/"+b.Project {
			lines, found = append([]string(nil), b.Log...), true
		}
	}
	a.mu.Unlock()
	if !found {
		jsonError(w, "ResourceNotFoundException", "The specified log stream does not exist.")
		return
	}
	if req.Limit > 0 && req.Limit < len(lines) {
		if req.StartFromHead != nil && *req.StartFromHead {
			lines = lines[:req.Limit]
		} else {
			lines = lines[len(lines)-req.Limit:]
		}
	}
	events := []any{}
	for i, l := range lines {
		events = append(events, map[string]any{"timestamp": 1000 + i, "ingestionTime": 2000 + i, "message": l + "\n"})
	}
	writeJSON(w, map[string]any{"events": events, "nextForwardToken": "f/1", "nextBackwardToken": "b/1"})
}

// ExistingIn answers SetExisting from the resources that the aws stand-in s
// holds: the buckets (aws:s3/bucketV2 "bucket") and CodeBuild projects
// (aws:codebuild/project "name") that the deployment created and has not
// deleted. For the engine tests: api.SetExisting(standin.ExistingIn(aws)).
func ExistingIn(s *Server) func(kind, name string) bool {
	return func(kind, name string) bool {
		typ, key := "aws:s3/bucketV2:BucketV2", "bucket"
		if kind == KindCodeBuildProject {
			typ, key = "aws:codebuild/project:Project", "name"
		}
		for _, r := range s.Resources() {
			if v, ok := r.Outputs[resource.PropertyKey(key)]; ok && r.Type == typ && v.IsString() && v.StringValue() == name {
				return true
			}
		}
		return false
	}
}
