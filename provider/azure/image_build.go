package azure

// defang:azure:ImageBuild: one ACR Tasks build of one service's context,
// through the Azure SDK for Go, as defang:aws:ImageBuild is one CodeBuild
// build (DESIGN.md section 6).
//
// 1. The context, packed exactly as on AWS (provider/buildcontext), is
//    uploaded to <container>/contexts/<hex>.tar.gz in the project's storage
//    account with the deployer's Entra identity, unless a blob of that
//    digest is already there. The account allows no shared keys.
// 2. The run reads it through a user delegation SAS signed for this build
//    only: one blob (sr=b), read only, HTTPS only, valid for the run's
//    timeout plus an hour for the queue. It is made in Create, never stored
//    in the state, and never printed (ACR keeps it in the run's record).
// 3. ACR's quick run (scheduleRun with a DockerBuildRequest) builds and
//    pushes <repository>:<tag>; the resource polls the run and logs each new
//    status as BUILD_QUEUED, BUILD_PROVISIONING, BUILD_RUNNING, BUILD_STOPPING
//    (after an interruption, when it cancels the run) and BUILD_FAILED. ACR
//    has no phase between provisioning and running, so BUILD_PENDING never
//    shows on Azure.
// 4. A failed run fails the update with ACR's status and error, the last
//    lines of the run's log (read through the log link ACR signs) and the
//    command that prints the whole log. A successful run gives the image by
//    digest.
//
// Azure role assignments take minutes to propagate: on a first update the
// storage roles the BuildPipeline just granted may not be effective yet, so
// an AuthorizationPermissionMismatch is waited out (rbacPropagationWait)
// before it fails the build.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/imagebuild"
)

// ImageBuildResource is the inferred custom resource defang:azure:ImageBuild,
// ready for infer.ProviderBuilder.WithResources.
var ImageBuildResource = infer.Resource(&ImageBuild{})

const (
	ibDefaultPollInterval = 5 * time.Second
	// ibTagScheme names the image tag scheme (imagebuild.Settings.Tag).
	ibTagScheme = "defang-azure-image-v1"
	// rbacPropagationWait is how long a storage request refused for lack
	// of a role is retried: Azure documents up to 10 minutes for a new role
	// assignment to take effect.
	rbacPropagationWait = 10 * time.Minute
	// ibSASQueueAllowance is how long past the run's timeout the read SAS
	// stays valid, for the time the run waits in ACR's queue.
	ibSASQueueAllowance = time.Hour
)

// ImageBuild runs one ACR Tasks build of one service's build context and
// pushes the image to the registry. Like the AWS ImageBuild it has no
// update: a change that matters is a new image (a replace), anything else
// is no change.
//
// The zero value is ready to use; the unexported fields exist for tests.
type ImageBuild struct {
	// pollInterval is the wait between run reads (default 5s).
	pollInterval time.Duration
	// retryInterval is the wait between storage requests refused while a
	// role assignment propagates (default 15s).
	retryInterval time.Duration
	// newClients returns the Azure clients of a subscription (default:
	// loadImageBuildClients).
	newClients func(ctx context.Context, subscription string) (*imageBuildClients, error)
	// logf writes one user-visible log line (default: the provider logger).
	logf func(ctx context.Context, msg string)
	// now is the clock of the SAS validity (default time.Now).
	now func() time.Time
}

// ImageBuildArgs are the inputs of defang:azure:ImageBuild.
type ImageBuildArgs struct {
	ContextPath   string            `pulumi:"contextPath"`
	ContextDigest string            `pulumi:"contextDigest"`
	Dockerfile    *string           `pulumi:"dockerfile,optional"`
	Target        *string           `pulumi:"target,optional"`
	BuildArgs     map[string]string `pulumi:"buildArgs,optional"`
	Platform      *string           `pulumi:"platform,optional"`
	RegistryId    string            `pulumi:"registryId"`
	RepositoryURL string            `pulumi:"repositoryUrl"`
	ContainerURL  string            `pulumi:"containerUrl"`
}

// ImageBuildState is the state of defang:azure:ImageBuild: its inputs plus
// what the build produced.
type ImageBuildState struct {
	ImageBuildArgs
	ImageURI    string `pulumi:"imageUri"`
	ImageDigest string `pulumi:"imageDigest"`
	RunID       string `pulumi:"runId"`
}

// Annotate documents the resource and sets its token.
func (r *ImageBuild) Annotate(a infer.Annotator) {
	a.SetToken("azure", "ImageBuild")
	a.Describe(r, "Builds one service's Docker build context with an Azure Container Registry Tasks quick run "+
		"and pushes the image to the registry. The context is uploaded under its digest to a blob container "+
		"with the deployer's Entra identity and read by the run through a short-lived user delegation SAS; the "+
		"resource is replaced (rebuilt) only when the context digest or a build setting changes. Build progress "+
		"is logged as BUILD_QUEUED, BUILD_PROVISIONING, BUILD_RUNNING, BUILD_STOPPING and BUILD_FAILED; a failed "+
		"build fails with the tail of the run's log.")
}

// Annotate documents the inputs.
func (a *ImageBuildArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ContextPath, "Absolute path of the build context directory on the machine running Pulumi. "+
		"Not a replace trigger: contextDigest decides whether the content changed.")
	an.Describe(&a.ContextDigest, `Digest of the packed build context ("sha256:<hex>"). A change rebuilds the `+
		"image. The context is re-packed at build time and must still have this digest.")
	an.Describe(&a.Dockerfile, "Path of the Dockerfile relative to the build context.")
	an.SetDefault(&a.Dockerfile, buildcontext.DefaultDockerfile)
	an.Describe(&a.Target, "Build stage to build (docker build --target). Default: the last stage.")
	an.Describe(&a.BuildArgs, "Build arguments (docker build --build-arg). They are plain values in the ACR "+
		"run's record: do not put secrets here.")
	an.Describe(&a.Platform, `Target platform, such as "linux/amd64" or "linux/arm64".`)
	an.SetDefault(&a.Platform, imagebuild.DefaultPlatform)
	an.Describe(&a.RegistryId, "Resource id of the Azure Container Registry that runs the build and receives "+
		"the image.")
	an.Describe(&a.RepositoryURL, "The image repository without tag or digest: <loginServer>/<repository>.")
	an.Describe(&a.ContainerURL, "URL of the blob container that receives build contexts, under "+
		"contexts/<digest>.tar.gz (https://<account>.blob.core.windows.net/<container>). The deployer needs "+
		"Storage Blob Data Contributor on it and Storage Blob Delegator on its account. Changing it alone "+
		"does not rebuild.")
}

// Annotate documents the outputs.
func (s *ImageBuildState) Annotate(a infer.Annotator) {
	a.Describe(&s.ImageURI, "The pushed image, referenced by digest: <repositoryUrl>@sha256:<hex>.")
	a.Describe(&s.ImageDigest, `Digest of the pushed image manifest ("sha256:<hex>").`)
	a.Describe(&s.RunID, "ID of the ACR run that produced the image (az acr task logs --run-id).")
}

// ibRepositoryURLPattern is <login server>/<repository>, no tag or digest.
var ibRepositoryURLPattern = regexp.MustCompile(`^[a-zA-Z0-9.-]+(:[0-9]+)?/[a-z0-9]+([._/-][a-z0-9]+)*$`)

// Check applies defaults and rejects inputs that would only fail minutes
// into a build. Inputs still unknown (preview) are not checked.
func (*ImageBuild) Check(
	ctx context.Context, req infer.CheckRequest,
) (infer.CheckResponse[ImageBuildArgs], error) {
	return imagebuild.Check(ctx, req, ImageBuildArgs.problems)
}

// problems lists what is wrong with the inputs, in a fixed order.
func (a ImageBuildArgs) problems() []p.CheckFailure {
	out := imagebuild.SourceProblems(a.ContextPath, a.ContextDigest, a.Dockerfile, a.Target, a.Platform, a.BuildArgs)
	fail := func(prop, format string, args ...any) {
		out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if pl := imagebuild.Deref(a.Platform); pl != "" {
		if _, err := bpParsePlatform(pl); err != nil {
			fail("platform", "%v", err)
		}
	}
	if _, err := parseRegistryID(a.RegistryId); err != nil {
		fail("registryId", "%v", err)
	}
	if !ibRepositoryURLPattern.MatchString(a.RepositoryURL) {
		fail("repositoryUrl", "must be <loginServer>/<repository> without tag or digest, got %q", a.RepositoryURL)
	}
	if !strings.HasPrefix(a.ContainerURL, "https://") || strings.Count(strings.TrimPrefix(strings.TrimRight(a.ContainerURL, "/"), "https://"), "/") < 1 {
		fail("containerUrl", "must be a blob container URL (https://<account>.blob.core.windows.net/<container>), got %q", a.ContainerURL)
	}
	return out
}

// ibSettings are the inputs that decide what image comes out.
type ibSettings struct {
	imagebuild.Settings
	registryID, repositoryURL string
}

func (a ImageBuildArgs) settings() ibSettings {
	return ibSettings{
		Settings:      imagebuild.NewSettings(a.ContextDigest, a.Dockerfile, a.Target, a.Platform, a.BuildArgs),
		registryID:    a.RegistryId,
		repositoryURL: a.RepositoryURL,
	}
}

// Diff replaces the image when anything that shapes it changes and reports
// no change otherwise; contextPath and containerUrl say where things are,
// not what is built.
func (*ImageBuild) Diff(
	_ context.Context, req infer.DiffRequest[ImageBuildArgs, ImageBuildState],
) (infer.DiffResponse, error) {
	olds, news := req.State.ImageBuildArgs.settings(), req.Inputs.settings()
	diff := imagebuild.Diff{}
	diff.CompareSettings(olds.Settings, news.Settings)
	diff.Compare("registryId", olds.registryID, news.registryID, true)
	diff.Compare("repositoryUrl", olds.repositoryURL, news.repositoryURL, true)
	return diff.Response(), nil
}

// Read returns the state as it is: the build happened and its image is
// referenced by digest.
func (*ImageBuild) Read(
	_ context.Context, req infer.ReadRequest[ImageBuildArgs, ImageBuildState],
) (infer.ReadResponse[ImageBuildArgs, ImageBuildState], error) {
	return imagebuild.Read(req), nil
}

// Delete does nothing on purpose: an app may still run the image while its
// replacement rolls out, and the context blob is shared by every build of
// the same digest. Old images stay in the registry (see README, "Azure").
func (*ImageBuild) Delete(context.Context, infer.DeleteRequest[ImageBuildState]) (infer.DeleteResponse, error) {
	return infer.DeleteResponse{}, nil
}

// registryRef is a registry's subscription, resource group and name.
type registryRef struct{ subscription, group, name string }

func parseRegistryID(id string) (registryRef, error) {
	rid, err := arm.ParseResourceID(id)
	if err != nil || !strings.EqualFold(rid.ResourceType.String(), "Microsoft.ContainerRegistry/registries") {
		return registryRef{}, fmt.Errorf("must be a container registry's resource id "+
			"(/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>), got %q", id)
	}
	return registryRef{subscription: rid.SubscriptionID, group: rid.ResourceGroupName, name: rid.Name}, nil
}

// Create uploads the context (unless already there), runs the build and
// waits for it. During preview it touches nothing and leaves the outputs
// unknown.
func (r *ImageBuild) Create(
	ctx context.Context, req infer.CreateRequest[ImageBuildArgs],
) (infer.CreateResponse[ImageBuildState], error) {
	state := ImageBuildState{ImageBuildArgs: req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[ImageBuildState]{Output: state}, nil
	}
	fail := func(err error) (infer.CreateResponse[ImageBuildState], error) {
		return infer.CreateResponse[ImageBuildState]{}, fmt.Errorf("image build %s: %w", req.Name, err)
	}
	args := req.Inputs
	if problems := args.problems(); len(problems) > 0 {
		var msgs []string
		for _, f := range problems {
			msgs = append(msgs, f.Property+" "+f.Reason)
		}
		return fail(errors.New(strings.Join(msgs, "; ")))
	}
	settings := args.settings()
	registry, _ := parseRegistryID(args.RegistryId)

	newClients := r.newClients
	if newClients == nil {
		newClients = loadImageBuildClients
	}
	clients, err := newClients(ctx, registry.subscription)
	if err != nil {
		return fail(err)
	}

	containerURL := strings.TrimRight(args.ContainerURL, "/")
	blobName := imagebuild.ContextKey(args.ContextDigest)
	blobURL := containerURL + "/" + blobName
	uploaded, err := r.uploadContext(ctx, clients, blobURL, args.ContextPath, settings.Dockerfile, args.ContextDigest)
	if err != nil {
		return fail(err)
	}
	if uploaded >= 0 {
		r.log(ctx, fmt.Sprintf("uploaded the build context to %s (%d bytes)", blobURL, uploaded))
	} else {
		r.log(ctx, fmt.Sprintf("the build context is already in %s", blobURL))
	}

	query, err := r.readSAS(ctx, clients, containerURL, blobName)
	if err != nil {
		return fail(err)
	}
	repository := args.RepositoryURL[strings.Index(args.RepositoryURL, "/")+1:]
	tag := settings.Tag(ibTagScheme)
	request, err := ibRunRequest(settings.Settings, blobURL+"?"+query, repository+":"+tag)
	if err != nil {
		return fail(err)
	}
	poller, err := clients.registries.BeginScheduleRun(ctx, registry.group, registry.name, request, nil)
	if err != nil {
		return fail(redact(fmt.Errorf("scheduling an ACR run on registry %s: %w", registry.name, err), query))
	}
	scheduled, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: r.interval()})
	if err != nil {
		return fail(redact(fmt.Errorf("scheduling an ACR run on registry %s: %w", registry.name, err), query))
	}
	run := scheduled.Run
	if run.Properties == nil || imagebuild.Deref(run.Properties.RunID) == "" {
		return fail(fmt.Errorf("registry %s scheduled a run without an id", registry.name))
	}
	runID := *run.Properties.RunID
	r.log(ctx, fmt.Sprintf("started ACR run %s on registry %s for %s", runID, registry.name, args.RepositoryURL))

	props, err := r.wait(ctx, clients, registry, runID, *run.Properties)
	if err != nil {
		return fail(err)
	}
	if runStatus(props) != armcontainerregistry.RunStatusSucceeded {
		return fail(r.runFailure(ctx, clients, registry, runID, props))
	}
	digest := ibImageDigest(props, repository, tag)
	if !imagebuild.DigestPattern.MatchString(digest) {
		return fail(fmt.Errorf("ACR run %s succeeded but reported no digest for %s:%s", runID, repository, tag))
	}
	state.ImageDigest = digest
	state.ImageURI = args.RepositoryURL + "@" + digest
	state.RunID = runID
	r.log(ctx, "built "+state.ImageURI)
	return infer.CreateResponse[ImageBuildState]{ID: runID, Output: state}, nil
}

// uploadContext makes sure the blob holds the context with the expected
// digest and returns the bytes uploaded, or -1 when it was already there.
// The directory is re-read either way: if it changed since the program
// hashed it, the image would not match the plan the user approved.
func (r *ImageBuild) uploadContext(ctx context.Context, clients *imageBuildClients, blobURL, dir, dockerfile, want string) (int64, error) {
	client, err := clients.blob(blobURL)
	if err != nil {
		return 0, err
	}
	exists := false
	err = r.whileRolePropagates(ctx, func() error {
		_, err := client.GetProperties(ctx, nil)
		switch {
		case err == nil:
			exists = true
		case bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) || ibHTTPStatus(err) == http.StatusNotFound:
			return nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("looking for %s: %w", blobURL, err)
	}
	if exists {
		got, err := buildcontext.Digest(dir, dockerfile)
		if err != nil {
			return 0, err
		}
		if got != want {
			return 0, imagebuild.ContextChanged(want, got)
		}
		return -1, nil
	}

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
		return 0, imagebuild.ContextChanged(want, got)
	}
	size, err := tmp.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("packing the build context: %w", err)
	}
	err = r.whileRolePropagates(ctx, func() error {
		_, err := client.UploadFile(ctx, tmp, &blockblob.UploadFileOptions{
			HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("application/gzip")},
		})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("uploading the build context to %s: %w", blobURL, err)
	}
	return size, nil
}

// readSAS is the query of a user delegation SAS that lets the run read one
// blob, over HTTPS only, until the run's timeout (plus the queue allowance)
// has passed.
func (r *ImageBuild) readSAS(ctx context.Context, clients *imageBuildClients, containerURL, blobName string) (string, error) {
	svc, err := clients.blobService(containerURL)
	if err != nil {
		return "", err
	}
	now := time.Now
	if r.now != nil {
		now = r.now
	}
	// Start a little in the past: Azure's and this machine's clocks differ.
	start := now().UTC().Add(-5 * time.Minute).Truncate(time.Second)
	expiry := start.Add(5*time.Minute + bpBuildTimeout*time.Second + ibSASQueueAllowance)
	var cred *service.UserDelegationCredential
	err = r.whileRolePropagates(ctx, func() error {
		var err error
		cred, err = svc.GetUserDelegationCredential(ctx, service.KeyInfo{
			Start:  to.Ptr(start.Format(sas.TimeFormat)),
			Expiry: to.Ptr(expiry.Format(sas.TimeFormat)),
		}, nil)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("getting a user delegation key for the build's read SAS: %w", err)
	}
	container := containerURL[strings.LastIndex(containerURL, "/")+1:]
	params, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPS,
		StartTime:     start,
		ExpiryTime:    expiry,
		Permissions:   (&sas.BlobPermissions{Read: true}).String(),
		ContainerName: container,
		BlobName:      blobName,
	}.SignWithUserDelegation(cred)
	if err != nil {
		return "", fmt.Errorf("signing the build's read SAS: %w", err)
	}
	return params.Encode(), nil
}

// whileRolePropagates runs op and, while Azure refuses it for lack of a
// role (a role assignment the BuildPipeline made moments ago), runs it
// again, for up to rbacPropagationWait.
func (r *ImageBuild) whileRolePropagates(ctx context.Context, op func() error) error {
	interval := r.retryInterval
	if interval <= 0 {
		interval = 15 * time.Second
	}
	deadline := time.Now().Add(rbacPropagationWait)
	logged := false
	for {
		err := op()
		if err == nil || !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch, bloberror.AuthorizationFailure) ||
			time.Now().Add(interval).After(deadline) {
			return err
		}
		if !logged {
			r.log(ctx, "waiting for the storage role assignments to take effect (Azure can take minutes to propagate them)")
			logged = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// ibRunRequest is the quick run of one build. Build arguments are sorted so
// that the request is the same for the same settings.
func ibRunRequest(s imagebuild.Settings, sourceLocation, image string) (*armcontainerregistry.DockerBuildRequest, error) {
	platform, err := bpParsePlatform(s.Platform)
	if err != nil {
		return nil, err
	}
	props := &armcontainerregistry.PlatformProperties{
		OS:           to.Ptr(armcontainerregistry.OS(platform.os)),
		Architecture: to.Ptr(armcontainerregistry.Architecture(platform.arch)),
	}
	if platform.variant != "" {
		props.Variant = to.Ptr(armcontainerregistry.Variant(platform.variant))
	}
	var arguments []*armcontainerregistry.Argument
	for _, k := range imagebuild.SortedKeys(s.BuildArgs) {
		arguments = append(arguments, &armcontainerregistry.Argument{
			Name: to.Ptr(k), Value: to.Ptr(s.BuildArgs[k]), IsSecret: to.Ptr(false),
		})
	}
	req := &armcontainerregistry.DockerBuildRequest{
		Type:               to.Ptr("DockerBuildRequest"),
		SourceLocation:     to.Ptr(sourceLocation),
		DockerFilePath:     to.Ptr(s.Dockerfile),
		ImageNames:         []*string{to.Ptr(image)},
		IsPushEnabled:      to.Ptr(true),
		NoCache:            to.Ptr(false),
		IsArchiveEnabled:   to.Ptr(false),
		Platform:           props,
		Arguments:          arguments,
		AgentConfiguration: &armcontainerregistry.AgentProperties{CPU: to.Ptr[int32](bpBuildCPU)},
		Timeout:            to.Ptr[int32](bpBuildTimeout),
	}
	if s.Target != "" {
		req.Target = to.Ptr(s.Target)
	}
	return req, nil
}

// runStatus is a run's status, "" when ACR did not say.
func runStatus(props armcontainerregistry.RunProperties) armcontainerregistry.RunStatus {
	if props.Status == nil {
		return ""
	}
	return *props.Status
}

// ibBuildStatus maps an ACR run status to the status shown to the user and
// says whether the run is over:
//
//	Queued                            BUILD_QUEUED
//	Started (an agent is being set up) BUILD_PROVISIONING
//	Running                           BUILD_RUNNING
//	over: Failed, Error, Timeout, Canceled  BUILD_FAILED
//	over: Succeeded                   no new status
func ibBuildStatus(status armcontainerregistry.RunStatus) (string, bool) {
	switch status {
	case armcontainerregistry.RunStatusQueued:
		return imagebuild.StatusQueued, false
	case armcontainerregistry.RunStatusStarted:
		return imagebuild.StatusProvisioning, false
	case armcontainerregistry.RunStatusRunning:
		return imagebuild.StatusRunning, false
	case armcontainerregistry.RunStatusSucceeded:
		return "", true
	case armcontainerregistry.RunStatusFailed, armcontainerregistry.RunStatusError,
		armcontainerregistry.RunStatusTimeout, armcontainerregistry.RunStatusCanceled:
		return imagebuild.StatusFailed, true
	}
	return "", false // a status ACR may add later: keep waiting
}

func (r *ImageBuild) interval() time.Duration {
	if r.pollInterval > 0 {
		return r.pollInterval
	}
	return ibDefaultPollInterval
}

// wait polls the run until it is over, logging each new status once. When
// ctx is cancelled (the user interrupted the update) it cancels the run, so
// that no orphan run keeps building and pushing.
func (r *ImageBuild) wait(ctx context.Context, clients *imageBuildClients, registry registryRef, runID string,
	props armcontainerregistry.RunProperties,
) (armcontainerregistry.RunProperties, error) {
	last := ""
	for {
		status, done := ibBuildStatus(runStatus(props))
		if status != "" && status != last {
			line := fmt.Sprintf("%s: ACR run %s is %s", status, runID, runStatus(props))
			if done {
				line = fmt.Sprintf("%s: ACR run %s ended %s", status, runID, runStatus(props))
			}
			r.log(ctx, line)
			last = status
		}
		if done {
			return props, nil
		}
		timer := time.NewTimer(r.interval())
		select {
		case <-ctx.Done():
			timer.Stop()
			return props, r.cancelRun(ctx, clients, registry, runID)
		case <-timer.C:
		}
		got, err := clients.runs.Get(ctx, registry.group, registry.name, runID, nil)
		if err != nil {
			if ctx.Err() != nil {
				return props, r.cancelRun(ctx, clients, registry, runID)
			}
			return props, fmt.Errorf("watching ACR run %s: %w", runID, err)
		}
		if got.Properties == nil {
			return props, fmt.Errorf("watching ACR run %s: ACR returned the run without properties", runID)
		}
		props = *got.Properties
	}
}

// cancelRun cancels a run after ctx was cancelled, with a context of its
// own: the cancelled one would abort the request before it is sent.
func (r *ImageBuild) cancelRun(ctx context.Context, clients *imageBuildClients, registry registryRef, runID string) error {
	r.log(ctx, fmt.Sprintf("%s: cancelling ACR run %s", imagebuild.StatusStopping, runID))
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := clients.runs.BeginCancel(cancelCtx, registry.group, registry.name, runID, nil); err != nil {
		return fmt.Errorf("cancelled; cancelling ACR run %s also failed (az acr task cancel-run --registry %s --run-id %s): %w: %w",
			runID, registry.name, runID, err, ctx.Err())
	}
	return fmt.Errorf("cancelled; ACR run %s was cancelled: %w", runID, ctx.Err())
}

// runFailure describes a failed run: ACR's status and error, the tail of
// its log and the command that prints all of it.
func (r *ImageBuild) runFailure(ctx context.Context, clients *imageBuildClients, registry registryRef, runID string,
	props armcontainerregistry.RunProperties,
) error {
	var msg strings.Builder
	fmt.Fprintf(&msg, "ACR run %s ended %s", runID, runStatus(props))
	if e := strings.TrimSpace(imagebuild.Deref(props.RunErrorMessage)); e != "" {
		fmt.Fprintf(&msg, ": %s", e)
	}
	msg.WriteString(imagebuild.FormatTail(r.logTail(ctx, clients, registry, runID)))
	fmt.Fprintf(&msg, "\nFull log: az acr task logs --registry %s --run-id %s", registry.name, runID)
	return errors.New(msg.String())
}

// logTail returns the last lines of a run's log, read through the log link
// ACR signs for it.
func (r *ImageBuild) logTail(ctx context.Context, clients *imageBuildClients, registry registryRef, runID string) ([]string, error) {
	link, err := clients.runs.GetLogSasURL(ctx, registry.group, registry.name, runID, nil)
	if err != nil {
		return nil, err
	}
	if imagebuild.Deref(link.LogLink) == "" {
		return nil, errors.New("ACR returned no log link")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *link.LogLink, nil)
	if err != nil {
		return nil, errors.New("ACR returned an invalid log link")
	}
	resp, err := clients.http.Do(req)
	if err != nil {
		return nil, withoutURL(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the log link: HTTP %d", resp.StatusCode)
	}
	return imagebuild.LastLines(resp.Body, imagebuild.LogTailLines)
}

// ibImageDigest is the digest ACR reports for the pushed repository:tag,
// or of the one image a run without details pushed.
func ibImageDigest(props armcontainerregistry.RunProperties, repository, tag string) string {
	for _, img := range props.OutputImages {
		if img != nil && imagebuild.Deref(img.Repository) == repository && imagebuild.Deref(img.Tag) == tag {
			return imagebuild.Deref(img.Digest)
		}
	}
	if len(props.OutputImages) == 1 && props.OutputImages[0] != nil {
		return imagebuild.Deref(props.OutputImages[0].Digest)
	}
	return ""
}

// ibHTTPStatus is the status code of an Azure response error, 0 otherwise.
func ibHTTPStatus(err error) int {
	var respErr *azcore.ResponseError
	if errors.As(err, &respErr) {
		return respErr.StatusCode
	}
	return 0
}

// redact removes a SAS query from an error's text.
func redact(err error, query string) error {
	if err == nil || query == "" || !strings.Contains(err.Error(), query) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), query, "<sas>"))
}

// log writes one user-visible line for the resource.
func (r *ImageBuild) log(ctx context.Context, msg string) {
	if r.logf != nil {
		r.logf(ctx, msg)
		return
	}
	p.GetLogger(ctx).Info(msg)
}

// Compile-time checks that ImageBuild has the methods infer looks for.
var (
	_ infer.CustomCheck[ImageBuildArgs]                 = (*ImageBuild)(nil)
	_ infer.CustomDiff[ImageBuildArgs, ImageBuildState] = (*ImageBuild)(nil)
	_ infer.CustomRead[ImageBuildArgs, ImageBuildState] = (*ImageBuild)(nil)
	_ infer.CustomDelete[ImageBuildState]               = (*ImageBuild)(nil)
	_ infer.Annotated                                   = (*ImageBuild)(nil)
)
