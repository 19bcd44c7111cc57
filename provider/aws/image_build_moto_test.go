package aws

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
)

// These tests drive the real ImageBuild code (upload the context, start the
// build, poll it, read its log, stop it) against moto's server mode: an AWS
// implementation this project did not write, as a second opinion on the
// fake of image_build_test.go. `make unit` installs moto into
// .cache/moto/venv (mk/moto.mk); a test run without it skips these tests,
// except under CI=true, where a missing moto is a failure.
//
// moto's CodeBuild does not run builds (moto 5.2.5, codebuild/models.py):
// StartBuild answers currentPhase QUEUED and buildStatus IN_PROGRESS, and
// every BatchGetBuilds answers currentPhase COMPLETED and buildStatus
// SUCCEEDED, with all phases SUCCEEDED, buildComplete still false and no
// exported variables; its log location is the literal group and stream
// "null". The assertions below say what ImageBuild does with exactly that.

const (
	motoRegion  = "us-east-1"
	motoAccount = "123456789012" // moto's default account
	motoBucket  = "defang-src"
	motoProject = "defang-builds"
)

// motoServer is the path of moto_server: $DEFANG_MOTO_SERVER (which make
// exports), else the venv that mk/moto.mk installs under the repository's
// .cache. Missing, the test skips, or fails under CI=true.
func motoServer(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DEFANG_MOTO_SERVER")
	if path == "" {
		path = filepath.Join(repositoryRoot(t), ".cache", "moto", "venv", "bin", "moto_server")
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("moto is not installed at %s: run `make moto` (mk/moto.mk)", path)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// repositoryRoot is the directory holding go.mod, above the test's package.
func repositoryRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	return dir
}

// moto is the one moto_server of the test binary, started by the first
// test that needs it and stopped by TestMain; each test starts from an
// empty moto (its reset API).
var moto struct {
	once sync.Once
	url  string
	err  error
	log  bytes.Buffer
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.stop != nil {
		moto.stop()
	}
	os.Exit(code)
}

// startMoto returns the URL of a fresh moto on a free loopback port, and
// points the AWS SDK at it through the environment, as a user's
// AWS_ENDPOINT_URL would.
func startMoto(t *testing.T) string {
	t.Helper()
	server := motoServer(t)
	moto.once.Do(func() { moto.url, moto.err = runMoto(server) })
	if moto.err != nil {
		t.Fatalf("%v\n%s", moto.err, moto.log.String())
	}
	resp, err := http.Post(moto.url+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("resetting moto: %v", err)
	}
	resp.Body.Close()

	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": moto.url, "AWS_REGION": motoRegion, "AWS_ACCESS_KEY_ID": "AKIDMOTO",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	return moto.url
}

// runMoto starts moto_server on a free loopback port and waits until it
// answers.
func runMoto(server string) (string, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := lis.Addr().(*net.TCPAddr).Port
	lis.Close()

	cmd := exec.Command(server, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &moto.log, &moto.log
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", server, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	moto.stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	// Python starts slowly on a loaded machine: allow a minute.
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return url, nil
		}
		select {
		case err := <-exited:
			moto.stop = nil
			return "", fmt.Errorf("moto_server exited: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("moto_server did not answer on %s within a minute", url)
		}
	}
}

// motoClients are the clients ImageBuild builds for itself from the
// environment (loadImageBuildClients), with the bucket and the CodeBuild
// project that a BuildPipeline would have created.
func motoClients(t *testing.T) *imageBuildClients {
	t.Helper()
	ctx := t.Context()
	c, err := loadImageBuildClients(ctx, motoRegion)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: awssdk.String(motoBucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.CodeBuild.CreateProject(ctx, &codebuild.CreateProjectInput{
		Name: awssdk.String(motoProject),
		// moto insists on a location even for NO_SOURCE, which AWS does not.
		Source:    &cbtypes.ProjectSource{Type: cbtypes.SourceTypeNoSource, Location: awssdk.String("none")},
		Artifacts: &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		Environment: &cbtypes.ProjectEnvironment{
			Type: cbtypes.EnvironmentTypeLinuxContainer, ComputeType: cbtypes.ComputeTypeBuildGeneral1Small,
			Image: awssdk.String("aws/codebuild/standard:7.0"), PrivilegedMode: awssdk.Bool(true),
		},
		ServiceRole: awssdk.String("arn:aws:iam::" + motoAccount + ":role/defang-codebuild"),
	}); err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	return c
}

// motoImageBuild is an ImageBuild that makes its own clients (as in
// production) and records its log lines.
func motoImageBuild(lines *[]string, onLine func(string)) *ImageBuild {
	var mu sync.Mutex
	return &ImageBuild{
		pollInterval: time.Millisecond,
		logf: func(_ context.Context, msg string) {
			mu.Lock()
			*lines = append(*lines, msg)
			mu.Unlock()
			if onLine != nil {
				onLine(msg)
			}
		},
	}
}

func motoArgs(dir, digest string) ImageBuildArgs {
	a := ibArgs(dir, digest)
	a.Bucket, a.CodeBuildProject, a.Region = motoBucket, motoProject, awssdk.String(motoRegion)
	a.RepositoryURL = motoAccount + ".dkr.ecr." + motoRegion + ".amazonaws.com/defang/app"
	return a
}

func TestImageBuildAgainstMoto(t *testing.T) {
	startMoto(t)
	c := motoClients(t)
	dir, digest := ibContext(t)
	var lines []string
	r := motoImageBuild(&lines, nil)
	args := motoArgs(dir, digest)

	_, err := r.Create(t.Context(), infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: args})

	// The context is in moto's S3 under its digest, byte for byte.
	key := ibContextKey(digest)
	obj, getErr := c.S3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: awssdk.String(motoBucket), Key: awssdk.String(key)})
	if getErr != nil {
		t.Fatalf("the context is not in s3://%s/%s: %v (Create: %v)", motoBucket, key, getErr, err)
	}
	stored, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	var packed bytes.Buffer
	if _, err := buildcontext.Pack(dir, "Dockerfile", &packed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, packed.Bytes()) {
		t.Errorf("moto holds %d bytes that differ from the packed context (%d bytes)", len(stored), packed.Len())
	}

	// moto accepted StartBuild with our overrides and knows the build.
	ids, listErr := c.CodeBuild.ListBuildsForProject(t.Context(), &codebuild.ListBuildsForProjectInput{ProjectName: awssdk.String(motoProject)})
	if listErr != nil || len(ids.Ids) != 1 {
		t.Fatalf("ListBuildsForProject: %v %v (Create: %v)", ids, listErr, err)
	}
	id := ids.Ids[0]

	// StartBuild's QUEUED is logged; moto's first BatchGetBuilds already
	// answers COMPLETED/SUCCEEDED, so no other status appears. A "succeeded"
	// build without the IMAGE_DIGEST the buildspec exports is an error, not
	// an image: that is what ImageBuild must do with moto's answer.
	if got := statuses(lines); len(got) != 1 || got[0] != ibStatusQueued {
		t.Errorf("statuses %q, want [BUILD_QUEUED]\n%s", got, strings.Join(lines, "\n"))
	}
	want := fmt.Sprintf(`CodeBuild build %s succeeded but exported IMAGE_DIGEST="", not an image digest`, id)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Create = %v, want an error containing %q", err, want)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "uploaded the build context to s3://"+motoBucket+"/"+key) {
		t.Errorf("no upload line:\n%s", strings.Join(lines, "\n"))
	}

	// A second build of the same context finds it in S3 and does not upload.
	lines = nil
	_, _ = r.Create(t.Context(), infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: args})
	if !strings.Contains(strings.Join(lines, "\n"), "the build context is already in s3://"+motoBucket+"/"+key) {
		t.Errorf("the second build did not find the context:\n%s", strings.Join(lines, "\n"))
	}
}

// An interrupted update stops the build it started (StopBuild), and says so.
func TestImageBuildCancelAgainstMoto(t *testing.T) {
	startMoto(t)
	motoClients(t)
	dir, digest := ibContext(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var lines []string
	r := motoImageBuild(&lines, func(line string) {
		if strings.HasPrefix(line, ibStatusQueued) {
			cancel() // the user presses Ctrl-C while the build is queued
		}
	})
	_, err := r.Create(ctx, infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: motoArgs(dir, digest)})
	if err == nil || !strings.Contains(err.Error(), "was stopped") || !errors.Is(err, context.Canceled) {
		t.Fatalf("Create = %v, want the build stopped after the cancel", err)
	}
}

// A build of a CodeBuild project that does not exist fails with AWS's
// ResourceNotFoundException, named in the error.
func TestImageBuildUnknownProjectAgainstMoto(t *testing.T) {
	startMoto(t)
	motoClients(t)
	dir, digest := ibContext(t)
	var lines []string
	args := motoArgs(dir, digest)
	args.CodeBuildProject = "no-such-project"
	_, err := motoImageBuild(&lines, nil).Create(t.Context(), infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: args})
	if err == nil || !strings.Contains(err.Error(), `starting CodeBuild project "no-such-project"`) ||
		!strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("Create = %v, want CodeBuild's ResourceNotFoundException", err)
	}
}

// A failed build's message carries the newest lines of its CloudWatch log
// stream, oldest first, as GetLogEvents with startFromHead=false returns
// them from moto.
func TestImageBuildFailureLogAgainstMoto(t *testing.T) {
	startMoto(t)
	c := motoClients(t)
	ctx := t.Context()
	group, stream := "/aws/codebuild/"+motoProject, "0b5c9a1e"
	if _, err := c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream}); err != nil {
		t.Fatal(err)
	}
	const total = ibLogTailLines + 10
	now := time.Now().UnixMilli()
	var events []logtypes.InputLogEvent
	for i := 0; i < total; i++ {
		events = append(events, logtypes.InputLogEvent{Message: awssdk.String(fmt.Sprintf("line %02d\n", i)), Timestamp: awssdk.Int64(now + int64(i))})
	}
	if _, err := c.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: events}); err != nil {
		t.Fatal(err)
	}

	build := cbtypes.Build{
		Id: awssdk.String(motoProject + ":0b5c9a1e"), BuildStatus: cbtypes.StatusTypeFailed,
		Phases: []cbtypes.BuildPhase{{PhaseType: cbtypes.BuildPhaseTypeBuild, PhaseStatus: cbtypes.StatusTypeFailed}},
		Logs:   &cbtypes.LogsLocation{GroupName: &group, StreamName: &stream},
	}
	msg := ibBuildFailure(ctx, c.Logs, build).Error()
	var tail []string
	for i := total - ibLogTailLines; i < total; i++ {
		tail = append(tail, fmt.Sprintf("line %02d", i))
	}
	want := fmt.Sprintf("CodeBuild build %s:0b5c9a1e ended FAILED in phase BUILD\nLast %d lines of the build log:\n%s",
		motoProject, ibLogTailLines, strings.Join(tail, "\n"))
	if msg != want {
		t.Errorf("failure message:\n%s\nwant:\n%s", msg, want)
	}

	// moto's own builds name the log group and stream "null": the tail is
	// then unreadable, and the message says so instead of failing.
	build.Logs = &cbtypes.LogsLocation{GroupName: awssdk.String("null"), StreamName: awssdk.String("null")}
	if msg := ibBuildFailure(ctx, c.Logs, build).Error(); !strings.Contains(msg, "The build log could not be read") ||
		!strings.Contains(msg, "ResourceNotFoundException") {
		t.Errorf("failure message without a log stream:\n%s", msg)
	}
}

// An upload to a bucket that does not exist fails with S3's NoSuchBucket,
// named in the error, before any build starts.
func TestImageBuildUnknownBucketAgainstMoto(t *testing.T) {
	startMoto(t)
	c := motoClients(t)
	dir, digest := ibContext(t)
	var lines []string
	args := motoArgs(dir, digest)
	args.Bucket = "no-such-bucket"
	_, err := motoImageBuild(&lines, nil).Create(t.Context(), infer.CreateRequest[ImageBuildArgs]{Name: "app", Inputs: args})
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("Create = %v, want S3's NoSuchBucket", err)
	}
	ids, _ := c.CodeBuild.ListBuildsForProject(t.Context(), &codebuild.ListBuildsForProjectInput{ProjectName: awssdk.String(motoProject)})
	if ids != nil && len(ids.Ids) > 0 {
		t.Errorf("a build started although the upload failed: %v", ids.Ids)
	}
}
