package aws

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/imagebuild"
)

// ImageBuildResource is the inferred custom resource defang:aws:ImageBuild,
// ready for infer.ProviderBuilder.WithResources.
var ImageBuildResource = infer.Resource(&ImageBuild{})

// Defaults shared by Check (through Annotate), Diff and Create.
const (
	ibDefaultPlatform     = imagebuild.DefaultPlatform
	ibDefaultPollInterval = 5 * time.Second
	// ibLogTailLines is how many build log lines a failure reports.
	ibLogTailLines = imagebuild.LogTailLines
	// ibDigestVariable is the buildspec's exported variable with the
	// pushed image's digest.
	ibDigestVariable = "IMAGE_DIGEST"
)

// Build statuses shown in the resource's log lines (DESIGN.md section 6).
const (
	ibStatusQueued       = imagebuild.StatusQueued
	ibStatusProvisioning = imagebuild.StatusProvisioning
	ibStatusPending      = imagebuild.StatusPending
	ibStatusRunning      = imagebuild.StatusRunning
	ibStatusStopping     = imagebuild.StatusStopping
	ibStatusFailed       = imagebuild.StatusFailed
)

// ImageBuild runs one CodeBuild build of one service's build context and
// pushes the image to ECR. It has no update: any change that matters means a
// new image, so it is a replace, and everything else is no change at all.
//
// The zero value is ready to use; the unexported fields exist for tests.
type ImageBuild struct {
	// pollInterval is the wait between BatchGetBuilds calls (default 5s).
	pollInterval time.Duration
	// newClients returns the AWS clients for a region (default: the
	// standard credential chain, see loadImageBuildClients).
	newClients func(ctx context.Context, region string) (*imageBuildClients, error)
	// logf writes one user-visible log line for the resource (default: the
	// provider logger, p.GetLogger).
	logf func(ctx context.Context, msg string)
}

// ImageBuildArgs are the inputs of defang:aws:ImageBuild.
type ImageBuildArgs struct {
	ContextPath      string            `pulumi:"contextPath"`
	ContextDigest    string            `pulumi:"contextDigest"`
	Dockerfile       *string           `pulumi:"dockerfile,optional"`
	Target           *string           `pulumi:"target,optional"`
	BuildArgs        map[string]string `pulumi:"buildArgs,optional"`
	Platform         *string           `pulumi:"platform,optional"`
	Bucket           string            `pulumi:"bucket"`
	CodeBuildProject string            `pulumi:"codeBuildProject"`
	RepositoryURL    string            `pulumi:"repositoryUrl"`
	Region           *string           `pulumi:"region,optional"`
}

// ImageBuildState is the state of defang:aws:ImageBuild: its inputs plus
// what the build produced.
type ImageBuildState struct {
	ImageBuildArgs
	ImageURI    string `pulumi:"imageUri"`
	ImageDigest string `pulumi:"imageDigest"`
	BuildID     string `pulumi:"buildId"`
}

// Annotate documents the resource and sets its token.
func (r *ImageBuild) Annotate(a infer.Annotator) {
	a.SetToken("aws", "ImageBuild")
	a.Describe(r, "Builds one service's Docker build context in AWS CodeBuild and pushes the image to ECR. "+
		"The context is uploaded to S3 under its digest; the resource is replaced (rebuilt) only when the "+
		"context digest or a build setting changes. Build progress is logged as BUILD_QUEUED, "+
		"BUILD_PROVISIONING, BUILD_PENDING, BUILD_RUNNING, BUILD_STOPPING and BUILD_FAILED.")
}

// Annotate documents the inputs.
func (a *ImageBuildArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ContextPath, "Absolute path of the build context directory on the machine running Pulumi. "+
		"Not a replace trigger: the same context lives at different paths on different machines; "+
		"contextDigest decides whether the content changed.")
	an.Describe(&a.ContextDigest, `Digest of the packed build context ("sha256:<hex>"), computed when the program `+
		"runs. A change rebuilds the image. The context is re-packed at build time and must still have this digest.")
	an.Describe(&a.Dockerfile, "Path of the Dockerfile relative to the build context.")
	an.SetDefault(&a.Dockerfile, buildcontext.DefaultDockerfile)
	an.Describe(&a.Target, "Build stage to build (docker build --target). Default: the last stage.")
	an.Describe(&a.BuildArgs, "Build arguments (docker build --build-arg). They reach CodeBuild as plain "+
		"environment variables and are visible in the CodeBuild console: do not put secrets here.")
	an.Describe(&a.Platform, `Target platform of the image, such as "linux/amd64" or "linux/arm64". `+
		"The CodeBuild environment must be able to build it (an ARM environment for linux/arm64).")
	an.SetDefault(&a.Platform, ibDefaultPlatform)
	an.Describe(&a.Bucket, "Name of the S3 bucket that receives build contexts, under contexts/<digest>.tar.gz. "+
		"Changing it alone does not rebuild.")
	an.Describe(&a.CodeBuildProject, "Name of the CodeBuild project that runs the build. It must allow "+
		"privileged mode (Docker) and its role must read the bucket and push to the repository.")
	an.Describe(&a.RepositoryURL, "URL of the ECR repository to push to, without tag or digest "+
		"(<account>.dkr.ecr.<region>.amazonaws.com/<name>).")
	an.Describe(&a.Region, "AWS region of the bucket and the CodeBuild project. Default: the standard AWS "+
		"configuration (AWS_REGION, profile). Changing it alone does not rebuild.")
}

// Annotate documents the outputs.
func (s *ImageBuildState) Annotate(a infer.Annotator) {
	a.Describe(&s.ImageURI, "The pushed image, referenced by digest: <repositoryUrl>@sha256:<hex>.")
	a.Describe(&s.ImageDigest, `Digest of the pushed image manifest ("sha256:<hex>").`)
	a.Describe(&s.BuildID, "ID of the CodeBuild build that produced the image.")
}

var (
	ibDigestPattern = imagebuild.DigestPattern
	// ibRepositoryURLPattern is registry host[:port]/name, no tag or digest;
	// ECR repository names are lower case.
	ibRepositoryURLPattern = regexp.MustCompile(`^[a-zA-Z0-9.-]+(:[0-9]+)?/[a-z0-9]+([._/-][a-z0-9]+)*$`)
	// ibECRHostPattern extracts the region from an ECR registry host.
	ibECRHostPattern = regexp.MustCompile(`^[0-9]+\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)
)

// Check applies defaults and rejects inputs that would only fail minutes into
// a build. Inputs that are still unknown (preview) are not checked.
func (*ImageBuild) Check(
	ctx context.Context, req infer.CheckRequest,
) (infer.CheckResponse[ImageBuildArgs], error) {
	return imagebuild.Check(ctx, req, ImageBuildArgs.problems)
}

// problems lists what is wrong with the inputs, in a fixed order.
func (a ImageBuildArgs) problems() []p.CheckFailure {
	var out []p.CheckFailure
	fail := func(prop, format string, args ...any) {
		out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	out = append(out, imagebuild.SourceProblems(a.ContextPath, a.ContextDigest, a.Dockerfile, a.Target, a.Platform,
		a.BuildArgs)...)
	if a.Bucket == "" {
		fail("bucket", "must not be empty")
	}
	if a.CodeBuildProject == "" {
		fail("codeBuildProject", "must not be empty")
	}
	if !ibRepositoryURLPattern.MatchString(a.RepositoryURL) {
		fail("repositoryUrl", "must be a repository URL without tag or digest "+
			"(<account>.dkr.ecr.<region>.amazonaws.com/<name>), got %q", a.RepositoryURL)
	}
	return out
}

// ibSettings are the inputs that decide what image comes out, with
// defaults applied so that "unset" and "set to the default" compare equal.
type ibSettings struct {
	imagebuild.Settings
	repositoryURL, codeBuildProject string
}

func (a ImageBuildArgs) settings() ibSettings {
	return ibSettings{
		Settings:         imagebuild.NewSettings(a.ContextDigest, a.Dockerfile, a.Target, a.Platform, a.BuildArgs),
		repositoryURL:    a.RepositoryURL,
		codeBuildProject: a.CodeBuildProject,
	}
}

// Diff replaces the image when anything that shapes it changes, and reports
// no change otherwise. contextPath, bucket and region are deliberately not
// compared: they say where things are, not what is built, and differ between
// machines and accounts' layouts without the image changing.
//
// Unknown inputs (preview) decode as empty values, so an unknown
// contextDigest or repositoryUrl shows as a replace, the safe answer.
func (*ImageBuild) Diff(
	_ context.Context, req infer.DiffRequest[ImageBuildArgs, ImageBuildState],
) (infer.DiffResponse, error) {
	olds, news := req.State.ImageBuildArgs.settings(), req.Inputs.settings()
	diff := imagebuild.Diff{}
	diff.CompareSettings(olds.Settings, news.Settings)
	diff.Compare("repositoryUrl", olds.repositoryURL, news.repositoryURL, true)
	diff.Compare("codeBuildProject", olds.codeBuildProject, news.codeBuildProject, true)
	return diff.Response(), nil
}

// Read returns the state as it is: the build already happened, and the image
// it pushed is referenced by digest, so there is nothing to refresh.
func (*ImageBuild) Read(
	_ context.Context, req infer.ReadRequest[ImageBuildArgs, ImageBuildState],
) (infer.ReadResponse[ImageBuildArgs, ImageBuildState], error) {
	return imagebuild.Read(req), nil
}

// Delete does nothing on purpose. The image stays in ECR: a service may still
// run it while its replacement rolls out, and the repository's lifecycle
// policy, not this resource, decides when old images go. The uploaded
// context stays in the bucket for the same reason (the bucket's lifecycle
// rule expires it), and a later build of the same context reuses it.
func (*ImageBuild) Delete(context.Context, infer.DeleteRequest[ImageBuildState]) (infer.DeleteResponse, error) {
	return infer.DeleteResponse{}, nil
}

// Create uploads the context (unless already there), runs the build and waits
// for it. During preview it touches nothing and leaves the outputs unknown.
func (r *ImageBuild) Create(
	ctx context.Context, req infer.CreateRequest[ImageBuildArgs],
) (infer.CreateResponse[ImageBuildState], error) {
	state := ImageBuildState{ImageBuildArgs: req.Inputs}
	if req.DryRun {
		// infer marks the outputs that do not mirror an input as unknown.
		return infer.CreateResponse[ImageBuildState]{Output: state}, nil
	}

	args := req.Inputs
	if problems := args.problems(); len(problems) > 0 {
		var msgs []string
		for _, f := range problems {
			msgs = append(msgs, f.Property+" "+f.Reason)
		}
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %s", req.Name, strings.Join(msgs, "; "))
	}
	settings := args.settings()

	newClients := r.newClients
	if newClients == nil {
		newClients = loadImageBuildClients
	}
	clients, err := newClients(ctx, ibString(args.Region))
	if err != nil {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %w", req.Name, err)
	}

	key := ibContextKey(args.ContextDigest)
	uploaded, err := ibUploadContext(ctx, clients.S3, args.Bucket, key, args.ContextPath, settings.Dockerfile,
		args.ContextDigest)
	if err != nil {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %w", req.Name, err)
	}
	if uploaded >= 0 {
		r.log(ctx, fmt.Sprintf("uploaded the build context to s3://%s/%s (%d bytes)", args.Bucket, key, uploaded))
	} else {
		r.log(ctx, fmt.Sprintf("the build context is already in s3://%s/%s", args.Bucket, key))
	}

	start, err := clients.CodeBuild.StartBuild(ctx, ibStartBuildInput(args.Bucket, key, settings,
		ibECRRegion(args.RepositoryURL, ibString(args.Region))))
	if err != nil {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf(
			"image build %s: starting CodeBuild project %q: %w", req.Name, args.CodeBuildProject, err)
	}
	if start.Build == nil || start.Build.Id == nil {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf(
			"image build %s: CodeBuild returned no build for project %q", req.Name, args.CodeBuildProject)
	}
	buildID := *start.Build.Id
	r.log(ctx, fmt.Sprintf("started CodeBuild build %s for %s", buildID, args.RepositoryURL))

	build, err := r.wait(ctx, clients.CodeBuild, *start.Build)
	if err != nil {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %w", req.Name, err)
	}
	if build.BuildStatus != cbtypes.StatusTypeSucceeded {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %w", req.Name,
			ibBuildFailure(ctx, clients.Logs, build))
	}

	digest := ibExportedVariable(build, ibDigestVariable)
	if !ibDigestPattern.MatchString(digest) {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf(
			"image build %s: CodeBuild build %s succeeded but exported %s=%q, not an image digest",
			req.Name, buildID, ibDigestVariable, digest)
	}
	state.ImageDigest = digest
	state.ImageURI = args.RepositoryURL + "@" + digest
	state.BuildID = buildID
	r.log(ctx, fmt.Sprintf("built %s", state.ImageURI))
	return infer.CreateResponse[ImageBuildState]{ID: buildID, Output: state}, nil
}

// log writes one user-visible line for the resource.
func (r *ImageBuild) log(ctx context.Context, msg string) {
	if r.logf != nil {
		r.logf(ctx, msg)
		return
	}
	p.GetLogger(ctx).Info(msg)
}

// ibContextKey is where a context with this digest lives in the bucket.
func ibContextKey(digest string) string { return imagebuild.ContextKey(digest) }

// ibUploadContext makes sure s3://bucket/key holds the context with the
// expected digest, and returns the number of bytes uploaded, or -1 when the
// object was already there. The directory is re-read either way: if it
// changed since the program computed contextDigest, building it would
// produce an image that does not match the plan the user approved.
func ibUploadContext(ctx context.Context, client *s3.Client, bucket, key, dir, dockerfile, want string) (int64, error) {
	exists, err := ibObjectExists(ctx, client, bucket, key)
	if err != nil {
		return 0, err
	}
	if exists {
		got, err := buildcontext.Digest(dir, dockerfile)
		if err != nil {
			return 0, err
		}
		if got != want {
			return 0, ibContextChanged(want, got)
		}
		return -1, nil
	}

	// Pack to a temporary file: S3 needs the length up front, and a seekable
	// body lets the SDK sign the payload and retry.
	tmp, err := os.CreateTemp("", "defang-context-*.tar.gz")
	if err != nil {
		return 0, fmt.Errorf("packing the build context: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	got, err := buildcontext.Pack(dir, dockerfile, tmp)
	if err != nil {
		return 0, err
	}
	if got != want {
		return 0, ibContextChanged(want, got)
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("packing the build context: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("packing the build context: %w", err)
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &bucket,
		Key:           &key,
		Body:          tmp,
		ContentLength: &size,
		ContentType:   awssdk.String("application/gzip"),
	})
	if err != nil {
		return 0, fmt.Errorf("uploading the build context to s3://%s/%s: %w", bucket, key, err)
	}
	return size, nil
}

func ibContextChanged(want, got string) error { return imagebuild.ContextChanged(want, got) }

// ibObjectExists reports whether s3://bucket/key exists. S3 answers 403 rather
// than 404 for a missing key when the caller may not list the bucket; both
// mean "upload it": an upload that is refused fails with a clear error.
func ibObjectExists(ctx context.Context, client *s3.Client, bucket, key string) (bool, error) {
	_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err == nil {
		return true, nil
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound, http.StatusForbidden:
			return false, nil
		}
	}
	return false, fmt.Errorf("looking for s3://%s/%s: %w", bucket, key, err)
}

// ibECRRegion is the region of the registry in repositoryURL, which the build
// logs in to; it falls back to the resource's region for non-standard hosts.
func ibECRRegion(repositoryURL, fallback string) string {
	host, _, _ := strings.Cut(repositoryURL, "/")
	if m := ibECRHostPattern.FindStringSubmatch(host); m != nil {
		return m[2]
	}
	return fallback
}

// ibImageTag is the tag pushed with the image (imagebuild.Settings.Tag).
func ibImageTag(s ibSettings) string { return s.Tag("defang-image-v1") }

// ibDockerFlags are the docker build options, one argv element each, in
// --flag=value form so that a value starting with "-" cannot be read as a
// flag. Build arguments are sorted for a stable request.
func ibDockerFlags(s ibSettings) []string {
	flags := []string{"--file=" + s.Dockerfile, "--platform=" + s.Platform}
	if s.Target != "" {
		flags = append(flags, "--target="+s.Target)
	}
	for _, k := range imagebuild.SortedKeys(s.BuildArgs) {
		flags = append(flags, "--build-arg="+k+"="+s.BuildArgs[k])
	}
	return flags
}

// ibEncodeFlags packs argv elements NUL-terminated and base64-encoded into one
// environment variable. The buildspec decodes them into a bash array, so no
// user-supplied string is ever parsed by the shell.
func ibEncodeFlags(flags []string) string {
	var b strings.Builder
	for _, f := range flags {
		b.WriteString(f)
		b.WriteByte(0)
	}
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}

// ibBuildspec is the buildspec every ImageBuild runs. It is a constant:
// every value it needs arrives as an environment variable, always
// double-quoted, and the docker flags arrive as a NUL-separated list decoded
// into an array (see ibEncodeFlags).
//
// pre_build fetches and unpacks the context (CodeBuild only unpacks ZIP
// sources, so the tar.gz is fetched here with source type NO_SOURCE) and logs
// in to ECR; build runs docker build and push in one bash script, so that the
// array and set -e apply throughout, and exports the pushed digest.
const ibBuildspec = `version: 0.2
env:
  shell: bash
  exported-variables:
    - IMAGE_DIGEST
phases:
  pre_build:
    commands:
      - |
        set -euo pipefail
        work="${CODEBUILD_SRC_DIR:-$PWD}/defang"
        rm -rf "$work"
        mkdir -p "$work/context"
        echo "Fetching $DEFANG_CONTEXT_URL"
        aws s3 cp --only-show-errors "$DEFANG_CONTEXT_URL" - | tar -xzf - -C "$work/context" --no-same-owner
        aws ecr get-login-password --region "$DEFANG_ECR_REGION" | docker login --username AWS --password-stdin "${DEFANG_REPOSITORY_URL%%/*}"
  build:
    commands:
      - |
        set -euo pipefail
        work="${CODEBUILD_SRC_DIR:-$PWD}/defang"
        cd "$work/context"
        printf '%s' "$DEFANG_BUILD_FLAGS" | base64 -d > "$work/flags"
        flags=()
        while IFS= read -r -d '' flag; do flags+=("$flag"); done < "$work/flags"
        image="$DEFANG_REPOSITORY_URL:$DEFANG_IMAGE_TAG"
        docker build "${flags[@]}" --tag "$image" .
        docker push "$image" | tee "$work/push.log"
        digest=""
        while IFS= read -r ref; do
          case "$ref" in "$DEFANG_REPOSITORY_URL"@sha256:*) digest="${ref#*@}" ;; esac
        done < <(docker inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$image")
        if [ -z "$digest" ]; then
          digest="$(sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p' "$work/push.log" | tail -n 1)"
        fi
        if [ -z "$digest" ]; then echo "could not read the digest of the pushed image" >&2; exit 1; fi
        export IMAGE_DIGEST="$digest"
        echo "Pushed $DEFANG_REPOSITORY_URL@$IMAGE_DIGEST"
`

// ibStartBuildInput is the StartBuild request for one build.
func ibStartBuildInput(bucket, key string, s ibSettings, ecrRegion string) *codebuild.StartBuildInput {
	env := func(name, value string) cbtypes.EnvironmentVariable {
		return cbtypes.EnvironmentVariable{
			Name: awssdk.String(name), Value: awssdk.String(value), Type: cbtypes.EnvironmentVariableTypePlaintext,
		}
	}
	return &codebuild.StartBuildInput{
		ProjectName: awssdk.String(s.codeBuildProject),
		// The context is fetched by the buildspec (see ibBuildspec).
		SourceTypeOverride: cbtypes.SourceTypeNoSource,
		BuildspecOverride:  awssdk.String(ibBuildspec),
		// The image is the only output; a project with artifacts configured
		// would otherwise try to upload some.
		ArtifactsOverride: &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		// docker build needs the Docker daemon, which needs privileged mode.
		PrivilegedModeOverride: awssdk.Bool(true),
		EnvironmentVariablesOverride: []cbtypes.EnvironmentVariable{
			env("DEFANG_CONTEXT_URL", "s3://"+bucket+"/"+key),
			env("DEFANG_REPOSITORY_URL", s.repositoryURL),
			env("DEFANG_ECR_REGION", ecrRegion),
			env("DEFANG_IMAGE_TAG", ibImageTag(s)),
			env("DEFANG_BUILD_FLAGS", ibEncodeFlags(ibDockerFlags(s))),
			env("DOCKER_BUILDKIT", "1"),
		},
	}
}

// ibBuildStatus maps a CodeBuild build to the status shown to the user, and
// says whether the build is over:
//
//	SUBMITTED, QUEUED                      BUILD_QUEUED
//	PROVISIONING                           BUILD_PROVISIONING
//	DOWNLOAD_SOURCE, INSTALL, PRE_BUILD    BUILD_PENDING
//	BUILD, POST_BUILD                      BUILD_RUNNING
//	UPLOAD_ARTIFACTS, FINALIZING           BUILD_STOPPING unless already SUCCEEDED
//	over: FAILED, FAULT, TIMED_OUT, STOPPED BUILD_FAILED
//
// An empty status means "no new status": a build that is over and
// succeeded, or a phase CodeBuild may add later.
func ibBuildStatus(b cbtypes.Build) (status string, done bool) {
	phase := cbtypes.BuildPhaseType(ibString(b.CurrentPhase))
	// BuildComplete is authoritative; a terminal status in the COMPLETED
	// phase is accepted too, in case the flag lags behind.
	done = b.BuildComplete || (b.BuildStatus != cbtypes.StatusTypeInProgress && b.BuildStatus != "" &&
		phase == cbtypes.BuildPhaseTypeCompleted)
	if done {
		if b.BuildStatus != cbtypes.StatusTypeSucceeded {
			return ibStatusFailed, true
		}
		return "", true
	}
	switch phase {
	case cbtypes.BuildPhaseTypeSubmitted, cbtypes.BuildPhaseTypeQueued:
		return ibStatusQueued, false
	case cbtypes.BuildPhaseTypeProvisioning:
		return ibStatusProvisioning, false
	case cbtypes.BuildPhaseTypeDownloadSource, cbtypes.BuildPhaseTypeInstall, cbtypes.BuildPhaseTypePreBuild:
		return ibStatusPending, false
	case cbtypes.BuildPhaseTypeBuild, cbtypes.BuildPhaseTypePostBuild:
		return ibStatusRunning, false
	case cbtypes.BuildPhaseTypeUploadArtifacts, cbtypes.BuildPhaseTypeFinalizing:
		if b.BuildStatus != cbtypes.StatusTypeSucceeded {
			return ibStatusStopping, false
		}
	}
	return "", false
}

// wait polls the build until it is over, logging each new status once. When
// ctx is cancelled (the user interrupted the update) it stops the build, so
// that no orphan build keeps running and pushing.
func (r *ImageBuild) wait(ctx context.Context, client *codebuild.Client, build cbtypes.Build) (cbtypes.Build, error) {
	interval := r.pollInterval
	if interval <= 0 {
		interval = ibDefaultPollInterval
	}
	id := ibString(build.Id)
	last := ""
	for {
		status, done := ibBuildStatus(build)
		if status != "" && status != last {
			r.log(ctx, ibStatusLine(status, build))
			last = status
		}
		if done {
			return build, nil
		}

		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return build, ibStopBuild(ctx, client, id)
		case <-timer.C:
		}

		out, err := client.BatchGetBuilds(ctx, &codebuild.BatchGetBuildsInput{Ids: []string{id}})
		if err != nil {
			if ctx.Err() != nil {
				return build, ibStopBuild(ctx, client, id)
			}
			return build, fmt.Errorf("watching CodeBuild build %s: %w", id, err)
		}
		if len(out.Builds) == 0 {
			return build, fmt.Errorf("watching CodeBuild build %s: CodeBuild no longer knows the build", id)
		}
		build = out.Builds[0]
	}
}

// ibStatusLine is the log line for a status. BUILD_FAILED names CodeBuild's
// final status (FAILED, FAULT, TIMED_OUT or STOPPED).
func ibStatusLine(status string, b cbtypes.Build) string {
	if status == ibStatusFailed {
		return fmt.Sprintf("%s: CodeBuild build %s ended %s", status, ibString(b.Id), b.BuildStatus)
	}
	return fmt.Sprintf("%s: CodeBuild build %s in phase %s", status, ibString(b.Id), ibString(b.CurrentPhase))
}

// ibStopBuild stops a build after ctx was cancelled. The StopBuild call gets a
// context of its own: the cancelled one would abort it before it is sent.
func ibStopBuild(ctx context.Context, client *codebuild.Client, id string) error {
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := client.StopBuild(stopCtx, &codebuild.StopBuildInput{Id: &id}); err != nil {
		return fmt.Errorf("cancelled; stopping CodeBuild build %s also failed (stop it by hand): %w: %w",
			id, err, ctx.Err())
	}
	return fmt.Errorf("cancelled; CodeBuild build %s was stopped: %w", id, ctx.Err())
}

// ibBuildFailure describes a failed build: CodeBuild's status, the failing
// phase and its reason, and the tail of the build log.
func ibBuildFailure(ctx context.Context, logs *cloudwatchlogs.Client, b cbtypes.Build) error {
	var msg strings.Builder
	fmt.Fprintf(&msg, "CodeBuild build %s ended %s", ibString(b.Id), b.BuildStatus)
	for _, ph := range b.Phases {
		if ph.PhaseStatus == "" || ph.PhaseStatus == cbtypes.StatusTypeSucceeded ||
			ph.PhaseStatus == cbtypes.StatusTypeInProgress {
			continue
		}
		fmt.Fprintf(&msg, " in phase %s", ph.PhaseType)
		for _, c := range ph.Contexts {
			var parts []string
			for _, part := range []string{ibString(c.StatusCode), ibString(c.Message)} {
				if part = strings.TrimSpace(part); part != "" {
					parts = append(parts, part)
				}
			}
			if len(parts) > 0 {
				fmt.Fprintf(&msg, " (%s)", strings.Join(parts, ": "))
			}
		}
		break
	}
	msg.WriteString(imagebuild.FormatTail(ibLogTail(ctx, logs, b.Logs)))
	if b.Logs != nil && ibString(b.Logs.DeepLink) != "" {
		fmt.Fprintf(&msg, "\nFull log: %s", ibString(b.Logs.DeepLink))
	}
	return errors.New(msg.String())
}

// ibLogTail returns the last lines of a build's CloudWatch log stream.
func ibLogTail(ctx context.Context, client *cloudwatchlogs.Client, loc *cbtypes.LogsLocation) ([]string, error) {
	if loc == nil || ibString(loc.GroupName) == "" || ibString(loc.StreamName) == "" {
		return nil, errors.New("the build has no CloudWatch log stream")
	}
	out, err := client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName:  loc.GroupName,
		LogStreamName: loc.StreamName,
		StartFromHead: awssdk.Bool(false), // the newest events
		Limit:         awssdk.Int32(ibLogTailLines),
	})
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, e := range out.Events {
		lines = append(lines, strings.Split(strings.TrimRight(ibString(e.Message), "\r\n"), "\n")...)
	}
	if len(lines) > ibLogTailLines {
		lines = lines[len(lines)-ibLogTailLines:]
	}
	return lines, nil
}

// ibExportedVariable is the value of a buildspec exported variable.
func ibExportedVariable(b cbtypes.Build, name string) string {
	for _, v := range b.ExportedEnvironmentVariables {
		if ibString(v.Name) == name {
			return ibString(v.Value)
		}
	}
	return ""
}

// ibString is the value of an optional string, "" when unset.
func ibString(s *string) string { return imagebuild.Deref(s) }

// Compile-time checks that ImageBuild has the methods infer looks for.
var (
	_ infer.CustomCheck[ImageBuildArgs]                 = (*ImageBuild)(nil)
	_ infer.CustomDiff[ImageBuildArgs, ImageBuildState] = (*ImageBuild)(nil)
	_ infer.CustomRead[ImageBuildArgs, ImageBuildState] = (*ImageBuild)(nil)
	_ infer.CustomDelete[ImageBuildState]               = (*ImageBuild)(nil)
	_ infer.Annotated                                   = (*ImageBuild)(nil)
)
